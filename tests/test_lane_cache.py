"""The playground's lane cache: one optimizer's change reruns that lane alone."""

import threading

import numpy as np
import pytest

from engine import race_cache
from engine.optimizers import make_optimizer
from engine.race import run_race
from engine.race_cache import LaneCache
from surfaces import SURFACES
from ui.playground import race as cache

SURFACE = SURFACES["two_minima"]
SETTINGS = {"sgd": {"lr": 0.05}, "momentum": {"lr": 0.1, "momentum": 0.9},
            "newton": {"lr": 1.0, "damping": 0.0}}


def race_of(names, **changed):
    settings = {name: {**SETTINGS[name], **changed.get(name, {})} for name in names}
    return {name: make_optimizer(name, **params) for name, params in settings.items()}


class Runner:
    """run_race for the missing keys (optimizer names), remembering each call."""

    def __init__(self, steps=60):
        self.calls, self.steps = [], steps

    def __call__(self, missing):
        self.calls.append(list(missing))
        return run_race(SURFACE, race_of(missing), SURFACE.start, self.steps)


def test_only_missing_lanes_run_and_together():
    lanes, runner = LaneCache(max_entries=10), Runner()
    first = lanes.get_or_run(["sgd", "momentum", "newton"], runner)
    assert runner.calls == [["sgd", "momentum", "newton"]]
    again = lanes.get_or_run(["momentum", "sgd"], runner)
    assert runner.calls == [["sgd", "momentum", "newton"]]  # nothing ran
    assert again[0] is first[1] and again[1] is first[0]
    lanes.get_or_run(["sgd", "momentum", "newton", "momentum"], runner)
    assert len(runner.calls) == 1


@pytest.mark.parametrize(("name", "params"), [
    ("momentum", {"lr": 0.1, "momentum": 0.9}),
    ("nesterov", {"lr": 0.1, "momentum": 0.9}),  # its gradient is taken at a look-ahead
    ("newton", {"lr": 1.0, "damping": 0.0}),  # needs the Hessian
    ("sgd", {"lr": 50.0}),  # diverges: its path stops early
])
def test_a_lane_run_alone_equals_the_same_lane_run_in_the_race(name, params):
    others = {other: make_optimizer(other, **SETTINGS[other]) for other in SETTINGS
              if other != name}
    together = run_race(SURFACE, {**others, name: make_optimizer(name, **params)},
                        SURFACE.start, 60)[-1]
    alone = LaneCache(max_entries=10).get_or_run(
        [name], lambda missing: run_race(SURFACE, {name: make_optimizer(name, **params)},
                                         SURFACE.start, 60))[0]
    assert alone.name == together.name == name
    assert alone.diverged_at == together.diverged_at
    assert (alone.diverged_at > 0) == (name == "sgd")
    np.testing.assert_array_equal(alone.positions, together.positions)
    np.testing.assert_array_equal(alone.losses, together.losses)
    for key, history in together.trajectory.internals.items():
        np.testing.assert_array_equal(alone.trajectory.internals[key], history)
    if name == "nesterov":
        np.testing.assert_array_equal(alone.look_ahead, together.look_ahead)


def test_least_recently_used_lanes_go_first():
    lanes, runner = LaneCache(max_entries=2), Runner()
    lanes.get_or_run(["sgd", "momentum"], runner)
    lanes.get_or_run(["sgd"], runner)  # sgd is now the most recently used
    lanes.get_or_run(["newton"], runner)  # evicts momentum
    assert len(lanes) == 2
    lanes.get_or_run(["sgd", "newton"], runner)
    assert runner.calls == [["sgd", "momentum"], ["newton"]]
    lanes.get_or_run(["momentum"], runner)
    assert runner.calls[-1] == ["momentum"]


def test_shared_lanes_are_read_only_copies_of_their_own():
    race = run_race(SURFACE, race_of(["sgd", "momentum"]), SURFACE.start, 60)
    lane = LaneCache(max_entries=4).get_or_run(["momentum"], lambda missing: race[1:])[0]
    run = lane.trajectory
    arrays = (lane.positions, run.losses, run.grad_norms, run.internals["v"])
    for array in arrays:
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 0.0
    # not views of the race's arrays, which hold every lane: the cache keeps one lane's share
    for array in (run.positions, run.losses, run.internals["v"]):
        assert array.base is None
    assert not any(np.shares_memory(lane.trajectory.positions, other.trajectory.positions)
                   for other in race)


def test_a_runner_that_gives_the_wrong_number_of_lanes_is_an_error():
    with pytest.raises(ValueError, match="2 keys"):
        LaneCache(max_entries=4).get_or_run(["sgd", "momentum"], lambda missing: [])
    with pytest.raises(ValueError, match="max_entries"):
        LaneCache(max_entries=0)


def test_sessions_in_threads_get_whole_lanes():
    lanes, errors = LaneCache(max_entries=3), []

    def session(names):
        try:
            for _ in range(5):
                got = lanes.get_or_run(names, Runner(steps=20))
                assert [lane.name for lane in got] == names
        except Exception as error:  # reported below, from the main thread
            errors.append(error)

    threads = [threading.Thread(target=session, args=(names,))
               for names in (["sgd", "momentum"], ["newton", "sgd"], ["momentum", "newton"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(lanes) <= 3


def test_the_playground_reruns_only_the_optimizer_whose_alpha_moved(monkeypatch):
    cache.LANES.clear()
    ran = []
    real_run_race = race_cache.run_race

    def recording_run_race(surface, optimizers, start, steps):
        ran.append(sorted(optimizers))
        return real_run_race(surface, optimizers, start, steps)

    monkeypatch.setattr(race_cache, "run_race", recording_run_race)
    settings = tuple((name, tuple(params.items())) for name, params in SETTINGS.items())
    before = cache.race("two_minima", "", settings, SURFACE.start, 120)
    moved = tuple((name, (("lr", 0.02),) if name == "sgd" else params)
                  for name, params in settings)
    after = cache.race("two_minima", "", moved, SURFACE.start, 120)
    assert ran == [["momentum", "newton", "sgd"], ["sgd"]]
    assert not np.array_equal(before[0].positions, after[0].positions)
    for old, new in zip(before[1:], after[1:], strict=True):
        np.testing.assert_array_equal(old.positions, new.positions)
    expected = run_race(SURFACE, race_of(["sgd"], sgd={"lr": 0.02}), SURFACE.start, 120)
    np.testing.assert_array_equal(after[0].positions, expected[0].positions)


def test_a_race_cached_for_other_steps_is_cut_or_continued(monkeypatch):
    cache.LANES.clear()
    ran, continued = [], []
    real_run_race, real_continue_race = race_cache.run_race, race_cache.continue_race

    def recording_run_race(surface, optimizers, start, steps):
        ran.append((sorted(optimizers), steps))
        return real_run_race(surface, optimizers, start, steps)

    def recording_continue_race(surface, lane, steps):
        continued.append((lane.name, len(lane.positions) - 1, steps))
        return real_continue_race(surface, lane, steps)

    monkeypatch.setattr(race_cache, "run_race", recording_run_race)
    monkeypatch.setattr(race_cache, "continue_race", recording_continue_race)
    settings = tuple((name, tuple(params.items())) for name, params in SETTINGS.items())
    cache.race("two_minima", "", settings, SURFACE.start, 100)  # runs to step 100
    short = cache.race("two_minima", "", settings, SURFACE.start, 40)  # 50: cut from 100
    assert continued == [("sgd", 100, 50), ("momentum", 100, 50), ("newton", 100, 50)]
    lanes = cache.race("two_minima", "", settings, SURFACE.start, 230)  # 250: goes on from 100
    assert ran == [(["momentum", "newton", "sgd"], 100)]
    assert continued[3:] == [("sgd", 100, 250), ("momentum", 100, 250), ("newton", 100, 250)]
    # 150: cut from the shortest longer race (250), although 100 is cached too
    middle = cache.race("two_minima", "", settings, SURFACE.start, 140)
    assert continued[-1] == ("newton", 250, 150) and len(ran) == 1
    # a lane not cached for any number of steps still runs from the start
    more = (*settings, ("nesterov", (("lr", 0.1), ("momentum", 0.9))))
    cache.race("two_minima", "", more, SURFACE.start, 260)  # 300: three go on from 250
    assert ran[-1] == (["nesterov"], 300) and continued[-1] == ("newton", 250, 300)
    for got_lanes, steps in ((short, 40), (lanes, 230), (middle, 140)):
        expected = run_race(SURFACE, race_of(list(SETTINGS)), SURFACE.start, steps)
        for got, want in zip(got_lanes, expected, strict=True):
            assert got.name == want.name and got.diverged_at == want.diverged_at
            np.testing.assert_array_equal(got.positions, want.positions)
            np.testing.assert_array_equal(got.losses, want.losses)


def test_only_a_race_with_the_same_settings_is_cut_or_continued(monkeypatch):
    cache.LANES.clear()
    continued = []
    real_continue_race = race_cache.continue_race
    monkeypatch.setattr(race_cache, "continue_race", lambda surface, lane, steps: (
        continued.append((lane.name, len(lane.positions) - 1)) or
        real_continue_race(surface, lane, steps)))
    sgd = (("sgd", (("lr", 0.05),)),)
    cache.race("two_minima", "", sgd, SURFACE.start, 100)
    cache.race("two_minima", "", sgd, SURFACE.start, 300)  # 100 goes on to 300
    cache.race("two_minima", "", sgd, SURFACE.start, 500)  # 300 goes on to 500
    assert continued == [("sgd", 100), ("sgd", 300)]
    cache.race("two_minima", "", sgd, SURFACE.start, 200)  # cut from 300, not 500 or 100
    assert continued[-1] == ("sgd", 300)
    for other in (dict(settings=(("sgd", (("lr", 0.06),)),)),  # another α
                  dict(start=(0.5, 0.5)),  # another start
                  dict(name="bowl")):  # another surface
        args = {"name": "two_minima", "settings": sgd, "start": SURFACE.start, **other}
        cache.race(args["name"], "", args["settings"], args["start"], 150)
        assert len(continued) == 3  # ran from its own start, not from a cached lane
