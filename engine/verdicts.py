"""How a race's lanes ended, as facts: the playground's results table and warnings put
them into words (ui/playground/words.py).

`divergence_kind` says why a lane stopped early (`singular_stop` where f itself blows
up), `left_map` where a path left the picture, `where_it_ended` where it is now,
`arrival` when it reached a minimum to stay, `race_results` one row of the results table
per lane. A surface is anything with
vectorized `f`, `grad`, `hessian`, `bounds` and `critical_points` (each with `x`, `y`
and `kind`), as in engine.race.

Longer than 300 lines because the verdicts share one vocabulary (tolerance, minima,
where a path is): why a lane stopped, where it ended and the table's rows read each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from engine.curvature import classify_hessian
from engine.race import Lane

# "Within tolerance of a minimum" means within this fraction of the plot's size.
TOLERANCE_FRACTION = 0.01
FLAT = 1e-4  # |∇f| below which an end point counts as flat (Adam's last steps jitter)
# A kink (|x| + |y| at 0) has no flat point: an end counts as a minimum there when f is
# higher all round it, on a circle of this fraction of the tolerance, in this many places
RING_FRACTION, RING_POINTS = 0.01, 16


def tolerance(bounds) -> float:
    (x0, x1), (y0, y1) = bounds
    return TOLERANCE_FRACTION * max(x1 - x0, y1 - y0)


def minima_of(surface) -> np.ndarray:
    return np.array([[p.x, p.y] for p in surface.critical_points if "minimum" in p.kind]
                    ).reshape(-1, 2)


def global_minimum_value(surface) -> float | None:
    """f at the global minimum, if the surface lists one."""
    values = [float(surface.f(np.array([p.x, p.y]))) for p in surface.critical_points
              if p.kind == "global minimum"]
    return min(values) if values else None


@dataclass(frozen=True)
class Arrival:
    """When a path came within the tolerance of a minimum (a distance in the plane)."""

    first_within: int | None  # the first step that close, or None: never
    stayed_from: int | None  # the step from which it stays that close to its end, or None


def arrival(lane: Lane, minima: np.ndarray, tol: float) -> Arrival:
    """When the path first came within `tol` of any minimum, and from which step on it
    stayed there to its end. A path that swings through a minimum and ends elsewhere
    (momentum with λ = 0.99 passes one at step 188 and ends on its way) passed it but
    did not arrive."""
    if len(minima) == 0:
        return Arrival(None, None)
    good = lane.positions[: lane.last_step + 1]
    dist = np.linalg.norm(good[:, None, :] - minima[None, :, :], axis=-1).min(axis=1)
    near = dist <= tol
    if not near.any():
        return Arrival(None, None)
    first = int(np.argmax(near))
    if not near[-1]:
        return Arrival(first, None)
    away = np.flatnonzero(~near)
    return Arrival(first, int(away[-1]) + 1 if away.size else 0)


@dataclass(frozen=True)
class StabilityLimit:
    """How far f curves at a global minimum, and the α below which SGD settles there."""

    point: tuple[float, float]  # the global minimum (the most curved, if there are several)
    curvatures: tuple[float, float]  # the Hessian's eigenvalues there, smallest first

    @property
    def max_lr(self) -> float:
        """2 / the largest curvature: near the minimum f ≈ f* + ½ Σ hᵢ uᵢ² along the
        Hessian's eigenvectors, and a step of SGD multiplies each uᵢ by 1 − α hᵢ, which
        shrinks only for α < 2 / hᵢ (the course text: too high a learning rate
        oscillates across a valley and diverges)."""
        return 2.0 / self.curvatures[1]


def stability_limit(surface) -> StabilityLimit | None:
    """The SGD stability limit at the surface's global minimum, or None if it lists none
    (or f does not curve upward there)."""
    best: StabilityLimit | None = None
    for p in surface.critical_points:
        if p.kind != "global minimum":
            continue
        with np.errstate(all="ignore"):
            h = np.asarray(surface.hessian(np.array([p.x, p.y])), dtype=np.float64)
        if not np.all(np.isfinite(h)):
            continue
        low, high = np.linalg.eigvalsh(0.5 * (h + h.T))
        if low > 0 and (best is None or high > best.curvatures[1]):
            best = StabilityLimit((p.x, p.y), (float(low), float(high)))
    return best


def steps_to_minimum(lane: Lane, minima: np.ndarray, tol: float) -> int | None:
    """The step from which the path stays within `tol` of a minimum to its end, or None."""
    return arrival(lane, minima, tol).stayed_from


# ---------------------------------------------------------------- where a path left the map


@dataclass(frozen=True)
class MapExit:
    """Where a path that ends off the map left it for good (after its last visit)."""

    step: int  # its first step off the map
    point: tuple[float, float]  # where its line from the step before crosses the edge


def on_map(bounds, points: np.ndarray) -> np.ndarray:
    """Whether each point (..., 2) lies on the map, its edges included."""
    (x0, x1), (y0, y1) = bounds
    x, y = points[..., 0], points[..., 1]
    return (x0 <= x) & (x <= x1) & (y0 <= y) & (y <= y1)


def left_map(bounds, lane: Lane) -> MapExit | None:
    """The step and point where the path left the map for the last time, or None if it
    ends on it. Paths are stopped only a plot-width beyond the edge (engine.race), so
    where one stops (Newton at (−12, 9.4) on a ±4 map, 100 steps later) is long out of
    the picture: this is where it was last seen."""
    path = lane.positions[: lane.last_step + 1]
    inside = on_map(bounds, path)
    if not inside.any() or inside[-1]:  # (no path at all: undefined at its start)
        return None
    k = int(np.flatnonzero(inside)[-1]) + 1
    a, b = path[k - 1], path[k]
    lows, highs = np.array([bounds[0][0], bounds[1][0]]), np.array([bounds[0][1], bounds[1][1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        fractions = np.where(b > highs, (highs - a) / (b - a),
                             np.where(b < lows, (lows - a) / (b - a), np.inf))
    t = float(np.clip(fractions.min(), 0.0, 1.0))
    cross = a + t * (b - a)
    return MapExit(k, (float(cross[0]), float(cross[1])))


# ---------------------------------------------------------------- where f blows up

BLOW_UP = 100.0  # ‖∇f‖ this many times its size nearby: f is singular next to the point


@dataclass(frozen=True)
class Singularity:
    """Where a path stopped on the map because f blows up there (log(x² + y²) at 0)."""

    point: tuple[float, float]  # where the path stopped
    grad_norm: float  # ‖∇f‖ there: inf where f or ∇f is undefined or too large
    nearby_grad_norm: float  # its median on a circle of radius `radius` around the point
    radius: float


def singular_stop(surface, lane: Lane) -> Singularity | None:
    """Whether the lane stopped early, on the map, where f is singular: f or ∇f is
    undefined there, or ‖∇f‖ is BLOW_UP times its size a tolerance away (a smooth f
    hardly changes its slope over 1 % of the map). On log(x² + y²) SGD creeps to
    (0.000128, 0.000128), where ‖∇f‖ ≈ 11 000 and 0.06 away ≈ 33, and its next step flies
    off: f is singular there, the map is not too small."""
    if lane.diverged_at <= 0:
        return None
    end = lane.positions[lane.last_step]
    if not on_map(surface.bounds, end):
        return None
    radius = tolerance(surface.bounds)
    angles = np.linspace(0.0, 2.0 * np.pi, RING_POINTS, endpoint=False)
    ring = end + radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    with np.errstate(all="ignore"):
        value, slope = surface.f(end), np.linalg.norm(surface.grad(end))
        around = np.linalg.norm(surface.grad(ring), axis=-1)
    around = around[np.isfinite(around)]
    nearby = float(np.median(around)) if around.size else float("nan")
    at = (float(end[0]), float(end[1]))
    if not (np.isfinite(value) and np.isfinite(slope)):
        return Singularity(at, float("inf"), nearby, radius)
    if slope >= BLOW_UP * nearby:
        return Singularity(at, float(slope), nearby, radius)
    return None


# ---------------------------------------------------------------- why a lane stopped


class Divergence(StrEnum):
    """Why a path stopped early."""

    START = "start"  # f or ∇J is undefined at the start point
    SINGULAR = "singular"  # Newton met an H + μI it cannot invert
    SINGULAR_F = "f singular"  # f blows up where it stopped, on the map (singular_stop)
    DOWNHILL = "downhill"  # it left the map with f still falling: no bottom that way
    JUMP = "jump"  # falling, but its next step left the map or landed where f is undefined
    UNSTABLE = "unstable"  # its loss rose as its steps grew: α too large


CURABLE = (Divergence.UNSTABLE, Divergence.JUMP)  # the stops a smaller α can prevent


def divergence_kind(surface, lane: Lane) -> Divergence | None:
    """Why a path stopped early, or None if it did not.

    "downhill": the path had already left the plot, its loss still falling and f still
    falling the way it was heading, when it left the wider box it may roam in, so the
    surface has no bottom that way (a saddle's escape route; never said of a surface
    with a global minimum, which is bounded below). "jump": the loss was falling, but
    the next step left that box from inside the plot, or landed where f is undefined (a
    custom formula's log of a negative number). "unstable": the loss rose as the steps
    grew until they overflowed or flew off, the signature of a learning rate that is
    too large. "f singular": it stopped on the map where f or ∇f blows up
    (singular_stop), which no α cures.
    """
    k = lane.diverged_at
    if k < 0:
        return None
    if k == 0:
        return Divergence.START
    last = lane.positions[lane.last_step]
    if getattr(lane.optimizer, "needs_hessian", False):
        with np.errstate(all="ignore"):
            h = surface.hessian(last) + lane.optimizer.damping * np.eye(2)
            det = h[0, 0] * h[1, 1] - h[0, 1] * h[1, 0]
            scale = max(float(np.abs(h).max()), 1e-300)
        if not np.isfinite(det) or abs(det) <= 1e-12 * scale * scale:
            return Divergence.SINGULAR
    if singular_stop(surface, lane) is not None:
        return Divergence.SINGULAR_F
    recent = lane.losses[max(lane.last_step - 5, 0): lane.last_step + 1]
    falling = len(recent) >= 2 and bool(np.all(np.diff(recent) < 0))
    if not falling:
        return Divergence.UNSTABLE
    beyond_plot = not on_map(surface.bounds, last)
    # f ≥ f* on a surface with a global minimum: it cannot fall forever, whatever the path
    bounded = any(p.kind == "global minimum" for p in surface.critical_points)
    # Newton on √x + y²: y² falls more than √x rises, but the path heads up the √x slope
    heading = last - lane.positions[lane.last_step - 1]
    with np.errstate(all="ignore"):
        heading_down = bool(surface.grad(last) @ heading < 0)
    if beyond_plot and not bounded and heading_down:
        return Divergence.DOWNHILL
    return Divergence.JUMP


# ---------------------------------------------------------------- where a lane is


class Where(StrEnum):
    """Where a path ended."""

    LISTED = "a listed critical point"  # one the surface lists (Ending.kind says which)
    STOPPED = "stopped early"
    MINIMUM = "a minimum"  # found by its curvature, or by f being higher all round
    MAXIMUM = "a maximum"
    SADDLE = "a saddle"
    FLAT = "a flat point"  # ∇f = 0, and the second derivatives cannot tell
    ON_ITS_WAY = "on its way"


@dataclass(frozen=True)
class Ending:
    where: Where
    point: tuple[float, float]  # the listed critical point, or where the path ends
    off_map: bool = False
    kind: str = ""  # a listed critical point's kind, e.g. "global minimum"
    left: MapExit | None = None  # off the map: where it left the picture


def where_it_ended(surface, lane: Lane, tol: float) -> Ending:
    """The critical point the path ended at; else whether it stopped early, sits at a
    flat point or at a minimum (a formula's, a kink's too), or is still on its way, and
    whether off the map (paths may wander past its edge before they count as escaped:
    see engine.race.escape_bounds)."""
    end = lane.positions[lane.last_step]
    off_map = not on_map(surface.bounds, end)
    at = (float(end[0]), float(end[1]))
    points = surface.critical_points
    if points:
        xy = np.array([[p.x, p.y] for p in points])
        dist = np.linalg.norm(xy - end, axis=1)
        i = int(np.argmin(dist))
        if dist[i] <= tol:
            return Ending(Where.LISTED, (points[i].x, points[i].y), kind=points[i].kind)
    left = left_map(surface.bounds, lane) if off_map else None
    if lane.diverged_at >= 0:
        return Ending(Where.STOPPED, at, off_map, left=left)
    if not off_map:  # far out, a plateau's tiny gradient would pass for a flat point
        with np.errstate(all="ignore"):
            g = surface.grad(end)
            if np.all(np.isfinite(g)) and np.linalg.norm(g) < FLAT:
                return Ending(flat_point_kind(surface.hessian(end)), at)
        if lowest_all_round(surface.f, end, RING_FRACTION * tol):
            return Ending(Where.MINIMUM, at)
    return Ending(Where.ON_ITS_WAY, at, off_map, left=left)


def lowest_all_round(f, point: np.ndarray, radius: float) -> bool:
    """Whether f is strictly higher everywhere on a small circle around `point` than at
    it: a minimum within about radius/2, smooth or a kink. Equal values (a plateau too
    flat for floating point) and undefined ones do not count."""
    angles = np.linspace(0.0, 2.0 * np.pi, RING_POINTS, endpoint=False)
    ring = point + radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    with np.errstate(all="ignore"):
        return bool(np.all(f(ring) > f(point)))


def flat_point_kind(hessian: np.ndarray) -> Where:
    """What a point where ∇f = 0 is, from its Hessian (a surface of the user's own lists
    no critical points to compare with): a minimum, a maximum, a saddle, or a flat point
    where the second derivatives cannot tell."""
    kind = classify_hessian(hessian) if np.all(np.isfinite(hessian)) else "degenerate"
    return {"minimum": Where.MINIMUM, "maximum": Where.MAXIMUM,
            "saddle": Where.SADDLE}.get(kind, Where.FLAT)


# ---------------------------------------------------------------- the results table


class MinimaKnown(StrEnum):
    """Which minima "steps to a minimum" counts against."""

    LISTED = "listed"  # the surface's own
    FOUND = "found"  # a formula's: the minima its paths ended at
    NONE_FOUND = "none found"  # a formula whose paths found none
    NONE = "none"  # a surface that has no minimum


@dataclass(frozen=True)
class LaneResult:
    """One row of the results table."""

    lane: Lane
    final_loss: float | None  # None where f is undefined at the start
    ending: Ending | None  # None where the path stopped at its start
    steps_to_minimum: int | None  # from which it stays within the tolerance of a minimum
    minima: MinimaKnown
    passed_at: int | None = None  # it came that close first here, but did not stay
    stopped: Divergence | None = None  # why it stopped early, if it did


def race_results(surface, lanes: list[Lane]) -> tuple[float, list[LaneResult]]:
    """The tolerance and how each lane ended. A formula's minima are not known in
    advance: the ones paths end at count, and a path that sits within the tolerance of a
    minimum another path found (its gradient not quite 0, or a kink like |x|'s) is at a
    minimum too."""
    tol = tolerance(surface.bounds)
    ends = [where_it_ended(surface, lane, tol) if lane.diverged_at != 0 else None
            for lane in lanes]
    minima = minima_of(surface)
    known = MinimaKnown.LISTED if len(minima) else MinimaKnown.NONE
    if not surface.critical_points:
        minima = np.array([e.point for e in ends if e is not None and e.where == Where.MINIMUM]
                          ).reshape(-1, 2)
        ends = [_at_found_minimum(end, minima, tol) for end in ends]
        known = MinimaKnown.FOUND if len(minima) else MinimaKnown.NONE_FOUND
    results = []
    for lane, ending in zip(lanes, ends, strict=True):
        loss = None if lane.diverged_at == 0 else float(lane.losses[lane.last_step])
        came = arrival(lane, minima, tol)
        passed = came.first_within if came.stayed_from is None else None
        results.append(LaneResult(lane, loss, ending, came.stayed_from, known, passed,
                                  divergence_kind(surface, lane)))
    return tol, results


def _at_found_minimum(ending: Ending | None, minima: np.ndarray, tol: float) -> Ending | None:
    if ending is None or ending.where != Where.ON_ITS_WAY or not len(minima):
        return ending
    near = np.linalg.norm(minima - np.array(ending.point), axis=1)
    i = int(np.argmin(near))
    if near[i] > tol:
        return ending
    return Ending(Where.MINIMUM, (float(minima[i][0]), float(minima[i][1])))
