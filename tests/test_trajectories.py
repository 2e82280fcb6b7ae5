"""Trajectories: vectorized particles, divergence marking, recorded internals."""

import warnings

import numpy as np
import pytest

from engine.optimizers import SGD, AdaGrad, Momentum, Nesterov, Newton
from engine.trajectories import run


def bowl(p):
    return 0.5 * np.sum(p * p, axis=-1)


def bowl_grad(p):
    return np.asarray(p, dtype=float)


def bowl_hess(p):
    return np.broadcast_to(np.eye(2), (*np.shape(p)[:-1], 2, 2))


def test_positions_and_losses_follow_the_optimizer():
    starts = np.array([[1.0, 2.0], [-3.0, 0.5]])
    traj = run(SGD(lr=0.1), starts, grad_fn=bowl_grad, loss_fn=bowl, steps=10)
    assert traj.positions.shape == (11, 2, 2) and traj.losses.shape == (11, 2)
    # on ½‖θ‖² plain SGD multiplies θ by (1 − α) each step
    expected = starts[None] * (0.9 ** np.arange(11))[:, None, None]
    np.testing.assert_allclose(traj.positions, expected)
    np.testing.assert_allclose(traj.losses, bowl(expected))
    np.testing.assert_allclose(traj.grad_norms, np.linalg.norm(expected, axis=-1))
    assert not traj.diverged.any()


def test_many_particles_equal_single_runs():
    rng = np.random.default_rng(0)
    starts = rng.uniform(-2, 2, (50, 2))
    opt = Nesterov(lr=0.05, momentum=0.9)
    many = run(opt, starts, grad_fn=bowl_grad, loss_fn=bowl, steps=30)
    for i in (0, 17, 49):
        one = run(opt, starts[i:i + 1], grad_fn=bowl_grad, loss_fn=bowl, steps=30)
        np.testing.assert_allclose(many.positions[:, i], one.positions[:, 0])


def test_divergent_particle_stops_at_its_last_finite_point():
    # α = 2.5 on ½‖θ‖²: θ ← −1.5 θ, |θ| grows by 1.5× per step and leaves |x| ≤ 10
    starts = np.array([[1.0, 0.0], [0.0, 0.0]])
    traj = run(SGD(lr=2.5), starts, grad_fn=bowl_grad, loss_fn=bowl, steps=20,
               bounds=((-10, 10), (-10, 10)))
    # 1.5^5 = 7.6 is inside, 1.5^6 = 11.4 is not: the particle diverges at step 6
    assert traj.diverged_at.tolist() == [6, -1]
    np.testing.assert_allclose(traj.positions[5:, 0], [[-(1.5**5), 0.0]] * 16)
    assert np.all(np.isfinite(traj.positions)) and np.all(np.isfinite(traj.losses))


def test_overflow_is_marked_without_warnings():
    def steep(p):
        return np.exp(p[..., 0] ** 4)

    def steep_grad(p):
        x = p[..., 0]
        return np.stack([4 * x**3 * np.exp(x**4), np.zeros_like(x)], axis=-1)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = run(Momentum(lr=0.5, momentum=0.9), np.array([[1.5, 0.0], [0.1, 0.0]]),
                   grad_fn=steep_grad, loss_fn=steep, steps=50)
    assert traj.diverged_at[0] > 0 and traj.diverged_at[1] == -1
    assert np.all(np.isfinite(traj.positions)) and np.all(np.isfinite(traj.losses))
    assert np.all(np.isfinite(traj.grad_norms))


def test_newton_needs_a_hessian_and_uses_it():
    with pytest.raises(ValueError, match="hess_fn"):
        run(Newton(), np.zeros((1, 2)), grad_fn=bowl_grad, loss_fn=bowl, steps=1)
    traj = run(Newton(), np.array([[3.0, -4.0]]), grad_fn=bowl_grad, loss_fn=bowl, steps=3,
               hess_fn=bowl_hess)
    np.testing.assert_allclose(traj.positions[1:], 0.0, atol=1e-15)


def test_a_singular_hessian_is_a_divergence():
    traj = run(Newton(), np.array([[1.0, 1.0]]), grad_fn=bowl_grad, loss_fn=bowl, steps=3,
               hess_fn=lambda p: np.zeros((*p.shape[:-1], 2, 2)))
    assert traj.diverged_at.tolist() == [1]
    np.testing.assert_array_equal(traj.positions[-1], [[1.0, 1.0]])


def test_internals_record_the_optimizer_state():
    traj = run(AdaGrad(lr=0.1), np.array([[1.0, 2.0]]), grad_fn=bowl_grad, loss_fn=bowl,
               steps=5)
    assert set(traj.internals) == {"r"}
    r = traj.internals["r"]
    assert r.shape == (6, 1, 2) and np.all(r[0] == 0)
    # r accumulates the squared gradient taken at the previous position
    np.testing.assert_allclose(np.diff(r, axis=0), traj.positions[:-1] ** 2)
    v = run(Momentum(lr=0.1, momentum=0.9), np.array([[1.0, 2.0]]), grad_fn=bowl_grad,
            loss_fn=bowl, steps=4).internals["v"]
    assert v.shape == (5, 1, 2)


def test_all_particles_diverged_fills_the_rest():
    traj = run(SGD(lr=10.0), np.array([[1.0, 1.0]]), grad_fn=bowl_grad, loss_fn=bowl,
               steps=100, bounds=((-5, 5), (-5, 5)))
    assert traj.diverged_at.tolist() == [1]
    assert np.all(traj.positions == traj.positions[0])


def test_bad_arguments():
    with pytest.raises(ValueError, match="shape"):
        run(SGD(lr=0.1), np.zeros((2, 3)), grad_fn=bowl_grad, loss_fn=bowl, steps=1)
    with pytest.raises(ValueError, match="steps=-1"):
        run(SGD(lr=0.1), np.zeros((2, 2)), grad_fn=bowl_grad, loss_fn=bowl, steps=-1)


def test_a_start_where_the_gradient_is_undefined_is_marked_at_step_0():
    def cone(p):
        return np.sqrt(np.sum(p * p, axis=-1))

    def cone_grad(p):
        return p / cone(p)[..., None]  # 0/0 at the tip

    traj = run(SGD(lr=0.1), np.array([[0.0, 0.0], [1.0, 0.0]]), grad_fn=cone_grad,
               loss_fn=cone, steps=3)
    assert traj.diverged_at.tolist() == [0, -1]
    assert np.all(np.isfinite(traj.grad_norms)) and np.all(np.isfinite(traj.losses))
