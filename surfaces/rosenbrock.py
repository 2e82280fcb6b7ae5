"""Rosenbrock's banana: a curved, narrow valley whose floor is almost flat."""

from .base import CriticalPoint, Surface
from .points import split_xy, stack_gradient, stack_hessian


def _f(points):
    x, y = split_xy(points)
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def _grad(points):
    x, y = split_xy(points)
    valley = y - x**2
    return stack_gradient(-2 * (1 - x) - 400 * x * valley, 200 * valley, x.shape)


def _hessian(points):
    x, y = split_xy(points)
    return stack_hessian(2 - 400 * y + 1200 * x**2, -400 * x, 200.0, x.shape)


# grad = 0 forces y = x**2 (second component), then x = 1 (first): the only critical point.
ROSENBROCK = Surface(
    name="rosenbrock",
    title="Rosenbrock's banana valley",
    description=(
        "A curved narrow valley: finding the valley is easy, following its flat floor "
        "to the minimum at (1, 1) is hard."
    ),
    latex=r"f(x, y) = (1 - x)^2 + 100\,\left(y - x^2\right)^2",
    f=_f,
    grad=_grad,
    hessian=_hessian,
    bounds=((-2.0, 2.0), (-1.0, 3.0)),
    start=(-1.2, 1.0),
    critical_points=(CriticalPoint(1.0, 1.0, "global minimum"),),
)
