"""Quadratic bowls: the Hessian is the same everywhere, so their behaviour is easy to predict."""

from .base import CriticalPoint, Surface
from .points import split_xy, stack_gradient, stack_hessian

# Curvature across the valley divided by curvature along it (the condition number).
VALLEY_STEEPNESS = 25.0


def _bowl_f(points):
    x, y = split_xy(points)
    return x**2 + y**2


def _bowl_grad(points):
    x, y = split_xy(points)
    return stack_gradient(2 * x, 2 * y, x.shape)


def _bowl_hessian(points):
    x, _ = split_xy(points)
    return stack_hessian(2.0, 0.0, 2.0, x.shape)


def _valley_f(points):
    x, y = split_xy(points)
    return 0.5 * (x**2 + VALLEY_STEEPNESS * y**2)


def _valley_grad(points):
    x, y = split_xy(points)
    return stack_gradient(x, VALLEY_STEEPNESS * y, x.shape)


def _valley_hessian(points):
    x, _ = split_xy(points)
    return stack_hessian(1.0, 0.0, VALLEY_STEEPNESS, x.shape)


BOWL = Surface(
    name="bowl",
    title="Round bowl",
    description="A perfectly round bowl: every optimizer reaches the one minimum, the baseline.",
    latex=r"f(x, y) = x^2 + y^2",
    f=_bowl_f,
    grad=_bowl_grad,
    hessian=_bowl_hessian,
    bounds=((-2.0, 2.0), (-2.0, 2.0)),
    start=(-1.6, 1.2),
    critical_points=(CriticalPoint(0.0, 0.0, "global minimum"),),
)

VALLEY = Surface(
    name="valley",
    title="Narrow valley",
    description=(
        "A long narrow valley: plain gradient descent zig-zags from wall to wall at every "
        "step; momentum swings across less often while it gathers speed along the floor, "
        "and Nesterov's look-ahead damps the swings and arrives first."
    ),
    latex=r"f(x, y) = \tfrac{1}{2}\left(x^2 + 25\, y^2\right)",
    f=_valley_f,
    grad=_valley_grad,
    hessian=_valley_hessian,
    bounds=((-4.0, 4.0), (-2.0, 2.0)),
    start=(-3.5, 1.5),
    critical_points=(CriticalPoint(0.0, 0.0, "global minimum"),),
)
