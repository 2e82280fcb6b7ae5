"""The two data types every part of Descent shares: a loss surface and its critical points."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

KINDS = ("global minimum", "local minimum", "saddle", "maximum")

Bounds = tuple[tuple[float, float], tuple[float, float]]


@dataclass(frozen=True)
class CriticalPoint:
    """A point where the gradient vanishes, labelled for students."""

    x: float
    y: float
    kind: str  # one of KINDS

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")


@dataclass(frozen=True)
class Surface:
    """A 2D loss surface with exact derivatives, ready to be plotted and optimized.

    `f`, `grad` and `hessian` take points of shape (..., 2) and return float64 arrays of
    shape (...), (..., 2) and (..., 2, 2). They never modify their input.
    """

    name: str  # registry key, e.g. "rosenbrock"
    title: str  # human title, e.g. "Rosenbrock's banana valley"
    description: str  # one line for students: what this surface teaches
    latex: str  # the formula, for st.latex
    f: Callable[[np.ndarray], np.ndarray]
    grad: Callable[[np.ndarray], np.ndarray]
    hessian: Callable[[np.ndarray], np.ndarray]
    bounds: Bounds  # ((xmin, xmax), (ymin, ymax)) for plotting
    start: tuple[float, float]  # an instructive default start point
    critical_points: tuple[CriticalPoint, ...]

    def __post_init__(self):
        (xmin, xmax), (ymin, ymax) = self.bounds
        if not (xmin < xmax and ymin < ymax):
            raise ValueError(f"bounds must be ((xmin, xmax), (ymin, ymax)), got {self.bounds}")
        if not self.contains(self.start):
            raise ValueError(f"start {self.start} lies outside bounds {self.bounds}")

    def contains(self, point) -> bool:
        """True if `point` (x, y) lies inside the plotting bounds (edges included)."""
        (xmin, xmax), (ymin, ymax) = self.bounds
        x, y = point
        return bool(xmin <= x <= xmax and ymin <= y <= ymax)
