"""The playground's races, cached lane by lane and shared by every session.

A lane (one optimizer's path) depends only on the surface, the start, the number of
steps and that optimizer's own settings. Cached on its own, it survives a change to
another optimizer's α: moving one slider reruns one lane instead of the whole race.
The lanes a rerun lacks are still run together, one surface evaluation per step for
all of them (engine.trajectories.run_together), and give exactly what separate runs
give.

st.cache_data cannot do this: it can only compute one missing entry at a time, and it
cannot say which entries it has.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence

import numpy as np

from engine.race import Lane


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
            for lane in lanes:
                _freeze(lane)
            found.update(zip(missing, lanes, strict=True))
            with self._lock:
                self._lanes.update(zip(missing, lanes, strict=True))
                while len(self._lanes) > self.max_entries:
                    self._lanes.popitem(last=False)
        return [found[key] for key in keys]

    def clear(self) -> None:
        with self._lock:
            self._lanes.clear()


def _freeze(lane: Lane) -> None:
    path = lane.path
    arrays = [path.positions, path.losses, path.grad_norms, path.diverged_at,
              *path.internals.values(), lane.look_ahead]
    for array in arrays:
        if isinstance(array, np.ndarray):
            array.flags.writeable = False
