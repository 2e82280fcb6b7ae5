"""The playground's races, cached lane by lane and shared by every session.

A lane (one optimizer's path) depends only on the surface, the start, the number of
steps and that optimizer's own settings. Cached on its own, it survives a change to
another optimizer's α: moving one slider reruns one lane instead of the whole race.
The lanes a rerun lacks are still run together, one surface evaluation per step for
all of them (engine.trajectories.run_together), and give exactly what separate runs
give. (ui.cache.race cuts or continues, lane by lane, those cached for other steps.)

st.cache_data cannot do this: it can only compute one missing entry at a time, and it
cannot say which entries it has.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import replace

import numpy as np

from engine.race import Lane
from engine.trajectories import Trajectory


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

    def get_or_run(self, keys: Sequence[Hashable],
                   run: Callable[[list[Hashable]], list[Lane]]) -> list[Lane]:
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
    path = lane.path
    trajectory = Trajectory(
        _frozen(path.positions), _frozen(path.losses), _frozen(path.grad_norms),
        _frozen(path.diverged_at), {name: _frozen(h) for name, h in path.internals.items()})
    look_ahead = None if lane.look_ahead is None else _frozen(lane.look_ahead)
    return replace(lane, path=trajectory, look_ahead=look_ahead)


def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.array(array)  # a copy that owns its memory
    array.flags.writeable = False
    return array
