"""Optimizers: hand-derived single steps, purity, validation and convergence."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from engine.optimizers import (
    OPTIMIZERS,
    SGD,
    AdaGrad,
    Adam,
    Momentum,
    Nesterov,
    Newton,
    RMSProp,
    make_optimizer,
)
from tests.rosenbrock import rosen, rosen_grad, rosen_hess

# J(θ) = ½(θ₁² + 10 θ₂²): ∇J = (θ₁, 10 θ₂), H = diag(1, 10)
H = np.diag([1.0, 10.0])


def quad_grad(theta):
    return theta * np.array([1.0, 10.0])


def quad_hess(theta):
    return np.broadcast_to(H, (*np.shape(theta)[:-1], 2, 2))


def quad_loss(theta):
    return 0.5 * (theta[..., 0] ** 2 + 10 * theta[..., 1] ** 2)


THETA0 = np.array([1.0, -2.0])  # ∇J(θ₀) = (1, −20)


def two_steps(opt, theta=THETA0, grad_fn=quad_grad, **kw):
    state = opt.init(theta)
    theta1, state = opt.step(theta, grad_fn, state, **kw)
    theta2, state = opt.step(theta1, grad_fn, state, **kw)
    return theta1, theta2


# ---------------------------------------------------------- hand-derived steps


def test_sgd_one_step():
    theta1, theta2 = two_steps(SGD(lr=0.1))
    np.testing.assert_allclose(theta1, [0.9, 0.0])  # 1 − 0.1·1, −2 − 0.1·(−20)
    np.testing.assert_allclose(theta2, [0.81, 0.0])


def test_momentum_two_steps():
    theta1, theta2 = two_steps(Momentum(lr=0.1, momentum=0.9))
    # v₁ = −0.1·(1, −20) = (−0.1, 2);  θ₁ = (0.9, 0)
    np.testing.assert_allclose(theta1, [0.9, 0.0])
    # v₂ = 0.9·(−0.1, 2) − 0.1·(0.9, 0) = (−0.18, 1.8);  θ₂ = (0.72, 1.8)
    np.testing.assert_allclose(theta2, [0.72, 1.8])


def test_nesterov_two_steps():
    theta1, theta2 = two_steps(Nesterov(lr=0.1, momentum=0.9))
    np.testing.assert_allclose(theta1, [0.9, 0.0])  # v₀ = 0: the look-ahead is θ₀ itself
    # look-ahead θ₁ + λv₁ = (0.9 − 0.09, 0 + 1.8) = (0.81, 1.8), ∇J there = (0.81, 18)
    # v₂ = (−0.09 − 0.081, 1.8 − 1.8) = (−0.171, 0);  θ₂ = (0.729, 0)
    np.testing.assert_allclose(theta2, [0.729, 0.0], atol=1e-15)


def test_adagrad_two_steps():
    delta = 1e-7
    theta1, theta2 = two_steps(AdaGrad(lr=0.1))
    # r = (1, 400); θ₁ = θ₀ − 0.1/(δ + (1, 20)) ⊙ (1, −20)
    expected1 = [1 - 0.1 / (delta + 1), -2 + 0.1 * 20 / (delta + 20)]
    np.testing.assert_allclose(theta1, expected1, rtol=1e-14)
    g = np.array([expected1[0], 10 * expected1[1]])
    r = np.array([1.0, 400.0]) + g**2
    np.testing.assert_allclose(theta2, expected1 - 0.1 / (delta + np.sqrt(r)) * g, rtol=1e-14)


def test_rmsprop_one_step():
    delta = 1e-7
    theta1, _ = two_steps(RMSProp(lr=0.1, rho=0.9))
    # r = 0.9·0 + 0.1·(1, 400) = (0.1, 40)
    expected = [1 - 0.1 / (delta + math.sqrt(0.1)), -2 + 0.1 * 20 / (delta + math.sqrt(40))]
    np.testing.assert_allclose(theta1, expected, rtol=1e-14)


def test_adam_first_step_is_a_signed_step_of_size_alpha():
    eps = 1e-8
    theta1, theta2 = two_steps(Adam(lr=0.1))
    # bias correction makes ŝ = g and r̂ = g² on the first step
    np.testing.assert_allclose(theta1, [1 - 0.1 * 1 / (1 + eps), -2 + 0.1 * 20 / (20 + eps)])
    g1, g2 = np.array([1.0, -20.0]), quad_grad(theta1)
    s = 0.9 * 0.1 * g1 + 0.1 * g2
    r = 0.999 * 0.001 * g1**2 + 0.001 * g2**2
    s_hat, r_hat = s / (1 - 0.9**2), r / (1 - 0.999**2)
    np.testing.assert_allclose(theta2, theta1 - 0.1 * s_hat / (eps + np.sqrt(r_hat)), rtol=1e-13)


def test_newton_lands_on_the_minimum_of_a_quadratic_in_one_step():
    theta1, _ = two_steps(Newton(), hess_fn=quad_hess)
    np.testing.assert_allclose(theta1, [0.0, 0.0], atol=1e-15)


def test_newton_damping():
    # (H + I)⁻¹ (1, −20) = (1/2, −20/11)
    theta1, _ = two_steps(Newton(lr=1.0, damping=1.0), hess_fn=quad_hess)
    np.testing.assert_allclose(theta1, [0.5, -2 + 20 / 11])


@pytest.mark.parametrize("sign", [(1.0, -1.0), (-1.0, -1.0)], ids=["saddle", "maximum"])
def test_newton_jumps_to_saddles_and_maxima(sign):
    # J = s₁x² + s₂y²: its only critical point, the origin, is a saddle or a maximum
    s = np.array(sign)
    theta, _ = two_steps(Newton(), theta=np.array([[0.7, -1.3], [2.0, 0.5]]),
                         grad_fn=lambda t: 2 * s * t,
                         hess_fn=lambda t: np.broadcast_to(np.diag(2 * s), (*t.shape[:-1], 2, 2)))
    np.testing.assert_allclose(theta, 0.0, atol=1e-15)


def test_newton_singular_hessian_gives_non_finite_without_warning():
    opt = Newton()
    with np.errstate(all="raise"):
        theta, _ = opt.step(np.array([1.0, 1.0]), lambda t: np.array([1.0, 1.0]),
                            opt.init(np.zeros(2)), hess_fn=lambda t: np.zeros((2, 2)))
    assert not np.all(np.isfinite(theta))


def test_newton_rejects_non_2d_points():
    with pytest.raises(ValueError, match="2D"):
        Newton().step(np.zeros(3), quad_grad, Newton().init(np.zeros(3)), hess_fn=quad_hess)


# ---------------------------------------------------------- Nesterov looks ahead


def test_nesterov_evaluates_the_gradient_at_the_look_ahead_point():
    calls = []

    def spy(theta):
        calls.append(theta.copy())
        return quad_grad(theta)

    opt = Nesterov(lr=0.05, momentum=0.8)
    theta, state = THETA0, opt.init(THETA0)
    for _ in range(4):
        expected_at = theta + 0.8 * state.v
        theta, state = opt.step(theta, spy, state)
        np.testing.assert_array_equal(calls[-1], expected_at)
    assert len(calls) == 4
    assert not np.allclose(calls[-1], theta)  # it really is a different point


# ---------------------------------------------------------- shared contract

ALL = [
    SGD(lr=0.05), Momentum(lr=0.05, momentum=0.9), Nesterov(lr=0.05, momentum=0.9),
    AdaGrad(lr=0.5), RMSProp(lr=0.05), Adam(lr=0.05),
]


@pytest.mark.parametrize("opt", ALL, ids=lambda o: type(o).__name__)
def test_step_is_pure(opt):
    theta = np.array([[1.0, -2.0], [0.3, 0.4]])
    state = opt.init(theta)
    _, state = opt.step(theta, quad_grad, state)  # non-zero history
    theta_before = theta.copy()
    arrays_before = [np.copy(v) for v in state]
    new_theta, new_state = opt.step(theta, quad_grad, state)
    np.testing.assert_array_equal(theta, theta_before)
    for before, after in zip(arrays_before, state, strict=True):
        np.testing.assert_array_equal(before, after)
    assert new_theta is not theta and new_state is not state
    for field in new_state:
        if isinstance(field, np.ndarray):
            assert not any(field is old for old in state)


@pytest.mark.parametrize("opt", [*ALL, Newton()], ids=lambda o: type(o).__name__)
def test_particles_move_independently(opt):
    """An (N, 2) batch gives exactly what N separate runs give."""
    starts = np.array([[1.0, -2.0], [-0.5, 0.1], [3.0, 3.0]])
    kw = {"hess_fn": quad_hess} if isinstance(opt, Newton) else {}
    theta, state = starts, opt.init(starts)
    for _ in range(5):
        theta, state = opt.step(theta, quad_grad, state, **kw)
    for i, start in enumerate(starts):
        single, s = start, opt.init(start)
        for _ in range(5):
            single, s = opt.step(single, quad_grad, s, **kw)
        np.testing.assert_allclose(theta[i], single, rtol=1e-15, atol=1e-300)


@pytest.mark.parametrize("opt", ALL, ids=lambda o: type(o).__name__)
def test_works_on_a_flat_parameter_vector(opt):
    target = np.linspace(-1, 1, 7)
    theta = np.zeros(7)
    state = opt.init(theta)
    for _ in range(300):
        theta, state = opt.step(theta, lambda t: t - target, state)
    np.testing.assert_allclose(theta, target, atol=0.05)


OPTIMIZER_SETTINGS = {  # a learning rate that suits each on the quadratic
    "sgd": {"lr": 0.15}, "momentum": {"lr": 0.05, "momentum": 0.8},
    "nesterov": {"lr": 0.05, "momentum": 0.8}, "adagrad": {"lr": 1.0},
    "rmsprop": {"lr": 0.05}, "adam": {"lr": 0.1}, "newton": {"lr": 1.0},
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_every_optimizer_minimises_a_quadratic(name):
    opt = make_optimizer(name, **OPTIMIZER_SETTINGS[name])
    kw = {"hess_fn": quad_hess} if name == "newton" else {}
    theta, state = THETA0, opt.init(THETA0)
    losses = [quad_loss(theta)]
    for _ in range(400):
        theta, state = opt.step(theta, quad_grad, state, **kw)
        losses.append(quad_loss(theta))
    assert losses[-1] < 1e-3 * losses[0]
    assert np.linalg.norm(theta) < 0.05


ROSENBROCK_SETTINGS = {
    "sgd": {"lr": 1e-3}, "momentum": {"lr": 2e-4, "momentum": 0.9},
    "nesterov": {"lr": 2e-4, "momentum": 0.9}, "adagrad": {"lr": 0.5},
    "rmsprop": {"lr": 1e-3}, "adam": {"lr": 0.02}, "newton": {"lr": 1.0},
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_every_optimizer_makes_progress_on_rosenbrock(name):
    opt = make_optimizer(name, **ROSENBROCK_SETTINGS[name])
    kw = {"hess_fn": rosen_hess} if name == "newton" else {}
    theta = np.array([-1.2, 1.0])
    state = opt.init(theta)
    for _ in range(3000):
        theta, state = opt.step(theta, rosen_grad, state, **kw)
    assert np.all(np.isfinite(theta))
    assert rosen(theta) < 0.05  # from 24.2 at the start
    assert theta[0] > 0  # it has gone round the bend of the banana


# ---------------------------------------------------------- validation


@pytest.mark.parametrize(("cls", "kwargs", "bad"), [
    (SGD, {"lr": -0.1}, "lr=-0.1"),
    (SGD, {"lr": 0}, "lr=0"),
    (SGD, {"lr": float("nan")}, "lr=nan"),
    (SGD, {"lr": float("inf")}, "lr=inf"),
    (SGD, {"lr": "0.1"}, "lr='0.1'"),
    (SGD, {"lr": True}, "lr=True"),
    (Momentum, {"lr": 0.1, "momentum": 1.0}, "momentum=1.0"),
    (Momentum, {"lr": 0.1, "momentum": -0.5}, "momentum=-0.5"),
    (Nesterov, {"lr": 0.1, "momentum": 1.5}, "momentum=1.5"),
    (AdaGrad, {"lr": 0.1, "eps": 0.0}, "eps=0.0"),
    (RMSProp, {"lr": 0.1, "rho": 1.0}, "rho=1.0"),
    (Adam, {"lr": 0.1, "beta1": 1.0}, "beta1=1.0"),
    (Adam, {"lr": 0.1, "beta2": -0.1}, "beta2=-0.1"),
    (Adam, {"lr": 0.1, "eps": -1e-8}, "eps=-1e-08"),
    (Newton, {"damping": -1.0}, "damping=-1.0"),
])
def test_bad_hyperparameters_are_named(cls, kwargs, bad):
    with pytest.raises(ValueError, match=bad.replace("(", r"\(").replace("+", r"\+")):
        cls(**kwargs)


def test_hyperparameters_are_keyword_only_and_frozen():
    with pytest.raises(TypeError):
        SGD(0.1)
    opt = Momentum(lr=0.1, momentum=0.9)
    with pytest.raises(AttributeError):
        opt.lr = 1.0


def test_defaults_match_the_seed():
    assert AdaGrad(lr=0.01).eps == 1e-7
    assert (RMSProp(lr=0.01).rho, RMSProp(lr=0.01).eps) == (0.9, 1e-7)
    assert (Adam(lr=0.01).beta1, Adam(lr=0.01).beta2, Adam(lr=0.01).eps) == (0.9, 0.999, 1e-8)


def test_make_optimizer_rejects_unknown_names():
    with pytest.raises(ValueError, match="'lbfgs'"):
        make_optimizer("lbfgs", lr=0.1)


@pytest.mark.parametrize("cls", list(OPTIMIZERS.values()), ids=lambda c: c.__name__)
def test_docstring_shows_the_update_rule(cls):
    assert "θ(k)" in cls.__doc__


# ---------------------------------------------------------- elementwise property


@settings(max_examples=60, deadline=None)
@given(theta=arrays(np.float64, st.integers(2, 12), elements=st.floats(-3, 3)),
       seed=st.integers(0, 2**32 - 1), name=st.sampled_from(sorted(set(OPTIMIZERS) - {"newton"})))
def test_updates_are_elementwise(theta, seed, name):
    """Permuting the parameters permutes the result: nothing mixes across entries."""
    opt = make_optimizer(name, **OPTIMIZER_SETTINGS[name])
    perm = np.random.default_rng(seed).permutation(theta.size)

    def grad_fn(t):  # separable: entry i of ∇J depends on θ_i only
        return t + 0.3 * t**3

    def three_steps(t):
        state = opt.init(t)
        for _ in range(3):
            t, state = opt.step(t, grad_fn, state)
        return t

    np.testing.assert_allclose(three_steps(theta[perm]), three_steps(theta)[perm], rtol=1e-12)
