"""Line charts under the race: loss, gradient norm, and the optimizers' internals."""

from __future__ import annotations

import numpy as np

from viz.colors import OPTIMIZER_COLORS, OPTIMIZER_LABELS
from viz.figure import Figure, axis, figure, line, steps_axis, title

LOG_FLOOR = 1e-16  # a loss gap of exactly 0 cannot sit on a log axis


def _chart(heading: str, y_title: str, log_y: bool, height: int, traces) -> Figure:
    return figure(traces, {
        "template": "none", "height": height, "margin": {"l": 60, "r": 10, "t": 36, "b": 40},
        "title": title(heading), "xaxis": axis("step"), "yaxis": axis(y_title, log=log_y),
        "legend": {"orientation": "h", "y": -0.25, "x": 0}, "hovermode": "x unified"})


def _line(name: str, y: np.ndarray, *, start: int = 0, dash: str | None = None,
          suffix: str = "") -> dict:
    return line(steps_axis(len(y), start), y, OPTIMIZER_LABELS[name] + suffix,
                OPTIMIZER_COLORS[name], dash=dash, legendgroup=name)


def loss_chart(series, best_value: float | None, height: int = 300) -> Figure:
    """`series`: (name, losses up to the last good step). With a known global minimum
    the gap f − f* goes on a log axis, otherwise f itself on a linear one."""
    if best_value is None:
        return _chart("Loss f(θ) per step", "f(θ)", False, height,
                      [_line(name, losses) for name, losses in series])
    return _chart("Distance to the best value, f(θ) − f(θ*), per step (log scale)",
                  "f(θ) − f(θ*)", True, height,
                  [_line(name, np.maximum(losses - best_value, LOG_FLOOR))
                   for name, losses in series])


def grad_norm_chart(series, height: int = 300) -> Figure:
    return _chart("Gradient norm ‖∇J(θ)‖ per step (log scale)", "‖∇J(θ)‖", True, height,
                  [_line(name, np.maximum(norms, LOG_FLOOR)) for name, norms in series])


def velocity_chart(series, height: int = 300) -> Figure:
    return _chart("Momentum: speed ‖v‖ of the particle", "‖v‖", False, height,
                  [_line(name, speed) for name, speed in series])


def effective_step_chart(series, height: int = 300) -> Figure:
    """`series`: (name, (steps, 2) array of α/(δ + √r) for x and y)."""
    traces = []
    for name, steps in series:
        traces.append(_line(name, steps[:, 0], start=1, suffix=" (x)"))
        traces.append(_line(name, steps[:, 1], start=1, dash="dot", suffix=" (y)"))
    return _chart("Adaptive rates: effective step α/(δ + √r) per coordinate (log scale)",
                  "α/(δ + √r)", True, height, traces)
