"""Activation functions f and their derivatives f'.

Backpropagation needs f'(z^m) for every hidden layer (the course text's
δ^m = f'(z^m) (W^{m+1})^T δ^{m+1}). Each derivative takes both z and a = f(z),
because for sigmoid and tanh it is cheapest written in terms of a. Every f also
takes an optional `out` array to write f(z) into, which may be z itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

LEAKY_SLOPE = 0.01


@dataclass(frozen=True)
class Activation:
    """f(z) and f'(z) for one activation; `max_slope` is sup f' (0.25 for sigmoid)."""

    name: str
    label: str  # as the app names it
    f: Callable[..., np.ndarray]  # f(z, out=None)
    df: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (z, a=f(z)) -> f'(z)
    max_slope: float


def _into(out: np.ndarray | None, value: np.ndarray) -> np.ndarray:
    if out is None:
        return value
    out[...] = value
    return out


def sigmoid(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """σ(z) = 1 / (1 + e^{-z}), written so that e^{...} never overflows."""
    z = np.asarray(z, dtype=np.float64)
    e = np.abs(z, out=np.empty_like(z))  # out=: an array even for a 0-d z
    np.negative(e, out=e)
    with np.errstate(under="ignore"):  # e^{-1000} = 0 is the right answer
        np.exp(e, out=e)  # e^{-|z|} in [0, 1]: cannot overflow
    a = np.where(z >= 0, 1.0, e)  # 1/(1 + e) for z ≥ 0, e/(1 + e) below: one division
    e += 1.0
    a /= e
    return _into(out, a)


def _sigmoid_df(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    slope = 1.0 - a
    slope *= a
    return slope


def _tanh_df(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return 1.0 - a * a


def tanh(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    return np.tanh(z, out=out)


def relu(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    return np.maximum(z, 0.0, out=out)


def _relu_df(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    # 1 where z > 0 and 0 elsewhere, so f'(0) is taken as 0 (the usual subgradient
    # choice). sign(a) of a = max(z, 0) ≥ 0 is that, already as floats: multiplying
    # δ by the booleans z > 0 instead costs three times as much (a cast per element).
    return np.sign(a)


def leaky_relu(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    return _into(out, np.where(z > 0, z, LEAKY_SLOPE * z))


def _leaky_relu_df(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return np.where(z > 0, 1.0, LEAKY_SLOPE)


def linear(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    return _into(out, np.asarray(z, dtype=np.float64))


def _linear_df(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return np.ones_like(z, dtype=np.float64)


ACTIVATIONS: dict[str, Activation] = {  # the registry; "linear" is the output layer's
    "sigmoid": Activation("sigmoid", "sigmoid", sigmoid, _sigmoid_df, 0.25),
    "tanh": Activation("tanh", "tanh", tanh, _tanh_df, 1.0),
    "relu": Activation("relu", "ReLU", relu, _relu_df, 1.0),
    "leaky_relu": Activation("leaky_relu", "leaky ReLU", leaky_relu, _leaky_relu_df, 1.0),
    "linear": Activation("linear", "linear", linear, _linear_df, 1.0),
}


def get_activation(name: str) -> Activation:
    """Look an activation up by name; the error lists the valid names."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(
            f"activation={name!r} is not one of {sorted(ACTIVATIONS)}"
        ) from None
