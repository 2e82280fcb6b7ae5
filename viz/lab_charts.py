"""Figures of the training lab: learning curves, gradient magnitudes, decision boundaries.

Histories are lists of engine.training.EpochRecord; a diverged record (NaN losses)
is never plotted: callers pass the finite records only (see `plottable`).
Longer than 300 lines because the lab's curves, boundaries and weights share their axes
and legend helpers; each figure function is short.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import cast

import numpy as np

from viz.figure import (
    PHONE_LEGEND_WIDTH,
    PLAIN_AXIS,
    Figure,
    Panel,
    centre_note,
    corner_note,
    figure,
    line,
    log_ticks,
    numbers,
    panel_grid,
    title,
    vline,
)
from viz.png import png_data_uri

CLASS_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442",
                "#000000", "#999999", "#882255"]
RUN_DASH = ["solid", "dash"]  # first and second network in comparison mode
TEST_SYMBOLS = ["diamond", "square"]  # their test losses
LAYER_COLORS = ["#440154", "#46327e", "#365c8d", "#277f8e", "#1fa187", "#4ac16d", "#a0da39",
                "#fde725", "#e36414"]
GRID = 120  # decision-boundary resolution per side


def plottable(history: Sequence) -> list:
    """The records that have finite losses (a diverged epoch is reported, not drawn)."""
    return [r for r in history if not r.diverged and np.isfinite(r.train_loss)]


def _member_color(i: int, n: int) -> str:
    return LAYER_COLORS[i * (len(LAYER_COLORS) - 1) // max(n - 1, 1)]


def _epochs(records) -> np.ndarray:
    return numbers([r.epoch for r in records], "i4")


def _training_and_validation(records, field: str, prefix: str, dash: str,
                             in_legend: bool) -> list[dict]:
    """The training curve of `field` ("loss" or "acc") and, if there is one, the validation.
    Same legend group in every panel: one legend entry shows or hides both panels' curves."""
    traces = [line(_epochs(records), [getattr(r, f"train_{field}") for r in records],
                   prefix + "training", "#2563eb", dash=dash, legendgroup=prefix + "training",
                   showlegend=in_legend)]
    val = [r for r in records if getattr(r, f"val_{field}") is not None]
    if val:
        traces.append(line(_epochs(val), [getattr(r, f"val_{field}") for r in val],
                           prefix + "validation", "#dc2626", dash=dash,
                           legendgroup=prefix + "validation", showlegend=in_legend))
    return traces


def _prefix(label: str, runs: dict) -> str:
    return f"{label}: " if len(runs) > 1 else ""


# Loss axes start at 0: zoomed in on the last epochs' values, 1 % of noise looked like
# spikes. The user can still zoom in (the curves keep their uirevision).
_FROM_ZERO = {"rangemode": "tozero"}
CHANGE_COLOR = "#7c3aed"


def _change_marks(marks: Sequence[tuple[int, str]], last: int) -> tuple[list, list]:
    """A dashed line after each epoch at which settings changed, labelled at the top (the
    labels step down, so that neighbours do not cover each other)."""
    shapes, notes = [], []
    for k, (epoch, text) in enumerate(marks):
        shape, note = vline(epoch + 0.5, CHANGE_COLOR, text)
        shape["line"]["dash"] = "dash"
        note.update(y=0.9 - 0.09 * (k % 4), xanchor="left" if epoch <= last / 2 else "right",
                    font={"size": 11, "color": CHANGE_COLOR},
                    bgcolor="rgba(255, 255, 255, 0.85)")
        shapes.append(shape)
        notes.append(note)
    return shapes, notes


def loss_panel(runs: dict[str, Sequence], *, best_epochs: dict[str, int] | None = None,
               test_losses: dict[str, float] | None = None,
               tested_epochs: dict[str, int] | None = None,
               marks: Sequence[tuple[int, str]] = ()) -> Panel:
    """Training and validation loss per epoch for one or two runs, with a line at each
    run's best epoch (`best_epochs`, for early stopping). A test loss sits at the epoch
    whose weights it tested (`tested_epochs`; by default the last one): early stopping
    and a divergence give the network back its best weights. `marks` are (epoch, text):
    settings changed after that epoch (a line between it and the next)."""
    traces = []
    for i, (label, history) in enumerate(runs.items()):
        records, prefix = plottable(history), _prefix(label, runs)
        traces += _training_and_validation(records, "loss", prefix, RUN_DASH[i % 2], True)
        if test_losses and label in test_losses and records:
            epoch = (tested_epochs or {}).get(label, records[-1].epoch)
            traces.append({
                "type": "scatter", "x": [epoch], "y": [test_losses[label]],
                "mode": "markers", "name": prefix + "test (the weights kept)",
                "marker": {"symbol": TEST_SYMBOLS[i % 2], "size": 11, "color": "#111827"}})
    notes: list[dict]
    shapes, notes = [], []
    last = max((r.epoch for history in runs.values() for r in plottable(history)), default=1)
    for i, label in enumerate(runs):
        best = (best_epochs or {}).get(label)
        if not best:
            continue
        shape, note = vline(best, "#16a34a", f"{_prefix(label, runs)}best epoch {best}")
        shape["line"]["dash"] = "dot" if i % 2 == 0 else "dashdot"  # tells two runs apart
        note["y"] = 1 - 0.09 * len(notes)  # a second run's label below the first
        # the label on the side with room: plotly.js widens the epoch axis to fit it
        note["xanchor"] = "left" if best <= last / 2 else "right"
        shapes.append(shape)
        notes.append(note)
    changed, labels = _change_marks(marks, last)
    return Panel("Loss per epoch", "loss J", traces, x_title="epoch", shapes=shapes + changed,
                 notes=notes + labels, y_axis=_FROM_ZERO)


def accuracy_panel(runs: dict[str, Sequence]) -> Panel:
    traces = []
    for i, (label, history) in enumerate(runs.items()):
        traces += _training_and_validation(plottable(history), "acc", _prefix(label, runs),
                                           RUN_DASH[i % 2], False)
    return Panel("Accuracy per epoch", "accuracy", traces, x_title="epoch", y_axis=_PERCENT)


_PERCENT = {"range": [0, 1.02], "tickformat": ".0%"}


def gradient_panel(runs: dict[str, Sequence], *, title: str | None = None,
                   in_legend: bool = True, y_range: Sequence[float] | None = None) -> Panel:
    """‖∂J/∂W^m‖ per layer m and epoch, log scale: vanishing gradients sink to the bottom.
    Layers are a colour ramp, from layer 1 (next to the input, dark) to the output layer.

    A norm of exactly 0 (dead ReLU units, a zero initialization) is left out, a gap in
    its line, and a note says so: drawn at a tiny floor it would look like a number and
    stretch the axis down to it. `y_range` fixes the axis (log₁₀ of its ends)."""
    traces, zero, nonzero = [], False, False
    for i, (label, history) in enumerate(runs.items()):
        records = plottable(history)
        if not records:
            continue
        norms = np.array([r.grad_norms for r in records])
        epochs = _epochs(records)
        for m in range(norms.shape[1]):
            zeros = norms[:, m] == 0
            trace = line(epochs, np.where(zeros, np.nan, norms[:, m]),
                         f"{_prefix(label, runs)}layer {m + 1}",
                         _member_color(m, norms.shape[1]), dash=RUN_DASH[i % 2], dtype="f8",
                         legendgroup=f"layer {m + 1}", showlegend=in_legend)
            zero, nonzero = zero or bool(zeros.any()), nonzero or not zeros.all()
            traces.append(trace)
    y_axis = {"nticks": 6, **({"range": list(y_range)} if y_range is not None else {})}
    panel = Panel(title or "Gradient per layer, ‖∂J/∂Wᵐ‖ (log scale)", "‖∂J/∂Wᵐ‖", traces,
                  log_y=True, x_title="epoch", y_axis=y_axis,
                  notes=[corner_note("gaps: exactly 0")] if zero and nonzero else [])
    if zero and not nonzero:  # nothing to draw on a log scale: say so, not a bare axis
        return replace(panel, y_axis=_NO_SCALE, notes=[centre_note(
            "Every ‖∂J/∂Wᵐ‖ is exactly 0:<br>no gradient reaches the weights")])
    return panel


def gradient_panels(runs: dict[str, Sequence]) -> list[Panel]:
    """The gradient panel; for two or more networks (sigmoid vs ReLU), one panel each on
    the same log scale, so that their heights compare, with one legend entry per layer
    (it shows or hides that layer in every panel)."""
    if len(runs) < 2:
        return [gradient_panel(runs)]
    values = np.concatenate([np.ravel([r.grad_norms for r in plottable(history)])
                             for history in runs.values()])
    values = values[np.isfinite(values) & (values > 0)]
    y_range, ticks = None, {}
    if len(values):
        low, high = np.log10(values.min()), np.log10(values.max())
        pad = max(0.05 * (high - low), 0.1)
        y_range = [float(low - pad), float(high + pad)]
        # the same ticks on both axes, from all their values (log_ticks per panel would
        # label one in decimals, the other in powers); a label per decade or two over
        # more than two decades, where 2× and 5× labels crowd a short panel
        ticks = {"exponentformat": "power", **log_ticks([{"y": values}])}
        if high - low >= 2:
            ticks.update(dtick=1 if high - low <= 8 else 2, minorloglabels="none")
    panels = [gradient_panel({label: history}, title=f"{label}: ‖∂J/∂Wᵐ‖ per layer (log)",
                             in_legend=i == 0, y_range=y_range)
              for i, (label, history) in enumerate(runs.items())]
    return [replace(p, y_axis={**ticks, **p.y_axis}) for p in panels]


def weight_panel(runs: dict[str, Sequence], *, l1: bool, l2: bool) -> Panel:
    """‖w‖₂ (what L2 penalizes) and ‖w‖₁ (L1) per epoch, the weights without the biases."""
    traces = []
    for i, (label, history) in enumerate(runs.items()):
        records = plottable(history)
        for shown, field, name, color in ((l2, "weight_l2", "‖w‖₂", "#0f766e"),
                                          (l1, "weight_l1", "‖w‖₁", "#b45309")):
            if shown:
                traces.append(line(_epochs(records), [getattr(r, field) for r in records],
                                   f"{_prefix(label, runs)}{name}", color,
                                   dash=RUN_DASH[i % 2]))
    return Panel("Size of the weights per epoch", "norm of w", traces, x_title="epoch",
                 y_axis=_FROM_ZERO)


MAX_BATCH_POINTS = 1500  # per network: the most recent mini-batches


def batch_losses(history: Sequence) -> tuple[np.ndarray, np.ndarray]:
    """(x, loss) of every mini-batch step in `history`, x in epochs: batch i of the n in
    epoch e at e − 1 + (i + 1)/n. A diverged epoch's finite losses are kept: they show
    the blow-up. The most recent MAX_BATCH_POINTS."""
    xs, ys = [], []
    for r in history:
        n = len(r.batch_losses)
        if n:
            xs.append(r.epoch - 1 + np.arange(1, n + 1) / n)
            ys.append(r.batch_losses)
    if not xs:
        return np.empty(0), np.empty(0)
    x, y = np.concatenate(xs)[-MAX_BATCH_POINTS:], np.concatenate(ys)[-MAX_BATCH_POINTS:]
    keep = np.isfinite(y)
    return x[keep], y[keep]


def batch_loss_figure(runs: dict[str, Sequence], heading: str, height: int = 320) -> Figure:
    """Each mini-batch's loss as its step saw it, with the whole training set's loss after
    each epoch: online SGD's noise against mini-batches' and batch descent's."""
    traces = []
    for i, (label, history) in enumerate(runs.items()):
        prefix = _prefix(label, runs)
        x, y = batch_losses(history)
        traces.append(line(x, y, f"{prefix}each mini-batch", "#94a3b8" if i == 0 else "#f59e0b",
                           width=1))
        records = [r for r in plottable(history) if len(x) and r.epoch > x[0]]
        traces.append({**line(_epochs(records), [r.train_loss for r in records],
                              f"{prefix}training set, after each epoch", "#2563eb",
                              dash=RUN_DASH[i % 2]), "mode": "lines+markers",
                       "marker": {"size": 4}})
    return panel_grid([Panel(heading, "loss J", traces, x_title="epoch", y_axis=_FROM_ZERO)],
                      columns=1, row_height=height - 60, uirevision="keep")


_NO_SCALE = {"showticklabels": False, "showgrid": False, "zeroline": False}



def member_panels(runs: dict[str, Sequence], marks: Sequence[tuple[int, str]] = ()
                  ) -> list[Panel]:
    """Bagging: each member's validation loss and accuracy per epoch (`marks` as in
    loss_panel)."""
    panels = []
    for field, heading, y_title, y_axis in (
            ("loss", "Validation loss per member", "loss J", _FROM_ZERO),
            ("acc", "Validation accuracy per member", "accuracy", _PERCENT)):
        traces = []
        for i, (label, history) in enumerate(runs.items()):
            val = [r for r in plottable(history) if getattr(r, f"val_{field}") is not None]
            traces.append(line(_epochs(val), [getattr(r, f"val_{field}") for r in val], label,
                               _member_color(i, len(runs)), legendgroup=label,
                               showlegend=field == "loss"))
        panels.append(Panel(heading, y_title, traces, x_title="epoch", y_axis=y_axis))
    if marks:
        last = max((r.epoch for h in runs.values() for r in plottable(h)), default=1)
        shapes, notes = _change_marks(marks, last)
        panels[0] = replace(panels[0], shapes=shapes, notes=notes)
    return panels


START_NOTE = "Press ▶ Start training:<br>one point per epoch appears here"


def empty_panels(panels: list[Panel], epochs: int, note: str = START_NOTE) -> list[Panel]:
    """The panels while they have nothing to draw (before the first epoch, or after a
    divergence in it): the x axis spans the epochs, and each panel shows `note` instead
    of a y axis that means nothing (plotly.js's −1 … 4 for no data). A fixed y axis
    (accuracy's 0–100%) stays."""
    waiting = []
    for panel in panels:
        y_axis = panel.y_axis if "range" in panel.y_axis else {**panel.y_axis, **_NO_SCALE}
        waiting.append(replace(panel, x_axis={**panel.x_axis, "range": [0, epochs]},
                               y_axis=y_axis, notes=[*panel.notes, centre_note(note)]))
    return waiting


def training_curves(panels: list[Panel]) -> Figure:
    """The panels in one chart (it redraws every few epochs while training), one under
    the other: a figure cannot know the screen's width, and side by side on a phone
    (390 px) three panels were 90 px wide, their titles and y-axis titles over each
    other. The legend below has room for the rows it takes on a phone."""
    return panel_grid(panels, columns=1, row_height=280, legend_width=PHONE_LEGEND_WIDTH,
                      uirevision="keep")  # keep the user's zoom while the curves grow


def boundary_grid(X: np.ndarray, margin: float = 0.5):
    """A GRID × GRID mesh over the data's range (first two features)."""
    lo, hi = X[:, :2].min(axis=0) - margin, X[:, :2].max(axis=0) + margin
    xs, ys = np.linspace(lo[0], hi[0], GRID), np.linspace(lo[1], hi[1], GRID)
    return xs, ys, np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)


def _hex(color: str) -> np.ndarray:
    return np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.float64)


def _probability_picture(proba: np.ndarray, shape, strength: float = 0.55) -> str:
    """Each pixel tinted with its predicted class's colour, paler where less sure."""
    colors = np.array([_hex(c) for c in CLASS_COLORS[:proba.shape[1]]])
    mixed = proba @ colors  # expected colour under the predicted probabilities
    confidence = proba.max(axis=1, keepdims=True)
    k = proba.shape[1]
    sure = (confidence - 1 / k) / (1 - 1 / k)  # 0 at a coin flip, 1 when certain
    rgb = 255 - strength * sure * (255 - mixed)
    return png_data_uri(np.flipud(rgb.reshape(*shape, 3)).round().astype(np.uint8))


def _class_points(X: np.ndarray, y: np.ndarray, classes: Sequence[str], *,
                  name_suffix: str = "", symbol: str = "circle", size: int = 7) -> list[dict]:
    traces = []
    for k, name in enumerate(classes):
        rows = y == k
        traces.append({
            "type": "scatter", "x": numbers(X[rows, 0]), "y": numbers(X[rows, 1]),
            "mode": "markers", "name": f"{name}{name_suffix}",
            "marker": {"color": CLASS_COLORS[k % len(CLASS_COLORS)], "size": size,
                       "symbol": symbol, "line": {"color": "white", "width": 0.8}}})
    return traces


def decision_boundary(predict_proba: Callable[[np.ndarray], np.ndarray], X: np.ndarray,
                      y: np.ndarray, classes: Sequence[str], *, title: str = "Decision boundary",
                      X_other: np.ndarray | None = None, y_other: np.ndarray | None = None,
                      other_name: str = "validation", height: int = 420,
                      axis_titles: Sequence[str] = ("x₁", "x₂"),
                      X_test: np.ndarray | None = None,
                      y_test: np.ndarray | None = None) -> Figure:
    """The input plane coloured by the predicted class (paler = less sure), with the data:
    training points filled, `X_other` (validation) as rings and `X_test` as crosses."""
    shown = [a for a in (X, X_other, X_test) if a is not None and len(a)]
    xs, ys, points = boundary_grid(np.vstack(shown))
    with np.errstate(all="ignore"):
        proba = np.nan_to_num(predict_proba(points), nan=1.0 / len(classes))
    traces = _class_points(X, y, classes)
    if X_other is not None and len(X_other):
        # y_other comes with X_other
        traces += _class_points(X_other, cast(np.ndarray, y_other), classes,
                                name_suffix=f" ({other_name})", symbol="circle-open", size=7)
    if X_test is not None and len(X_test):
        traces += _class_points(X_test, cast(np.ndarray, y_test), classes,
                                name_suffix=" (test)", symbol="x-thin-open", size=8)
        for trace in traces[-len(classes):]:  # a cross is all outline: in its class colour
            trace["marker"]["line"] = {"color": trace["marker"]["color"], "width": 2}
    return figure(traces, _image_layout(_probability_picture(proba, (GRID, GRID)), xs, ys,
                                        title, height, axis_titles))


def resample_map(X: np.ndarray, y: np.ndarray, counts: np.ndarray, classes: Sequence[str],
                 heading: str, height: int = 420,
                 axis_titles: Sequence[str] = ("x₁", "x₂")) -> Figure:
    """One bagging member's bootstrap sample over the training data: every point drawn is
    a dot, larger the more copies it has (its count on hover); points never drawn are
    grey crosses."""
    traces = []
    for k, name in enumerate(classes):
        rows = (y == k) & (counts > 0)
        traces.append({
            "type": "scatter", "x": numbers(X[rows, 0]), "y": numbers(X[rows, 1]),
            "mode": "markers", "name": f"{name}: drawn (larger: more copies)",
            "customdata": numbers(counts[rows], "i4"),
            "hovertemplate": "drawn %{customdata}×<extra></extra>",
            "marker": {"color": CLASS_COLORS[k % len(CLASS_COLORS)],
                       "size": numbers(4 + 4 * np.minimum(counts[rows], 4), "i4"),
                       "line": {"color": "white", "width": 0.8}}})
    missing = counts == 0
    traces.append({
        "type": "scatter", "x": numbers(X[missing, 0]), "y": numbers(X[missing, 1]),
        "mode": "markers", "name": "never drawn (missing)", "hoverinfo": "skip",
        "marker": {"color": "#6b7280", "size": 8, "symbol": "x-thin-open",
                   "line": {"color": "#6b7280", "width": 1.5}}})
    return figure(traces, {
        "template": "none", "height": height, "margin": {"l": 56, "r": 10, "t": 36, "b": 44},
        "title": title(heading),
        "xaxis": {"showgrid": False, "zeroline": False, "constrain": "domain",
                  "title": {"text": axis_titles[0], "standoff": 6}, **PLAIN_AXIS},
        "yaxis": {"showgrid": False, "zeroline": False, "scaleanchor": "x", "scaleratio": 1,
                  "constrain": "domain", "title": {"text": axis_titles[1], "standoff": 6},
                  **PLAIN_AXIS},
        "legend": {"orientation": "h", "y": -0.16, "x": 0}})


def _image_layout(uri, xs, ys, heading, height, axis_titles: Sequence[str]) -> dict:
    (x0, x1), (y0, y1) = (float(xs[0]), float(xs[-1])), (float(ys[0]), float(ys[-1]))
    x_title, y_title = ({"title": {"text": text, "standoff": 6}} for text in axis_titles[:2])
    return {
        "template": "none", "height": height, "margin": {"l": 56, "r": 10, "t": 36, "b": 44},
        "title": title(heading),
        # equal scales; "domain": plotly.js shrinks the plot to the picture rather than
        # widening an axis past it, which left white ("unsure") strips beside it
        "xaxis": {"range": [x0, x1], "showgrid": False, "zeroline": False,
                  "constrain": "domain", **x_title, **PLAIN_AXIS},
        "yaxis": {"range": [y0, y1], "showgrid": False, "zeroline": False,
                  "scaleanchor": "x", "scaleratio": 1, "constrain": "domain", **y_title,
                  **PLAIN_AXIS},
        "images": [{"source": uri, "xref": "x", "yref": "y", "x": x0, "y": y1,
                    "sizex": x1 - x0, "sizey": y1 - y0, "sizing": "stretch",
                    "layer": "below"}],
        "legend": {"orientation": "h", "y": -0.16, "x": 0}, "uirevision": "keep"}


def vote_borders(vote: np.ndarray, xs: np.ndarray, ys: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Where neighbouring grid cells vote for different classes: a short segment on the
    edge between each such pair (NaN between segments), so every border is one line. (A
    contour of the class index drew k − 1 lines where classes 0 and k meet.)"""
    half_x, half_y = (xs[1] - xs[0]) / 2, (ys[1] - ys[0]) / 2
    rows, cols = np.nonzero(vote[:, 1:] != vote[:, :-1])  # cell (r, c) | cell (r, c + 1)
    upright = [np.repeat(xs[cols] + half_x, 2), np.ravel([ys[rows] - half_y,
                                                          ys[rows] + half_y], order="F")]
    rows, cols = np.nonzero(vote[1:] != vote[:-1])  # cell (r, c) under cell (r + 1, c)
    flat = [np.ravel([xs[cols] - half_x, xs[cols] + half_x], order="F"),
            np.repeat(ys[rows] + half_y, 2)]
    x, y = (np.concatenate([a, b]).reshape(-1, 2) for a, b in zip(upright, flat, strict=True))
    gap = np.full((len(x), 1), np.nan)
    return np.hstack([x, gap]).ravel(), np.hstack([y, gap]).ravel()


def ensemble_boundaries(member_probas: Sequence[Callable], ensemble_proba: Callable,
                        X: np.ndarray, y: np.ndarray, classes: Sequence[str],
                        height: int = 460, axis_titles: Sequence[str] = ("x₁", "x₂")) -> Figure:
    """Each member's boundary as a thin line, over the averaged ensemble's colours."""
    xs, ys, points = boundary_grid(X)
    with np.errstate(all="ignore"):
        averaged = np.nan_to_num(ensemble_proba(points), nan=1.0 / len(classes))
    traces = []
    for i, member in enumerate(member_probas):
        with np.errstate(all="ignore"):
            vote = np.argmax(member(points), axis=1).reshape(GRID, GRID)
        border_x, border_y = vote_borders(vote, xs, ys)
        traces.append({
            "type": "scatter", "x": numbers(border_x), "y": numbers(border_y), "mode": "lines",
            "hoverinfo": "skip", "line": {"color": "rgba(17,24,39,0.45)", "width": 1},
            "name": "members' boundaries", "legendgroup": "members", "showlegend": i == 0})
    traces += _class_points(X, y, classes, size=6)
    return figure(traces, _image_layout(
        _probability_picture(averaged, (GRID, GRID)), xs, ys,
        "Ensemble: averaged boundary (colours), members (thin lines)", height, axis_titles))


def disagreement_map(disagreement: Callable[[np.ndarray], np.ndarray], X: np.ndarray,
                     height: int = 460, axis_titles: Sequence[str] = ("x₁", "x₂")) -> Figure:
    """Where the members vote differently from the ensemble (0 = all agree)."""
    xs, ys, points = boundary_grid(X)
    d = disagreement(points).reshape(GRID, GRID)
    heat = {"type": "heatmap", "x": numbers(xs), "y": numbers(ys), "z": numbers(d), "zmin": 0,
            "zmax": 1, "colorscale": "Reds", "colorbar": {"title": {"text": "share"}},
            "hovertemplate": "(%{x:.2f}, %{y:.2f})<br>%{z:.0%} of members "
                             "disagree<extra></extra>"}
    data = {"type": "scatter", "x": numbers(X[:, 0]), "y": numbers(X[:, 1]), "mode": "markers",
            "name": "data", "marker": {"color": "#111827", "size": 3, "opacity": 0.5}}
    return figure([heat, data], {
        "template": "none", "height": height, "margin": {"l": 56, "r": 10, "t": 36, "b": 44},
        "title": title("Where the members disagree with the ensemble"),
        # constrain: the plot area shrinks to the map, instead of the y range growing
        "xaxis": {"constrain": "domain", "title": {"text": axis_titles[0], "standoff": 6},
                  **PLAIN_AXIS},
        "yaxis": {"scaleanchor": "x", "scaleratio": 1, "constrain": "domain",
                  "title": {"text": axis_titles[1], "standoff": 6}, **PLAIN_AXIS},
        "showlegend": False})


def hidden_weights(W: np.ndarray, features: Sequence[str], height: int = 260) -> Figure:
    """W¹ as a heat map: identical columns mean identical hidden units."""
    limit = float(np.abs(W).max()) or 1.0
    heat = {"type": "heatmap", "z": numbers(W), "x": [f"unit {j + 1}" for j in range(W.shape[1])],
            "y": list(features)[:W.shape[0]], "colorscale": "RdBu", "zmid": 0,
            "zmin": -limit, "zmax": limit, "colorbar": {"title": {"text": "weight"}},
            "hovertemplate": "%{y} → %{x}: %{z:.3f}<extra></extra>"}
    return figure([heat], {"template": "none", "height": height,
                           "margin": {"l": 60, "r": 10, "t": 10, "b": 40}})
