"""Activations (values, derivatives, overflow) and initializations (the right bounds)."""

import math

import numpy as np
import pytest

from engine.activations import ACTIVATIONS, get_activation, sigmoid
from engine.initializers import init_weights, normalized_bound
from engine.network import MLP


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_derivative_matches_finite_differences(name):
    act = ACTIVATIONS[name]
    z = np.linspace(-4, 4, 81) + 0.013  # avoid ReLU's kink at exactly 0
    h = 1e-6
    numeric = (act.f(z + h) - act.f(z - h)) / (2 * h)
    np.testing.assert_allclose(act.df(z, act.f(z)), numeric, atol=1e-8)
    assert np.max(act.df(z, act.f(z))) <= act.max_slope + 1e-12


def test_relu_slope_is_one_above_zero_and_zero_at_and_below():
    relu = ACTIVATIONS["relu"]
    z = np.array([-2.0, -0.0, 0.0, 1e-300, 3.0])
    slope = relu.df(z, relu.f(z))
    assert slope.dtype == np.float64
    np.testing.assert_array_equal(slope, [0.0, 0.0, 0.0, 1.0, 1.0])


def test_sigmoid_is_overflow_safe_and_exact():
    z = np.array([-1000.0, -30.0, 0.0, 2.0, 1000.0])
    with np.errstate(all="raise"):
        s = sigmoid(z)
    expected = [0.0, 1 / (1 + math.exp(30)), 0.5, 1 / (1 + math.exp(-2)), 1.0]
    np.testing.assert_allclose(s, expected, rtol=1e-15, atol=0)


def test_sigmoid_derivative_peaks_at_a_quarter():
    act = ACTIVATIONS["sigmoid"]
    assert act.df(np.array(0.0), sigmoid(np.array(0.0))) == 0.25
    assert act.max_slope == 0.25


def test_unknown_activation():
    with pytest.raises(ValueError, match="'swish'"):
        get_activation("swish")


def test_normalized_bound_is_sqrt6_over_sqrt_m_plus_n():
    """The course text prints 6/√(m+n) and 6/(m+n): both typos for √6/√(m+n)."""
    assert normalized_bound(30, 20) == pytest.approx(math.sqrt(6) / math.sqrt(50))
    W = init_weights("normalized", 300, 200, np.random.default_rng(0))
    bound = math.sqrt(6 / 500)
    assert np.abs(W).max() <= bound
    assert np.abs(W).max() > 0.99 * bound  # really uses the whole range
    assert W.var() == pytest.approx(bound**2 / 3, rel=0.02)  # Var U(−a, a) = a²/3


def test_he_small_large_zeros():
    rng = np.random.default_rng(0)
    assert init_weights("he", 400, 300, rng).std() == pytest.approx(math.sqrt(2 / 400), rel=0.02)
    assert init_weights("small", 400, 300, rng).std() == pytest.approx(0.01, rel=0.02)
    assert init_weights("large", 400, 300, rng).std() == pytest.approx(1.0, rel=0.02)
    assert not init_weights("zeros", 4, 3, rng).any()
    with pytest.raises(ValueError, match="'xavier'"):
        init_weights("xavier", 2, 2, rng)


@pytest.mark.parametrize("init", ["normalized", "he", "small", "large", "zeros"])
def test_biases_start_at_zero(init):
    net = MLP([2, 5, 3], init=init, seed=3)
    assert all(not layer.b.any() for layer in net.layers)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_f_can_write_into_an_array_even_its_input(name):
    f = ACTIVATIONS[name].f
    z = np.linspace(-3, 3, 13).reshape(1, 13)
    expected = f(z)
    out = np.empty_like(z)
    assert f(z, out=out) is out
    np.testing.assert_array_equal(out, expected)
    same = z.copy()
    assert f(same, out=same) is same
    np.testing.assert_array_equal(same, expected)
