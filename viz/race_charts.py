"""The curves under the race: loss, gradient norm and the optimizers' internals.

They are panels of one figure with one shared legend: the browser draws one chart
instead of four (each chart costs it tens of milliseconds per rerun, whatever its
size), and clicking an optimizer in the legend hides it in every panel at once.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from engine.optimizers import OPTIMIZERS
from viz.figure import Figure, Panel, line, panel_grid, steps_axis

LOG_FLOOR = 1e-16  # a loss gap of exactly 0 cannot sit on a log axis
WIDTH = 2.5  # the palette's light colours (RMSProp, Adam) need it on white


def _line(name: str, y: np.ndarray, *, start: int = 0, dash: str | None = None,
          suffix: str = "") -> dict:
    """A curve in the optimizer's colour and line style (or in `dash`), as on the map."""
    cls = OPTIMIZERS[name]
    trace = line(None, y, cls.label + suffix, cls.color, width=WIDTH, dash=dash or cls.dash,
                 legendgroup=name, **steps_axis(start))
    if len(y) == 1:  # a path that stopped after its start: a line of one point is not drawn
        trace.update(mode="lines+markers", marker={"size": 7})
    return trace


def loss_panel(series, best_value: float | None) -> Panel:
    """`series`: (name, losses up to the last good step). With a known global minimum
    the gap f − f* goes on a log axis, otherwise f itself on a linear one."""
    if best_value is None:
        return Panel("Loss f(θ) per step", "f(θ)",
                     [_line(name, losses) for name, losses in series])
    return Panel("Distance to the best value, f(θ) − f(θ*) (log scale)", "f(θ) − f(θ*)",
                 [_line(name, np.maximum(losses - best_value, LOG_FLOOR))
                  for name, losses in series], log_y=True)


def grad_norm_panel(series) -> Panel:
    return Panel("Gradient norm ‖∇J(θ)‖ per step (log scale)", "‖∇J(θ)‖",
                 [_line(name, np.maximum(norms, LOG_FLOOR)) for name, norms in series],
                 log_y=True)


def velocity_panel(series) -> Panel:
    return Panel("Momentum: speed ‖v‖ of the particle", "‖v‖",
                 [_line(name, speed) for name, speed in series])


def effective_step_panel(series) -> Panel:
    """`series`: (name, (steps, 2) array of α/(δ + √r) for x and y)."""
    traces = []
    for name, steps in series:
        traces.append(_line(name, steps[:, 0], start=1, dash="solid", suffix=" (x)"))
        traces.append(_line(name, steps[:, 1], start=1, dash="dot", suffix=" (y)"))
    return Panel("Adaptive rates: step α/(δ + √r), x solid, y dotted (log scale)",
                 "α/(δ + √r)", traces, log_y=True)


def race_curves(panels: list[Panel]) -> Figure:
    """The panels two to a row, with one legend entry per optimizer. The y axes go
    untitled: each panel's title names its quantity, and on a phone a y title falls on
    the panel to its left."""
    in_legend = set()
    for panel in panels:
        for trace in panel.traces:
            trace["showlegend"] = trace["legendgroup"] not in in_legend
            in_legend.add(trace["legendgroup"])
    return panel_grid([replace(panel, y_title="") for panel in panels])
