"""The curves under the race: loss, gradient norm and the optimizers' internals.

They are panels of one figure with one shared legend: the browser draws one chart
instead of four (each chart costs it tens of milliseconds per rerun, whatever its
size), and clicking an optimizer in the legend hides it in every panel at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from viz.colors import OPTIMIZER_COLORS, OPTIMIZER_LABELS
from viz.figure import Figure, axis, figure, line, steps_axis

LOG_FLOOR = 1e-16  # a loss gap of exactly 0 cannot sit on a log axis
ROW_HEIGHT = 300  # pixels per row of two panels
GAP = 90  # pixels between rows: the lower panels' titles and the upper x-axis title


@dataclass(frozen=True)
class Panel:
    title: str
    y_title: str
    log_y: bool
    traces: list[dict]


def _line(name: str, y: np.ndarray, *, start: int = 0, dash: str | None = None,
          suffix: str = "") -> dict:
    return line(steps_axis(len(y), start), y, OPTIMIZER_LABELS[name] + suffix,
                OPTIMIZER_COLORS[name], dash=dash, legendgroup=name)


def loss_panel(series, best_value: float | None) -> Panel:
    """`series`: (name, losses up to the last good step). With a known global minimum
    the gap f − f* goes on a log axis, otherwise f itself on a linear one."""
    if best_value is None:
        return Panel("Loss f(θ) per step", "f(θ)", False,
                     [_line(name, losses) for name, losses in series])
    return Panel("Distance to the best value, f(θ) − f(θ*) (log scale)", "f(θ) − f(θ*)", True,
                 [_line(name, np.maximum(losses - best_value, LOG_FLOOR))
                  for name, losses in series])


def grad_norm_panel(series) -> Panel:
    return Panel("Gradient norm ‖∇J(θ)‖ per step (log scale)", "‖∇J(θ)‖", True,
                 [_line(name, np.maximum(norms, LOG_FLOOR)) for name, norms in series])


def velocity_panel(series) -> Panel:
    return Panel("Momentum: speed ‖v‖ of the particle", "‖v‖", False,
                 [_line(name, speed) for name, speed in series])


def effective_step_panel(series) -> Panel:
    """`series`: (name, (steps, 2) array of α/(δ + √r) for x and y)."""
    traces = []
    for name, steps in series:
        traces.append(_line(name, steps[:, 0], start=1, suffix=" (x)"))
        traces.append(_line(name, steps[:, 1], start=1, dash="dot", suffix=" (y)"))
    return Panel("Adaptive rates: step α/(δ + √r), x solid, y dotted (log scale)",
                 "α/(δ + √r)", True, traces)


def race_curves(panels: list[Panel]) -> Figure:
    """The panels two to a row, with one legend entry per optimizer."""
    rows = -(-len(panels) // 2)
    height = rows * ROW_HEIGHT + 60  # + the legend below
    plot = height - 36 - 100  # the figure's height less its top and bottom margins
    row_share = (1 + GAP / plot) / rows  # a row and the gap under it, as paper fractions
    data, layout = [], {
        "template": "none", "height": height, "margin": {"l": 60, "r": 10, "t": 36, "b": 100},
        "legend": {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom",
                   "x": 0},
        "hovermode": "x unified", "annotations": []}
    in_legend = set()
    for i, panel in enumerate(panels):
        suffix = str(i + 1) if i else ""
        column, row = i % 2, i // 2
        top = 1 - row * row_share
        bottom = max(top - row_share + GAP / plot, 0.0)
        for trace in panel.traces:
            group = trace["legendgroup"]
            data.append({**trace, "xaxis": f"x{suffix}", "yaxis": f"y{suffix}",
                         "showlegend": group not in in_legend})
            in_legend.add(group)
        layout[f"xaxis{suffix}"] = axis("step", domain=[0.55 * column, 0.45 + 0.55 * column],
                                        anchor=f"y{suffix}")
        layout[f"yaxis{suffix}"] = axis(panel.y_title, log=panel.log_y,
                                        domain=[bottom, top], anchor=f"x{suffix}")
        layout["annotations"].append({
            "text": panel.title, "xref": "paper", "x": 0.55 * column, "xanchor": "left",
            "yref": "paper", "y": top, "yanchor": "bottom", "yshift": 8, "showarrow": False,
            "font": {"size": 14}})
    return figure(data, layout)
