"""Hyperparameters that broadcast: one optimizer object steps N particles, each with its
own α (and λ, ρ, β₁, δ, μ), exactly as N separate optimizers do, to the bit."""

import numpy as np
import pytest

from engine.optimizers import SGD, AdaGrad, Adam, Momentum, Nesterov, Newton, RMSProp
from engine.race import run_race
from engine.trajectories import run
from surfaces import SURFACES

N = 6
LR = np.array([0.001, 0.003, 0.01, 0.03, 0.1, 0.3])


def grad_fn(theta):  # ∇J of J = ½(x² + 10 y²) + 0.1·x⁴, separable and curved
    return np.stack([theta[..., 0] + 0.4 * theta[..., 0] ** 3, 10 * theta[..., 1]], axis=-1)


def hess_fn(theta):
    h = np.zeros((*theta.shape[:-1], 2, 2))
    h[..., 0, 0] = 1 + 1.2 * theta[..., 0] ** 2
    h[..., 1, 1] = 10.0
    return h


CASES = [
    (SGD, {"lr": LR}),
    (Momentum, {"lr": LR, "momentum": np.linspace(0.0, 0.95, N)}),
    (Nesterov, {"lr": LR, "momentum": np.linspace(0.5, 0.99, N)}),
    (AdaGrad, {"lr": LR, "eps": np.geomspace(1e-8, 1e-2, N)}),
    (RMSProp, {"lr": LR, "rho": np.linspace(0.0, 0.999, N), "eps": np.full(N, 1e-7)}),
    (Adam, {"lr": LR, "beta1": np.linspace(0.0, 0.99, N), "beta2": np.full(N, 0.999)}),
    (Newton, {"lr": np.linspace(0.25, 1.5, N), "damping": np.linspace(0.0, 5.0, N)}),
]


@pytest.mark.parametrize(("cls", "hyper"), CASES, ids=[c.__name__ for c, _ in CASES])
def test_one_optimizer_with_arrays_equals_n_optimizers_to_the_bit(cls, hyper):
    starts = np.tile([[1.5, -0.8]], (N, 1))
    together = cls(**{k: v[:, None] for k, v in hyper.items()})
    extra = {"hess_fn": hess_fn} if cls is Newton else {}
    theta, state = starts, together.init(starts)
    for _ in range(50):
        theta, state = together.step(theta, grad_fn, state, **extra)
    for i in range(N):
        alone = cls(**{k: float(v[i]) for k, v in hyper.items()})
        t, s = starts[i:i + 1], alone.init(starts[i:i + 1])
        for _ in range(50):
            t, s = alone.step(t, grad_fn, s, **extra)
        assert np.array_equal(theta[i], t[0]), (cls.__name__, i, theta[i], t[0])


def test_a_race_runs_a_whole_sweep_of_alphas_on_a_surface():
    valley = SURFACES["valley"]  # curvature 25 across: SGD diverges for α > 2/25
    lrs = np.array([0.01, 0.05, 0.079, 0.081, 0.2])
    starts = np.tile(valley.start, (len(lrs), 1))
    sweep = run(SGD(lr=lrs[:, None]), starts, grad_fn=valley.grad, loss_fn=valley.f,
                steps=400, bounds=((-1e3, 1e3), (-1e3, 1e3)))
    assert list(sweep.diverged) == [False, False, False, True, True]
    for i, lr in enumerate(lrs):
        (lane,) = run_race(valley, {"sgd": SGD(lr=float(lr))}, valley.start, 400)
        n = lane.last_step + 1
        assert np.array_equal(sweep.positions[:n, i], lane.positions[:n]) or lane.diverged_at


@pytest.mark.parametrize(("make", "message"), [
    (lambda: Momentum(lr=np.array([0.1, -0.2, 0.3]), momentum=0.9), r"lr\[1\]=-0.2"),
    (lambda: Momentum(lr=0.1, momentum=np.array([[0.5], [1.0]])), r"momentum\[1, 0\]=1.0"),
    (lambda: RMSProp(lr=np.array([0.1, np.nan])), r"lr\[1\]=nan"),
    (lambda: SGD(lr=np.array([], dtype=float)), "lr is an array"),
    (lambda: SGD(lr=np.array(["0.1"])), "lr is an array"),
])
def test_a_bad_element_is_named(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_scalars_still_work_as_before():
    opt = Momentum(lr=0.1, momentum=0.9)
    theta, _ = opt.step(np.array([1.0, 2.0]), lambda t: t, opt.init(np.array([1.0, 2.0])))
    np.testing.assert_allclose(theta, [0.9, 1.8])
