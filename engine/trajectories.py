"""Paths of optimizers over a 2D surface, many particles at once.

Every particle is an independent θ = (x, y); the optimizer's elementwise update
moves all of them in one array operation per step. A particle whose position or
loss stops being finite, or that leaves the bounds, is frozen at its last good
position and marked diverged at that step, so nothing non-finite reaches a plot.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Bounds = tuple[tuple[float, float], tuple[float, float]]


@dataclass(frozen=True)
class Trajectory:
    """Recorded path of N particles over K steps (index 0 is the start)."""

    positions: np.ndarray  # (K+1, N, 2); a diverged particle repeats its last good point
    losses: np.ndarray  # (K+1, N)
    grad_norms: np.ndarray  # (K+1, N): ‖∇J‖ at each recorded position
    diverged_at: np.ndarray  # (N,) step at which the particle diverged, −1 if it never did
    internals: dict[str, np.ndarray]  # the optimizer's state arrays per step, (K+1, N, 2)

    @property
    def diverged(self) -> np.ndarray:
        return self.diverged_at >= 0


def _inside(theta: np.ndarray, bounds: Bounds | None) -> np.ndarray:
    if bounds is None:
        return np.ones(theta.shape[:-1], dtype=bool)
    (x0, x1), (y0, y1) = bounds
    x, y = theta[..., 0], theta[..., 1]
    return (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)


def _state_arrays(state, shape) -> dict[str, np.ndarray]:
    """The fields of an optimizer state that hold one value per coordinate."""
    return {name: value for name, value in state._asdict().items()
            if isinstance(value, np.ndarray) and value.shape == shape}


def run(optimizer, starts: np.ndarray, *, grad_fn: Callable, loss_fn: Callable, steps: int,
        hess_fn: Callable | None = None, bounds: Bounds | None = None) -> Trajectory:
    """Run `optimizer` from every row of `starts` (N, 2) for `steps` steps.

    grad_fn, loss_fn and hess_fn take an (N, 2) array of points. Newton needs
    hess_fn. With `bounds` ((xmin, xmax), (ymin, ymax)) a particle that leaves
    the box counts as diverged. No RuntimeWarning escapes.
    """
    theta = np.array(starts, dtype=np.float64, ndmin=2)
    if theta.ndim != 2 or theta.shape[1] != 2:
        raise ValueError(f"starts must have shape (N, 2), got {np.shape(starts)}")
    if not (isinstance(steps, int | np.integer) and steps >= 0):
        raise ValueError(f"steps={steps!r} must be a non-negative integer")
    needs_hessian = getattr(optimizer, "needs_hessian", False)
    if needs_hessian and hess_fn is None:
        raise ValueError(f"{type(optimizer).__name__} needs hess_fn")
    extra = {"hess_fn": hess_fn} if needs_hessian else {}

    grad_fn = _remember_last(grad_fn)
    n = theta.shape[0]
    positions = np.empty((steps + 1, n, 2))
    losses = np.empty((steps + 1, n))
    grads = np.empty((steps + 1, n, 2))
    diverged_at = np.full(n, -1)
    state = optimizer.init(theta)
    fields = _state_arrays(state, theta.shape)
    internals = {name: np.empty((steps + 1, n, 2)) for name in fields}

    with np.errstate(all="ignore"):
        loss = np.asarray(loss_fn(theta), dtype=np.float64)
        grad = grad_fn(theta)
        bad = ~(np.isfinite(loss) & np.all(np.isfinite(theta), axis=1)
                 & np.all(np.isfinite(grad), axis=1) & _inside(theta, bounds))
        diverged_at[bad] = 0
        # a start where f or ∇f is undefined is recorded as 0, never as NaN
        loss = np.where(bad, 0.0, loss)
        grad = np.where(bad[:, None], 0.0, grad)
        _record(0, theta, loss, grad, state, positions, losses, grads, internals)
        for k in range(1, steps + 1):
            active = diverged_at < 0
            if not active.any():
                _fill_rest(k, positions, losses, grads, internals)
                break
            new_theta, new_state = optimizer.step(theta, grad_fn, state, **extra)
            new_loss = np.asarray(loss_fn(new_theta), dtype=np.float64)
            new_grad = grad_fn(new_theta)
            ok = (np.isfinite(new_loss) & np.all(np.isfinite(new_theta), axis=1)
                  & np.all(np.isfinite(new_grad), axis=1) & _inside(new_theta, bounds))
            if ok.all() and active.all():  # the common case: nothing to freeze
                theta, loss, grad, state = new_theta, new_loss, new_grad, new_state
            else:
                diverged_at[active & ~ok] = k
                keep = (diverged_at < 0)[:, None]  # frozen particles keep their last values
                theta = np.where(keep, new_theta, theta)
                loss = np.where(keep[:, 0], new_loss, loss)
                grad = np.where(keep, new_grad, grad)
                state = new_state._replace(**{
                    name: np.where(keep, getattr(new_state, name), getattr(state, name))
                    for name in fields})
            _record(k, theta, loss, grad, state, positions, losses, grads, internals)
        grad_norms = np.sqrt(np.sum(grads * grads, axis=-1))
    return Trajectory(positions, losses, grad_norms, diverged_at, internals)


def _remember_last(grad_fn: Callable) -> Callable:
    """The gradient recorded at a step's new θ is the one the next step asks for first
    (same array object): compute it once, not twice."""
    last_points, last_grad = None, None

    def grad(points):
        nonlocal last_points, last_grad
        if points is not last_points:
            last_points, last_grad = points, grad_fn(points)
        return last_grad

    return grad


def _record(k, theta, loss, grad, state, positions, losses, grads, internals):
    positions[k] = theta
    losses[k] = loss
    grads[k] = grad
    for name, history in internals.items():
        history[k] = getattr(state, name)


def _fill_rest(k, *histories):
    """Every particle has stopped: repeat the last row to the end."""
    for history in histories:
        if isinstance(history, dict):
            _fill_rest(k, *history.values())
        else:
            history[k:] = history[k - 1]
