"""The surface in 3D with the optimizers' paths lying on it (static, rotatable): the
start, the critical points, and each path up to the step the map shows, its head there."""

from __future__ import annotations

import numpy as np

from engine.optimizers import OPTIMIZERS
from viz.colors import CRITICAL_POINT_STYLE_3D, marked_points
from viz.figure import Figure, numbers
from viz.surface_image import SurfaceGrid

MESH = 70  # grid lines per side: smooth enough, light enough to send
MAX_PATH_POINTS = 600
PATH_MARKER, HEAD_MARKER, POINT_MARKER = 2, 8, 7  # sizes: path points, a head, a point
POINT_LIFT = 3  # a marked point sits this many paths' lifts above the skin, not half in it


def _skin_height(z: np.ndarray, xs: np.ndarray, ys: np.ndarray, x: np.ndarray,
                 y: np.ndarray) -> np.ndarray:
    """How high the drawn surface is at (x, y). plotly.js draws each mesh cell as two
    triangles, so a coarse mesh bridges a narrow valley above its floor and would hide
    a path drawn at its true f (Rosenbrock's). Either diagonal may split the cell: the
    higher of the two triangulations is at or above the skin."""
    i = np.clip(np.searchsorted(xs, x) - 1, 0, len(xs) - 2)
    j = np.clip(np.searchsorted(ys, y) - 1, 0, len(ys) - 2)
    tx = np.clip((x - xs[i]) / (xs[i + 1] - xs[i]), 0.0, 1.0)
    ty = np.clip((y - ys[j]) / (ys[j + 1] - ys[j]), 0.0, 1.0)
    z00, z01, z10, z11 = z[j, i], z[j, i + 1], z[j + 1, i], z[j + 1, i + 1]  # z[row y, col x]
    split_00_11 = np.where(tx >= ty, z00 + tx * (z01 - z00) + ty * (z11 - z01),
                           z00 + ty * (z10 - z00) + tx * (z11 - z10))
    split_01_10 = np.where(tx + ty <= 1, z00 + tx * (z01 - z00) + ty * (z10 - z00),
                           z11 + (1 - tx) * (z10 - z11) + (1 - ty) * (z01 - z11))
    return np.fmax(split_00_11, split_01_10)


def _height_ticks(z: np.ndarray) -> np.ndarray | None:
    """Round heights about a fifth of the range apart (1, 2, 2.5 or 5 × 10ᵏ), none in the
    lowest sixth: there the lowest label sat on the y axis's last one, at their corner."""
    finite = z[np.isfinite(z)]
    if not finite.size or np.ptp(finite) == 0:
        return None  # flat: plotly.js's own ticks
    low, span = float(finite.min()), float(np.ptp(finite))
    power = 10.0 ** np.floor(np.log10(span / 5))
    step = power * min(m for m in (1, 2, 2.5, 5, 10) if m * power >= span / 5)
    start = np.ceil((low + span / 6) / step) * step
    return np.arange(start, low + span * (1 + 1e-9), step) + 0.0  # + 0.0: no "−0"


def surface_3d(grid: SurfaceGrid, paths, f=None, critical_points=(), start=None,
               step: int | None = None, height: int = 560) -> Figure:
    """`paths`: (name, positions (K+1, 2), losses (K+1,), last_step) per optimizer, each
    drawn up to `step` (default: its end) with its head there, a larger dot. With `f` (the
    surface's function), the critical points and the `start` point are marked too."""
    rows = np.linspace(0, len(grid.ys) - 1, MESH).round().astype(int)
    cols = np.linspace(0, len(grid.xs) - 1, MESH).round().astype(int)
    z = grid.height[np.ix_(rows, cols)]
    finite = np.isfinite(z)
    lift = 0.01 * (np.ptp(z[finite]) if finite.any() else 1.0)  # keep paths above the skin
    skin_z = np.where(finite, z, np.nan)
    data = [{
        "type": "surface", "x": numbers(grid.xs[cols]), "y": numbers(grid.ys[rows]),
        "z": numbers(skin_z),
        "colorscale": "Viridis", "showscale": False, "opacity": 0.92, "hoverinfo": "skip",
        "contours": {"z": {"show": True, "usecolormap": True, "project": {"z": False}}}}]
    (x0, x1), (y0, y1) = map(float, grid.xs[[0, -1]]), map(float, grid.ys[[0, -1]])

    def on_skin(x: np.ndarray, y: np.ndarray, values: np.ndarray,
                above: float = 1.0) -> np.ndarray:
        """Heights of points at (x, y) with f = `values`: at their own height, or on the
        drawn skin where that bridges over them, and `above` lifts higher."""
        with np.errstate(all="ignore"):  # the skin as drawn: no height where f is not finite
            skin = _skin_height(skin_z, grid.xs[cols], grid.ys[rows], x, y)
        return np.fmax(grid.to_height(values), skin) + above * lift

    for name, positions, losses, last_step in paths:
        end = last_step if step is None else min(step, last_step)
        keep = np.unique(np.linspace(0, end, min(end + 1, MAX_PATH_POINTS))
                         .round().astype(int))
        x, y = positions[keep, 0], positions[keep, 1]
        keep = keep[(x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)]  # the box shows the surface
        heights = on_skin(positions[keep, 0], positions[keep, 1], losses[keep])
        cls = OPTIMIZERS[name]
        sizes = np.where(keep == end, HEAD_MARKER, PATH_MARKER)  # the head: where it is now
        data.append({
            "type": "scatter3d", "x": numbers(positions[keep, 0]),
            "y": numbers(positions[keep, 1]), "z": numbers(heights), "mode": "lines+markers",
            "name": cls.label, "legendgroup": name,
            "line": {"color": cls.color, "width": 5, "dash": cls.dash},
            "marker": {"size": numbers(sizes, "i4"), "color": cls.color,
                       "line": {"color": "#222", "width": 1}},
            "hovertemplate": f"{cls.label}<br>(%{{x:.3f}}, %{{y:.3f}})<extra></extra>"})
    if f is not None:
        data += _points(critical_points, start, f, on_skin)
    ticks = _height_ticks(z)
    z_ticks = {} if ticks is None else {"tickvals": numbers(ticks, "f8")}
    layout = {
        "template": "none", "height": height, "margin": {"l": 0, "r": 0, "t": 10, "b": 0},
        "legend": {"orientation": "h", "y": 0.02, "x": 0, "itemsizing": "constant"},
        "scene": {"xaxis": {"title": {"text": "x"}, "range": [x0, x1]},
                  "yaxis": {"title": {"text": "y"}, "range": [y0, y1]},
                  "zaxis": {"title": {"text": grid.height_label}, **z_ticks},
                  "camera": {"eye": {"x": -0.6, "y": -1.6, "z": 1.75}},
                  "aspectmode": "manual", "aspectratio": {"x": 1, "y": 1, "z": 0.6}}}
    return {"data": data, "layout": layout}


def _points(critical_points, start, f, on_skin) -> list[dict]:
    """The critical points the map marks, one trace per kind, and the start, on the skin
    (a scatter3d has fewer marker symbols than the map: CRITICAL_POINT_STYLE_3D)."""
    points = marked_points(critical_points)
    groups = [(kind, [(p.x, p.y) for p in points if p.kind == kind])
              for kind in CRITICAL_POINT_STYLE_3D if kind != "start"]
    if start is not None:
        groups.append(("start", [tuple(start)]))
    traces = []
    for kind, where in groups:
        if not where:
            continue
        xy = np.array(where, dtype=float)
        with np.errstate(all="ignore"):
            heights = on_skin(xy[:, 0], xy[:, 1], f(xy), POINT_LIFT)
        xy, heights = xy[np.isfinite(heights)], heights[np.isfinite(heights)]
        symbol, color = CRITICAL_POINT_STYLE_3D[kind]
        traces.append({
            "type": "scatter3d", "x": numbers(xy[:, 0]), "y": numbers(xy[:, 1]),
            "z": numbers(heights), "mode": "markers", "name": kind,
            "marker": {"symbol": symbol, "size": POINT_MARKER, "color": color,
                       "line": {"color": "#222", "width": 2}},
            "hovertemplate": f"{kind}<br>(%{{x:.3f}}, %{{y:.3f}})<extra></extra>"})
    return traces
