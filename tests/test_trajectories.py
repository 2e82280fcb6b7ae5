"""Trajectories: vectorized particles, divergence marking, recorded internals."""

import warnings

import numpy as np
import pytest

from engine.optimizers import SGD, AdaGrad, Adam, Momentum, Nesterov, Newton, RMSProp
from engine.trajectories import run, run_together
from tests.rosenbrock import rosen, rosen_grad, rosen_hess


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


# ------------------------------------------------- several optimizers side by side


def reference_run(opt, starts, *, grad_fn, loss_fn, steps, hess_fn=None, bounds=None):
    """The plainest loop: one optimizer, one step at a time, each new point checked and a
    bad particle frozen at once (θ, loss, ∇J and state kept from its last good step)."""
    theta = np.array(starts, dtype=float)
    state = opt.init(theta)
    extra = {"hess_fn": hess_fn} if getattr(opt, "needs_hessian", False) else {}

    def good(t, loss, grad):
        ok = np.isfinite(loss) & np.isfinite(t).all(axis=1) & np.isfinite(grad).all(axis=1)
        if bounds is not None:
            (x0, x1), (y0, y1) = bounds
            ok &= (t[:, 0] >= x0) & (t[:, 0] <= x1) & (t[:, 1] >= y0) & (t[:, 1] <= y1)
        return ok

    with np.errstate(all="ignore"):
        loss, grad = loss_fn(theta), grad_fn(theta)
        diverged_at = np.where(good(theta, loss, grad), -1, 0)
        loss = np.where(diverged_at == 0, 0.0, loss)
        grad = np.where(diverged_at[:, None] == 0, 0.0, grad)
        rows = [(theta, loss, grad, state)]
        for k in range(1, steps + 1):
            new_theta, new_state = opt.step(theta, grad_fn, state, **extra)
            new_loss, new_grad = loss_fn(new_theta), grad_fn(new_theta)
            diverged_at[(diverged_at < 0) & ~good(new_theta, new_loss, new_grad)] = k
            keep = diverged_at < 0
            theta = np.where(keep[:, None], new_theta, theta)
            loss = np.where(keep, new_loss, loss)
            grad = np.where(keep[:, None], new_grad, grad)
            state = type(state)(*(np.where(keep[:, None], new, old)
                                  if isinstance(new, np.ndarray) else new
                                  for new, old in zip(new_state, state, strict=True)))
            rows.append((theta, loss, grad, state))
    positions, losses, grads, states = zip(*rows, strict=True)
    grads = np.array(grads)
    internals = {name: np.array([getattr(s, name) for s in states])
                 for name, value in states[0]._asdict().items() if isinstance(value, np.ndarray)}
    return (np.array(positions), np.array(losses), np.sqrt((grads**2).sum(axis=-1)),
            diverged_at, internals)


def assert_same_as_reference(path, reference):
    positions, losses, grad_norms, diverged_at, internals = reference
    np.testing.assert_array_equal(path.diverged_at, diverged_at)
    np.testing.assert_array_equal(path.positions, positions)
    np.testing.assert_array_equal(path.losses, losses)
    np.testing.assert_array_equal(path.grad_norms, grad_norms)
    assert set(path.internals) == set(internals)
    for name, history in internals.items():
        np.testing.assert_array_equal(path.internals[name], history)


ROSENBROCK = {"grad_fn": rosen_grad, "loss_fn": rosen, "hess_fn": rosen_hess,
          "bounds": ((-6.0, 6.0), (-5.0, 7.0))}
ALL_SEVEN = [SGD(lr=1e-3), Momentum(lr=1e-3, momentum=0.9), Nesterov(lr=1e-3, momentum=0.9),
             AdaGrad(lr=0.5), RMSProp(lr=0.01), Adam(lr=0.05), Newton()]


def test_together_gives_each_optimizer_exactly_its_own_path():
    paths = run_together(ALL_SEVEN, np.array([[-1.2, 1.0]]), steps=300, **ROSENBROCK)
    assert len(paths) == 7
    for opt, path in zip(ALL_SEVEN, paths, strict=True):
        assert_same_as_reference(path, reference_run(opt, [[-1.2, 1.0]], steps=300, **ROSENBROCK))
        assert path.positions.shape == (301, 1, 2)


def test_together_with_divergence_and_many_particles():
    # α this large throws most particles out of the box at different steps
    opts = [SGD(lr=0.004), Momentum(lr=2e-3, momentum=0.95), Nesterov(lr=3e-3, momentum=0.9),
            Adam(lr=0.5), Newton(lr=1.5)]
    starts = np.array([[-1.2, 1.0], [1.5, 2.0], [0.0, 0.0], [-2.0, -1.0], [2.5, 4.0]])
    paths = run_together(opts, starts, steps=200, **ROSENBROCK)
    diverged = 0
    for opt, path in zip(opts, paths, strict=True):
        assert_same_as_reference(path, reference_run(opt, starts, steps=200, **ROSENBROCK))
        diverged += path.diverged.sum()
        assert np.all(np.isfinite(path.positions)) and np.all(np.isfinite(path.losses))
    assert 5 <= diverged < 25  # some, not all


def test_together_out_of_bounds_lanes_freeze_while_the_others_go_on():
    opts = [SGD(lr=2.5), SGD(lr=0.1), AdaGrad(lr=0.1)]
    paths = run_together(opts, np.array([[1.0, 0.0]]), grad_fn=bowl_grad, loss_fn=bowl,
                         steps=40, bounds=((-10, 10), (-10, 10)))
    # θ ← −1.5 θ leaves |x| ≤ 10 at step 6; the other two never leave
    assert [int(p.diverged_at[0]) for p in paths] == [6, -1, -1]
    np.testing.assert_array_equal(paths[0].positions[5:, 0], [[-(1.5**5), 0.0]] * 36)
    np.testing.assert_allclose(paths[1].positions[:, 0, 0], 0.9 ** np.arange(41))
    for opt, path in zip(opts, paths, strict=True):
        assert_same_as_reference(path, reference_run(
            opt, [[1.0, 0.0]], grad_fn=bowl_grad, loss_fn=bowl, steps=40,
            bounds=((-10, 10), (-10, 10))))


def test_together_newton_with_a_singular_hessian():
    # f = x³ + y²: H = diag(6x, 2) is singular on the line x = 0
    def f(p):
        return p[..., 0] ** 3 + p[..., 1] ** 2

    def grad(p):
        return np.stack([3 * p[..., 0] ** 2, 2 * p[..., 1]], axis=-1)

    def hess(p):
        h = np.zeros((*p.shape[:-1], 2, 2))
        h[..., 0, 0] = 6 * p[..., 0]
        h[..., 1, 1] = 2.0
        return h

    opts = [Newton(), SGD(lr=0.1), Newton(damping=1.0)]
    starts = np.array([[0.0, 1.0], [1.0, 1.0]])
    paths = run_together(opts, starts, grad_fn=grad, loss_fn=f, hess_fn=hess, steps=5)
    assert paths[0].diverged_at.tolist() == [1, -1]  # 0/0 at x = 0; x halves elsewhere
    np.testing.assert_array_equal(paths[0].positions[:, 0], [[0.0, 1.0]] * 6)
    np.testing.assert_allclose(paths[0].positions[:, 1, 0], 0.5 ** np.arange(6))
    assert not paths[2].diverged.any()  # damping makes H + μI invertible
    for opt, path in zip(opts, paths, strict=True):
        assert_same_as_reference(path, reference_run(opt, starts, grad_fn=grad, loss_fn=f,
                                                     hess_fn=hess, steps=5))


def test_together_nesterov_takes_its_gradient_at_the_look_ahead_point():
    asked = []

    def grad(p):
        asked.append(p.copy())
        return bowl_grad(p)

    nesterov = Nesterov(lr=0.1, momentum=0.9)
    paths = run_together([Momentum(lr=0.1, momentum=0.9), nesterov], np.array([[1.0, -2.0]]),
                         grad_fn=grad, loss_fn=bowl, steps=3)
    assert len(asked) == 4  # one evaluation per step, for both optimizers together
    nest = paths[1]
    for k in range(3):
        # rows: momentum's θ, Nesterov's θ, Nesterov's look-ahead θ + λv
        look_ahead = nest.positions[k, 0] + 0.9 * nest.internals["v"][k, 0]
        np.testing.assert_array_equal(asked[k], [paths[0].positions[k, 0],
                                                 nest.positions[k, 0], look_ahead])
    # and the recorded gradient is the one at θ, not at the look-ahead point
    np.testing.assert_array_equal(nest.grad_norms[:, 0], np.linalg.norm(nest.positions[:, 0],
                                                                        axis=-1))
    assert_same_as_reference(nest, reference_run(nesterov, [[1.0, -2.0]], grad_fn=bowl_grad,
                                                 loss_fn=bowl, steps=3))


def test_together_bad_start_and_everyone_stopping_early():
    def cone(p):
        return np.sqrt(np.sum(p * p, axis=-1))

    def cone_grad(p):
        return p / cone(p)[..., None]  # 0/0 at the tip

    opts = [SGD(lr=10.0), Adam(lr=0.1)]
    starts = np.array([[0.0, 0.0], [1.0, 1.0]])
    paths = run_together(opts, starts, grad_fn=cone_grad, loss_fn=cone, steps=100,
                         bounds=((-2, 2), (-2, 2)))
    assert paths[0].diverged_at.tolist() == [0, 1]
    for path in paths:
        assert path.positions.shape == (101, 2, 2)
        assert np.all(np.isfinite(path.losses)) and np.all(np.isfinite(path.grad_norms))
        assert np.all(path.losses[:, 0] == 0) and np.all(path.grad_norms[:, 0] == 0)
    for opt, path in zip(opts, paths, strict=True):
        assert_same_as_reference(path, reference_run(opt, starts, grad_fn=cone_grad,
                                                     loss_fn=cone, steps=100,
                                                     bounds=((-2, 2), (-2, 2))))


def test_together_checks_its_arguments():
    assert run_together([], np.zeros((1, 2)), grad_fn=bowl_grad, loss_fn=bowl, steps=3) == []
    with pytest.raises(ValueError, match="hess_fn"):
        run_together([SGD(lr=0.1), Newton()], np.zeros((1, 2)), grad_fn=bowl_grad,
                     loss_fn=bowl, steps=1)
    with pytest.raises(ValueError, match="shape"):
        run_together([SGD(lr=0.1)], np.zeros(3), grad_fn=bowl_grad, loss_fn=bowl, steps=1)
    with pytest.raises(ValueError, match="1 states for 2 optimizers"):
        run_together([SGD(lr=0.1), SGD(lr=0.2)], np.zeros((1, 2)), grad_fn=bowl_grad,
                     loss_fn=bowl, steps=1, states=[SGD(lr=0.1).init(np.zeros((1, 2)))])
