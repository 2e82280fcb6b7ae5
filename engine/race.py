"""A race: several optimizers from the same start over one 2D surface, one lane each.

`surface` is anything with vectorized `f`, `grad`, `hessian` and `bounds` (such as
surfaces.Surface; the engine does not import surfaces). How each lane ended is judged
in engine.verdicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.trajectories import Trajectory, run_together

# A particle may wander this many plot-widths beyond the plot before it counts as
# gone: momentum often overshoots the view and comes back.
ESCAPE_MARGIN = 1.0


@dataclass(frozen=True)
class Lane:
    """One optimizer's run: its path and what the table says about it."""

    name: str
    optimizer: Any  # an optimizer of engine.optimizers: lr, init, step and its own settings
    trajectory: Trajectory  # of its one particle
    look_ahead: np.ndarray | None  # (K+1, 2) θ + λv for Nesterov, else None

    @property
    def positions(self) -> np.ndarray:
        return self.trajectory.positions[:, 0]

    @property
    def losses(self) -> np.ndarray:
        return self.trajectory.losses[:, 0]

    @property
    def diverged_at(self) -> int:
        return int(self.trajectory.diverged_at[0])

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


def run_race(surface, optimizers: dict[str, object], start, steps: int) -> list[Lane]:
    """Run every optimizer from `start` for `steps` steps over `surface`."""
    start = np.array(start, dtype=np.float64).reshape(1, 2)
    trajectories = run_together(list(optimizers.values()), start, grad_fn=surface.grad,
                                loss_fn=surface.f, hess_fn=surface.hessian, steps=steps,
                                bounds=escape_bounds(surface.bounds))
    return [_lane(name, opt, trajectory)
            for (name, opt), trajectory in zip(optimizers.items(), trajectories, strict=True)]


def _lane(name: str, optimizer, trajectory: Trajectory) -> Lane:
    look_ahead = None
    if "v" in trajectory.internals and hasattr(optimizer, "look_ahead"):
        v = trajectory.internals["v"][:, 0]
        look_ahead = trajectory.positions[:, 0] + optimizer.momentum * v
    return Lane(name, optimizer, trajectory, look_ahead)


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
    before, more = lane.trajectory, steps - done
    if lane.diverged_at >= 0:  # frozen at its last good point, as a longer race records
        # mypy cannot count the three arrays the generator gives
        rest = Trajectory(*(np.repeat(a[-1:], more, axis=0)  # type: ignore[call-arg, arg-type]
                            for a in (before.positions, before.losses, before.grad_norms)),
                          before.diverged_at,
                          {name: np.repeat(h[-1:], more, axis=0)
                           for name, h in before.internals.items()})
    else:
        state = _state_at_end(lane)
        if state is None:  # a state the trajectory does not record: start over
            return run_race(surface, {lane.name: lane.optimizer}, lane.positions[0], steps)[0]
        (after,) = run_together([lane.optimizer], before.positions[-1], grad_fn=surface.grad,
                                loss_fn=surface.f, hess_fn=surface.hessian, steps=more,
                                bounds=escape_bounds(surface.bounds), states=[state])
        # row 0 of the continuation is the lane's last row again
        rest = Trajectory(after.positions[1:], after.losses[1:], after.grad_norms[1:],
                          np.where(after.diverged_at >= 0, after.diverged_at + done, -1),
                          {name: h[1:] for name, h in after.internals.items()})
    # mypy cannot count the three arrays the generator gives
    joined = Trajectory(*(np.concatenate([a, b]) for a, b in  # type: ignore[call-arg, arg-type]
                          ((before.positions, rest.positions), (before.losses, rest.losses),
                           (before.grad_norms, rest.grad_norms))),
                        rest.diverged_at,
                        {name: np.concatenate([h, rest.internals[name]])
                         for name, h in before.internals.items()})
    return _lane(lane.name, lane.optimizer, joined)


def _state_at_end(lane: Lane):
    """The optimizer's state after the lane's last step, or None if the path cannot tell.

    A state of engine.optimizers is a step count and arrays shaped like θ, and the path
    records those arrays at every step (Trajectory.internals).
    """
    fresh = lane.optimizer.init(lane.trajectory.positions[-1])
    arrays = {name: history[-1].copy() for name, history in lane.trajectory.internals.items()}
    if set(getattr(fresh, "_fields", ())) != {"count", *arrays}:  # not a NamedTuple of those
        return None
    return fresh._replace(count=len(lane.positions) - 1, **arrays)


def first_steps(lane: Lane, steps: int) -> Lane:
    """The lane as a race of only `steps` steps runs it.

    A path's first k steps do not depend on how many steps follow, so a longer race
    answers every shorter one: the playground keeps one and slices it as the Steps
    slider moves. A divergence after `steps` has not happened yet.
    """
    whole, end = lane.trajectory, steps + 1
    if not 0 <= steps < len(whole.positions):
        raise ValueError(f"steps={steps!r} must be in 0..{len(whole.positions) - 1}")
    diverged_at = np.where(whole.diverged_at > steps, -1, whole.diverged_at)
    first = Trajectory(whole.positions[:end], whole.losses[:end], whole.grad_norms[:end],
                       diverged_at, {name: h[:end] for name, h in whole.internals.items()})
    look_ahead = None if lane.look_ahead is None else lane.look_ahead[:end]
    return Lane(lane.name, lane.optimizer, first, look_ahead)


def velocity_norms(lane: Lane) -> np.ndarray | None:
    """‖v‖ per step for momentum and Nesterov (the particle's speed), else None."""
    v = lane.trajectory.internals.get("v")
    if v is None:
        return None
    return np.linalg.norm(v[: lane.last_step + 1, 0], axis=-1)


def effective_steps(lane: Lane) -> np.ndarray | None:
    """α/(δ + √r) per coordinate (x, y) and step, from step 1, for AdaGrad, RMSProp, Adam.

    Adam's r is bias-corrected first (r̂ = r / (1 − β₂ᵗ)), as in its update.
    """
    r = lane.trajectory.internals.get("r")
    if r is None:
        return None
    opt = lane.optimizer
    r = r[1: lane.last_step + 1, 0]
    if hasattr(opt, "beta2"):
        t = np.arange(1, len(r) + 1)[:, None]
        r = r / (1.0 - opt.beta2**t)
    return opt.lr / (opt.eps + np.sqrt(r))
