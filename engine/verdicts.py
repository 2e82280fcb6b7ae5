"""How a race's lanes ended, as facts: the playground's results table and warnings put
them into words (ui/playground/words.py).

`divergence_kind` says why a lane stopped early, `where_it_ended` where it is now,
`race_results` one row of the results table per lane. A surface is anything with
vectorized `f`, `grad`, `hessian`, `bounds` and `critical_points` (each with `x`, `y`
and `kind`), as in engine.race.
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


def steps_to_minimum(lane: Lane, minima: np.ndarray, tol: float) -> int | None:
    """The first step at which the path is within `tol` of any minimum, or None."""
    if len(minima) == 0:
        return None
    good = lane.positions[: lane.last_step + 1]
    dist = np.linalg.norm(good[:, None, :] - minima[None, :, :], axis=-1).min(axis=1)
    hits = np.flatnonzero(dist <= tol)
    return int(hits[0]) if hits.size else None


# ---------------------------------------------------------------- why a lane stopped


class Divergence(StrEnum):
    """Why a path stopped early."""

    START = "start"  # f or ∇J is undefined at the start point
    SINGULAR = "singular"  # Newton met an H + μI it cannot invert
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
    too large.
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
    recent = lane.losses[max(lane.last_step - 5, 0): lane.last_step + 1]
    (x0, x1), (y0, y1) = surface.bounds
    falling = len(recent) >= 2 and bool(np.all(np.diff(recent) < 0))
    if not falling:
        return Divergence.UNSTABLE
    beyond_plot = not (x0 <= last[0] <= x1 and y0 <= last[1] <= y1)
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


def where_it_ended(surface, lane: Lane, tol: float) -> Ending:
    """The critical point the path ended at; else whether it stopped early, sits at a
    flat point or at a minimum (a formula's, a kink's too), or is still on its way, and
    whether off the map (paths may wander past its edge before they count as escaped:
    see engine.race.escape_bounds)."""
    end = lane.positions[lane.last_step]
    (x0, x1), (y0, y1) = surface.bounds
    off_map = not (x0 <= end[0] <= x1 and y0 <= end[1] <= y1)
    at = (float(end[0]), float(end[1]))
    points = surface.critical_points
    if points:
        xy = np.array([[p.x, p.y] for p in points])
        dist = np.linalg.norm(xy - end, axis=1)
        i = int(np.argmin(dist))
        if dist[i] <= tol:
            return Ending(Where.LISTED, (points[i].x, points[i].y), kind=points[i].kind)
    if lane.diverged_at >= 0:
        return Ending(Where.STOPPED, at, off_map)
    if not off_map:  # far out, a plateau's tiny gradient would pass for a flat point
        with np.errstate(all="ignore"):
            g = surface.grad(end)
            if np.all(np.isfinite(g)) and np.linalg.norm(g) < FLAT:
                return Ending(flat_point_kind(surface.hessian(end)), at)
        if lowest_all_round(surface.f, end, RING_FRACTION * tol):
            return Ending(Where.MINIMUM, at)
    return Ending(Where.ON_ITS_WAY, at, off_map)


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
    steps_to_minimum: int | None  # None: never within the tolerance of a minimum
    minima: MinimaKnown


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
        results.append(LaneResult(lane, loss, ending, steps_to_minimum(lane, minima, tol),
                                  known))
    return tol, results


def _at_found_minimum(ending: Ending | None, minima: np.ndarray, tol: float) -> Ending | None:
    if ending is None or ending.where != Where.ON_ITS_WAY or not len(minima):
        return ending
    near = np.linalg.norm(minima - np.array(ending.point), axis=1)
    i = int(np.argmin(near))
    if near[i] > tol:
        return ending
    return Ending(Where.MINIMUM, (float(minima[i][0]), float(minima[i][1])))
