"""The functions a user formula may call, each by bare name with exactly one argument."""

from collections.abc import Callable
from typing import Any

import numpy as np


def _sigmoid(u):
    # 1 / (1 + exp(-u)) written with tanh, which never overflows.
    return 0.5 * (1.0 + np.tanh(0.5 * u))


FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "exp": np.exp,
    "log": np.log,  # natural logarithm
    "sqrt": np.sqrt,
    "abs": np.abs,
    "sign": np.sign,
    "tanh": np.tanh,
    "sinh": np.sinh,
    "cosh": np.cosh,
    "arctan": np.arctan,
    "sigmoid": _sigmoid,
}

# Other spellings students reach for, mapped to the canonical name.
ALIASES = {"atan": "arctan"}
