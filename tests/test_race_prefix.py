"""A longer race, cut to fewer steps, is exactly the shorter race (engine.race.first_steps);
a shorter race, continued, is exactly the longer one (engine.race.continue_race)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pytest

from engine.optimizers import make_optimizer
from engine.race import continue_race, first_steps, run_race
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
    np.testing.assert_array_equal(cut.trajectory.grad_norms, short.trajectory.grad_norms)
    assert cut.trajectory.internals.keys() == short.trajectory.internals.keys()
    for name in cut.trajectory.internals:
        np.testing.assert_array_equal(cut.trajectory.internals[name],
                                      short.trajectory.internals[name])
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


@pytest.mark.parametrize("surface", ["two_minima", "rosenbrock", "saddle"])
@pytest.mark.parametrize(("short", "steps"), [(0, 40), (50, 51), (100, 150)])
def test_a_continued_race_is_the_long_race(surface, short, steps):
    # every optimizer, so every kind of state: momentum's v, Adam's count (bias
    # correction), Nesterov's look-ahead, Newton's Hessian
    for continued, long in zip(race(surface, short), race(surface, steps), strict=True):
        assert_same_lane(continue_race(SURFACES[surface], continued, steps), long)


@pytest.mark.parametrize("short", [10, 28, 29, 60])
def test_a_divergence_is_continued_as_the_long_race_records_it(short):
    # SGD diverges at step 29 on the narrow valley (see above): before, at and after it
    sgd = {"lr": 0.082}
    lane = race("valley", short, sgd=sgd)[0]
    long = race("valley", 120, sgd=sgd)[0]
    assert long.diverged_at == 29
    continued = continue_race(SURFACES["valley"], lane, 120)
    assert_same_lane(continued, long)
    assert continued.diverged_at == 29 and continued.last_step == 28


def test_continuing_to_fewer_steps_cuts_the_race():
    lane = race("bowl", 30)[1]
    assert_same_lane(continue_race(SURFACES["bowl"], lane, 12), race("bowl", 12)[1])


class _HalvingState(NamedTuple):
    count: int
    lr: float  # neither a count nor an array like θ: the path does not record it


class _HalvingSGD:
    """SGD whose α halves every 10 steps, kept in its state."""

    def init(self, theta):
        return _HalvingState(0, 0.1)

    def step(self, theta, grad_fn, state):
        lr = state.lr / 2 if state.count and state.count % 10 == 0 else state.lr
        return theta - lr * grad_fn(theta), _HalvingState(state.count + 1, lr)


def test_a_state_the_path_does_not_record_starts_the_race_over():
    surface, optimizer = SURFACES["bowl"], _HalvingSGD()
    lane = run_race(surface, {"halving": optimizer}, surface.start, 25)[0]
    long = run_race(surface, {"halving": optimizer}, surface.start, 60)[0]
    assert_same_lane(continue_race(surface, lane, 60), long)
