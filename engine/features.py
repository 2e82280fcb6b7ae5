"""Input features computed from 2D points, as TensorFlow Playground offers them.

    input_features(X, ["x1^2", "x2^2"])   # (n, 2): a linear model then solves "circles"

The names are those of FEATURES, in the order given; an unknown name raises a ValueError
that names it. The decision boundary stays in the original plane: a network trained on
features is drawn by computing the same features for every point of the plane.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

FEATURES: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1*x2": lambda x1, x2: x1 * x2,
    "sin(x1)": lambda x1, x2: np.sin(x1),
    "sin(x2)": lambda x1, x2: np.sin(x2),
}


def input_features(X: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """The (n, 2) points X as the (n, len(names)) features `names`, in that order."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (n, 2), got {X.shape}")
    unknown = [name for name in names if name not in FEATURES]
    if unknown:
        raise ValueError(f"feature {unknown[0]!r} is not one of {list(FEATURES)}")
    if not names:
        raise ValueError("at least one feature is needed")
    x1, x2 = X[:, 0], X[:, 1]
    return np.column_stack([FEATURES[name](x1, x2) for name in names])
