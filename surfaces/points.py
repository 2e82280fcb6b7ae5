"""Helpers for the (..., 2) point arrays that every surface takes and returns."""

import numpy as np


def as_points(points) -> np.ndarray:
    """Return `points` as a float64 array whose last axis holds (x, y)."""
    p = np.asarray(points, dtype=np.float64)
    if p.ndim == 0 or p.shape[-1] != 2:
        raise ValueError(f"points must have shape (..., 2), got {p.shape}")
    return p


def stack_gradient(gx, gy, shape) -> np.ndarray:
    """Pack the partial derivatives into a fresh (*shape, 2) float64 array."""
    # Filling an empty array broadcasts scalars for free and is several times faster
    # than np.stack for the single points the optimizers step with.
    out = np.empty((*shape, 2))
    out[..., 0] = gx
    out[..., 1] = gy
    return out


def stack_hessian(hxx, hxy, hyy, shape) -> np.ndarray:
    """Pack the second derivatives into a fresh symmetric (*shape, 2, 2) float64 array."""
    out = np.empty((*shape, 2, 2))
    out[..., 0, 0] = hxx
    out[..., 0, 1] = hxy
    out[..., 1, 0] = hxy
    out[..., 1, 1] = hyy
    return out



def split_xy(points) -> tuple[np.ndarray, np.ndarray]:
    """Return read-only views (x, y) of the coordinates of `points` (..., 2)."""
    p = as_points(points)
    return p[..., 0], p[..., 1]
