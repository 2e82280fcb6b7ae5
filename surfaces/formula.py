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
MAX_COORDINATE = 1e6  # bounds beyond this make grids overflow, and teach nothing
_BOUNDS_HINT = ("Bounds look like ((xmin, xmax), (ymin, ymax)) with numbers between "
                f"−{MAX_COORDINATE:g} and {MAX_COORDINATE:g}, min < max.")
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


CHUNK = 4096  # points per evaluation: a Hessian tree's intermediates stay a few MB


def _evaluate_at(points, trees: list[Expr]):
    p = as_points(points)
    shape = p.shape[:-1]
    flat = p.reshape(-1, 2)
    if len(flat) <= CHUNK:
        return shape, evaluate(trees, {"x": p[..., 0], "y": p[..., 1]})
    parts = [evaluate(trees, {"x": c[:, 0], "y": c[:, 1]})
             for c in np.array_split(flat, -(-len(flat) // CHUNK))]
    columns = zip(*parts, strict=True)
    return shape, [np.concatenate([np.broadcast_to(v, (len(c),)) for v, c in
                                   zip(values, np.array_split(flat, len(parts)), strict=True)]
                                  ).reshape(shape) for values in columns]


def _checked_bounds(bounds) -> Bounds:
    try:
        (xmin, xmax), (ymin, ymax) = ((float(a), float(b)) for a, b in bounds)
    except (TypeError, ValueError):
        problem = f"bounds {bounds!r} are not two (min, max) pairs"
        raise FormulaError(problem, _BOUNDS_HINT) from None
    corners = np.array([xmin, xmax, ymin, ymax])
    if not np.all(np.abs(corners) <= MAX_COORDINATE) or xmin >= xmax or ymin >= ymax:
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


def _usable(f, grad, points: np.ndarray) -> np.ndarray:
    """Where f and ∇f are finite and ∇f is not zero: a start that can go somewhere."""
    with np.errstate(all="ignore"):
        g = grad(points)
        return (np.isfinite(f(points)) & np.all(np.isfinite(g), axis=-1)
                & np.any(np.abs(g) > 1e-8, axis=-1))


def _default_start(bounds: Bounds, f, grad) -> tuple[float, float]:
    """The first usable candidate; failing those, the usable grid point nearest the first."""
    (xmin, xmax), (ymin, ymax) = bounds
    center = np.array([xmin + xmax, ymin + ymax]) / 2
    half_size = np.array([xmax - xmin, ymax - ymin]) / 2
    candidates = np.array([center + np.array(fraction) * half_size
                           for fraction in _START_CANDIDATES])
    ok = _usable(f, grad, candidates)
    if not ok.any():
        grid = _sample_grid(bounds).reshape(-1, 2)
        good = grid[_usable(f, grad, grid)]
        if len(good):
            candidates = good[np.argsort(np.linalg.norm(good - candidates[0], axis=1))]
        ok = np.ones(len(candidates), dtype=bool)
    x, y = candidates[np.argmax(ok)]
    scale = max(xmax - xmin, ymax - ymin)
    digits = max(0, 3 - int(np.floor(np.log10(scale))))  # round numbers for the UI
    return round(float(x), digits), round(float(y), digits)
