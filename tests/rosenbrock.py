"""Rosenbrock's f, ∇f and Hessian written out by hand, for tests that must not rely on the
surfaces package: f(x, y) = (1 − x)² + 100 (y − x²)², minimum 0 at (1, 1)."""

import numpy as np


def rosen(p):
    x, y = p[..., 0], p[..., 1]
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def rosen_grad(p):
    x, y = p[..., 0], p[..., 1]
    return np.stack([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)], axis=-1)


def rosen_hess(p):
    x, y = p[..., 0], p[..., 1]
    hxy = -400 * x
    return np.stack([np.stack([2 - 400 * y + 1200 * x**2, hxy], axis=-1),
                     np.stack([hxy, np.full_like(x, 200.0)], axis=-1)], axis=-2)
