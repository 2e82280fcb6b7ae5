"""A longer race, cut to fewer steps, is exactly the shorter race (engine.race.first_steps)."""

from __future__ import annotations

import numpy as np
import pytest

from engine.optimizers import make_optimizer
from engine.race import first_steps, run_race
from surfaces import SURFACES

ALL = {"sgd": {"lr": 0.05}, "momentum": {"lr": 0.02, "momentum": 0.9},
       "nesterov": {"lr": 0.02, "momentum": 0.9}, "adagrad": {"lr": 0.3},
       "rmsprop": {"lr": 0.03}, "adam": {"lr": 0.05}, "newton": {"lr": 1.0}}


def race(surface: str, steps: int, **overrides):
    settings = {**ALL, **overrides}
    optimizers = {name: make_optimizer(name, **params) for name, params in settings.items()}
    return run_race(SURFACES[surface], optimizers, SURFACES[surface].start, steps)


def assert_same_lane(cut, short):
    assert cut.name == short.name and cut.diverged_at == short.diverged_at
    assert cut.last_step == short.last_step
    np.testing.assert_array_equal(cut.positions, short.positions)
    np.testing.assert_array_equal(cut.losses, short.losses)
    np.testing.assert_array_equal(cut.path.grad_norms, short.path.grad_norms)
    assert cut.path.internals.keys() == short.path.internals.keys()
    for name in cut.path.internals:
        np.testing.assert_array_equal(cut.path.internals[name], short.path.internals[name])
    if short.look_ahead is None:
        assert cut.look_ahead is None
    else:
        np.testing.assert_array_equal(cut.look_ahead, short.look_ahead)


@pytest.mark.parametrize("surface", ["two_minima", "rosenbrock", "saddle"])
@pytest.mark.parametrize("steps", [0, 1, 37, 120])
def test_a_cut_race_is_the_short_race(surface, steps):
    long = race(surface, 150)
    for cut, short in zip(long, race(surface, steps), strict=True):
        assert_same_lane(first_steps(cut, steps), short)


def test_a_divergence_after_the_cut_has_not_happened_yet():
    # SGD just above the stable α = 2/25 on the narrow valley diverges part-way (step 29)
    long = race("valley", 200, sgd={"lr": 0.082})
    sgd = long[0]
    k = sgd.diverged_at
    assert 5 < k < 200
    before, at = first_steps(sgd, k - 1), first_steps(sgd, k)
    assert before.diverged_at == -1 and before.last_step == k - 1
    assert at.diverged_at == k and at.last_step == k - 1
    assert_same_lane(before, race("valley", k - 1, sgd={"lr": 0.082})[0])
    assert_same_lane(at, race("valley", k, sgd={"lr": 0.082})[0])


def test_more_steps_than_were_run_is_an_error():
    lane = race("bowl", 10)[0]
    with pytest.raises(ValueError, match="steps=11"):
        first_steps(lane, 11)
