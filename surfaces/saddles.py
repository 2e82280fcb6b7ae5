"""Saddles: flat spots that are not minima, where gradient descent can stall."""

from .base import CriticalPoint, Surface
from .points import split_xy, stack_gradient, stack_hessian


def _saddle_f(points):
    x, y = split_xy(points)
    return x**2 - y**2


def _saddle_grad(points):
    x, y = split_xy(points)
    return stack_gradient(2 * x, -2 * y, x.shape)


def _saddle_hessian(points):
    x, _ = split_xy(points)
    return stack_hessian(2.0, 0.0, -2.0, x.shape)


def _monkey_f(points):
    x, y = split_xy(points)
    return x**3 - 3 * x * y**2


def _monkey_grad(points):
    x, y = split_xy(points)
    return stack_gradient(3 * x**2 - 3 * y**2, -6 * x * y, x.shape)


def _monkey_hessian(points):
    x, y = split_xy(points)
    return stack_hessian(6 * x, -6 * y, -6 * x, x.shape)


SADDLE = Surface(
    name="saddle",
    title="Horse saddle",
    description=(
        "A saddle point: starting just off the x-axis, gradient descent stalls near the "
        "middle before sliding off."
    ),
    latex=r"f(x, y) = x^2 - y^2",
    f=_saddle_f,
    grad=_saddle_grad,
    hessian=_saddle_hessian,
    bounds=((-2.0, 2.0), (-2.0, 2.0)),
    start=(-1.8, 0.001),
    critical_points=(CriticalPoint(0.0, 0.0, "saddle"),),
)

# The Hessian vanishes at the origin, so only f itself shows it is a saddle:
# along the three rays at 0, 120 and 240 degrees f rises, in between it falls.
MONKEY_SADDLE = Surface(
    name="monkey_saddle",
    title="Monkey saddle",
    description=(
        "A flat saddle with three downhill valleys (room for two legs and a tail): the "
        "gradient fades to zero near the middle, so gradient descent slows down there "
        "before it slides off down a valley. Momentum keeps its speed and rolls on into "
        "another valley; RMSProp's steps keep their size however gentle the slope and "
        "cut the corner into the nearest one; Newton lands on the saddle itself."
    ),
    latex=r"f(x, y) = x^3 - 3 x y^2",
    f=_monkey_f,
    grad=_monkey_grad,
    hessian=_monkey_hessian,
    bounds=((-2.0, 2.0), (-2.0, 2.0)),
    start=(1.6, 0.1),
    critical_points=(CriticalPoint(0.0, 0.0, "saddle"),),
)
