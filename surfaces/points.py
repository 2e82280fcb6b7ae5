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
    return np.stack(_sized(shape, gx, gy), axis=-1)


def stack_hessian(hxx, hxy, hyy, shape) -> np.ndarray:
    """Pack the second derivatives into a fresh symmetric (*shape, 2, 2) float64 array."""
    hxx, hxy, hyy = _sized(shape, hxx, hxy, hyy)
    rows = [np.stack([hxx, hxy], axis=-1), np.stack([hxy, hyy], axis=-1)]
    return np.stack(rows, axis=-2)


def _sized(shape, *arrays):
    # Constant terms (e.g. the 2 in d2/dx2 of x**2) arrive as scalars: give them the batch shape.
    return [np.broadcast_to(np.asarray(a, dtype=np.float64), shape) for a in arrays]


def split_xy(points) -> tuple[np.ndarray, np.ndarray]:
    """Return read-only views (x, y) of the coordinates of `points` (..., 2)."""
    p = as_points(points)
    return p[..., 0], p[..., 1]
