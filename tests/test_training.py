"""fit(): mini-batches, determinism, learning, early stopping, divergence."""

import numpy as np
import pytest

from engine.datasets import make_moons, train_val_test_split
from engine.network import MLP
from engine.optimizers import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSProp
from engine.training import fit


def moons(n=200, seed=0):
    X, y = make_moons(n, noise=0.15, seed=seed)
    return train_val_test_split(X, y, val=0.25, test=0.0, seed=seed)[:4]


class RecordingMLP(MLP):
    """Remembers which rows each training gradient was computed on."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.batches = []

    def gradient(self, X, Y, **kw):
        if kw.get("training"):
            self.batches.append(np.asarray(X).copy())
        return super().gradient(X, Y, **kw)


@pytest.mark.parametrize(("batch_size", "steps"), [(1, 30), (7, 5), (30, 1), (500, 1)])
def test_each_epoch_shuffles_then_slices_the_whole_set(batch_size, steps):
    X = np.arange(60, dtype=float).reshape(30, 2)
    y = np.arange(30) % 2
    net = RecordingMLP([2, 3, 2], seed=0)
    records = list(fit(net, SGD(lr=1e-3), X, y, epochs=2, batch_size=batch_size, seed=1))
    assert records[-1].opt_state.count == 2 * steps
    first_epoch = np.concatenate(net.batches[:steps])
    second_epoch = np.concatenate(net.batches[steps:])
    # every row exactly once per epoch, in a shuffled order that differs per epoch
    for epoch in (first_epoch, second_epoch):
        np.testing.assert_array_equal(np.sort(epoch[:, 0]), X[:, 0])
    if batch_size < 30:
        assert not np.array_equal(first_epoch, X)
        assert not np.array_equal(first_epoch, second_epoch)
    sizes = [len(b) for b in net.batches[:steps]]
    assert sizes == [min(batch_size, 30 - i * batch_size) for i in range(steps)]


def test_same_seed_same_run_and_different_seed_different_run():
    X, y, Xv, yv = moons()

    def run(seed):
        net = MLP([2, 8, 2], dropout=0.1, seed=0)
        records = list(fit(net, Momentum(lr=0.1, momentum=0.9), X, y, epochs=5, batch_size=16,
                           seed=seed, X_val=Xv, y_val=yv))
        return net.params.copy(), [r.val_loss for r in records]

    a, b, c = run(3), run(3), run(4)
    np.testing.assert_array_equal(a[0], b[0])
    assert a[1] == b[1]
    assert not np.array_equal(a[0], c[0])


def test_learns_two_moons():
    X, y, Xv, yv = moons(400)
    net = MLP([2, 16, 16, 2], activation="relu", seed=0)
    records = list(fit(net, Momentum(lr=0.05, momentum=0.9), X, y, epochs=60, batch_size=16,
                       seed=0, X_val=Xv, y_val=yv))
    assert len(records) == 60
    assert records[-1].train_loss < 0.3 * records[0].train_loss
    assert records[-1].val_acc > 0.93
    assert all(r.val_loss is not None and np.isfinite(r.val_loss) for r in records)
    assert records[-1].grad_norms.shape == (3,)
    assert np.all(records[-1].grad_norms > 0)
    losses = [r.val_loss for r in records]
    for r in records:  # `best` flags the running minimum of the validation loss
        assert r.best == (r.val_loss == min(losses[:r.epoch])
                          and r.val_loss < min(losses[:r.epoch - 1], default=np.inf))


def test_early_stopping_restores_the_best_weights():
    X, y, _, _ = moons(120)
    # A validation set with every label flipped: the better the fit, the worse its loss,
    # so the best epoch comes early and training must stop `patience` epochs later.
    X_val, y_val = X, 1 - y
    net = MLP([2, 16, 2], seed=1)
    snapshots = {}
    records = []
    for record in fit(net, Momentum(lr=0.05, momentum=0.9), X, y, epochs=200, batch_size=8,
                      seed=0, X_val=X_val, y_val=y_val, patience=5):
        records.append(record)
        snapshots[record.epoch] = net.params.copy()
    last = records[-1]
    assert last.stopped and len(records) < 200
    assert last.epoch == last.best_epoch + 5
    assert f"epoch {last.best_epoch}" in last.message
    best = min(records, key=lambda r: r.val_loss)
    assert best.epoch == last.best_epoch and best.best
    np.testing.assert_array_equal(net.params, snapshots[best.epoch])
    assert net.loss(X_val, y_val) == pytest.approx(best.val_loss)


def test_early_stopping_also_restores_when_epochs_run_out():
    X, y, _, _ = moons(120)
    net = MLP([2, 16, 2], seed=1)
    records = list(fit(net, Momentum(lr=0.05, momentum=0.9), X, y, epochs=6, batch_size=8,
                       seed=0, X_val=X, y_val=1 - y, patience=50))
    assert not records[-1].stopped
    best = min(records, key=lambda r: r.val_loss)
    assert net.loss(X, 1 - y) == pytest.approx(best.val_loss)


@pytest.mark.parametrize(("init", "lr", "cause"), [
    ("normalized", 1e6, "learning rate α = 1e+06"),
    # α = 5 may be the cause as much as the weights: both are named
    ("large", 5.0, "'large' initialization makes activations and gradients explode, or the "
                   "learning rate α = 5 is too large"),
])
def test_divergence_stops_with_a_message_and_finite_weights(init, lr, cause):
    X, y, _, _ = moons()
    net = MLP([2, 32, 32, 2], init=init, seed=0)
    with np.errstate(all="raise"):  # and no warning escapes
        records = list(fit(net, SGD(lr=lr), X, y, epochs=50, batch_size=32, seed=0))
    assert records[-1].diverged and len(records) < 50
    assert cause in records[-1].message
    assert np.all(np.isfinite(net.params))
    assert all(np.isfinite(r.train_loss) for r in records[:-1])


def test_the_divergence_message_names_the_restored_weights_and_dropout():
    X, y, X_val, y_val = moons()
    for lr, best_epoch in ((1e3, 0), (0.5, 1)):  # diverges in epoch 1, then in epoch 2
        net = MLP([2, 32, 32, 2], dropout=0.8, seed=0)
        start = net.params.copy()
        records = list(fit(net, Momentum(lr=lr, momentum=0.9), X, y, epochs=50,
                           batch_size=32, seed=0, X_val=X_val, y_val=y_val))
        last = records[-1]
        assert last.diverged and last.best_epoch == best_epoch
        assert "dropout p = 0.8 scales the units it keeps by 1/(1 − p) = 5" in last.message
        if best_epoch:
            assert "The weights of epoch 1, the best before it, were restored." in last.message
            assert net.evaluate(X_val, y_val)[0] == pytest.approx(records[0].val_loss)
        else:
            assert "The starting weights were restored." in last.message
            np.testing.assert_array_equal(net.params, start)


def test_continuing_with_the_optimizer_state():
    X, y, _, _ = moons()
    net_a = MLP([2, 8, 2], seed=0)
    records = list(fit(net_a, Momentum(lr=0.05, momentum=0.9), X, y, epochs=4, batch_size=20,
                       seed=0))
    state = records[-1].opt_state
    assert np.any(state.v != 0) and state.count == 4 * 8
    more = list(fit(net_a, Momentum(lr=0.01, momentum=0.9), X, y, epochs=1, batch_size=20,
                    seed=1, opt_state=state))
    assert more[-1].opt_state.count == 5 * 8


def test_batch_size_one_is_online_sgd_and_full_batch_is_batch_gradient_descent():
    X, y, _, _ = moons(40)
    full = MLP([2, 4, 2], seed=0)
    expected = full.params - 0.1 * full.loss_and_grad(X, y)[1]
    list(fit(full, SGD(lr=0.1), X, y, epochs=1, batch_size=len(X), seed=0))
    np.testing.assert_allclose(full.params, expected)  # order does not matter for one batch

    online = MLP([2, 4, 2], seed=0)
    order = np.random.default_rng(5).permutation(len(X))
    theta = online.params.copy()
    for i in order:
        online.params = theta
        theta = theta - 0.1 * online.loss_and_grad(X[i:i + 1], y[i:i + 1])[1]
    online2 = MLP([2, 4, 2], seed=0)
    list(fit(online2, SGD(lr=0.1), X, y, epochs=1, batch_size=1, seed=5))
    np.testing.assert_allclose(online2.params, theta)


def test_newton_cannot_train_a_network():
    from engine.optimizers import Newton

    X, y, _, _ = moons(20)
    with pytest.raises(ValueError, match="Hessian"):
        next(fit(MLP([2, 2], seed=0), Newton(), X, y, epochs=1, batch_size=4, seed=0))


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"epochs": 0}, "epochs=0"),
    ({"batch_size": 0}, "batch_size=0"),
    ({"patience": 0}, "patience=0"),
    ({"l2": -1.0}, "l2=-1.0"),
    ({"l1": float("nan")}, "l1=nan"),
])
def test_bad_arguments(kwargs, message):
    X, y, _, _ = moons(20)
    args = {"epochs": 1, "batch_size": 4, "seed": 0, **kwargs}
    with pytest.raises(ValueError, match=message):
        next(fit(MLP([2, 2], seed=0), SGD(lr=0.1), X, y, **args))


def test_trainer_epoch_by_epoch_equals_fit():
    from engine.training import Trainer

    X, y, Xv, yv = moons()
    a = MLP([2, 8, 2], seed=0)
    fitted = list(fit(a, Momentum(lr=0.05, momentum=0.9), X, y, epochs=4, batch_size=16,
                      seed=2, X_val=Xv, y_val=yv))
    b = MLP([2, 8, 2], seed=0)
    trainer = Trainer(b, Momentum(lr=0.05, momentum=0.9), X, y, batch_size=16, seed=2,
                      X_val=Xv, y_val=yv)
    stepped = [trainer.run_epoch() for _ in range(4)]
    np.testing.assert_array_equal(a.params, b.params)
    assert [r.val_loss for r in fitted] == [r.val_loss for r in stepped]


def test_trainer_changes_alpha_mid_run_and_keeps_the_velocity():
    from engine.training import Trainer

    X, y, _, _ = moons()
    net = MLP([2, 8, 2], seed=0)
    trainer = Trainer(net, Momentum(lr=0.05, momentum=0.9), X, y, batch_size=16, seed=2)
    trainer.run_epoch()
    velocity = trainer.state.v.copy()
    trainer.set_optimizer(Momentum(lr=0.01, momentum=0.9))
    np.testing.assert_array_equal(trainer.state.v, velocity)  # same kind: state kept
    trainer.run_epoch()
    assert trainer.epoch == 2 and trainer.optimizer.lr == 0.01
    trainer.set_optimizer(SGD(lr=0.1))  # another kind starts its own state
    assert trainer.state.count == 0
    trainer.l2 = 1e-3
    trainer.batch_size = 4
    record = trainer.run_epoch()
    assert record.epoch == 3 and np.isfinite(record.train_loss)


def test_a_finished_trainer_refuses_more_epochs():
    from engine.training import Trainer

    X, y, _, _ = moons()
    trainer = Trainer(MLP([2, 32, 32, 2], seed=0), SGD(lr=1e6), X, y, batch_size=32, seed=0)
    while not trainer.finished:
        record = trainer.run_epoch()
    assert record.diverged
    with pytest.raises(RuntimeError, match="ended"):
        trainer.run_epoch()


@pytest.mark.parametrize("optimizer", [
    SGD(lr=0.1), Momentum(lr=0.05, momentum=0.9), Nesterov(lr=0.05, momentum=0.9),
    AdaGrad(lr=0.1), RMSProp(lr=0.01), Adam(lr=0.01)], ids=lambda opt: type(opt).__name__)
def test_training_equals_a_plain_loop_with_fresh_gradients(optimizer):
    # the Trainer reuses its buffers from step to step; the plainest loop does not
    X, y, _, _ = moons()
    net = MLP([2, 8, 8, 2], seed=0)
    reference = net.copy()
    records = list(fit(net, optimizer, X, y, epochs=3, batch_size=16, seed=5))

    rng = np.random.default_rng(5)
    Y = np.eye(2)[y]
    state = optimizer.init(reference.params)
    norms = []
    for _ in range(3):
        order = rng.permutation(len(X))
        norms.append([])
        for start in range(0, len(X), 16):
            rows = order[start:start + 16]
            used = []

            def grad_fn(theta, rows=rows, used=used):
                reference.params = theta
                used.append(reference.loss_and_grad(X[rows], Y[rows])[1])
                return used[-1]

            theta, state = optimizer.step(reference.params.copy(), grad_fn, state)
            reference.params = theta
            norms[-1].append(reference.layer_grad_norms(used[-1]))
    np.testing.assert_array_equal(net.params, reference.params)
    np.testing.assert_allclose(records[-1].grad_norms, np.mean(norms[-1], axis=0), rtol=1e-12)
    assert records[-1].train_loss == pytest.approx(reference.loss(X, y), rel=1e-12)


@pytest.mark.parametrize(("optimizer", "loss", "batch"), [
    (SGD(lr=0.1), "cross_entropy", 16), (Nesterov(lr=0.05, momentum=0.9), "cross_entropy", 7),
    (Momentum(lr=0.05, momentum=0.9), "mse", 16), (SGD(lr=0.1), "cross_entropy", 1),
    (Adam(lr=0.01), "cross_entropy", 500)], ids=lambda v: getattr(v, "__name__", str(v)))
def test_each_mini_batchs_loss_is_the_loss_its_step_saw(optimizer, loss, batch):
    """record_batches: J of every mini-batch at the θ its gradient was taken at (Nesterov:
    the look-ahead point), computed after the epoch from the scores backprop kept."""
    from engine.training import Trainer

    X, y, _, _ = moons()
    net = MLP([2, 8, 8, 2], loss=loss, seed=0)
    reference = net.copy()
    trainer = Trainer(net, optimizer, X, y, batch_size=batch, seed=5, record_batches=True)
    records = [trainer.run_epoch() for _ in range(2)]

    rng = np.random.default_rng(5)
    state = optimizer.init(reference.params)
    expected = []
    for _ in range(2):
        order = rng.permutation(len(X))
        expected.append([])
        for start in range(0, len(X), batch):
            rows = order[start:start + batch]

            def grad_fn(theta, rows=rows, seen=expected[-1]):
                reference.params = theta
                seen.append(reference.loss(X[rows], y[rows]))
                return reference.loss_and_grad(X[rows], y[rows])[1]

            theta, state = optimizer.step(reference.params.copy(), grad_fn, state)
            reference.params = theta
    for record, losses in zip(records, expected, strict=True):
        assert len(record.batch_losses) == -(-len(X) // batch)
        np.testing.assert_allclose(record.batch_losses, losses, rtol=1e-9, atol=1e-15)
    # without record_batches: nothing recorded (a step keeps its speed)
    plain = Trainer(MLP([2, 8, 8, 2], seed=0), SGD(lr=0.1), X, y, batch_size=16, seed=5)
    assert plain.run_epoch().batch_losses.size == 0


def test_each_epoch_records_the_size_of_the_weights():
    X, y, _, _ = moons()
    net = MLP([2, 8, 8, 2], seed=0)
    record = next(fit(net, Momentum(lr=0.05, momentum=0.9), X, y, epochs=1, batch_size=16,
                      seed=1, l2=0.01))
    weights = np.concatenate([layer.W.ravel() for layer in net.layers])  # not the biases
    assert record.weight_l2 == pytest.approx(np.sqrt(np.sum(weights ** 2)), rel=1e-12)
    assert record.weight_l1 == pytest.approx(np.sum(np.abs(weights)), rel=1e-12)
