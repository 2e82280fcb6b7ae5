"""Gradient-based optimizers in the seed's notation.

θ are the parameters, g = ∇J(θ) the gradient, α the learning rate, λ the
momentum, ρ the decay, δ a small constant. Every optimizer is a frozen
dataclass of keyword-only hyperparameters with two pure methods:

    state = opt.init(theta)
    theta, state = opt.step(theta, grad_fn, state)

`grad_fn(theta)` returns ∇J with theta's shape. Updates are elementwise, so the
same optimizer moves an (N, 2) array of independent particles on a surface and
the flat parameter vector of a network. Inputs are never modified; each step
returns a new θ and a new state. The arithmetic works in place in those fresh
result arrays rather than making a temporary per operation: a network's θ is
large, and a race calls `step` thousands of times.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, ClassVar, NamedTuple

import numpy as np

GradFn = Callable[[np.ndarray], np.ndarray]


def _check(name: str, value: Any, *, low: float, high: float = math.inf,
           low_open: bool = True, high_open: bool = True) -> None:
    """Raise a ValueError naming `name=value` unless low <(=) value <(=) high."""
    ok = isinstance(value, int | float | np.floating | np.integer) and not isinstance(value, bool)
    if ok:
        v = float(value)
        ok = math.isfinite(v) and (v > low if low_open else v >= low)
        ok = ok and (v < high if high_open else v <= high)
    if not ok:
        lo = "(" if low_open else "["
        hi = ")" if high_open else "]"
        raise ValueError(
            f"{name}={value!r} is out of range: it must be a number in {lo}{low}, {high}{hi}")


class _Hyper:
    """Validation shared by all optimizers: subclasses list their ranges."""

    ranges: ClassVar[dict[str, dict[str, Any]]] = {}

    def __post_init__(self) -> None:
        for f in fields(self):  # type: ignore[arg-type]
            _check(f.name, getattr(self, f.name), **self.ranges[f.name])


_LR = {"low": 0.0}
_UNIT = {"low": 0.0, "high": 1.0, "low_open": False}  # 0 ≤ x < 1
_EPS = {"low": 0.0}


_FLOAT64 = np.dtype(np.float64)


def _as_float(theta: np.ndarray) -> np.ndarray:
    if type(theta) is np.ndarray and theta.dtype is _FLOAT64:
        return theta  # the usual case, and a quick one: this runs at every step
    return np.asarray(theta, dtype=np.float64)


# ---------------------------------------------------------------- SGD


class CountState(NamedTuple):
    """State of optimizers that remember nothing but how many steps they took."""

    count: int


@dataclass(frozen=True, kw_only=True)
class SGD(_Hyper):
    r"""Stochastic gradient descent.

    θ(k) = θ(k−1) − α ∇J(θ(k−1))
    """

    lr: float
    ranges: ClassVar = {"lr": _LR}
    latex: ClassVar[str] = r"\theta(k) = \theta(k-1) - \alpha \nabla J(\theta(k-1))"

    def init(self, theta: np.ndarray) -> CountState:
        return CountState(count=0)

    def step(self, theta: np.ndarray, grad_fn: GradFn, state: CountState):
        theta = _as_float(theta)
        new_theta = grad_fn(theta) * self.lr  # α g, then θ − α g in place
        return np.subtract(theta, new_theta, out=new_theta), CountState(state.count + 1)


# ---------------------------------------------------------------- momentum


class MomentumState(NamedTuple):
    count: int
    v: np.ndarray  # velocity of the particle (it has unit mass)


@dataclass(frozen=True, kw_only=True)
class Momentum(_Hyper):
    r"""Gradient descent with momentum.

    v(k) = λ v(k−1) − α ∇J(θ(k−1))
    θ(k) = θ(k−1) + v(k)
    """

    lr: float
    momentum: float
    ranges: ClassVar = {"lr": _LR, "momentum": _UNIT}
    latex: ClassVar[str] = (
        r"\mathbf{v}(k) = \lambda \mathbf{v}(k-1) - \alpha \nabla J(\theta(k-1)),\quad"
        r"\theta(k) = \theta(k-1) + \mathbf{v}(k)"
    )

    def init(self, theta: np.ndarray) -> MomentumState:
        return MomentumState(count=0, v=np.zeros_like(_as_float(theta)))

    def step(self, theta: np.ndarray, grad_fn: GradFn, state: MomentumState):
        theta = _as_float(theta)
        return _momentum_step(theta, grad_fn(theta), state, self.lr, self.momentum)


def _momentum_step(theta, g, state: MomentumState, lr: float, momentum: float):
    """v = λv − αg and θ + v, computed in the two arrays the step returns."""
    v = state.v * momentum
    new_theta = g * lr  # α g for now
    v -= new_theta
    np.add(theta, v, out=new_theta)
    return new_theta, MomentumState(state.count + 1, v)


@dataclass(frozen=True, kw_only=True)
class Nesterov(_Hyper):
    r"""Nesterov momentum: the gradient is taken at the look-ahead θ + λv.

    v(k) = λ v(k−1) − α ∇J(θ(k−1) + λ v(k−1))
    θ(k) = θ(k−1) + v(k)
    """

    lr: float
    momentum: float
    ranges: ClassVar = {"lr": _LR, "momentum": _UNIT}
    latex: ClassVar[str] = (
        r"\mathbf{v}(k) = \lambda \mathbf{v}(k-1) - \alpha \nabla J(\theta(k-1) + "
        r"\lambda \mathbf{v}(k-1)),\quad \theta(k) = \theta(k-1) + \mathbf{v}(k)"
    )

    def init(self, theta: np.ndarray) -> MomentumState:
        return MomentumState(count=0, v=np.zeros_like(_as_float(theta)))

    def look_ahead(self, theta: np.ndarray, state: MomentumState) -> np.ndarray:
        """θ + λv: where the next gradient will be evaluated."""
        return _as_float(theta) + self.momentum * state.v

    def step(self, theta: np.ndarray, grad_fn: GradFn, state: MomentumState):
        theta = _as_float(theta)
        g = grad_fn(self.look_ahead(theta, state))
        return _momentum_step(theta, g, state, self.lr, self.momentum)


# ---------------------------------------------------------------- adaptive rates


class AccumulatorState(NamedTuple):
    count: int
    r: np.ndarray  # accumulated squared gradients, one entry per parameter


def effective_lr(lr: float, eps: float, r: np.ndarray) -> np.ndarray:
    """α / (δ + √r): the per-parameter step size of AdaGrad and RMSProp."""
    rate = np.sqrt(r)
    rate += eps
    return np.divide(lr, rate, out=rate)


def _adaptive_step(theta, g, lr: float, eps: float, r: np.ndarray) -> np.ndarray:
    """θ − α / (δ + √r) ⊙ g, in one fresh array."""
    new_theta = effective_lr(lr, eps, r)
    new_theta *= g
    return np.subtract(theta, new_theta, out=new_theta)


@dataclass(frozen=True, kw_only=True)
class AdaGrad(_Hyper):
    r"""Adaptive gradient: each parameter's rate shrinks with its gradient history.

    r = r + g²
    θ(k) = θ(k−1) − α / (δ + √r) ⊙ g
    """

    lr: float
    eps: float = 1e-7
    ranges: ClassVar = {"lr": _LR, "eps": _EPS}
    latex: ClassVar[str] = (
        r"\mathbf{r} = \mathbf{r} + \mathbf{g}^2,\quad \theta(k) = \theta(k-1) - "
        r"\frac{\alpha}{\delta + \sqrt{\mathbf{r}}} \odot \mathbf{g}"
    )

    def init(self, theta: np.ndarray) -> AccumulatorState:
        return AccumulatorState(count=0, r=np.zeros_like(_as_float(theta)))

    def step(self, theta: np.ndarray, grad_fn: GradFn, state: AccumulatorState):
        theta = _as_float(theta)
        g = grad_fn(theta)
        r = state.r + g * g
        return _adaptive_step(theta, g, self.lr, self.eps, r), AccumulatorState(state.count + 1, r)


@dataclass(frozen=True, kw_only=True)
class RMSProp(_Hyper):
    r"""RMSProp: AdaGrad whose memory of squared gradients decays with ρ.

    r = ρ r + (1 − ρ) g²
    θ(k) = θ(k−1) − α / (δ + √r) ⊙ g
    """

    lr: float
    rho: float = 0.9
    eps: float = 1e-7
    ranges: ClassVar = {"lr": _LR, "rho": _UNIT, "eps": _EPS}
    latex: ClassVar[str] = (
        r"\mathbf{r} = \rho\,\mathbf{r} + (1-\rho)\,\mathbf{g}^2,\quad \theta(k) = "
        r"\theta(k-1) - \frac{\alpha}{\delta + \sqrt{\mathbf{r}}} \odot \mathbf{g}"
    )

    def init(self, theta: np.ndarray) -> AccumulatorState:
        return AccumulatorState(count=0, r=np.zeros_like(_as_float(theta)))

    def step(self, theta: np.ndarray, grad_fn: GradFn, state: AccumulatorState):
        theta = _as_float(theta)
        g = grad_fn(theta)
        r = self.rho * state.r
        r += (1.0 - self.rho) * (g * g)
        return _adaptive_step(theta, g, self.lr, self.eps, r), AccumulatorState(state.count + 1, r)


class AdamState(NamedTuple):
    count: int
    s: np.ndarray  # first moment: decaying mean of g
    r: np.ndarray  # second moment: decaying mean of g²


@dataclass(frozen=True, kw_only=True)
class Adam(_Hyper):
    r"""Adam: momentum on g and RMSProp on g², both bias-corrected (t = step count).

    s = β₁ s + (1 − β₁) g,    r = β₂ r + (1 − β₂) g²
    ŝ = s / (1 − β₁ᵗ),        r̂ = r / (1 − β₂ᵗ)
    θ(k) = θ(k−1) − α ŝ / (δ + √r̂)
    """

    lr: float
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    ranges: ClassVar = {"lr": _LR, "beta1": _UNIT, "beta2": _UNIT, "eps": _EPS}
    latex: ClassVar[str] = (
        r"\mathbf{s} = \beta_1 \mathbf{s} + (1-\beta_1)\mathbf{g},\quad "
        r"\mathbf{r} = \beta_2 \mathbf{r} + (1-\beta_2)\mathbf{g}^2,\quad "
        r"\theta(k) = \theta(k-1) - \alpha\,\frac{\mathbf{s}/(1-\beta_1^t)}"
        r"{\delta + \sqrt{\mathbf{r}/(1-\beta_2^t)}}"
    )

    def init(self, theta: np.ndarray) -> AdamState:
        zeros = np.zeros_like(_as_float(theta))
        return AdamState(count=0, s=zeros, r=zeros.copy())

    def step(self, theta: np.ndarray, grad_fn: GradFn, state: AdamState):
        theta = _as_float(theta)
        g = grad_fn(theta)
        t = state.count + 1
        s = self.beta1 * state.s
        s += (1.0 - self.beta1) * g
        r = self.beta2 * state.r
        r += (1.0 - self.beta2) * (g * g)
        # θ − α ŝ / (δ + √r̂), built up in place in the array it returns
        new_theta = s / (1.0 - self.beta1**t)  # ŝ
        new_theta *= self.lr
        root = r / (1.0 - self.beta2**t)  # r̂
        np.sqrt(root, out=root)
        root += self.eps
        new_theta /= root
        return np.subtract(theta, new_theta, out=new_theta), AdamState(t, s, r)


# ---------------------------------------------------------------- second order


@dataclass(frozen=True, kw_only=True)
class Newton(_Hyper):
    r"""Newton's method on a 2D surface: jump to where the local quadratic is flat.

    θ(k) = θ(k−1) − α (H + μI)⁻¹ ∇J(θ(k−1))

    H is the Hessian and μ ≥ 0 an optional damping. With μ = 0 the step lands
    on the critical point of the local quadratic model, whatever its kind: a
    minimum, a saddle or a maximum. That is the seed's warning about second
    order methods going "in the completely wrong direction". Where H + μI is
    singular the step is undefined and θ becomes non-finite.
    """

    lr: float = 1.0
    damping: float = 0.0
    ranges: ClassVar = {"lr": _LR, "damping": {"low": 0.0, "low_open": False}}
    latex: ClassVar[str] = (
        r"\theta(k) = \theta(k-1) - \alpha\,(\mathbf{H} + \mu \mathbf{I})^{-1}"
        r"\nabla J(\theta(k-1))"
    )
    needs_hessian: ClassVar[bool] = True

    def init(self, theta: np.ndarray) -> CountState:
        return CountState(count=0)

    def step(self, theta: np.ndarray, grad_fn: GradFn, state: CountState, *,
             hess_fn: Callable[[np.ndarray], np.ndarray]):
        theta = _as_float(theta)
        if theta.shape[-1:] != (2,):
            raise ValueError(f"Newton works on 2D points (..., 2), got shape {theta.shape}")
        g = grad_fn(theta)
        # H + μI = [[a, b], [c, d]], flattened to (a, b, c, d). Its inverse is
        # [[d, −b], [−c, a]] / (ad − bc), so for every point at once
        # (H + μI)⁻¹ g = ((d, a) ⊙ (gx, gy) − (b, c) ⊙ (gy, gx)) / (ad − bc).
        h = hess_fn(theta).reshape(*theta.shape[:-1], 4)
        if self.damping:
            h = h + self.damping * _FLAT_IDENTITY
        step = h[..., 3::-3] * g  # (d gx, a gy)
        step -= h[..., 1:3] * g[..., ::-1]  # (b gy, c gx)
        with np.errstate(divide="ignore", invalid="ignore"):  # singular: ±inf or NaN
            step /= (h[..., 0] * h[..., 3] - h[..., 1] * h[..., 2])[..., None]
        step *= self.lr
        return np.subtract(theta, step, out=step), CountState(state.count + 1)


_FLAT_IDENTITY = np.array([1.0, 0.0, 0.0, 1.0])


OPTIMIZERS: dict[str, type] = {
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "adagrad": AdaGrad,
    "rmsprop": RMSProp,
    "adam": Adam,
    "newton": Newton,
}


def make_optimizer(name: str, **hyperparameters: float):
    """Build an optimizer by name, e.g. make_optimizer("momentum", lr=0.1, momentum=0.9)."""
    try:
        cls = OPTIMIZERS[name]
    except KeyError:
        raise ValueError(f"optimizer={name!r} is not one of {sorted(OPTIMIZERS)}") from None
    return cls(**hyperparameters)
