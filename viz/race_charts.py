"""Line charts under the race: loss, gradient norm, and the optimizers' internals."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from viz.colors import OPTIMIZER_COLORS, OPTIMIZER_LABELS

LOG_FLOOR = 1e-16  # a loss gap of exactly 0 cannot sit on a log axis


def _figure(title: str, y_title: str, log_y: bool, height: int) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(
        template="none", height=height, margin={"l": 60, "r": 10, "t": 36, "b": 40},
        title={"text": title, "font": {"size": 14}, "x": 0, "xanchor": "left"},
        xaxis={"title": {"text": "step"}, "gridcolor": "#e5e7eb"},
        yaxis={"title": {"text": y_title}, "type": "log" if log_y else "linear",
               "gridcolor": "#e5e7eb", "exponentformat": "power"},
        legend={"orientation": "h", "y": -0.25, "x": 0}, hovermode="x unified")
    return fig


def _line(fig, name: str, y: np.ndarray, *, start: int = 0, dash: str | None = None,
          suffix: str = "") -> None:
    fig.add_trace(go.Scatter(
        x=np.arange(start, start + len(y), dtype=np.int32), y=np.asarray(y, dtype=np.float32),
        mode="lines", name=OPTIMIZER_LABELS[name] + suffix, legendgroup=name,
        line={"color": OPTIMIZER_COLORS[name], "width": 2, "dash": dash}))


def loss_chart(series, best_value: float | None, height: int = 300) -> go.Figure:
    """`series`: (name, losses up to the last good step). With a known global minimum
    the gap f − f* goes on a log axis, otherwise f itself on a linear one."""
    if best_value is None:
        fig = _figure("Loss f(θ) per step", "f(θ)", False, height)
    else:
        fig = _figure("Distance to the best value, f(θ) − f(θ*), per step (log scale)",
                      "f(θ) − f(θ*)", True, height)
    for name, losses in series:
        y = losses if best_value is None else np.maximum(losses - best_value, LOG_FLOOR)
        _line(fig, name, y)
    return fig


def grad_norm_chart(series, height: int = 300) -> go.Figure:
    fig = _figure("Gradient norm ‖∇J(θ)‖ per step (log scale)", "‖∇J(θ)‖", True, height)
    for name, norms in series:
        _line(fig, name, np.maximum(norms, LOG_FLOOR))
    return fig


def velocity_chart(series, height: int = 300) -> go.Figure:
    fig = _figure("Momentum: speed ‖v‖ of the particle", "‖v‖", False, height)
    for name, speed in series:
        _line(fig, name, speed)
    return fig


def effective_step_chart(series, height: int = 300) -> go.Figure:
    """`series`: (name, (steps, 2) array of α/(δ + √r) for x and y)."""
    fig = _figure("Adaptive rates: effective step α/(δ + √r) per coordinate (log scale)",
                  "α/(δ + √r)", True, height)
    for name, steps in series:
        _line(fig, name, steps[:, 0], start=1, suffix=" (x)")
        _line(fig, name, steps[:, 1], start=1, dash="dot", suffix=" (y)")
    return fig
