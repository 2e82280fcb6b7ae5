"""Weight initializations W (m inputs × n outputs); biases always start at 0.

The course text's normalized initialization is W ~ U(−√6/√(m+n), +√6/√(m+n)).
(The course text prints the bound as 6/√(m+n) on one side and 6/(m+n) on the other;
both are typos for √6/√(m+n), the bound of Glorot and Bengio, 2010.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

SMALL_STD = 0.01  # "small random weights": start near the flat region around 0
LARGE_STD = 1.0  # σ = 1 whatever the width: activations and gradients explode


def normalized_bound(m: int, n: int) -> float:
    """√6 / √(m + n): the half-width of the normalized initialization."""
    return float(np.sqrt(6.0) / np.sqrt(m + n))


def _normalized(m: int, n: int, rng: np.random.Generator) -> np.ndarray:
    bound = normalized_bound(m, n)
    return rng.uniform(-bound, bound, size=(m, n))


def _he(m: int, n: int, rng: np.random.Generator) -> np.ndarray:
    # Var(W) = 2/m keeps the variance of ReLU activations constant with depth.
    return rng.normal(0.0, np.sqrt(2.0 / m), size=(m, n))


def _small(m: int, n: int, rng: np.random.Generator) -> np.ndarray:
    return rng.normal(0.0, SMALL_STD, size=(m, n))


def _zeros(m: int, n: int, rng: np.random.Generator) -> np.ndarray:
    # Every hidden unit computes the same thing and gets the same gradient:
    # the symmetry is never broken.
    return np.zeros((m, n))


def _large(m: int, n: int, rng: np.random.Generator) -> np.ndarray:
    return rng.normal(0.0, LARGE_STD, size=(m, n))


@dataclass(frozen=True)
class Initializer:
    name: str
    label: str  # as the app names it
    draw: Callable[[int, int, np.random.Generator], np.ndarray]  # (m, n, rng) -> W


INITIALIZERS: dict[str, Initializer] = {  # the registry, in the order the app lists them
    init.name: init for init in (
        Initializer("normalized", "normalized (√6/√(m+n))", _normalized),
        Initializer("he", "He", _he),
        Initializer("small", "small random", _small),
        Initializer("zeros", "zeros", _zeros),
        Initializer("large", "large (σ = 1)", _large),
    )
}


def init_weights(name: str, m: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """Draw an (m, n) weight matrix with the named initialization."""
    try:
        init = INITIALIZERS[name]
    except KeyError:
        raise ValueError(f"init={name!r} is not one of {sorted(INITIALIZERS)}") from None
    return init.draw(m, n, rng)
