"""A loss surface as a picture: colour bands with darker contour lines.

The picture goes into `layout.images`, not into a Contour or Heatmap trace:
plotly.js deletes those backgrounds when an animation plays (plotly.js #4491,
plotly.py #2151), while a layout image stays put.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from viz.colors import SURFACE_COLORMAP
from viz.png import png_data_uri

LEVELS = 24  # colour bands; their edges read as contour lines
# A surface whose values span more than this many times the rise of its lowest tenth
# is shown on a log scale, or its valley floor would be one flat colour (Rosenbrock).
LOG_RATIO = 30.0


@dataclass(frozen=True)
class SurfaceGrid:
    """f sampled on a regular grid over the plot bounds, ready to draw."""

    xs: np.ndarray  # (W,)
    ys: np.ndarray  # (H,)
    values: np.ndarray  # (H, W) f(x, y); non-finite where f is undefined
    height: np.ndarray  # (H, W) what is drawn: f, or log(1 + f − min f) for steep surfaces
    log_scale: bool

    @property
    def height_label(self) -> str:
        return "log(1 + f − min f)" if self.log_scale else "f(x, y)"

    def to_height(self, values: np.ndarray) -> np.ndarray:
        """Map loss values to the drawn height (for paths in the 3D view)."""
        values = np.asarray(values, dtype=np.float64)
        if not self.log_scale:
            return values
        with np.errstate(all="ignore"):
            return np.log1p(np.maximum(values - self._floor, 0.0))

    @property
    def _floor(self) -> float:
        return float(np.nanmin(np.where(np.isfinite(self.values), self.values, np.nan)))


def sample_surface(f, bounds, resolution: int = 360) -> SurfaceGrid:
    """Evaluate f on a resolution × resolution grid over bounds ((x0, x1), (y0, y1))."""
    (x0, x1), (y0, y1) = bounds
    xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    points = np.stack(np.meshgrid(xs, ys), axis=-1)
    with np.errstate(all="ignore"):
        values = np.asarray(f(points), dtype=np.float64)
    finite = values[np.isfinite(values)]
    log_scale = False
    if finite.size:
        low = finite.min()
        rise = np.quantile(finite, 0.1) - low
        log_scale = bool(rise > 0 and (finite.max() - low) > LOG_RATIO * rise)
    grid = SurfaceGrid(xs, ys, values, values, log_scale)
    if log_scale:
        grid = SurfaceGrid(xs, ys, values, grid.to_height(values), True)
    return grid


def _colormap(t: np.ndarray) -> np.ndarray:
    """Colours for t in [0, 1], interpolated between the map's anchor colours."""
    anchors = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in SURFACE_COLORMAP],
                       dtype=np.float64)
    where = np.linspace(0.0, 1.0, len(anchors))
    return np.stack([np.interp(t, where, anchors[:, k]) for k in range(3)], axis=-1)


def surface_rgb(grid: SurfaceGrid) -> np.ndarray:
    """(H, W, 3) uint8 picture, top row = largest y, undefined points grey."""
    h = grid.height
    finite = np.isfinite(h)
    if finite.any():
        low, high = np.min(h[finite]), np.max(h[finite])
        t = (np.where(finite, h, low) - low) / (high - low if high > low else 1.0)
    else:
        t = np.zeros_like(h)
    band = np.minimum((t * LEVELS).astype(int), LEVELS - 1)
    rgb = _colormap((band + 0.5) / LEVELS)
    # darken pixels where the band changes: contour lines at no extra cost
    edge = np.zeros(band.shape, dtype=bool)
    edge[:, 1:] |= band[:, 1:] != band[:, :-1]
    edge[1:, :] |= band[1:, :] != band[:-1, :]
    rgb[edge] *= 0.72
    rgb[~finite] = 200.0
    return np.flipud(rgb).round().astype(np.uint8)


def surface_data_uri(grid: SurfaceGrid) -> str:
    return png_data_uri(surface_rgb(grid))
