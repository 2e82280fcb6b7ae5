"""Surfaces built from Gaussian wells: a local-vs-global trap and a plateau with a sinkhole."""

from dataclasses import dataclass

import numpy as np

from .base import CriticalPoint, Surface
from .critical import find_critical_points
from .points import split_xy, stack_gradient, stack_hessian


@dataclass(frozen=True)
class GaussianWell:
    """The dip -depth * exp(-|p - center|**2 / (2 * width**2)) and its derivatives."""

    center: tuple[float, float]
    depth: float
    width: float

    def value(self, x, y):
        return -self.depth * self._offsets_and_bell(x, y)[2]

    def grad(self, x, y):
        dx, dy, bell = self._offsets_and_bell(x, y)
        slope = bell * (self.depth / self.width**2)
        return slope * dx, slope * dy

    def hessian(self, x, y):
        dx, dy, bell = self._offsets_and_bell(x, y)
        slope = bell * (self.depth / self.width**2)
        inv_w2 = 1 / self.width**2
        return slope * (1 - inv_w2 * dx**2), -slope * inv_w2 * dx * dy, slope * (1 - inv_w2 * dy**2)

    def _offsets_and_bell(self, x, y):
        """(x − cx, y − cy, exp(−|p − c|² / 2w²)): computed once per call, the race's
        optimizers evaluate this surface at every step."""
        dx, dy = x - self.center[0], y - self.center[1]
        return dx, dy, np.exp((dx**2 + dy**2) * (-0.5 / self.width**2))


# --- two_minima: a gentle bowl with a shallow well near the start and a deep one further away.

BOWL_CURVATURE = 0.1  # keeps f rising at the edges so the wells are the only minima
SHALLOW_WELL = GaussianWell(center=(-1.2, -1.0), depth=1.2, width=0.7)
DEEP_WELL = GaussianWell(center=(1.3, 0.9), depth=2.0, width=0.7)
_WELLS = (SHALLOW_WELL, DEEP_WELL)


def _two_minima_f(points):
    x, y = split_xy(points)
    return BOWL_CURVATURE * (x**2 + y**2) + sum(w.value(x, y) for w in _WELLS)


def _two_minima_grad(points):
    x, y = split_xy(points)
    gx, gy = 2 * BOWL_CURVATURE * x, 2 * BOWL_CURVATURE * y
    for well in _WELLS:
        wx, wy = well.grad(x, y)
        gx, gy = gx + wx, gy + wy
    return stack_gradient(gx, gy, x.shape)


def _two_minima_hessian(points):
    x, y = split_xy(points)
    hxx, hxy, hyy = 2 * BOWL_CURVATURE, 0.0, 2 * BOWL_CURVATURE
    for well in _WELLS:
        wxx, wxy, wyy = well.hessian(x, y)
        hxx, hxy, hyy = hxx + wxx, hxy + wxy, hyy + wyy
    return stack_hessian(hxx, hxy, hyy, x.shape)


def _two_minima_guesses():
    # The minima sit near the well centers; the saddle sits between them.
    shallow, deep = np.array(SHALLOW_WELL.center), np.array(DEEP_WELL.center)
    return [shallow, deep, (shallow + deep) / 2]


TWO_MINIMA = Surface(
    name="two_minima",
    title="Two valleys: local vs global",
    description=(
        "A shallow valley next to a deeper one: gradient descent settles in the nearest "
        "(local) minimum, while momentum can roll on to the global one."
    ),
    latex=(  # three lines: one would not fit a phone's screen
        r"\begin{aligned} f(x, y) = {} & 0.1\left(x^2 + y^2\right) \\"
        r" & - 1.2\, e^{-\left((x + 1.2)^2 + (y + 1)^2\right) / 0.98} \\"
        r" & - 2\, e^{-\left((x - 1.3)^2 + (y - 0.9)^2\right) / 0.98} \end{aligned}"
    ),
    f=_two_minima_f,
    grad=_two_minima_grad,
    hessian=_two_minima_hessian,
    bounds=((-3.0, 3.0), (-3.0, 3.0)),
    # below the global minimum but nearer the local one, off the line through both wells:
    # from here the course text's five optimizers take five visibly different paths
    start=(1.6, -2.8),
    critical_points=find_critical_points(
        _two_minima_f, _two_minima_grad, _two_minima_hessian, _two_minima_guesses()
    ),
)


# --- plateau: a flat plain at height 1 with one Gaussian sinkhole in the middle.

SINKHOLE = GaussianWell(center=(0.0, 0.0), depth=1.0, width=1.0)


def _plateau_f(points):
    x, y = split_xy(points)
    return 1 + SINKHOLE.value(x, y)


def _plateau_grad(points):
    x, y = split_xy(points)
    return stack_gradient(*SINKHOLE.grad(x, y), x.shape)


def _plateau_hessian(points):
    x, y = split_xy(points)
    return stack_hessian(*SINKHOLE.hessian(x, y), x.shape)


# The sinkhole is radially symmetric and strictly increasing away from its center,
# so the center is the only critical point.
PLATEAU = Surface(
    name="plateau",
    title="Plateau with a sinkhole",
    description=(
        "A wide plateau where the gradient is almost zero: plain gradient descent barely "
        "moves, while momentum picks up speed and the adaptive rates (AdaGrad, RMSProp) "
        "take full-size steps however gentle the slope: both find the drop."
    ),
    latex=r"f(x, y) = 1 - e^{-\left(x^2 + y^2\right) / 2}",
    f=_plateau_f,
    grad=_plateau_grad,
    hessian=_plateau_hessian,
    bounds=((-4.0, 4.0), (-4.0, 4.0)),
    start=(-2.8, 2.2),
    critical_points=(CriticalPoint(0.0, 0.0, "global minimum"),),
)
