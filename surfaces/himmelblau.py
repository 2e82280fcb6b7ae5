"""Himmelblau's function: four equally good minima, so where you start decides where you end."""

import numpy as np

from .base import Surface
from .critical import find_critical_points
from .points import as_points, split_xy, stack_hessian


def _f(points):
    x, y = split_xy(points)
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def _grad(points):
    points = as_points(points)
    x, y = split_xy(points)
    # ∇f = (4x a + 2b, 2a + 4y b) with a = x² + y − 11 and b = x + y² − 7, written with
    # 2x, 2y, 2a and 2b (doubling is exact) in 12 in-place operations: a basins map
    # asks for it at tens of thousands of points per step.
    two_x, two_y = x + x, y + y
    two_a = two_x * x
    two_a += two_y
    two_a -= 22
    two_b = two_y * y
    two_b += two_x
    two_b -= 14
    two_x *= two_a
    two_y *= two_b
    # in the points' own layout: column-major points (all x, then all y) get a column-major
    # gradient, which a momentum step on many points then keeps; the values are the same
    grad = np.empty_like(points)
    np.add(two_x, two_b, out=grad[..., 0])  # ∂f/∂x = 2x · 2a + 2b
    np.add(two_y, two_a, out=grad[..., 1])  # ∂f/∂y = 2y · 2b + 2a
    return grad


def _hessian(points):
    x, y = split_xy(points)
    return stack_hessian(12 * x**2 + 4 * y - 42, 4 * x + 4 * y, 4 * x + 12 * y**2 - 26, x.shape)


# Rough locations of all nine critical points (4 minima, 1 maximum, 4 saddles); the gradient
# is a pair of cubics, so there are at most 9, and Newton polishing makes them exact.
_GUESSES = [
    (3.0, 2.0), (-2.81, 3.13), (-3.78, -3.28), (3.58, -1.85),  # minima
    (-0.27, -0.92),  # maximum
    (0.09, 2.88), (-3.07, -0.08), (3.39, 0.07), (-0.13, -1.95),  # saddles
]  # fmt: skip

HIMMELBLAU = Surface(
    name="himmelblau",
    title="Himmelblau's four valleys",
    description=(
        "Four minima of exactly the same depth around a hill: optimizers that start together "
        "can end in different valleys."
    ),
    latex=r"f(x, y) = \left(x^2 + y - 11\right)^2 + \left(x + y^2 - 7\right)^2",
    f=_f,
    grad=_grad,
    hessian=_hessian,
    bounds=((-5.0, 5.0), (-5.0, 5.0)),
    start=(-0.2, 0.7),  # near the ridges: the preset race ends in three valleys
    critical_points=find_critical_points(_f, _grad, _hessian, _GUESSES),
)
