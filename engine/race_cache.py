"""Races cached lane by lane, shared by every session of a server: `cached_race`.

A lane (one optimizer's path) depends only on the surface, the start, the number of
steps and that optimizer's own settings. Cached on its own, it survives a change to
another optimizer's α: moving one slider reruns one lane instead of the whole race.
The lanes a rerun lacks are still run together, one surface evaluation per step for
all of them (engine.trajectories.run_together), and give exactly what separate runs
give. A lane cached for another number of steps is cut (a longer race) or goes on
from where it ends (a shorter one), on its own, instead of starting over.

st.cache_data cannot do this: it can only compute one missing entry at a time, and it
cannot say which entries it has.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import replace
from typing import NamedTuple, TypeVar

import numpy as np

from engine.optimizers import make_optimizer
from engine.race import Lane, continue_race, first_steps, run_race
from engine.trajectories import Trajectory

_Key = TypeVar("_Key", bound=Hashable)


class LaneCache:
    """A bounded, thread-safe cache of lanes: the least recently used go first.

    Every session of the server shares it, so its lanes are made read-only.
    """

    def __init__(self, max_entries: int):
        if max_entries < 1:
            raise ValueError(f"max_entries={max_entries!r} must be at least 1")
        self.max_entries = max_entries
        self._lanes: OrderedDict[Hashable, Lane] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._lanes)

    def get_or_run(self, keys: Sequence[_Key],
                   run: Callable[[list[_Key]], list[Lane]]) -> list[Lane]:
        """The lane of every key; `run(missing keys)` computes those not cached, in
        one call, and returns their lanes in the same order."""
        with self._lock:
            found = {key: self._lanes[key] for key in keys if key in self._lanes}
            for key in found:
                self._lanes.move_to_end(key)
        missing = list(dict.fromkeys(key for key in keys if key not in found))
        if missing:
            lanes = run(missing)  # outside the lock: other sessions need not wait
            if len(lanes) != len(missing):
                raise ValueError(f"run gave {len(lanes)} lanes for {len(missing)} keys")
            lanes = [_frozen_copy(lane) for lane in lanes]
            found.update(zip(missing, lanes, strict=True))
            with self._lock:
                for key, lane in zip(missing, lanes, strict=True):
                    self._lanes[key] = lane
                    self._lanes.move_to_end(key)  # also if another session just added it
                while len(self._lanes) > self.max_entries:
                    self._lanes.popitem(last=False)
        return [found[key] for key in keys]

    def items(self) -> list[tuple[Hashable, Lane]]:
        """Every cached key and lane, as they are now; nothing runs."""
        with self._lock:
            return list(self._lanes.items())

    def clear(self) -> None:
        with self._lock:
            self._lanes.clear()


def _frozen_copy(lane: Lane) -> Lane:
    """The lane with read-only copies of its arrays. A race's lanes are slices of arrays
    shared by all its lanes: a copy keeps only this lane's share in memory."""
    run = lane.trajectory
    trajectory = Trajectory(
        _frozen(run.positions), _frozen(run.losses), _frozen(run.grad_norms),
        _frozen(run.diverged_at), {name: _frozen(h) for name, h in run.internals.items()})
    look_ahead = None if lane.look_ahead is None else _frozen(lane.look_ahead)
    return replace(lane, trajectory=trajectory, look_ahead=look_ahead)


def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.array(array)  # a copy that owns its memory
    array.flags.writeable = False
    return array


# The Steps slider moves in tens: a race run to the next multiple of this serves several
# of its positions (a path's first k steps do not depend on how many follow).
RACE_STEPS_ROUNDED_UP_TO = 50


class LaneKey(NamedTuple):
    surface: Hashable  # what names the surface, e.g. (library name, formula)
    start: tuple[float, float]
    steps: int
    optimizer: str
    params: tuple  # ((param, value), ...)


def cached_race(cache: LaneCache, surface, surface_key: Hashable, settings: tuple,
                start: tuple[float, float], steps: int,
                running: Callable[[], contextlib.AbstractContextManager] = contextlib.nullcontext
                ) -> list[Lane]:
    """The race of `settings` ((optimizer, ((param, value), ...)), ...) from `start` over
    `surface` (named by `surface_key` in the cache), its lanes from `cache` where it has
    them. `running()` is entered while lanes run (a spinner, in the app)."""
    horizon = -(-steps // RACE_STEPS_ROUNDED_UP_TO) * RACE_STEPS_ROUNDED_UP_TO

    def run(missing: list[LaneKey]) -> list[Lane]:
        cached = cache.items()
        nearest = {key: _nearest_race(key, cached) for key in missing}
        fresh = [key for key in missing if nearest[key] is None]
        lanes: dict[LaneKey, Lane] = {}
        with running():
            if fresh:  # together: one surface evaluation per step for all of them
                optimizers = {key.optimizer: make_optimizer(key.optimizer, **dict(key.params))
                              for key in fresh}
                lanes.update(zip(fresh, run_race(surface, optimizers, start, horizon),
                                 strict=True))
            for key, lane in nearest.items():  # one by one: each from its own last point
                if lane is not None:
                    lanes[key] = continue_race(surface, lane, horizon)
        return [lanes[key] for key in missing]

    keys = [LaneKey(surface_key, start, horizon, opt, params) for opt, params in settings]
    return [first_steps(lane, steps) for lane in cache.get_or_run(keys, run)]


def _nearest_race(key: LaneKey, cached: list[tuple[Hashable, Lane]]) -> Lane | None:
    """Of the `cached` lanes, one with the same settings for another number of steps: the
    shortest longer race (cutting it costs nothing), else the longest shorter one."""
    same = {other.steps: lane for other, lane in cached
            if isinstance(other, LaneKey) and other._replace(steps=key.steps) == key}
    longer = [steps for steps in same if steps > key.steps]
    shorter = [steps for steps in same if steps < key.steps]
    if longer or shorter:
        return same[min(longer) if longer else max(shorter)]
    return None
