"""Rastrigin's function: an egg-crate of local minima on top of a bowl."""

import itertools

import numpy as np

from .base import Surface
from .critical import find_critical_points
from .points import split_xy, stack_gradient, stack_hessian

HALF_WIDTH = 5.12  # the traditional domain is [-5.12, 5.12] in each coordinate
RIPPLE = 10.0  # height of the cosine ripples


def _f(points):
    x, y = split_xy(points)
    return 2 * RIPPLE + _bump(x) + _bump(y)


def _grad(points):
    x, y = split_xy(points)
    return stack_gradient(_bump_slope(x), _bump_slope(y), x.shape)


def _hessian(points):
    x, y = split_xy(points)
    return stack_hessian(_bump_curvature(x), 0.0, _bump_curvature(y), x.shape)


# f is a sum of one 1D profile per coordinate: t**2 - 10 cos(2 pi t) and its derivatives.
def _bump(t):
    return t**2 - RIPPLE * np.cos(2 * np.pi * t)


def _bump_slope(t):
    return 2 * t + 2 * np.pi * RIPPLE * np.sin(2 * np.pi * t)


def _bump_curvature(t):
    return 2 + 4 * np.pi**2 * RIPPLE * np.cos(2 * np.pi * t)


def _critical_point_guesses():
    # In 1D the ripples put a minimum near every integer and a maximum near every half
    # integer; the 2D critical points are all pairs of them (the function is separable).
    halves = np.arange(-10, 11) / 2  # -5.0, -4.5, ..., 5.0: all inside [-5.12, 5.12]
    return list(itertools.product(halves, halves))


RASTRIGIN = Surface(
    name="rastrigin",
    title="Rastrigin's egg crate",
    description=(
        "Hundreds of local minima on a bowl: gradient descent stops in the nearest dip, "
        "far from the global minimum at the origin; momentum with a larger α coasts over a "
        "ridge, only to stop in another dip."
    ),
    latex=r"f(x, y) = 20 + x^2 + y^2 - 10\left(\cos 2\pi x + \cos 2\pi y\right)",
    f=_f,
    grad=_grad,
    hessian=_hessian,
    bounds=((-HALF_WIDTH, HALF_WIDTH), (-HALF_WIDTH, HALF_WIDTH)),
    start=(-3.6, 2.8),
    critical_points=find_critical_points(_f, _grad, _hessian, _critical_point_guesses()),
)
