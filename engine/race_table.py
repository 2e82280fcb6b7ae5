"""A race as a table: one row per optimizer and step, for a CSV file.

Columns: optimizer, step, x, y, f, |∇f|, then the optimizer's state where it has one
(v for momentum and Nesterov, r for AdaGrad and RMSProp, s and r for Adam), by
coordinate; empty where an optimizer has no such state. A path that stopped early ends
at its last good step.
"""

from __future__ import annotations

from engine.race import Lane

COLUMNS = ("optimizer", "step", "x", "y", "f", "grad_norm")


def race_table(lanes: list[Lane]) -> tuple[list[str], list[list]]:
    """(header, rows) of the race."""
    states = sorted({name for lane in lanes for name in lane.trajectory.internals})
    header = [*COLUMNS, *(f"{name}_{axis}" for name in states for axis in "xy")]
    rows = []
    for lane in lanes:
        t, end = lane.trajectory, lane.last_step + 1
        for k in range(end):
            x, y = t.positions[k, 0]
            row = [lane.name, k, float(x), float(y), float(t.losses[k, 0]),
                   float(t.grad_norms[k, 0])]
            for name in states:
                history = t.internals.get(name)
                row += ["", ""] if history is None else [float(v) for v in history[k, 0]]
            rows.append(row)
    return header, rows
