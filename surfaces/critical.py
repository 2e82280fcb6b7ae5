"""Locating critical points to machine precision with Newton's method on the gradient."""

import numpy as np

from engine.curvature import classify_hessian

from .base import KINDS, CriticalPoint
from .points import as_points


def newton_polish(grad, hessian, guesses, iterations: int = 60) -> np.ndarray:
    """Refine rough guesses (N, 2) of critical points by Newton steps p <- p - H(p)^-1 grad(p).

    Newton's method converges quadratically near a non-degenerate critical point, so a guess
    good to a couple of digits comes back exact to rounding error. Raises RuntimeError if a
    guess does not converge, so a bad guess fails loudly at import time.
    """
    p = as_points(guesses).reshape(-1, 2).copy()
    for _ in range(iterations):
        step = np.linalg.solve(hessian(p), grad(p)[..., None])[..., 0]
        p -= step
        if np.all(np.abs(step) <= 1e-15 * (1.0 + np.abs(p))):
            break
    residual = np.linalg.norm(grad(p), axis=-1)
    # A gradient can only be as small as rounding allows: about eps * |H| * |p|.
    scale = 1.0 + np.linalg.norm(hessian(p), axis=(-2, -1)) * (1.0 + np.linalg.norm(p, axis=-1))
    if not np.all(residual <= 1e-12 * scale):
        raise RuntimeError(f"Newton polishing did not converge from {guesses}")
    return p


def find_critical_points(f, grad, hessian, guesses) -> tuple[CriticalPoint, ...]:
    """Polish `guesses`, drop duplicates and label each point from its Hessian.

    Minima whose value ties with the lowest one become "global minimum", the rest
    "local minimum". The result is ordered by kind: global minima first, maxima last.
    """
    points = _unique(newton_polish(grad, hessian, guesses))
    kinds = [classify_hessian(h) for h in hessian(points)]
    if "degenerate" in kinds:
        raise RuntimeError("a degenerate critical point needs its kind given by hand")
    values = f(points)
    lowest = min(v for v, kind in zip(values, kinds, strict=True) if kind == "minimum")
    found = []
    for (x, y), value, kind in zip(points, values, kinds, strict=True):
        label = kind
        if kind == "minimum":
            ties_lowest = value - lowest <= 1e-9 * (1.0 + abs(lowest))
            label = "global minimum" if ties_lowest else "local minimum"
        found.append(CriticalPoint(float(x), float(y), label))
    return tuple(sorted(found, key=lambda point: KINDS.index(point.kind)))


def _unique(points, tol: float = 1e-7) -> np.ndarray:
    """Drop points that repeat an earlier one (different guesses can polish to the same point)."""
    kept = points[:1]
    for p in points[1:]:
        distances = np.linalg.norm(kept - p, axis=-1)
        if np.all(distances > tol * (1.0 + np.linalg.norm(p))):
            kept = np.vstack([kept, p])
    return kept
