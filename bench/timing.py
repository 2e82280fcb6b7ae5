"""Small timing helpers: best-of-n repeats, and a row of the report."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


def best_time(run: Callable[[], object], *, repeats: int = 5, warmup: int = 1) -> float:
    """The fastest of `repeats` runs, in seconds (the least disturbed by the machine)."""
    for _ in range(warmup):
        run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


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
