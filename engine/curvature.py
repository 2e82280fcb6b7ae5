"""What the second derivatives say about a critical point of a 2D function."""

from __future__ import annotations

import numpy as np


def classify_hessian(hessian, rtol: float = 1e-9) -> str:
    """Name the kind of critical point a 2x2 Hessian describes.

    Returns "minimum" (both eigenvalues > 0), "maximum" (both < 0), "saddle" (one of each) or
    "degenerate" (an eigenvalue is zero, so second derivatives cannot decide). Eigenvalues
    within `rtol` of the largest one, in absolute value, count as zero.
    """
    h = np.asarray(hessian, dtype=np.float64)
    if h.shape != (2, 2):
        raise ValueError(f"expected a 2x2 Hessian, got shape {h.shape}")
    eigenvalues = np.linalg.eigvalsh(0.5 * (h + h.T))  # symmetrize away rounding noise
    zero = rtol * max(np.abs(eigenvalues).max(), np.finfo(np.float64).tiny)
    if np.any(np.abs(eigenvalues) <= zero):
        return "degenerate"
    if np.all(eigenvalues > 0):
        return "minimum"
    if np.all(eigenvalues < 0):
        return "maximum"
    return "saddle"
