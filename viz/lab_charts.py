"""Figures of the training lab: learning curves, gradient magnitudes, decision boundaries.

Histories are lists of engine.training.EpochRecord; a diverged record (NaN losses)
is never plotted: callers pass the finite records only (see `plottable`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import plotly.graph_objects as go

from viz.png import png_data_uri

CLASS_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442",
                "#000000", "#999999", "#882255"]
RUN_DASH = ["solid", "dash"]  # first and second network in comparison mode
LAYER_COLORS = ["#440154", "#46327e", "#365c8d", "#277f8e", "#1fa187", "#4ac16d", "#a0da39",
                "#fde725", "#e36414"]
GRID = 120  # decision-boundary resolution per side
LOG_FLOOR = 1e-30


def plottable(history: Sequence) -> list:
    """The records that have finite losses (a diverged epoch is reported, not drawn)."""
    return [r for r in history if not r.diverged and np.isfinite(r.train_loss)]


def _base(title: str, y_title: str, *, log_y: bool = False, height: int = 320) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(
        template="none", height=height, margin={"l": 60, "r": 10, "t": 36, "b": 40},
        title={"text": title, "font": {"size": 14}, "x": 0, "xanchor": "left"},
        xaxis={"title": {"text": "epoch"}, "gridcolor": "#e5e7eb", "rangemode": "tozero"},
        yaxis={"title": {"text": y_title}, "gridcolor": "#e5e7eb",
               "type": "log" if log_y else "linear", "exponentformat": "power"},
        legend={"orientation": "h", "y": -0.22, "x": 0}, hovermode="x unified",
        uirevision="keep",  # keep zoom while the curves grow
    )
    return fig


def _member_color(i: int, n: int) -> str:
    return LAYER_COLORS[i * (len(LAYER_COLORS) - 1) // max(n - 1, 1)]


def loss_curves(runs: dict[str, Sequence], *, best_epoch: int | None = None,
                test_losses: dict[str, float] | None = None,
                validation_only: bool = False) -> go.Figure:
    """Training and validation loss per epoch for one or two runs (or, with
    validation_only, the validation loss of each of many runs: bagging's members)."""
    fig = _base("Validation loss per member" if validation_only else "Loss per epoch",
                "loss J")
    for i, (label, history) in enumerate(runs.items()):
        records = plottable(history)
        epochs = [r.epoch for r in records]
        dash = RUN_DASH[i % 2]
        prefix = f"{label}: " if len(runs) > 1 else ""
        val = [(r.epoch, r.val_loss) for r in records if r.val_loss is not None]
        if validation_only:
            fig.add_trace(go.Scatter(x=[e for e, _ in val], y=[v for _, v in val],
                                     mode="lines", name=label,
                                     line={"color": _member_color(i, len(runs))}))
            continue
        fig.add_trace(go.Scatter(x=epochs, y=[r.train_loss for r in records], mode="lines",
                                 name=prefix + "training", line={"color": "#2563eb",
                                                                 "dash": dash}))
        if val:
            fig.add_trace(go.Scatter(x=[e for e, _ in val], y=[v for _, v in val],
                                     mode="lines", name=prefix + "validation",
                                     line={"color": "#dc2626", "dash": dash}))
        if test_losses and label in test_losses and epochs:
            fig.add_trace(go.Scatter(
                x=[epochs[-1]], y=[test_losses[label]], mode="markers",
                name=prefix + "test (at the end)",
                marker={"symbol": "diamond", "size": 11, "color": "#111827"}))
    if best_epoch:
        fig.add_vline(x=best_epoch, line={"color": "#16a34a", "dash": "dot"},
                      annotation={"text": f"best epoch {best_epoch}", "font": {"size": 11}})
    return fig


def accuracy_curves(runs: dict[str, Sequence], *, validation_only: bool = False) -> go.Figure:
    fig = _base("Validation accuracy per member" if validation_only else "Accuracy per epoch",
                "accuracy")
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%")
    for i, (label, history) in enumerate(runs.items()):
        records = plottable(history)
        prefix = f"{label}: " if len(runs) > 1 else ""
        dash = RUN_DASH[i % 2]
        if validation_only:
            fig.add_trace(go.Scatter(x=[r.epoch for r in records],
                                     y=[r.val_acc for r in records], mode="lines", name=label,
                                     line={"color": _member_color(i, len(runs))}))
            continue
        fig.add_trace(go.Scatter(x=[r.epoch for r in records], y=[r.train_acc for r in records],
                                 mode="lines", name=prefix + "training",
                                 line={"color": "#2563eb", "dash": dash}))
        val = [(r.epoch, r.val_acc) for r in records if r.val_acc is not None]
        if val:
            fig.add_trace(go.Scatter(x=[e for e, _ in val], y=[v for _, v in val],
                                     mode="lines", name=prefix + "validation",
                                     line={"color": "#dc2626", "dash": dash}))
    return fig


def gradient_norms(runs: dict[str, Sequence]) -> go.Figure:
    """‖∂J/∂W^m‖ per layer m and epoch, log scale: vanishing gradients sink to the bottom."""
    fig = _base("Gradient magnitude per layer, ‖∂J/∂Wᵐ‖ (log scale)", "‖∂J/∂Wᵐ‖", log_y=True)
    for i, (label, history) in enumerate(runs.items()):
        records = plottable(history)
        if not records:
            continue
        norms = np.array([r.grad_norms for r in records])
        prefix = f"{label}: " if len(runs) > 1 else ""
        for m in range(norms.shape[1]):
            fig.add_trace(go.Scatter(
                x=[r.epoch for r in records], y=np.maximum(norms[:, m], LOG_FLOOR),
                mode="lines", name=f"{prefix}layer {m + 1}", legendgroup=label,
                line={"color": _member_color(m, norms.shape[1]), "dash": RUN_DASH[i % 2]}))
    return fig


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


def _scatter_classes(fig: go.Figure, X: np.ndarray, y: np.ndarray, classes: Sequence[str],
                     *, name_suffix: str = "", symbol: str = "circle", size: int = 7) -> None:
    for k, name in enumerate(classes):
        rows = y == k
        fig.add_trace(go.Scatter(
            x=X[rows, 0].astype(np.float32), y=X[rows, 1].astype(np.float32), mode="markers",
            name=f"{name}{name_suffix}", marker={"color": CLASS_COLORS[k % len(CLASS_COLORS)],
                                                  "size": size, "symbol": symbol,
                                                  "line": {"color": "white", "width": 0.8}}))


def decision_boundary(predict_proba: Callable[[np.ndarray], np.ndarray], X: np.ndarray,
                      y: np.ndarray, classes: Sequence[str], *, title: str = "Decision boundary",
                      X_other: np.ndarray | None = None, y_other: np.ndarray | None = None,
                      other_name: str = "validation", height: int = 420) -> go.Figure:
    """The input plane coloured by the predicted class (paler = less sure), with the data."""
    xs, ys, points = boundary_grid(np.vstack([X, X_other]) if X_other is not None else X)
    with np.errstate(all="ignore"):
        proba = np.nan_to_num(predict_proba(points), nan=1.0 / len(classes))
    fig = go.Figure()
    _scatter_classes(fig, X, y, classes)
    if X_other is not None and len(X_other):
        _scatter_classes(fig, X_other, y_other, classes, name_suffix=f" ({other_name})",
                         symbol="circle-open", size=7)
    _image_layout(fig, _probability_picture(proba, (GRID, GRID)), xs, ys, title, height)
    return fig


def _image_layout(fig, uri, xs, ys, title, height) -> None:
    fig.update_layout(
        template="none", height=height, margin={"l": 40, "r": 10, "t": 36, "b": 30},
        title={"text": title, "font": {"size": 14}, "x": 0, "xanchor": "left"},
        xaxis={"range": [xs[0], xs[-1]], "showgrid": False, "zeroline": False},
        yaxis={"range": [ys[0], ys[-1]], "showgrid": False, "zeroline": False,
               "scaleanchor": "x", "scaleratio": 1},
        images=[{"source": uri, "xref": "x", "yref": "y", "x": xs[0], "y": ys[-1],
                 "sizex": xs[-1] - xs[0], "sizey": ys[-1] - ys[0], "sizing": "stretch",
                 "layer": "below"}],
        legend={"orientation": "h", "y": -0.08, "x": 0}, uirevision="keep")


def ensemble_boundaries(member_probas: Sequence[Callable], ensemble_proba: Callable,
                        X: np.ndarray, y: np.ndarray, classes: Sequence[str],
                        height: int = 460) -> go.Figure:
    """Each member's boundary as a thin line, over the averaged ensemble's colours."""
    xs, ys, points = boundary_grid(X)
    with np.errstate(all="ignore"):
        averaged = np.nan_to_num(ensemble_proba(points), nan=1.0 / len(classes))
    fig = go.Figure()
    for i, member in enumerate(member_probas):
        with np.errstate(all="ignore"):
            vote = np.argmax(member(points), axis=1).reshape(GRID, GRID)
        fig.add_trace(go.Contour(
            x=xs, y=ys, z=vote.astype(np.float32), showscale=False, hoverinfo="skip",
            contours={"coloring": "none", "start": 0.5, "end": len(classes) - 1.5 + 1e-9,
                      "size": 1}, line={"color": "rgba(17,24,39,0.45)", "width": 1},
            name="members' boundaries", showlegend=i == 0))
    _scatter_classes(fig, X, y, classes, size=6)
    _image_layout(fig, _probability_picture(averaged, (GRID, GRID)), xs, ys,
                  "Ensemble: averaged boundary (colours), members (thin lines)", height)
    return fig


def disagreement_map(disagreement: Callable[[np.ndarray], np.ndarray], X: np.ndarray,
                     height: int = 460) -> go.Figure:
    """Where the members vote differently from the ensemble (0 = all agree)."""
    xs, ys, points = boundary_grid(X)
    d = disagreement(points).reshape(GRID, GRID)
    fig = go.Figure(go.Heatmap(x=xs, y=ys, z=d.astype(np.float32), zmin=0, zmax=1,
                               colorscale="Reds", colorbar={"title": {"text": "share"}},
                               hovertemplate="(%{x:.2f}, %{y:.2f})<br>%{z:.0%} of members "
                                             "disagree<extra></extra>"))
    fig.add_trace(go.Scatter(x=X[:, 0].astype(np.float32), y=X[:, 1].astype(np.float32),
                             mode="markers", name="data",
                             marker={"color": "#111827", "size": 3, "opacity": 0.5}))
    fig.update_layout(
        template="none", height=height, margin={"l": 40, "r": 10, "t": 36, "b": 30},
        title={"text": "Where the members disagree with the ensemble", "font": {"size": 14},
               "x": 0, "xanchor": "left"},
        yaxis={"scaleanchor": "x", "scaleratio": 1}, showlegend=False)
    return fig


def hidden_weights(W: np.ndarray, features: Sequence[str], height: int = 260) -> go.Figure:
    """W¹ as a heat map: identical columns mean identical hidden units."""
    limit = float(np.abs(W).max()) or 1.0
    fig = go.Figure(go.Heatmap(
        z=W.astype(np.float32), x=[f"unit {j + 1}" for j in range(W.shape[1])],
        y=list(features)[:W.shape[0]], colorscale="RdBu", zmid=0, zmin=-limit, zmax=limit,
        colorbar={"title": {"text": "weight"}},
        hovertemplate="%{y} → %{x}: %{z:.3f}<extra></extra>"))
    fig.update_layout(template="none", height=height,
                      margin={"l": 60, "r": 10, "t": 10, "b": 40})
    return fig
