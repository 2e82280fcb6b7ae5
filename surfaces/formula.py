"""Build a Surface from a user's formula in x and y, with exact symbolic derivatives."""

import numpy as np

from .base import Bounds, Surface
from .derivative import derivative
from .errors import FormulaError
from .expr import Expr, evaluate
from .latex import to_latex
from .parse import parse_formula
from .points import as_points, stack_gradient, stack_hessian
from .simplify import simplify

DEFAULT_BOUNDS: Bounds = ((-3.0, 3.0), (-3.0, 3.0))
_BOUNDS_HINT = "Bounds look like ((xmin, xmax), (ymin, ymax)) with finite numbers, min < max."
_START_HINT = "The start point must be a pair of finite numbers (x, y) inside the bounds."

# Where to try a default start, as fractions of the way from the center to the corners:
# 70% toward the upper right first, then the other corners, then nearer the center.
_START_CANDIDATES = [(0.7, 0.7), (-0.7, 0.7), (-0.7, -0.7), (0.7, -0.7), (0.4, 0.55), (0.55, -0.4)]


def from_formula(text: str, *, bounds: Bounds = DEFAULT_BOUNDS, start=None) -> Surface:
    """Build a surface from a formula such as "sin(x)*y**2 + 0.1*x**2".

    Raises FormulaError, with a message written for students, if the formula is not allowed,
    not finite anywhere inside the bounds, or if the bounds or start are invalid.
    """
    bounds = _checked_bounds(bounds)
    parsed = parse_formula(text)
    f_tree = simplify(parsed.tree)
    fx, fy = derivative(f_tree, "x"), derivative(f_tree, "y")
    # fxy = d(fx)/dy is used for both off-diagonal entries, so the Hessian is exactly symmetric.
    fxx, fxy, fyy = derivative(fx, "x"), derivative(fx, "y"), derivative(fy, "y")

    def f(points):
        shape, (value,) = _evaluate_at(points, [f_tree])
        return np.array(np.broadcast_to(value, shape), dtype=np.float64)

    def grad(points):
        shape, (gx, gy) = _evaluate_at(points, [fx, fy])
        return stack_gradient(gx, gy, shape)

    def hessian(points):
        shape, (hxx, hxy, hyy) = _evaluate_at(points, [fxx, fxy, fyy])
        return stack_hessian(hxx, hxy, hyy, shape)

    if not np.isfinite(f(_sample_grid(bounds))).any():
        raise FormulaError(
            f"`{parsed.text}` is not finite anywhere inside the bounds {bounds}: "
            "every sample gives inf or nan (e.g. log or sqrt of a negative number)"
        )
    return Surface(
        name="custom",
        title=f"f(x, y) = {parsed.text}",
        description="Your own surface: explore how each optimizer handles it.",
        latex=f"f(x, y) = {to_latex(parsed.tree)}",
        f=f,
        grad=grad,
        hessian=hessian,
        bounds=bounds,
        start=_default_start(bounds, f, grad) if start is None else _checked_start(start, bounds),
        critical_points=(),
    )


def _evaluate_at(points, trees: list[Expr]):
    p = as_points(points)
    return p.shape[:-1], evaluate(trees, {"x": p[..., 0], "y": p[..., 1]})


def _checked_bounds(bounds) -> Bounds:
    try:
        (xmin, xmax), (ymin, ymax) = ((float(a), float(b)) for a, b in bounds)
    except (TypeError, ValueError):
        problem = f"bounds {bounds!r} are not two (min, max) pairs"
        raise FormulaError(problem, _BOUNDS_HINT) from None
    if not np.all(np.isfinite([xmin, xmax, ymin, ymax])) or xmin >= xmax or ymin >= ymax:
        raise FormulaError(f"bounds {bounds!r} are not valid", _BOUNDS_HINT)
    return (xmin, xmax), (ymin, ymax)


def _checked_start(start, bounds: Bounds) -> tuple[float, float]:
    try:
        x, y = (float(c) for c in start)
    except (TypeError, ValueError):
        raise FormulaError(f"start {start!r} is not a point (x, y)", _START_HINT) from None
    (xmin, xmax), (ymin, ymax) = bounds
    if not (xmin <= x <= xmax and ymin <= y <= ymax):  # also False for nan
        raise FormulaError(f"start {start!r} is outside the bounds {bounds}", _START_HINT)
    return x, y


def _sample_grid(bounds: Bounds, size: int = 41) -> np.ndarray:
    (xmin, xmax), (ymin, ymax) = bounds
    xs, ys = np.meshgrid(np.linspace(xmin, xmax, size), np.linspace(ymin, ymax, size))
    return np.stack([xs, ys], axis=-1)


def _default_start(bounds: Bounds, f, grad) -> tuple[float, float]:
    """The first candidate where f is finite and the gradient is finite and not zero."""
    (xmin, xmax), (ymin, ymax) = bounds
    center = np.array([xmin + xmax, ymin + ymax]) / 2
    half_size = np.array([xmax - xmin, ymax - ymin]) / 2
    candidates = [center + np.array(fraction) * half_size for fraction in _START_CANDIDATES]
    for point in candidates:
        g = grad(point)
        if np.isfinite(f(point)) and np.all(np.isfinite(g)) and np.linalg.norm(g) > 1e-8:
            return float(point[0]), float(point[1])
    return float(candidates[0][0]), float(candidates[0][1])
