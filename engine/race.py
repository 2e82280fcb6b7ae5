"""A race: several optimizers from the same start over one 2D surface.

`surface` is anything with vectorized `f`, `grad`, `hessian`, `bounds` and
`critical_points` (see surfaces.Surface); the engine does not import surfaces.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.trajectories import Trajectory, run_together
from surfaces.base import classify_hessian

# A particle may wander this many plot-widths beyond the plot before it counts as
# gone: momentum often overshoots the view and comes back.
ESCAPE_MARGIN = 1.0
# "Within tolerance of a minimum" means within this fraction of the plot's size.
TOLERANCE_FRACTION = 0.01


@dataclass(frozen=True)
class Lane:
    """One optimizer's run: its path and what the table says about it."""

    name: str
    optimizer: object
    path: Trajectory  # one particle
    look_ahead: np.ndarray | None  # (K+1, 2) θ + λv for Nesterov, else None

    @property
    def positions(self) -> np.ndarray:
        return self.path.positions[:, 0]

    @property
    def losses(self) -> np.ndarray:
        return self.path.losses[:, 0]

    @property
    def diverged_at(self) -> int:
        return int(self.path.diverged_at[0])

    @property
    def last_step(self) -> int:
        """The last step with a good position (the path stops there if it diverged)."""
        k = len(self.positions) - 1
        return k if self.diverged_at < 0 else self.diverged_at - 1


def escape_bounds(bounds):
    """The plot's box widened by ESCAPE_MARGIN plot-widths on every side."""
    (x0, x1), (y0, y1) = bounds
    dx, dy = (x1 - x0) * ESCAPE_MARGIN, (y1 - y0) * ESCAPE_MARGIN
    return (x0 - dx, x1 + dx), (y0 - dy, y1 + dy)


def tolerance(bounds) -> float:
    (x0, x1), (y0, y1) = bounds
    return TOLERANCE_FRACTION * max(x1 - x0, y1 - y0)


def run_race(surface, optimizers: dict[str, object], start, steps: int) -> list[Lane]:
    """Run every optimizer from `start` for `steps` steps over `surface`."""
    start = np.array(start, dtype=np.float64).reshape(1, 2)
    paths = run_together(list(optimizers.values()), start, grad_fn=surface.grad,
                         loss_fn=surface.f, hess_fn=surface.hessian, steps=steps,
                         bounds=escape_bounds(surface.bounds))
    return [_lane(name, opt, path)
            for (name, opt), path in zip(optimizers.items(), paths, strict=True)]


def _lane(name: str, optimizer, path: Trajectory) -> Lane:
    look_ahead = None
    if "v" in path.internals and hasattr(optimizer, "look_ahead"):
        look_ahead = path.positions[:, 0] + optimizer.momentum * path.internals["v"][:, 0]
    return Lane(name, optimizer, path, look_ahead)


def continue_race(surface, lane: Lane, steps: int) -> Lane:
    """The lane made `steps` steps long: continued from where it ends, or cut if longer.

    Exactly what run_race gives for this optimizer and start: the steps after k depend
    only on θ(k) and the optimizer's state there. So when the Steps slider passes the end
    of a race, the race goes on instead of starting over. A lane that diverged stays
    where it stopped.
    """
    done = len(lane.positions) - 1
    if steps <= done:
        return first_steps(lane, steps)
    path, more = lane.path, steps - done
    if lane.diverged_at >= 0:  # frozen at its last good point, as a longer race records
        rest = Trajectory(*(np.repeat(a[-1:], more, axis=0)
                            for a in (path.positions, path.losses, path.grad_norms)),
                          path.diverged_at,
                          {name: np.repeat(h[-1:], more, axis=0)
                           for name, h in path.internals.items()})
    else:
        state = _state_at_end(lane)
        if state is None:  # a state the path does not record: start over
            return run_race(surface, {lane.name: lane.optimizer}, lane.positions[0], steps)[0]
        (after,) = run_together([lane.optimizer], path.positions[-1], grad_fn=surface.grad,
                                loss_fn=surface.f, hess_fn=surface.hessian, steps=more,
                                bounds=escape_bounds(surface.bounds), states=[state])
        # row 0 of the continuation is the lane's last row again
        rest = Trajectory(after.positions[1:], after.losses[1:], after.grad_norms[1:],
                          np.where(after.diverged_at >= 0, after.diverged_at + done, -1),
                          {name: h[1:] for name, h in after.internals.items()})
    joined = Trajectory(*(np.concatenate([a, b]) for a, b in
                          ((path.positions, rest.positions), (path.losses, rest.losses),
                           (path.grad_norms, rest.grad_norms))),
                        rest.diverged_at,
                        {name: np.concatenate([h, rest.internals[name]])
                         for name, h in path.internals.items()})
    return _lane(lane.name, lane.optimizer, joined)


def _state_at_end(lane: Lane):
    """The optimizer's state after the lane's last step, or None if the path cannot tell.

    A state of engine.optimizers is a step count and arrays shaped like θ, and the path
    records those arrays at every step (Trajectory.internals).
    """
    fresh = lane.optimizer.init(lane.path.positions[-1])
    arrays = {name: history[-1].copy() for name, history in lane.path.internals.items()}
    if set(getattr(fresh, "_fields", ())) != {"count", *arrays}:  # not a NamedTuple of those
        return None
    return fresh._replace(count=len(lane.positions) - 1, **arrays)


def first_steps(lane: Lane, steps: int) -> Lane:
    """The lane as a race of only `steps` steps runs it.

    A path's first k steps do not depend on how many steps follow, so a longer race
    answers every shorter one: the playground keeps one and slices it as the Steps
    slider moves. A divergence after `steps` has not happened yet.
    """
    path, end = lane.path, steps + 1
    if not 0 <= steps < len(path.positions):
        raise ValueError(f"steps={steps!r} must be in 0..{len(path.positions) - 1}")
    diverged_at = np.where(path.diverged_at > steps, -1, path.diverged_at)
    first = Trajectory(path.positions[:end], path.losses[:end], path.grad_norms[:end],
                       diverged_at, {name: h[:end] for name, h in path.internals.items()})
    look_ahead = None if lane.look_ahead is None else lane.look_ahead[:end]
    return Lane(lane.name, lane.optimizer, first, look_ahead)


def steps_to_minimum(lane: Lane, minima: np.ndarray, tol: float) -> int | None:
    """The first step at which the path is within `tol` of any minimum, or None."""
    if len(minima) == 0:
        return None
    good = lane.positions[: lane.last_step + 1]
    dist = np.linalg.norm(good[:, None, :] - minima[None, :, :], axis=-1).min(axis=1)
    hits = np.flatnonzero(dist <= tol)
    return int(hits[0]) if hits.size else None


FLAT = 1e-4  # |∇f| below which an end point counts as flat (Adam's last steps jitter)
# A kink (|x| + |y| at 0) has no flat point: an end counts as a minimum there when f is
# higher all round it, on a circle of this fraction of the tolerance, in this many places
RING_FRACTION, RING_POINTS = 0.01, 16


def where_it_ended(surface, lane: Lane, tol: float) -> str:
    """Name the critical point the path ended at; else say where it stopped early, that
    it sits at a flat point or at a minimum (a formula's, a kink's too), or that it is
    still on its way, and whether that is off the map (paths may wander past its edge
    before they count as escaped: see escape_bounds)."""
    end = lane.positions[lane.last_step]
    (x0, x1), (y0, y1) = surface.bounds
    off_map = ", off the map" if not (x0 <= end[0] <= x1 and y0 <= end[1] <= y1) else ""
    at = f"({end[0]:.3g}, {end[1]:.3g}){off_map}"
    points = surface.critical_points
    if points:
        xy = np.array([[p.x, p.y] for p in points])
        dist = np.linalg.norm(xy - end, axis=1)
        i = int(np.argmin(dist))
        if dist[i] <= tol:
            return f"{points[i].kind} ({points[i].x:.3g}, {points[i].y:.3g})"
    if lane.diverged_at >= 0:
        return f"stopped early at {at}"
    if not off_map:  # far out, a plateau's tiny gradient would pass for a flat point
        with np.errstate(all="ignore"):
            g = surface.grad(end)
            if np.all(np.isfinite(g)) and np.linalg.norm(g) < FLAT:
                return f"{flat_point_kind(surface.hessian(end))} {at}"
        if lowest_all_round(surface.f, end, RING_FRACTION * tol):
            return f"a minimum {at}"
    return f"on its way {at}"


def lowest_all_round(f, point: np.ndarray, radius: float) -> bool:
    """Whether f is strictly higher everywhere on a small circle around `point` than at
    it: a minimum within about radius/2, smooth or a kink. Equal values (a plateau too
    flat for floating point) and undefined ones do not count."""
    angles = np.linspace(0.0, 2.0 * np.pi, RING_POINTS, endpoint=False)
    ring = point + radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    with np.errstate(all="ignore"):
        return bool(np.all(f(ring) > f(point)))


def flat_point_kind(hessian: np.ndarray) -> str:
    """What a point where ∇f = 0 is, from its Hessian (a surface of the user's own lists
    no critical points to compare with): "a minimum", "a maximum", "a saddle", or "a
    flat point" where the second derivatives cannot tell."""
    kind = classify_hessian(hessian) if np.all(np.isfinite(hessian)) else "degenerate"
    return "a flat point" if kind == "degenerate" else f"a {kind}"


def minima_of(surface) -> np.ndarray:
    return np.array([[p.x, p.y] for p in surface.critical_points if "minimum" in p.kind]
                    ).reshape(-1, 2)


def global_minimum_value(surface) -> float | None:
    """f at the global minimum, if the surface lists one."""
    values = [float(surface.f(np.array([p.x, p.y]))) for p in surface.critical_points
              if p.kind == "global minimum"]
    return min(values) if values else None


def velocity_norms(lane: Lane) -> np.ndarray | None:
    """‖v‖ per step for momentum and Nesterov (the particle's speed), else None."""
    v = lane.path.internals.get("v")
    if v is None:
        return None
    return np.linalg.norm(v[: lane.last_step + 1, 0], axis=-1)


def effective_steps(lane: Lane) -> np.ndarray | None:
    """α/(δ + √r) per coordinate (x, y) and step, from step 1, for AdaGrad, RMSProp, Adam.

    Adam's r is bias-corrected first (r̂ = r / (1 − β₂ᵗ)), as in its update.
    """
    r = lane.path.internals.get("r")
    if r is None:
        return None
    opt = lane.optimizer
    r = r[1: lane.last_step + 1, 0]
    if hasattr(opt, "beta2"):
        t = np.arange(1, len(r) + 1)[:, None]
        r = r / (1.0 - opt.beta2**t)
    return opt.lr / (opt.eps + np.sqrt(r))


def divergence_kind(surface, lane: Lane) -> str | None:
    """Why a path stopped early: None, "start", "singular", "downhill", "jump" or
    "unstable".

    "start": f or ∇J is undefined at the start point. "singular": Newton met a
    Hessian H + μI it cannot invert. "downhill": the path had already left the
    plot, its loss still falling and f still falling the way it was heading, when it
    left the wider box it may roam in, so the surface has no bottom that way (a
    saddle's escape route; never said of a surface with a global minimum, which is
    bounded below). "jump": the loss was
    falling, but the next step left that box from inside the plot, or landed where f
    is undefined (a custom formula's log of a negative number). "unstable": the loss
    rose as the steps grew until they overflowed or flew off, the signature of a
    learning rate that is too large.
    """
    k = lane.diverged_at
    if k < 0:
        return None
    if k == 0:
        return "start"
    last = lane.positions[lane.last_step]
    if getattr(lane.optimizer, "needs_hessian", False):
        with np.errstate(all="ignore"):
            h = surface.hessian(last) + lane.optimizer.damping * np.eye(2)
            det = h[0, 0] * h[1, 1] - h[0, 1] * h[1, 0]
            scale = max(float(np.abs(h).max()), 1e-300)
        if not np.isfinite(det) or abs(det) <= 1e-12 * scale * scale:
            return "singular"
    recent = lane.losses[max(lane.last_step - 5, 0): lane.last_step + 1]
    (x0, x1), (y0, y1) = surface.bounds
    falling = len(recent) >= 2 and bool(np.all(np.diff(recent) < 0))
    if not falling:
        return "unstable"
    beyond_plot = not (x0 <= last[0] <= x1 and y0 <= last[1] <= y1)
    # f ≥ f* on a surface with a global minimum: it cannot fall forever, whatever the path
    bounded = any(p.kind == "global minimum" for p in surface.critical_points)
    # Newton on √x + y²: y² falls more than √x rises, but the path heads up the √x slope
    heading = last - lane.positions[lane.last_step - 1]
    with np.errstate(all="ignore"):
        heading_down = bool(surface.grad(last) @ heading < 0)
    return "downhill" if beyond_plot and not bounded and heading_down else "jump"
