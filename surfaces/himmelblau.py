"""Himmelblau's function: four equally good minima, so where you start decides where you end."""

from .base import Surface
from .critical import find_critical_points
from .points import split_xy, stack_gradient, stack_hessian


def _f(points):
    x, y = split_xy(points)
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def _grad(points):
    x, y = split_xy(points)
    a, b = x**2 + y - 11, x + y**2 - 7
    return stack_gradient(4 * x * a + 2 * b, 2 * a + 4 * y * b, x.shape)


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
    start=(-0.1, -0.6),
    critical_points=find_critical_points(_f, _grad, _hessian, _GUESSES),
)
