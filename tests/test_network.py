"""The MLP: flat parameters, backpropagation against finite differences, dropout, penalties."""

import numpy as np
import pytest

from engine.activations import ACTIVATIONS
from engine.losses import one_hot, softmax
from engine.network import MLP


def data(rows=12, features=3, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(rows, features)), rng.integers(0, classes, rows)


def numeric_grad(net, X, y, h=1e-6, **kw):
    theta0 = net.params.copy()
    out = np.zeros_like(theta0)
    for i in range(theta0.size):
        for sign in (1, -1):
            theta = theta0.copy()
            theta[i] += sign * h
            net.params = theta
            out[i] += sign * net.loss_and_grad(X, y, **kw)[0] / (2 * h)
    net.params = theta0
    return out


def test_parameters_are_one_flat_vector_and_layers_are_views():
    net = MLP([2, 4, 3], seed=0)
    assert net.params.dtype == np.float64 and net.params.ndim == 1
    assert net.params.size == 2 * 4 + 4 + 4 * 3 + 3
    assert [layer.W.shape for layer in net.layers] == [(2, 4), (4, 3)]
    for layer in net.layers:
        assert np.shares_memory(layer.W, net.params) and np.shares_memory(layer.b, net.params)
    net.params = np.arange(net.params.size, dtype=float)  # assignment keeps the views
    np.testing.assert_array_equal(net.layers[0].W.ravel(), np.arange(8))
    np.testing.assert_array_equal(net.layers[1].b, [24, 25, 26])
    net.params[0] = -1.0
    assert net.layers[0].W[0, 0] == -1.0
    with pytest.raises(ValueError, match="shape"):
        net.params = np.zeros(3)


def test_forward_matches_a_hand_written_network():
    net = MLP([3, 5, 4, 3], activation="tanh", seed=1)
    X, _ = data()
    W1, b1, W2, b2, W3, b3 = (a for layer in net.layers for a in (layer.W, layer.b))
    c = np.tanh(np.tanh(X @ W1 + b1) @ W2 + b2) @ W3 + b3
    np.testing.assert_allclose(net.scores(X), c)
    np.testing.assert_allclose(net.predict_proba(X), softmax(c))
    np.testing.assert_array_equal(net.predict(X), np.argmax(c, axis=1))


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
def test_backprop_matches_finite_differences(activation, loss):
    net = MLP([3, 6, 5, 3], activation=activation, loss=loss, seed=2)
    net.params = net.params + np.random.default_rng(9).normal(0, 0.1, net.params.size)
    X, y = data()
    _, grad = net.loss_and_grad(X, y)
    np.testing.assert_allclose(grad, numeric_grad(net, X, y), rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
def test_gradient_alone_equals_backprops(activation, loss):
    # Training asks for ∂J/∂θ without J: the same numbers, dropout and penalty included
    net = MLP([3, 6, 5, 3], activation=activation, loss=loss, dropout=0.3, seed=3)
    X, y = data()
    kw = {"l1": 0.2, "l2": 0.1, "training": True}
    expected = net.backprop(X, y, rng=np.random.default_rng(5), **kw).grad
    out = np.full_like(net.params, np.nan)
    grad = net.gradient(X, y, rng=np.random.default_rng(5), out=out, **kw)
    assert grad is out
    np.testing.assert_allclose(grad, expected, rtol=1e-12, atol=1e-15)


def test_backprop_through_a_given_forward_pass_is_backprop():
    # the gradients page hands backprop a forward pass it already has
    net = MLP([3, 6, 5, 3], activation="sigmoid", seed=4)
    X, y = data()
    forward = net._forward(X, training=False, rng=None)
    given, own = net.backprop(X, y, forward=forward), net.backprop(X, y)
    np.testing.assert_array_equal(given.grad, own.grad)
    assert given.loss == own.loss
    # and it really is that pass that is used
    other = net._forward(X + 1.0, training=False, rng=None)
    assert not np.array_equal(net.backprop(X, y, forward=other).grad, own.grad)


def test_gradient_buffers_can_change_between_calls():
    # the network keeps views into the last buffer it wrote; a new buffer gets its own
    net = MLP([3, 4, 2], seed=6)
    X, y = data(classes=2)
    expected = net.backprop(X, y).grad
    first, second = np.zeros_like(net.params), np.zeros_like(net.params)
    for out in (first, second, first, None):
        np.testing.assert_array_equal(net.gradient(X, y, out=out), expected)
    np.testing.assert_array_equal(second, expected)
    twin = net.copy()  # made while the network keeps views into `first`
    twin.params = twin.params * 2
    np.testing.assert_array_equal(twin.gradient(X, y, out=first), twin.backprop(X, y).grad)
    np.testing.assert_array_equal(net.gradient(X, y, out=first), expected)
    for bad in (np.zeros(net.params.size, np.float32), np.zeros(2 * net.params.size)[::2],
                np.zeros(3)):
        with pytest.raises(ValueError, match="C-contiguous float64"):
            net.gradient(X, y, out=bad)


def test_l1_and_l2_penalise_weights_not_biases():
    net = MLP([3, 4, 2], seed=4)
    net.params = net.params + 0.3  # no weight at exactly 0, where |w| has a kink
    X, y = data(classes=2)
    loss0, grad0 = net.loss_and_grad(X, y)
    loss, grad = net.loss_and_grad(X, y, l1=0.3, l2=0.7)
    w = np.concatenate([layer.W.ravel() for layer in net.layers])
    assert loss - loss0 == pytest.approx(0.7 / 2 * w @ w + 0.3 / 2 * np.abs(w).sum())
    np.testing.assert_allclose(grad, numeric_grad(net, X, y, l1=0.3, l2=0.7), atol=1e-8)
    for layer in net.layers:
        np.testing.assert_array_equal(grad[layer.b_slice], grad0[layer.b_slice])


def test_deltas_follow_the_seed_recursion():
    net = MLP([3, 5, 4, 3], activation="sigmoid", seed=5)
    X, y = data()
    result = net.backprop(X, y)
    np.testing.assert_allclose(result.deltas[-1], (net.predict_proba(X) - one_hot(y, 3)) / len(X))
    # δ^m = f'(z^m) (W^{m+1})^T δ^{m+1}, with z^m recomputed by hand
    z1 = X @ net.layers[0].W + net.layers[0].b
    a1 = 1 / (1 + np.exp(-z1))
    z2 = a1 @ net.layers[1].W + net.layers[1].b
    a2 = 1 / (1 + np.exp(-z2))
    d2 = a2 * (1 - a2) * (result.deltas[2] @ net.layers[2].W.T)
    d1 = a1 * (1 - a1) * (d2 @ net.layers[1].W.T)
    np.testing.assert_allclose(result.deltas[1], d2)
    np.testing.assert_allclose(result.deltas[0], d1)
    norms = net.layer_grad_norms(result.grad)
    np.testing.assert_allclose(norms, [np.linalg.norm(X.T @ d1), np.linalg.norm(a1.T @ d2),
                                       np.linalg.norm(a2.T @ result.deltas[2])])


def test_dropout_gradient_with_a_fixed_mask_matches_finite_differences():
    net = MLP([3, 8, 3], activation="tanh", dropout=0.4, seed=6)
    X, y = data()
    # A generator with the same seed draws the same masks on every call.
    kw = {"training": True}
    _, grad = net.loss_and_grad(X, y, rng=np.random.default_rng(11), **kw)
    theta0 = net.params.copy()
    numeric = np.zeros_like(theta0)
    h = 1e-6
    for i in range(theta0.size):
        for sign in (1, -1):
            theta = theta0.copy()
            theta[i] += sign * h
            net.params = theta
            numeric[i] += sign * net.loss_and_grad(
                X, y, rng=np.random.default_rng(11), **kw)[0] / (2 * h)
    net.params = theta0
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-8)
    assert not np.allclose(grad, net.loss_and_grad(X, y)[1])  # dropout really acted


def test_inverted_dropout_keeps_the_expected_activation():
    net = MLP([4, 50, 2], activation="relu", dropout=(0.2, 0.5), seed=7)
    X = np.random.default_rng(0).normal(size=(20000, 4))
    rng = np.random.default_rng(1)
    _, activations, fz, masks = net._forward(X, training=True, rng=rng)
    dropped_inputs = np.mean(activations[0] == 0)
    dropped_hidden = np.mean(masks[1] == 0)
    assert dropped_inputs == pytest.approx(0.2, abs=0.01)
    assert dropped_hidden == pytest.approx(0.5, abs=0.01)
    np.testing.assert_allclose(activations[1].mean(axis=0), fz[0].mean(axis=0), rtol=0.05,
                               atol=0.02)
    # kept inputs are scaled by 1/(1 − p), so each input's mean is unchanged
    kept = activations[0] != 0
    np.testing.assert_allclose(activations[0][kept], X[kept] / 0.8)
    np.testing.assert_allclose(activations[0].mean(axis=0), X.mean(axis=0), atol=0.02)


def test_dropout_only_while_training():
    net = MLP([2, 16, 2], dropout=0.5, seed=8)
    X, y = data(features=2, classes=2)
    a = net.loss_and_grad(X, y)
    b = net.loss_and_grad(X, y)
    np.testing.assert_array_equal(a[1], b[1])
    np.testing.assert_array_equal(net.predict_proba(X), net.predict_proba(X))
    t1 = net.loss_and_grad(X, y, training=True)
    assert t1[0] != a[0]


def test_zeros_initialization_keeps_hidden_units_identical():
    net = MLP([2, 6, 6, 2], activation="tanh", init="zeros", seed=0)
    X, y = data(features=2, classes=2)
    for _ in range(50):
        net.params = net.params - 0.5 * net.loss_and_grad(X, y)[1]
    W1, W2 = net.layers[0].W, net.layers[1].W
    # every hidden unit of a layer has the same incoming weights: the symmetry never breaks
    np.testing.assert_allclose(W1, W1[:, :1] * np.ones((1, 6)))
    np.testing.assert_allclose(W2, W2[:1, :1] * np.ones((6, 6)))


def test_copy_is_independent():
    net = MLP([2, 3, 2], seed=0)
    twin = net.copy()
    np.testing.assert_array_equal(twin.params, net.params)
    twin.params = twin.params + 1
    assert not np.allclose(twin.params, net.params)
    assert np.shares_memory(twin.layers[0].W, twin.params)
    assert not np.shares_memory(twin.layers[0].W, net.params)


def test_set_activation_changes_f_and_keeps_the_weights():
    net = MLP([2, 5, 4, 2], activation="sigmoid", seed=1)
    before = net.params.copy()
    net.set_activation("relu")
    fresh = MLP([2, 5, 4, 2], activation="relu", seed=1)  # the same draws: same weights
    np.testing.assert_array_equal(net.params, before)
    np.testing.assert_array_equal(fresh.params, before)
    X = np.random.default_rng(0).normal(size=(7, 2))
    np.testing.assert_array_equal(net.scores(X), fresh.scores(X))
    net.set_activation("sigmoid")
    assert not np.allclose(net.scores(X), fresh.scores(X))
    with pytest.raises(ValueError, match="softplus"):
        net.set_activation("softplus")


def test_same_seed_same_weights_different_seed_different_weights():
    assert np.array_equal(MLP([2, 8, 2], seed=3).params, MLP([2, 8, 2], seed=3).params)
    assert not np.array_equal(MLP([2, 8, 2], seed=3).params, MLP([2, 8, 2], seed=4).params)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"layer_sizes": [2]}, "layer_sizes"),
    ({"layer_sizes": [2, 0, 2]}, "layer_sizes"),
    ({"layer_sizes": [2, 2.5, 2]}, "layer_sizes"),
    ({"layer_sizes": [2, 2], "loss": "hinge"}, "'hinge'"),
    ({"layer_sizes": [2, 2], "activation": "gelu"}, "'gelu'"),
    ({"layer_sizes": [2, 2], "init": "orthogonal"}, "'orthogonal'"),
    ({"layer_sizes": [2, 2], "dropout": 1.0}, "dropout=1.0"),
    ({"layer_sizes": [2, 2], "dropout": -0.1}, "dropout=-0.1"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MLP(**kwargs)


def test_identical_hidden_units_reports_the_symmetry_problem():
    X, y = data(features=2, classes=2)
    zeros = MLP([2, 4, 4, 2], init="zeros", seed=0)
    normal = MLP([2, 4, 4, 2], init="normalized", seed=0)
    for net in (zeros, normal):
        for _ in range(20):
            net.params = net.params - 0.5 * net.loss_and_grad(X, y)[1]
    assert zeros.identical_hidden_units() == [True, True]
    assert normal.identical_hidden_units() == [False, False]


def test_dropout_can_change_between_steps():
    net = MLP([2, 8, 2], dropout=0.5, seed=0)
    net.set_dropout(0.0)
    X, y = data(features=2, classes=2)
    assert net.loss_and_grad(X, y, training=True)[0] == net.loss_and_grad(X, y)[0]
    with pytest.raises(ValueError, match="dropout"):
        net.set_dropout(1.5)


def test_the_gradient_can_be_written_into_a_given_array():
    net = MLP([3, 6, 5, 3], seed=2)
    X, y = data()
    loss, grad = net.loss_and_grad(X, y)
    buffer = np.full_like(net.params, np.nan)
    loss_out, grad_out = net.loss_and_grad(X, y, out=buffer)
    assert grad_out is buffer and loss_out == loss
    np.testing.assert_array_equal(buffer, grad)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_scoring_many_rows_equals_the_formula(activation):
    # 3000 rows of a 64-wide network are scored block by block
    net = MLP([2, 64, 64, 3], activation=activation, seed=3)
    X = np.random.default_rng(4).normal(size=(3000, 2))
    f = ACTIVATIONS[activation].f
    W1, b1, W2, b2, W3, b3 = (a for layer in net.layers for a in (layer.W, layer.b))
    expected = f(f(X @ W1 + b1) @ W2 + b2) @ W3 + b3
    np.testing.assert_allclose(net.scores(X), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(net.scores(X[:5]), net.scores(X)[:5], rtol=1e-12, atol=1e-15)
    loss, accuracy = net.evaluate(X, np.arange(3000) % 3)
    assert loss == pytest.approx(net.loss(X, np.arange(3000) % 3))
    assert accuracy == np.mean(np.argmax(expected, axis=1) == np.arange(3000) % 3)


def test_segment_squares_and_layer_gradient_norms():
    net = MLP([3, 4, 2], seed=0)
    grad = np.arange(net.params.size, dtype=float)
    W1, b1 = grad[:12], grad[12:16]
    W2, b2 = grad[16:24], grad[24:26]
    expected = [w @ w for w in (W1, b1, W2, b2)]
    np.testing.assert_allclose(net.segment_squares(grad), expected)
    out, scratch = np.empty(4), np.empty_like(grad)
    assert net.segment_squares(grad, out=out, scratch=scratch) is out
    np.testing.assert_allclose(out, expected)
    np.testing.assert_allclose(net.layer_grad_norms(grad), np.sqrt(expected[::2]))
