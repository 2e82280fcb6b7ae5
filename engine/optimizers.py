"""Gradient-based optimizers in the course text's notation, and their registry.

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

Longer than 300 lines because the seven optimizers stay side by side, each a small class,
to read like the course text's sequence of update rules.

`OPTIMIZERS` is the one registry of optimizers: each class also carries its label,
its colour, line style and head symbol in every chart, its default settings on each
page, and its update rule in LaTeX (`rule_latex`); its hyperparameters' symbols, ranges
and slider stops are in engine.hyperparameters.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import ClassVar, NamedTuple

import numpy as np

from engine.hyperparameters import HYPERPARAMETERS, rule_latex

GradFn = Callable[[np.ndarray], np.ndarray]


class _Hyper:
    """What every optimizer shares: validation of its hyperparameters at construction
    (each checked against its range in engine.hyperparameters), and the registry's
    entries, which every subclass fills in."""

    label: ClassVar[str]  # as the app names it
    color: ClassVar[str]  # its colour in every chart (tests/test_palette.py measures them)
    dash: ClassVar[str]  # its line style: paths can be told apart in grey-scale too
    symbol: ClassVar[str]  # the marker of its head on the race map, also for grey-scale
    rule: ClassVar[tuple[str, ...]]  # its update rule in LaTeX lines, hyperparameters as <name>
    defaults: ClassVar[dict[str, dict[str, float]]]  # per page: "playground", "lab"

    def __post_init__(self) -> None:
        for f in fields(self):  # type: ignore[arg-type]
            HYPERPARAMETERS[f.name].check(f.name, getattr(self, f.name))

    @classmethod
    def hyperparameter_names(cls) -> tuple[str, ...]:
        """Its hyperparameters, in the order the course text introduces them."""
        return tuple(f.name for f in fields(cls))  # type: ignore[arg-type]

    @classmethod
    def rule_latex(cls, values: Mapping[str, float] | None = None) -> str:
        """The update rule in the course text's symbols, or with `values` filled in."""
        return rule_latex(cls.rule, values)


_FLOAT64 = np.dtype(np.float64)


def _as_float(theta: np.ndarray) -> np.ndarray:
    if type(theta) is np.ndarray and theta.dtype is _FLOAT64:
        return theta  # the usual case, and a quick one: this runs at every step
    return np.asarray(theta, dtype=np.float64)


# ---------------------------------------------------------------- SGD


class CountState(NamedTuple):
    """State of optimizers that remember nothing but how many steps they took."""

    count: int  # type: ignore[assignment]  # shadows tuple.count, on purpose


@dataclass(frozen=True, kw_only=True)
class SGD(_Hyper):
    r"""Stochastic gradient descent.

    θ(k) = θ(k−1) − α ∇J(θ(k−1))
    """

    lr: float
    label: ClassVar = "SGD"
    color: ClassVar = "#111111"
    dash: ClassVar = "solid"
    symbol: ClassVar = "circle"
    rule: ClassVar = (r"\theta(k) &= \theta(k-1) - <lr>\,\nabla J(\theta(k-1))",)
    defaults: ClassVar = {"playground": {"lr": 0.05}, "lab": {"lr": 0.1}}

    def init(self, theta: np.ndarray) -> CountState:
        return CountState(count=0)

    def step(self, theta: np.ndarray, grad_fn: GradFn, state: CountState):
        theta = _as_float(theta)
        new_theta = grad_fn(theta) * self.lr  # α g, then θ − α g in place
        return np.subtract(theta, new_theta, out=new_theta), CountState(state.count + 1)


# ---------------------------------------------------------------- momentum


class MomentumState(NamedTuple):
    count: int  # type: ignore[assignment]  # shadows tuple.count, on purpose
    v: np.ndarray  # velocity of the particle (it has unit mass)


@dataclass(frozen=True, kw_only=True)
class Momentum(_Hyper):
    r"""Gradient descent with momentum.

    v(k) = λ v(k−1) − α ∇J(θ(k−1))
    θ(k) = θ(k−1) + v(k)
    """

    lr: float
    momentum: float
    label: ClassVar = "Momentum"
    color: ClassVar = "#ffaa00"
    dash: ClassVar = "solid"
    symbol: ClassVar = "triangle-down"
    rule: ClassVar = (r"\mathbf{v}(k) &= <momentum>\,\mathbf{v}(k-1) - <lr>\,\nabla J(\theta(k-1))",
                      r"\theta(k) &= \theta(k-1) + \mathbf{v}(k)")
    defaults: ClassVar = {"playground": {"lr": 0.02, "momentum": 0.9},
                          "lab": {"lr": 0.05, "momentum": 0.9}}

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
    label: ClassVar = "Nesterov"
    color: ClassVar = "#cc4400"
    dash: ClassVar = "dash"
    symbol: ClassVar = "pentagon"
    rule: ClassVar = (r"\mathbf{v}(k) &= <momentum>\,\mathbf{v}(k-1) - <lr>\,"
                      r"\nabla J(\theta(k-1) + <momentum>\,\mathbf{v}(k-1))",
                      r"\theta(k) &= \theta(k-1) + \mathbf{v}(k)")
    defaults: ClassVar = {"playground": {"lr": 0.02, "momentum": 0.9},
                          "lab": {"lr": 0.05, "momentum": 0.9}}

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

# AdaGrad's and RMSProp's shared update θ(k) = θ(k−1) − α/(δ + √r) ⊙ g
_SCALED_STEP = r"\theta(k) &= \theta(k-1) - \frac{<lr>}{<eps> + \sqrt{\mathbf{r}}} \odot \mathbf{g}"


class AccumulatorState(NamedTuple):
    count: int  # type: ignore[assignment]  # shadows tuple.count, on purpose
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
    label: ClassVar = "AdaGrad"
    color: ClassVar = "#9955ff"
    dash: ClassVar = "solid"
    symbol: ClassVar = "hourglass"
    rule: ClassVar = (r"\mathbf{r} &= \mathbf{r} + \mathbf{g}^2", _SCALED_STEP)
    defaults: ClassVar = {"playground": {"lr": 0.3, "eps": 1e-7}, "lab": {"lr": 0.1, "eps": 1e-7}}

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
    label: ClassVar = "RMSProp"
    color: ClassVar = "#77c4ff"
    dash: ClassVar = "dash"
    symbol: ClassVar = "bowtie"
    rule: ClassVar = (r"\mathbf{r} &= <rho>\,\mathbf{r} + (1 - <rho>)\,\mathbf{g}^2", _SCALED_STEP)
    defaults: ClassVar = {"playground": {"lr": 0.03, "rho": 0.9, "eps": 1e-7},
                          "lab": {"lr": 0.005, "rho": 0.9, "eps": 1e-7}}

    def init(self, theta: np.ndarray) -> AccumulatorState:
        return AccumulatorState(count=0, r=np.zeros_like(_as_float(theta)))

    def step(self, theta: np.ndarray, grad_fn: GradFn, state: AccumulatorState):
        theta = _as_float(theta)
        g = grad_fn(theta)
        r = self.rho * state.r
        r += (1.0 - self.rho) * (g * g)
        return _adaptive_step(theta, g, self.lr, self.eps, r), AccumulatorState(state.count + 1, r)


class AdamState(NamedTuple):
    count: int  # type: ignore[assignment]  # shadows tuple.count, on purpose
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
    label: ClassVar = "Adam"
    color: ClassVar = "#ffa6d2"
    dash: ClassVar = "dot"
    symbol: ClassVar = "hexagram"
    rule: ClassVar = (r"\mathbf{s} &= <beta1>\,\mathbf{s} + (1-<beta1>)\,\mathbf{g}",
                      r"\mathbf{r} &= <beta2>\,\mathbf{r} + (1-<beta2>)\,\mathbf{g}^2",
                      r"\theta(k) &= \theta(k-1) - <lr>\,\frac{\mathbf{s}/(1-<beta1>^t)}"
                      r"{<eps> + \sqrt{\mathbf{r}/(1-<beta2>^t)}}")
    defaults: ClassVar = {"playground": {"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
                          "lab": {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}}

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
        new_theta = s / (1.0 - _power(self.beta1, t))  # ŝ
        new_theta *= self.lr
        root = r / (1.0 - _power(self.beta2, t))  # r̂
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
    minimum, a saddle or a maximum. That is the course text's warning about second
    order methods going "in the completely wrong direction". Where H + μI is
    singular the step is undefined and θ becomes non-finite.
    """

    lr: float = 1.0
    damping: float = 0.0
    label: ClassVar = "Newton"
    color: ClassVar = "#881144"
    dash: ClassVar = "dashdot"
    symbol: ClassVar = "star-square"
    rule: ClassVar = (r"\theta(k) &= \theta(k-1) - <lr>\,(\mathbf{H} + <damping>\,\mathbf{I})^{-1}"
                      r"\,\nabla J(\theta(k-1))",)
    defaults: ClassVar = {"playground": {"lr": 1.0, "damping": 0.0}}  # 2D only: not in the lab
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
        if isinstance(self.damping, np.ndarray) or self.damping:  # μ per particle, or one μ
            h = h + self.damping * _FLAT_IDENTITY
        step = h[..., 3::-3] * g  # (d gx, a gy)
        step -= h[..., 1:3] * g[..., ::-1]  # (b gy, c gx)
        with np.errstate(divide="ignore", invalid="ignore"):  # singular: ±inf or NaN
            step /= (h[..., 0] * h[..., 3] - h[..., 1] * h[..., 2])[..., None]
        step *= self.lr
        return np.subtract(theta, step, out=step), CountState(state.count + 1)


_FLAT_IDENTITY = np.array([1.0, 0.0, 0.0, 1.0])


def _power(base, t: int):
    """β^t as NumPy computes it for an array of β (Python's float ** int can differ in the
    last bit), so that one optimizer with an array of β steps exactly as separate
    optimizers with each β would. Scalars are looked up: this runs at every step."""
    if isinstance(base, np.ndarray):
        return np.power(base, t)
    return _scalar_power(float(base), t)


@functools.lru_cache(maxsize=4096)
def _scalar_power(base: float, t: int) -> float:
    return float(np.power(np.array([base]), t)[0])


OPTIMIZERS: dict[str, type[_Hyper]] = {  # in the order the app lists them
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
