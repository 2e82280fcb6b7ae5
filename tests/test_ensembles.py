"""Bagging: bootstrap samples, independent members, averaged probabilities."""

import numpy as np
import pytest

from engine.datasets import make_moons
from engine.ensembles import bootstrap_indices, fit_bagging
from engine.optimizers import Momentum


@pytest.fixture(scope="module")
def bagging():
    X, y = make_moons(150, noise=0.25, seed=0)
    ens = fit_bagging([2, 12, 2], lambda: Momentum(lr=0.05, momentum=0.9), X, y, k=4,
                      epochs=15, batch_size=16, seed=0)
    return ens, X, y


def test_bootstrap_samples_differ_and_repeat_rows(bagging):
    ens, X, _ = bagging
    assert ens.samples.shape == (4, len(X))
    sets = [frozenset(s) for s in ens.samples]
    assert len(set(sets)) == 4  # every member saw a different dataset
    for s in ens.samples:
        # with replacement: about 1 − 1/e ≈ 63 % of the rows appear, some several times
        assert 0.5 < len(set(s)) / len(X) < 0.75


def test_members_start_and_end_differently(bagging):
    ens, _, _ = bagging
    params = [net.params for net in ens.members]
    assert all(not np.allclose(params[0], p) for p in params[1:])


def test_ensemble_averages_member_probabilities(bagging):
    ens, X, y = bagging
    manual = np.mean([net.predict_proba(X) for net in ens.members], axis=0)
    np.testing.assert_allclose(ens.predict_proba(X), manual)
    np.testing.assert_array_equal(ens.predict(X), np.argmax(manual, axis=1))
    accs = ens.member_accuracies(X, y)
    assert accs.shape == (4,) and np.all(accs > 0.7)
    assert ens.accuracy(X, y) >= accs.min()
    d = ens.disagreement(X)
    assert d.shape == (len(X),) and np.all((d >= 0) & (d <= 1))


def test_bagging_is_deterministic():
    X, y = make_moons(60, noise=0.2, seed=1)

    def run():
        return fit_bagging([2, 4, 2], lambda: Momentum(lr=0.1, momentum=0.5), X, y, k=2,
                           epochs=3, batch_size=8, seed=7)

    a, b = run(), run()
    np.testing.assert_array_equal(a.samples, b.samples)
    np.testing.assert_array_equal(a.members[1].params, b.members[1].params)


def test_progress_callback_sees_every_epoch():
    X, y = make_moons(40, noise=0.2, seed=1)
    seen = []
    fit_bagging([2, 4, 2], lambda: Momentum(lr=0.1, momentum=0.5), X, y, k=3, epochs=2,
                batch_size=8, seed=0, on_epoch=lambda i, r: seen.append((i, r.epoch)))
    assert seen == [(0, 1), (0, 2), (1, 1), (1, 2), (2, 1), (2, 2)]


def test_bootstrap_indices_are_in_range():
    idx = bootstrap_indices(10, 3, np.random.default_rng(0))
    assert idx.shape == (3, 10) and idx.min() >= 0 and idx.max() <= 9


def test_bad_k():
    with pytest.raises(ValueError, match="k=0"):
        fit_bagging([2, 2], lambda: Momentum(lr=0.1, momentum=0.5), np.zeros((4, 2)),
                    np.array([0, 1, 0, 1]), k=0, epochs=1, batch_size=2, seed=0)


def test_each_member_is_a_plain_fit_on_its_own_bootstrap_sample():
    """Rebuild member i by hand from the documented seeding: same weights exactly."""
    from engine.network import MLP
    from engine.training import fit

    X, y = make_moons(50, noise=0.2, seed=3)
    ens = fit_bagging([2, 5, 2], lambda: Momentum(lr=0.1, momentum=0.5), X, y, k=3,
                      epochs=2, batch_size=8, seed=11)
    seeds = np.random.SeedSequence(11).spawn(4)
    np.testing.assert_array_equal(ens.samples,
                                  bootstrap_indices(50, 3, np.random.default_rng(seeds[0])))
    initial = []
    for i in range(3):
        init_seed, batch_seed = seeds[i + 1].spawn(2)
        net = MLP([2, 5, 2], seed=np.random.default_rng(init_seed))
        initial.append(net.params.copy())
        rows = ens.samples[i]
        list(fit(net, Momentum(lr=0.1, momentum=0.5), X[rows], y[rows], epochs=2,
                 batch_size=8, seed=np.random.default_rng(batch_seed)))
        np.testing.assert_array_equal(ens.members[i].params, net.params)
    # different initial weights for every member, and different training rows
    assert not np.allclose(initial[0], initial[1]) and not np.allclose(initial[1], initial[2])
    assert not np.array_equal(np.sort(ens.samples[0]), np.arange(50))
