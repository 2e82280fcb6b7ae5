"""engine.input_features (hand values) and MLP.activations (every unit equals the
network's own forward pass, computed here by hand from its W and b)."""

import numpy as np
import pytest

from engine import MLP, input_features
from engine.activations import ACTIVATIONS


def test_features_are_computed_exactly_in_the_order_asked():
    X = np.array([[2.0, -3.0], [0.5, np.pi / 2]])
    got = input_features(X, ["x2", "x1^2", "x1*x2", "sin(x2)", "x1", "x2^2", "sin(x1)"])
    expected = [[-3.0, 4.0, -6.0, np.sin(-3.0), 2.0, 9.0, np.sin(2.0)],
                [np.pi / 2, 0.25, np.pi / 4, 1.0, 0.5, np.pi**2 / 4, np.sin(0.5)]]
    np.testing.assert_array_equal(got, np.array(expected))


@pytest.mark.parametrize(("names", "message"), [(["x1", "x3"], "'x3'"), ([], "at least one")])
def test_an_unknown_feature_is_named(names, message):
    with pytest.raises(ValueError, match=message):
        input_features(np.zeros((3, 2)), names)


def test_a_linear_model_on_squares_separates_circles():
    # inside the unit circle: class 0; outside: class 1. x1² + x2² is linear in the features
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, size=(400, 2))
    y = (np.hypot(X[:, 0], X[:, 1]) > 1).astype(int)
    F = input_features(X, ["x1^2", "x2^2"])
    w, b = np.array([1.0, 1.0]), -1.0  # the boundary x1² + x2² = 1, a line in F
    assert np.all((F @ w + b > 0) == (y == 1))


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "leaky_relu"])
def test_every_units_activation_is_the_forward_pass(activation):
    net = MLP([3, 5, 4, 3], activation=activation, seed=2, dropout=0.3)  # no dropout here
    X = np.random.default_rng(1).normal(size=(7, 3))
    layers = net.activations(X)
    assert [a.shape for a in layers] == [(7, 3), (7, 5), (7, 4), (7, 3)]
    f = ACTIVATIONS[activation].f
    a = X
    np.testing.assert_array_equal(layers[0], X)
    for m, layer in enumerate(net.layers[:-1], start=1):
        a = f(a @ layer.W + layer.b)  # unit by unit: z_j = Σ_i a_i W_ij + b_j
        np.testing.assert_allclose(layers[m], a, rtol=1e-12, atol=1e-15)
    scores = a @ net.layers[-1].W + net.layers[-1].b
    expected = np.exp(scores - scores.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(layers[-1], expected, rtol=1e-12)
    np.testing.assert_allclose(layers[-1], net.predict_proba(X), rtol=1e-12)
