"""Small timing helpers: best-of-n repeats, and a row of the report."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


def best_time(run: Callable[[], object], *, repeats: int = 5, warmup: int = 1) -> float:
    """The fastest of `repeats` runs, in seconds (the least disturbed by the machine)."""
    for _ in range(warmup):
        run()
    return min(_seconds(run) for _ in range(repeats))


def best_times(ours: Callable[[], object], peer: Callable[[], object], *, repeats: int = 5,
               peer_repeats: int | None = None, warmup: int = 1) -> tuple[float, float]:
    """best_time for our side and the peer, their runs taken in turns: the speed of a
    shared machine drifts from one minute to the next, and both should see the same."""
    peer_repeats = repeats if peer_repeats is None else peer_repeats
    for _ in range(warmup):
        ours()
        peer()
    mine, theirs = [], []
    for i in range(max(repeats, peer_repeats)):
        if i < repeats:
            mine.append(_seconds(ours))
        if i < peer_repeats:
            theirs.append(_seconds(peer))
    return min(mine), min(theirs)


def _seconds(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


@dataclass(frozen=True)
class Row:
    figure: str
    ours: float
    peer: float | None
    unit: str
    target: str = ""  # e.g. "≥ 6×"
    met: bool | None = None
    speed: bool = True  # a time (the ratio is peer / ours); otherwise just two values

    @property
    def ratio(self) -> float | None:
        if not self.speed or self.peer is None or self.ours == 0:
            return None
        return self.peer / self.ours


def table(rows: list[Row], peer_name: str = "PyTorch 2.13 CPU") -> str:
    head = (f"| figure | Descent | {peer_name} | ratio | target | met |\n"
            "|---|---:|---:|---:|---|---|\n")
    lines = []
    for r in rows:
        peer = "" if r.peer is None else f"{r.peer:.4g} {r.unit}"
        ratio = "" if r.ratio is None else f"{r.ratio:.1f}×"
        met = "" if r.met is None else ("yes" if r.met else "**no**")
        lines.append(f"| {r.figure} | {r.ours:.4g} {r.unit} | {peer} | {ratio} | {r.target} "
                     f"| {met} |")
    return head + "\n".join(lines)
