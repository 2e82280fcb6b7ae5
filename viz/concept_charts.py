"""Figures of the concept pages: softmax, cross-entropy vs MSE, unstable gradients."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from engine.activations import ACTIVATIONS
from engine.losses import softmax_cross_entropy, softmax_mse

ACTIVATION_COLORS = {"sigmoid": "#D55E00", "tanh": "#0072B2", "relu": "#009E73"}
ACTIVATION_LABELS = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU"}


def _layout(fig: go.Figure, title: str, height: int, **axes) -> go.Figure:
    fig.update_layout(template="none", height=height,
                      margin={"l": 60, "r": 10, "t": 40, "b": 45},
                      title={"text": title, "font": {"size": 14}, "x": 0, "xanchor": "left"},
                      legend={"orientation": "h", "y": -0.2, "x": 0}, **axes)
    return fig


def softmax_bars(probabilities: np.ndarray, true_class: int, names: Sequence[str]) -> go.Figure:
    colors = ["#16a34a" if k == true_class else "#94a3b8" for k in range(len(names))]
    fig = go.Figure(go.Bar(x=list(names), y=probabilities, marker_color=colors,
                           text=[f"{p:.3f}" for p in probabilities], textposition="outside",
                           hovertemplate="%{x}: %{y:.4f}<extra></extra>"))
    return _layout(fig, "Softmax probabilities y'ᵢ = q(c)ᵢ (green: the true class)", 320,
                   yaxis={"range": [0, 1.12], "title": {"text": "probability"},
                          "gridcolor": "#e5e7eb"})


def true_class_curves(p: np.ndarray) -> dict[str, np.ndarray]:
    """Loss and ∂J/∂c_true for two classes as the true class's probability p varies.

    The scores are c = (log p − log(1 − p), 0): softmax gives exactly p, and the engine's
    own losses compute each value and gradient.
    """
    out = {name: np.empty_like(p) for name in ("ce", "ce_grad", "mse", "mse_grad")}
    y = np.array([[1.0, 0.0]])
    for i, prob in enumerate(p):
        c = np.array([[np.log(prob) - np.log1p(-prob), 0.0]])
        out["ce"][i], g = softmax_cross_entropy(c, y)
        out["ce_grad"][i] = g[0, 0]
        out["mse"][i], g = softmax_mse(c, y)
        out["mse_grad"][i] = g[0, 0]
    return out


def why_cross_entropy(height: int = 360) -> tuple[go.Figure, go.Figure]:
    p = np.linspace(0.005, 0.995, 199)
    curves = true_class_curves(p)
    loss = go.Figure()
    loss.add_trace(go.Scatter(x=p, y=curves["ce"], name="cross-entropy  −log p",
                              line={"color": "#2563eb", "width": 3}))
    loss.add_trace(go.Scatter(x=p, y=curves["mse"], name="mean squared error",
                              line={"color": "#dc2626", "width": 3, "dash": "dash"}))
    _layout(loss, "Loss as the true class's probability p varies", height,
            xaxis={"title": {"text": "predicted probability p of the true class"},
                   "gridcolor": "#e5e7eb"},
            yaxis={"title": {"text": "loss"}, "gridcolor": "#e5e7eb"})
    grad = go.Figure()
    grad.add_trace(go.Scatter(x=p, y=np.abs(curves["ce_grad"]), name="cross-entropy: |p − 1|",
                              line={"color": "#2563eb", "width": 3}))
    grad.add_trace(go.Scatter(x=p, y=np.abs(curves["mse_grad"]), name="mean squared error",
                              line={"color": "#dc2626", "width": 3, "dash": "dash"}))
    _layout(grad, "How hard the gradient pushes: |∂J/∂c_true|", height,
            xaxis={"title": {"text": "predicted probability p of the true class"},
                   "gridcolor": "#e5e7eb"},
            yaxis={"title": {"text": "|∂J/∂c_true|"}, "gridcolor": "#e5e7eb"})
    grad.add_vrect(x0=0, x1=0.1, fillcolor="#fee2e2", opacity=0.5, line_width=0,
                   annotation={"text": "confident and wrong", "font": {"size": 11}},
                   annotation_position="top left")
    return loss, grad


def layer_profiles(profiles: dict[str, np.ndarray], title: str, y_title: str,
                   height: int = 340) -> go.Figure:
    """One line per activation: a per-layer magnitude from layer 1 (input side) up."""
    fig = go.Figure()
    for name, values in profiles.items():
        fig.add_trace(go.Scatter(
            x=np.arange(1, len(values) + 1), y=np.maximum(values, 1e-300),
            mode="lines+markers", name=ACTIVATION_LABELS[name],
            line={"color": ACTIVATION_COLORS[name], "width": 2.5}, marker={"size": 5}))
    return _layout(fig, title, height,
                   xaxis={"title": {"text": "layer m (1 = next to the input)"},
                          "gridcolor": "#e5e7eb", "dtick": 5},
                   yaxis={"title": {"text": y_title}, "type": "log", "gridcolor": "#e5e7eb",
                          "exponentformat": "power"})


def activation_and_slope(names: Sequence[str] = ("sigmoid", "relu"),
                         height: int = 320) -> go.Figure:
    z = np.linspace(-6, 6, 241)
    fig = go.Figure()
    for name in names:
        act = ACTIVATIONS[name]
        a = act.f(z)
        color = ACTIVATION_COLORS[name]
        fig.add_trace(go.Scatter(x=z, y=a, name=f"{ACTIVATION_LABELS[name]} f(z)",
                                 line={"color": color, "width": 3}))
        fig.add_trace(go.Scatter(x=z, y=act.df(z, a), name=f"{ACTIVATION_LABELS[name]} f'(z)",
                                 line={"color": color, "width": 2, "dash": "dot"}))
    fig.add_hline(y=0.25, line={"color": "#D55E00", "width": 1, "dash": "dash"},
                  annotation={"text": "sigmoid's f' never exceeds 0.25", "font": {"size": 11}})
    return _layout(fig, "Activations (solid) and their slopes f' (dotted)", height,
                   xaxis={"title": {"text": "z"}, "gridcolor": "#e5e7eb"},
                   yaxis={"range": [-0.1, 1.6], "gridcolor": "#e5e7eb"})
