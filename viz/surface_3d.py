"""The surface in 3D with the optimizers' paths lying on it (static, rotatable)."""

from __future__ import annotations

import numpy as np

from viz.colors import OPTIMIZER_COLORS, OPTIMIZER_LABELS
from viz.figure import Figure, numbers
from viz.surface_image import SurfaceGrid

MESH = 70  # grid lines per side: smooth enough, light enough to send
MAX_PATH_POINTS = 600


def surface_3d(grid: SurfaceGrid, paths, height: int = 560) -> Figure:
    """`paths`: (name, positions (K+1, 2), losses (K+1,), last_step) per optimizer."""
    rows = np.linspace(0, len(grid.ys) - 1, MESH).round().astype(int)
    cols = np.linspace(0, len(grid.xs) - 1, MESH).round().astype(int)
    z = grid.height[np.ix_(rows, cols)]
    finite = np.isfinite(z)
    lift = 0.01 * (np.ptp(z[finite]) if finite.any() else 1.0)  # keep paths above the skin
    data = [{
        "type": "surface", "x": numbers(grid.xs[cols]), "y": numbers(grid.ys[rows]),
        "z": numbers(np.where(finite, z, np.nan)),
        "colorscale": "Viridis", "showscale": False, "opacity": 0.92, "hoverinfo": "skip",
        "contours": {"z": {"show": True, "usecolormap": True, "project": {"z": False}}}}]
    (x0, x1), (y0, y1) = map(float, grid.xs[[0, -1]]), map(float, grid.ys[[0, -1]])
    for name, positions, losses, last_step in paths:
        keep = np.unique(np.linspace(0, last_step, min(last_step + 1, MAX_PATH_POINTS))
                         .round().astype(int))
        x, y = positions[keep, 0], positions[keep, 1]
        keep = keep[(x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)]  # the box shows the surface
        heights = grid.to_height(losses[keep]) + lift
        data.append({
            "type": "scatter3d", "x": numbers(positions[keep, 0]),
            "y": numbers(positions[keep, 1]), "z": numbers(heights), "mode": "lines+markers",
            "name": OPTIMIZER_LABELS[name],
            "line": {"color": OPTIMIZER_COLORS[name], "width": 5},
            "marker": {"size": 2, "color": OPTIMIZER_COLORS[name]},
            "hovertemplate": f"{OPTIMIZER_LABELS[name]}<br>(%{{x:.3f}}, %{{y:.3f}})"
                             "<extra></extra>"})
    layout = {
        "template": "none", "height": height, "margin": {"l": 0, "r": 0, "t": 10, "b": 0},
        "legend": {"orientation": "h", "y": 0.02, "x": 0},
        "scene": {"xaxis": {"title": {"text": "x"}, "range": [x0, x1]},
                  "yaxis": {"title": {"text": "y"}, "range": [y0, y1]},
                  "zaxis": {"title": {"text": grid.height_label}},
                  "camera": {"eye": {"x": 1.5, "y": -1.5, "z": 1.1}},
                  "aspectmode": "manual", "aspectratio": {"x": 1, "y": 1, "z": 0.6}}}
    return {"data": data, "layout": layout}
