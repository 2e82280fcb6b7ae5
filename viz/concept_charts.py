"""Figures of the concept pages: softmax, cross-entropy vs MSE, unstable gradients."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from engine.activations import ACTIVATIONS
from engine.losses import softmax_cross_entropy, softmax_mse
from viz.figure import (
    PHONE_LEGEND_WIDTH,
    Figure,
    Panel,
    axis,
    corner_note,
    figure,
    hline,
    legend_rows,
    line,
    numbers,
    panel_grid,
    steps_axis,
    title,
)
from viz.number_text import number_text

ACTIVATION_COLORS = {"sigmoid": "#D55E00", "tanh": "#0072B2", "relu": "#009E73"}


def _chart(traces, heading: str, height: int, **more) -> Figure:
    """A one-panel chart, its legend at the bottom under the x axis's title, with room
    for the rows it takes on a phone (at y = -0.2 of the plot it sat on that title)."""
    names = [str(t.get("name", "")) for t in traces
             if t.get("showlegend", True) and more.get("showlegend", True)]
    rows = legend_rows(names, PHONE_LEGEND_WIDTH) if len(names) > 1 else 0  # 1: no legend
    return figure(traces, {"template": "none", "height": height + 22 * rows,
                           "margin": {"l": 60, "r": 10, "t": 40, "b": 50 + 22 * rows},
                           "title": title(heading),
                           "legend": {"orientation": "h", "yref": "container", "y": 0,
                                      "yanchor": "bottom", "x": 0}, **more})


def softmax_bars(probabilities: np.ndarray, true_class: int, names: Sequence[str]) -> Figure:
    colors = ["#16a34a" if k == true_class else "#94a3b8" for k in range(len(names))]
    bars = {"type": "bar", "x": list(names), "y": [float(p) for p in probabilities],
            "marker": {"color": colors}, "text": [number_text(p) for p in probabilities],
            "textposition": "outside", "hovertemplate": "%{x}: %{text}<extra></extra>"}
    return _chart([bars], "Softmax probabilities y'ᵢ = q(c)ᵢ (green: the true class)", 320,
                  yaxis=axis("probability", range=[0, 1.12]))


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


def why_cross_entropy(height: int = 360) -> tuple[Figure, Figure]:
    p = np.linspace(0.005, 0.995, 199)
    curves = true_class_curves(p)
    x = numbers(p)
    x_axis = axis("predicted probability p of the true class")
    loss = _chart([line(x, curves["ce"], "cross-entropy: −log p", "#2563eb", width=3),
                   line(x, curves["mse"], "mean squared error", "#dc2626", width=3,
                        dash="dash")],
                  "Loss as the true class's probability p varies", height,
                  xaxis=x_axis, yaxis=axis("loss"))
    confident_and_wrong = {"type": "rect", "xref": "x", "x0": 0, "x1": 0.1,
                           "yref": "y domain", "y0": 0, "y1": 1, "fillcolor": "#fee2e2",
                           "opacity": 0.5, "line": {"width": 0}, "layer": "below"}
    note = {"text": "confident and wrong", "xref": "x", "x": 0, "xanchor": "left",
            "yref": "y domain", "y": 1, "yanchor": "top", "showarrow": False,
            "font": {"size": 11}}
    grad = _chart([line(x, np.abs(curves["ce_grad"]), "cross-entropy: |p − 1|", "#2563eb",
                        width=3),
                   line(x, np.abs(curves["mse_grad"]), "mean squared error", "#dc2626",
                        width=3, dash="dash")],
                  "How hard the gradient pushes: |∂J/∂c_true|", height,
                  xaxis=x_axis, yaxis=axis("|∂J/∂c_true|"),
                  shapes=[confident_and_wrong], annotations=[note])
    return loss, grad


def layer_profiles(panels: dict[str, dict[str, np.ndarray]], y_title: str,
                   row_height: int = 300) -> Figure:
    """One panel per heading (an initialization), up to three side by side and four as
    two rows of two (four in a row were too narrow to read on a phone): one line per
    activation, a per-layer magnitude from layer 1 (input side) up, one legend for all."""
    columns = 2 if len(panels) == 4 else max(len(panels), 1)
    grid = []
    layers = max((len(v) for profiles in panels.values() for v in profiles.values()), default=0)
    every = 1 if layers <= 10 else 5  # a tick on every layer of a shallow network
    for i, (heading, profiles) in enumerate(panels.items()):
        notes: list[dict]
        traces, notes = [], []
        for name, values in profiles.items():
            # A norm of exactly 0 has no place on a log axis: it is left out (a gap in
            # the line) and named in a note, rather than drawn at some tiny floor that
            # would look like a number and stretch the axis down to it.
            zero = np.asarray(values) == 0
            # float64: a vanishing gradient of 1e-60 is below float32's range, not zero.
            # Lines without markers (only lines with a 0 get them, below): plotly.js
            # styles every marker on each redraw, and the 9 × 21 markers made a depth
            # change ~50 ms slower in Chromium.
            trace = line(None, np.where(zero, np.nan, values), ACTIVATIONS[name].label,
                         ACTIVATION_COLORS[name], width=2.5, dtype="f8", legendgroup=name,
                         showlegend=i == 0, **steps_axis(1))
            traces.append(trace)
            if zero.any():
                # markers too: a value between gaps (the output layer's δ) is a lone point
                # (not clipped: the axis ends on the output layer, see x_axis below)
                trace.update(mode="lines+markers", marker={"size": 6}, cliponaxis=False)
                notes.append(_zero_note(name, np.flatnonzero(zero) + 1, len(zero), len(notes)))
        # a fixed x range: markers would widen the axis of their panel alone
        grid.append(Panel(f"<b>{heading}</b>", y_title if i % columns == 0 else None, traces,
                          log_y=True, x_title="layer m (1: input side)"
                          if i // columns == -(-len(panels) // columns) - 1 else "",
                          x_axis={"dtick": every, "range": [1, max(layers, 2)]},
                          notes=notes))
    return panel_grid(grid, columns=columns, row_height=row_height, hovermode="closest")


def _zero_note(name: str, layers: np.ndarray, count: int, below: int) -> dict:
    """'ReLU: exactly 0 in layers 1–40', in the line's colour, above the `below` notes
    already in its panel's corner."""
    where = "every layer" if len(layers) == count else f"layers {layer_ranges(layers)}"
    return corner_note(f"{ACTIVATIONS[name].label}: exactly 0 in {where}", above=below,
                       font={"size": 12, "color": ACTIVATION_COLORS[name]})


def layer_ranges(layers: Iterable[int]) -> str:
    """Increasing layer numbers as runs: [1, 2, 3, 7, 9, 10] -> '1–3, 7, 9–10'."""
    runs: list[list[int]] = []
    for m in layers:
        if runs and m == runs[-1][-1] + 1:
            runs[-1].append(m)
        else:
            runs.append([m])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else f"{r[0]}" for r in runs)


def activation_and_slope(names: Sequence[str] = ("sigmoid", "relu"),
                         height: int = 320) -> Figure:
    z = np.linspace(-6, 6, 241)
    x = numbers(z)
    traces = []
    for name in names:
        act = ACTIVATIONS[name]
        a = act.f(z)
        color, label = ACTIVATION_COLORS[name], ACTIVATIONS[name].label
        traces.append(line(x, a, f"{label} f(z)", color, width=3))
        traces.append(line(x, act.df(z, a), f"{label} f'(z)", color, dash="dot"))
    shape, note = hline(0.25, "#D55E00", "sigmoid's f' never exceeds 0.25")
    return _chart(traces, "Activations (solid) and their slopes f' (dotted)", height,
                  xaxis=axis("z"), yaxis=axis(None, range=[-0.1, 1.6]),
                  shapes=[shape], annotations=[note])
