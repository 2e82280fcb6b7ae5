"""Losses: the course text's cat-and-dog numbers, stability, and gradients."""

import math

import numpy as np
import pytest

from engine.losses import (
    cross_entropy,
    entropy,
    log_softmax,
    mse,
    one_hot,
    softmax,
    softmax_cross_entropy,
    softmax_cross_entropy_grad,
    softmax_mse,
)


def test_seed_example_barely_right():
    loss = cross_entropy([[1, 0], [0, 1]], [[0.55, 0.45], [0.44, 0.56]])
    assert loss == pytest.approx(-(math.log(0.55) + math.log(0.56)) / 2)
    assert round(loss, 2) == 0.59


def test_seed_example_barely_wrong_is_080_not_062():
    """The course text prints 0.62: it took log 0.59 where the true class has 0.41."""
    loss = cross_entropy([[0, 1], [1, 0]], [[0.51, 0.49], [0.41, 0.59]])
    assert loss == pytest.approx(-(math.log(0.49) + math.log(0.41)) / 2)
    assert round(loss, 2) == 0.80
    seed_slip = -(math.log(0.49) + math.log(0.59)) / 2
    assert round(seed_slip, 2) == 0.62


def test_softmax_matches_the_definition_and_sums_to_one():
    c = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    expected = np.exp(c) / np.exp(c).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(softmax(c), expected)
    np.testing.assert_allclose(softmax(c).sum(axis=1), 1.0)


def test_softmax_cross_entropy_is_finite_for_huge_scores():
    c = np.array([[1e4, -1e4], [-1e4, 1e4], [1e4, 1e4]])
    y = one_hot(np.array([0, 0, 1]), 2)
    with np.errstate(all="raise"):
        loss, grad = softmax_cross_entropy(c, y)
        probabilities = softmax(c)
        grad_alone = softmax_cross_entropy_grad(c, y)
    np.testing.assert_allclose(grad_alone, grad, rtol=0, atol=1e-300)  # e^{-2e4} ≈ e^{-700}
    # rows: certain and right (0), certain and wrong (2e4), a tie (log 2)
    assert loss == pytest.approx((0 + 2e4 + math.log(2)) / 3)
    assert np.all(np.isfinite(grad)) and np.all(np.isfinite(probabilities))
    np.testing.assert_allclose(log_softmax(c)[1], [-2e4, 0.0])


def test_softmax_cross_entropy_gradient_is_p_minus_y_over_rows():
    rng = np.random.default_rng(0)
    c = rng.normal(size=(5, 4))
    y = one_hot(rng.integers(0, 4, 5), 4)
    loss, grad = softmax_cross_entropy(c, y)
    assert loss == pytest.approx(cross_entropy(y, softmax(c)))
    np.testing.assert_allclose(grad, (softmax(c) - y) / 5)
    np.testing.assert_allclose(softmax_cross_entropy_grad(c, y), (softmax(c) - y) / 5)


@pytest.mark.parametrize("loss_fn", [softmax_cross_entropy, softmax_mse])
def test_loss_gradients_match_finite_differences(loss_fn):
    rng = np.random.default_rng(1)
    c = rng.normal(size=(4, 3))
    y = one_hot(rng.integers(0, 3, 4), 3)
    _, grad = loss_fn(c, y)
    h = 1e-6
    numeric = np.zeros_like(c)
    for idx in np.ndindex(c.shape):
        step = np.zeros_like(c)
        step[idx] = h
        numeric[idx] = (loss_fn(c + step, y)[0] - loss_fn(c - step, y)[0]) / (2 * h)
    np.testing.assert_allclose(grad, numeric, atol=1e-9)


def test_softmax_mse_value():
    c = np.array([[0.0, math.log(3.0)]])  # softmax = (1/4, 3/4)
    loss, _ = softmax_mse(c, np.array([[0.0, 1.0]]))
    assert loss == pytest.approx((0.25**2 + 0.25**2) / 2)
    assert mse([[0, 1]], [[0.25, 0.75]]) == pytest.approx(loss)


def test_entropy_treats_0_log_0_as_0():
    assert entropy([1.0, 0.0]) == 0.0
    assert entropy([0.5, 0.5]) == pytest.approx(math.log(2))


def test_cross_entropy_of_a_zero_probability_is_large_but_finite():
    with np.errstate(all="raise"):
        loss = cross_entropy([[1, 0]], [[0.0, 1.0]])
    assert 700 < loss < 710


def test_one_hot():
    np.testing.assert_array_equal(one_hot(np.array([1, 0, 2]), 3),
                                  [[0, 1, 0], [1, 0, 0], [0, 0, 1]])
    with pytest.raises(ValueError, match=r"0\.\.1"):
        one_hot(np.array([0, 2]), 2)
    with pytest.raises(ValueError, match="integer"):
        one_hot(np.array([0.5]), 2)


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match="shape"):
        cross_entropy([[1, 0]], [[0.5, 0.25, 0.25]])


def test_empty_input_is_an_error_not_a_warning():
    with pytest.raises(ValueError, match="no samples"):
        cross_entropy(np.zeros((0, 2)), np.zeros((0, 2)))
    with pytest.raises(ValueError, match="no samples"):
        mse(np.zeros((0, 2)), np.zeros((0, 2)))
