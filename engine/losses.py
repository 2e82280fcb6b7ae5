"""Loss functions J: softmax, entropy, cross-entropy and mean squared error.

Rows are samples, columns are classes. The network's last layer outputs the
scores c (logits); the softmax q(c)_i = e^{c_i} / Σ_j e^{c_j} turns them into
probabilities y'. The categorical cross-entropy of one sample is
L_i = -log(e^{c_i} / Σ_j e^{c_j}) for its true class i; the functions below
average it over the rows.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

# log(p) for p = 0 would be -inf; clipping at the smallest normal float keeps a
# "certain and wrong" prediction finite (about 708) so that it can be plotted.
_TINY = np.finfo(np.float64).tiny


def one_hot(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Class i becomes the row vector with a 1 in column i (the course text's y_i)."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be a 1-D integer array, got {labels.dtype} {labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(
            f"labels must lie in 0..{n_classes - 1}, got {labels.min()}..{labels.max()}")
    out = np.zeros((labels.size, n_classes))
    out[np.arange(labels.size), labels] = 1.0
    return out


def log_softmax(c: np.ndarray) -> np.ndarray:
    """log q(c) by log-sum-exp: subtracting max_j c_j first means e^{...} ≤ 1."""
    c = np.asarray(c, dtype=np.float64)
    shifted = c - c.max(axis=-1, keepdims=True)
    with np.errstate(under="ignore"):  # e^{-1e4} rounding to 0 is exactly right here
        return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax(c: np.ndarray) -> np.ndarray:
    """q(c)_i = e^{c_i} / Σ_j e^{c_j}, along the last axis, for any size of c."""
    c = np.asarray(c, dtype=np.float64)
    with np.errstate(under="ignore"):
        e = np.exp(c - c.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def entropy(y: np.ndarray) -> np.ndarray:
    """H(y) = -Σ_i y_i log y_i (natural log), with 0 log 0 taken as 0."""
    y = np.asarray(y, dtype=np.float64)
    safe = np.where(y > 0, y, 1.0)  # log(1) = 0 makes the 0 log 0 terms vanish
    return -(y * np.log(safe)).sum(axis=-1)


def _check_pair(y_true: np.ndarray, y_pred: np.ndarray) -> None:
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true {y_true.shape} and y_pred {y_pred.shape} differ in shape")
    if y_true.size == 0:
        raise ValueError("there are no samples to average over")


def cross_entropy(y_true: np.ndarray, y_prob: np.ndarray) -> float:
    """H(y, y') = -Σ_i y_i log y'_i, averaged over the rows (natural log).

    >>> round(cross_entropy([[1, 0], [0, 1]], [[0.55, 0.45], [0.44, 0.56]]), 2)
    0.59
    """
    y_true = np.asarray(y_true, dtype=np.float64)
    y_prob = np.asarray(y_prob, dtype=np.float64)
    _check_pair(y_true, y_prob)
    per_row = -(y_true * np.log(np.maximum(y_prob, _TINY))).sum(axis=-1)
    return float(per_row.mean())


def mse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean squared error: the mean of (y − y')² over every entry."""
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    _check_pair(y_true, y_pred)
    return float(np.mean((y_true - y_pred) ** 2))


def softmax_cross_entropy(c: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Cross-entropy of softmax(c) against one-hot y, and ∂J/∂c = (q(c) − y) / rows.

    Computed from the scores c with log-sum-exp, so it stays finite even for
    scores of ±1e4 where q(c) itself rounds to exactly 0 or 1. One exp serves both
    the loss and the gradient.
    """
    rows = c.shape[0]
    c, y = _by_class(c), y.T
    shifted = c - np.maximum.reduce(c)  # (the ufunc's own reduce skips a Python wrapper)
    with np.errstate(under="ignore"):  # e^{-1e4} rounding to 0 is exactly right here
        e = np.exp(shifted)
    total = np.add.reduce(e)
    shifted -= np.log(total)  # log q(c) = c − max − log Σⱼ e^{cⱼ−max}
    loss = -float(np.vdot(y, shifted)) / rows
    return loss, _probabilities_minus_targets(e, total, y, rows)


def softmax_cross_entropy_grad(c: np.ndarray, y: np.ndarray) -> np.ndarray:
    """∂J/∂c = (q(c) − y) / rows alone: a training step needs the gradient, not J."""
    rows = c.shape[0]
    c = _by_class(c)
    e = c - np.maximum.reduce(c)
    # e^{c−max} below e^{-700} ≈ 1e-304 counts as 0 next to Σⱼ ≥ 1 anyway. Clipping there
    # means exp never underflows, so this needs no np.errstate (a context manager per
    # step costs more than the clip) and stays quiet under np.errstate(all="raise") too.
    np.maximum(e, _EXP_FLOOR, out=e)
    total = np.add.reduce(np.exp(e, out=e))
    return _probabilities_minus_targets(e, total, y.T, rows)


_EXP_FLOOR = -700.0


def _by_class(c: np.ndarray) -> np.ndarray:
    # Work class by class, on a (classes, rows) copy: every operation then runs
    # along the long axis of rows instead of once per row over a handful of classes.
    return np.ascontiguousarray(c.T)


def _probabilities_minus_targets(e, total, y, rows) -> np.ndarray:
    """(q(c) − y) / rows, computed in e = e^{c−max}: all (classes, rows), then transposed."""
    e /= total
    e -= y
    e /= rows
    return e.T


def softmax_mse(c: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean squared error of softmax(c) against y, and its gradient ∂J/∂c.

    With p = q(c) and g = ∂J/∂p = 2 (p − y) / size, the softmax Jacobian
    ∂p_i/∂c_j = p_i (1[i=j] − p_j) gives ∂J/∂c = p ⊙ (g − Σ_j g_j p_j).
    """
    p = softmax(c)
    diff = p - y
    loss = float(np.mean(diff * diff))
    g = 2.0 * diff / diff.size
    return loss, p * (g - (g * p).sum(axis=-1, keepdims=True))


# name -> (scores c, one-hot y) -> (J, ∂J/∂c)
LOSSES: dict[str, Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]]] = {
    "cross_entropy": softmax_cross_entropy,
    "mse": softmax_mse,
}

# name -> (scores c, one-hot y) -> ∂J/∂c alone
LOSS_GRADIENTS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "cross_entropy": softmax_cross_entropy_grad,
    "mse": lambda c, y: softmax_mse(c, y)[1],
}


# The course text's worked example: two inputs, two classes (cat, dog), predictions a.
CAT_AND_DOG = {
    "barely right": {"a": [[0.55, 0.45], [0.44, 0.56]], "y": [[1, 0], [0, 1]]},
    "barely wrong": {"a": [[0.51, 0.49], [0.41, 0.59]], "y": [[0, 1], [1, 0]]},
}


def cat_and_dog(case: str) -> dict:
    """One case of the worked example: its a and y, the true class's probabilities, the
    accuracy and the mean cross-entropy (0.59 and 0.80; the course text prints 0.62 for
    the second, an erratum)."""
    a = np.array(CAT_AND_DOG[case]["a"])
    y = np.array(CAT_AND_DOG[case]["y"])
    true_p = (a * y).sum(axis=1)
    return {"a": a, "y": y, "true_p": true_p,
            "accuracy": float(np.mean(np.argmax(a, axis=1) == np.argmax(y, axis=1))),
            "cross_entropy": cross_entropy(y, a)}
