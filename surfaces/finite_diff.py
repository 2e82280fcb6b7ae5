"""Central-difference derivatives: a slow but independent check on the exact ones."""

import numpy as np

from .points import as_points

# Balances truncation error (~h**2) against rounding error (~eps / h) for central differences.
DEFAULT_RELATIVE_STEP = np.finfo(np.float64).eps ** (1 / 3)


def numerical_gradient(f, points, relative_step: float = DEFAULT_RELATIVE_STEP) -> np.ndarray:
    """Approximate the gradient of `f` at points (..., 2) by central differences.

    Each coordinate t is stepped by relative_step * max(1, |t|).
    """
    p = as_points(points)
    columns = [_central_difference(f, p, axis, relative_step) for axis in (0, 1)]
    return np.stack(columns, axis=-1)


def numerical_hessian(grad, points, relative_step: float = DEFAULT_RELATIVE_STEP) -> np.ndarray:
    """Approximate the Hessian at points (..., 2) by central differences of `grad`.

    Column j holds d(grad)/d(coordinate j). The result is deliberately not symmetrized,
    so an asymmetric `grad` shows up instead of being averaged away.
    """
    p = as_points(points)
    columns = [_central_difference(grad, p, axis, relative_step) for axis in (0, 1)]
    return np.stack(columns, axis=-1)


def _central_difference(fn, p, axis, relative_step):
    step = relative_step * np.maximum(1.0, np.abs(p[..., axis]))
    forward, backward = p.copy(), p.copy()
    forward[..., axis] += step
    backward[..., axis] -= step
    # Divide by the step actually taken after rounding, not the one we asked for.
    width = forward[..., axis] - backward[..., axis]
    difference = fn(forward) - fn(backward)
    extra_axes = difference.ndim - width.ndim  # 1 when fn returns vectors, e.g. a gradient
    return difference / width.reshape(width.shape + (1,) * extra_axes)
