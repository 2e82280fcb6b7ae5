"""Helpers for the (..., 2) point arrays that every surface takes and returns."""

import numpy as np

_FLOAT64 = np.dtype(np.float64)


def as_points(points) -> np.ndarray:
    """Return `points` as a float64 array whose last axis holds (x, y)."""
    # The usual case, float64 already, skips np.asarray: optimizers call this every step.
    is_float = type(points) is np.ndarray and points.dtype is _FLOAT64
    p = points if is_float else np.asarray(points, dtype=np.float64)
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


# From this many values on, x and y are copied out rather than viewed (see split_xy).
_COPY_FROM = 4096


def split_xy(points) -> tuple[np.ndarray, np.ndarray]:
    """Return the coordinates (x, y) of `points` (..., 2), never to be written to."""
    p = as_points(points)
    x, y = p[..., 0], p[..., 1]
    if p.size < _COPY_FROM or p.flags.f_contiguous:
        return x, y  # views: cheapest for a few points, and contiguous in column-major
    # Many points in rows of (x, y) (a basins map): x and y copied into contiguous arrays
    # make every operation on them faster than on the strided views, which more than
    # pays for it. Keeping the points column-major in the first place saves the copies.
    return x.copy(), y.copy()
