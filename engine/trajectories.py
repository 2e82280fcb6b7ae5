"""Paths of optimizers over a 2D surface, many particles at once.

Every particle is an independent θ = (x, y); the optimizer's elementwise update
moves all of them in one array operation per step. Several optimizers can also
run side by side (`run_together`, the playground's race): each step then
evaluates the surface once, at all their points together. A particle whose
position or loss stops being finite, or that leaves the bounds, is frozen at its
last good position and marked diverged at that step, so nothing non-finite
reaches a plot.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

Bounds = tuple[tuple[float, float], tuple[float, float]]
_LARGEST = np.finfo(np.float64).max


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


def run(optimizer, starts: np.ndarray, *, grad_fn: Callable, loss_fn: Callable, steps: int,
        hess_fn: Callable | None = None, bounds: Bounds | None = None) -> Trajectory:
    """Run `optimizer` from every row of `starts` (N, 2) for `steps` steps.

    grad_fn, loss_fn and hess_fn take an (N, 2) array of points. Newton needs
    hess_fn. With `bounds` ((xmin, xmax), (ymin, ymax)) a particle that leaves
    the box counts as diverged. No RuntimeWarning escapes.
    """
    return run_together([optimizer], starts, grad_fn=grad_fn, loss_fn=loss_fn, steps=steps,
                        hess_fn=hess_fn, bounds=bounds)[0]


def run_together(optimizers: Sequence, starts: np.ndarray, *, grad_fn: Callable,
                 loss_fn: Callable, steps: int, hess_fn: Callable | None = None,
                 bounds: Bounds | None = None,
                 states: Sequence | None = None) -> list[Trajectory]:
    """Run every optimizer from every row of `starts`: one Trajectory each, the same as
    `run` gives for each on its own. `states`, one per optimizer, continue runs that
    reached `starts` with those optimizer states (default: each optimizer's `init`).

    The optimizers advance in lockstep, and each step evaluates grad_fn (and hess_fn,
    if an optimizer needs it) once, on all their points stacked together. An optimizer
    takes ∇J once per step, at θ or, if it has a `look_ahead(theta, state)` method
    (Nesterov), at that point; its step is handed those rows. loss_fn, needed only for
    the record, is evaluated at the end on every recorded position at once.
    """
    theta = np.array(starts, dtype=np.float64, ndmin=2)
    if theta.ndim != 2 or theta.shape[1] != 2:
        raise ValueError(f"starts must have shape (N, 2), got {np.shape(starts)}")
    if not (isinstance(steps, int | np.integer) and steps >= 0):
        raise ValueError(f"steps={steps!r} must be a non-negative integer")
    for optimizer in optimizers:
        if getattr(optimizer, "needs_hessian", False) and hess_fn is None:
            raise ValueError(f"{type(optimizer).__name__} needs hess_fn")
    if not optimizers:
        return []
    if states is not None and len(states) != len(optimizers):
        raise ValueError(f"{len(states)} states for {len(optimizers)} optimizers")

    stack = _Stack(optimizers, theta, grad_fn, hess_fn, states)
    check = _Check(bounds)
    with np.errstate(all="ignore"):
        stack.evaluate()
        running = check.still_running(stack.groups, stack.latest(loss_fn))
        for k in range(1, steps + 1):
            if not running:
                break
            stack.step(running)
            stack.evaluate()
            if k % CHECK_EVERY == 0:
                running = check.still_running(running, stack.latest(loss_fn))
        record = stack.record(loss_fn, steps)
        good = check.good(record)
    diverged_at = np.where(good.all(axis=0), -1, np.argmin(good, axis=0))
    return _trajectories(stack.groups, record, diverged_at, steps)


class _Record(NamedTuple):
    """What is recorded of the particles: at one step (N, …), or at every step (K+1, N, …)."""

    positions: np.ndarray
    losses: np.ndarray
    grads: np.ndarray


# Which step each particle diverged at is found afterwards, from the whole record.
# While running, a group whose particles have all gone bad is stopped, checked every
# CHECK_EVERY steps: that only saves time, since its later rows are frozen anyway.
CHECK_EVERY = 16


class _Stack:
    """Every group's particles and look-ahead points stacked into one array of points,
    and the record of the particles' positions and gradients."""

    grads: np.ndarray | None
    hessians: np.ndarray | None
    positions: list[np.ndarray]
    particle_grads: list[np.ndarray]

    def __init__(self, optimizers, theta: np.ndarray, grad_fn, hess_fn, states=None):
        n = len(theta)
        states = [None] * len(optimizers) if states is None else states
        self.groups = [_Group(opt, theta, slice(i * n, (i + 1) * n), state)
                      for i, (opt, state) in enumerate(zip(optimizers, states, strict=True))]
        self.n_particles = len(self.groups) * n  # the look-ahead points come after these
        self.lookers = [group for group in self.groups if group.looks_ahead]
        for i, group in enumerate(self.lookers):
            group.asks = slice(self.n_particles + i * n, self.n_particles + (i + 1) * n)
        self.grad_fn = grad_fn
        self.hess_fn = hess_fn if any(group.needs_hessian for group in self.groups) else None
        self.grads, self.hessians = None, None  # at every point, for the next step
        self.positions, self.particle_grads = [], []  # one entry per step

    def evaluate(self) -> None:
        """∇J (and H) at every point, for the next step; the particles are recorded."""
        points = np.concatenate([group.theta for group in self.groups]
                                + [group.look_ahead() for group in self.lookers])
        self.grads = self.grad_fn(points)
        if self.hess_fn is not None:
            self.hessians = self.hess_fn(points)
        self.positions.append(points[:self.n_particles])
        self.particle_grads.append(self.grads[:self.n_particles])

    def step(self, groups) -> None:
        for group in groups:
            group.step(self.grads, self.hessians)

    def latest(self, loss_fn) -> _Record:
        """The record of the last step, loss included."""
        positions = self.positions[-1]
        return _Record(positions, _losses(loss_fn, positions), self.particle_grads[-1])

    def record(self, loss_fn, steps: int) -> _Record:
        """Every step's record. The losses are only needed for the record, so f is
        evaluated now, at every position at once, rather than once per step."""
        positions = _pad(np.array(self.positions), steps)
        return _Record(positions, _losses(loss_fn, positions),
                       _pad(np.array(self.particle_grads), steps))


def _losses(loss_fn, positions: np.ndarray) -> np.ndarray:
    """f at positions (..., 2), called on (M, 2) arrays of at most about 2**16 points."""
    points = positions.reshape(-1, 2)
    losses = np.empty(len(points))
    chunk = 2**16
    for start in range(0, len(points), chunk):
        block = points[start:start + chunk]
        losses[start:start + chunk] = loss_fn(block)
    return losses.reshape(positions.shape[:-1])


class _Check:
    """Which particles are good: finite position, loss and gradient, inside the bounds."""

    def __init__(self, bounds: Bounds | None):
        # The box as two corners, clipped to finite numbers: then "inside" also means
        # "finite", and no bounds at all is the box of every finite float.
        (x0, x1), (y0, y1) = ((-np.inf, np.inf), (-np.inf, np.inf)) if bounds is None else bounds
        self.low = np.clip([x0, y0], -_LARGEST, _LARGEST)
        self.high = np.clip([x1, y1], -_LARGEST, _LARGEST)

    def good(self, record: _Record) -> np.ndarray:
        """One bool per particle (per step and particle, for a whole record)."""
        ok = ((record.positions >= self.low) & (record.positions <= self.high)).all(axis=-1)
        ok &= np.isfinite(record.losses)
        ok &= np.isfinite(record.grads).all(axis=-1)
        return ok

    def still_running(self, groups, record: _Record) -> list:
        """The groups that have a good particle left."""
        good = self.good(record)
        return [group for group in groups if good[group.rows].any()]


class _Group:
    """One optimizer's group of particles: its θ and state, and where its rows sit in the
    stack."""

    grad: np.ndarray | None
    hessian: np.ndarray | None
    extra: dict[str, Callable]  # more keyword arguments for optimizer.step: hess_fn

    def __init__(self, optimizer, theta: np.ndarray, rows: slice, state=None):
        self.optimizer = optimizer
        self.theta = theta
        self.state = optimizer.init(theta) if state is None else state
        self.states = [self.state]  # one per recorded step
        self.rows = rows  # its particles
        self.asks = rows  # where it takes ∇J: at its particles, or at its look-ahead points
        self.looks_ahead = hasattr(optimizer, "look_ahead")
        self.needs_hessian = getattr(optimizer, "needs_hessian", False)
        # The optimizer asks for ∇J (and H) through these: they answer with the rows
        # evaluated for it.
        self.grad, self.hessian = None, None
        self.extra = {"hess_fn": lambda _: self.hessian} if self.needs_hessian else {}

    def look_ahead(self) -> np.ndarray:
        return self.optimizer.look_ahead(self.theta, self.state)

    def step(self, grads: np.ndarray, hessians: np.ndarray | None) -> None:
        """One optimizer step, with ∇J (and H) already evaluated where it asks."""
        self.grad = grads[self.asks]
        if self.needs_hessian:
            assert hessians is not None  # _Stack evaluates H when a group needs it
            self.hessian = hessians[self.asks]
        self.theta, self.state = self.optimizer.step(self.theta, self._given_grad, self.state,
                                                     **self.extra)
        self.states.append(self.state)

    def _given_grad(self, _point):
        return self.grad


def _trajectories(groups, record: _Record, diverged_at, steps) -> list[Trajectory]:
    """One Trajectory per group; frozen particles repeat their last good values (a particle
    bad from the start records loss and ∇J as 0)."""
    positions, losses, grads = (_freeze(a, diverged_at) for a in record)
    losses[:, diverged_at == 0] = 0.0  # never NaN, even where f is undefined
    grads[:, diverged_at == 0] = 0.0
    grad_norms = np.sqrt(np.sum(grads * grads, axis=-1))
    paths = []
    for group in groups:
        rows = group.rows
        internals = {}
        for name in _state_arrays(group.states[0], group.theta.shape):
            per_step = _pad(np.array([getattr(state, name) for state in group.states]), steps)
            internals[name] = _freeze(per_step, diverged_at[rows])
        paths.append(Trajectory(positions[:, rows], losses[:, rows], grad_norms[:, rows],
                                diverged_at[rows], internals))
    return paths


def _state_arrays(state, shape) -> dict[str, np.ndarray]:
    """The fields of an optimizer state that hold one value per coordinate."""
    return {name: value for name, value in state._asdict().items()
            if isinstance(value, np.ndarray) and value.shape == shape}


def _pad(history: np.ndarray, steps: int) -> np.ndarray:
    """Steps + 1 rows: a run that ended early (every particle stopped) gets NaN rows for
    the rest, which _freeze overwrites."""
    if len(history) == steps + 1:
        return history
    full = np.full((steps + 1, *history.shape[1:]), np.nan)
    full[:len(history)] = history
    return full


def _freeze(history: np.ndarray, diverged_at: np.ndarray) -> np.ndarray:
    """Each particle's rows from its divergence on repeat its last good row (the start
    for a particle that diverged at step 0)."""
    if not (diverged_at >= 0).any():
        return history
    last_good = np.where(diverged_at > 0, diverged_at - 1, 0)
    step = np.arange(len(history))[:, None]
    source = np.where((diverged_at >= 0) & (step > last_good), last_good, step)
    source = source.reshape(source.shape + (1,) * (history.ndim - 2))
    return np.take_along_axis(history, source, axis=0)
