"""Mini-batch training, one epoch at a time, with early stopping.

Each epoch shuffles the training set and then takes the mini-batches in order,
as the seed describes. A step follows θ(k) = θ(k−1) − (α/Q) Σ_q ∇J(x_q, θ(k−1)):
the losses average over the Q rows of a batch, so ∂J/∂θ already carries the 1/Q.
batch_size=1 is online SGD and batch_size=len(X) is batch gradient descent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from numbers import Integral
from typing import Any

import numpy as np

from engine.network import MLP

# A loss this many times its starting value (or 1, if larger) counts as diverged:
# ReLU networks often blow up to a huge but finite loss and then go dead.
DIVERGENCE_FACTOR = 100.0


@dataclass(frozen=True)
class EpochRecord:
    """What one epoch of training produced."""

    epoch: int  # 1-based
    train_loss: float  # data loss on the whole training set after the epoch, no dropout
    train_acc: float
    val_loss: float | None  # None when there is no validation set
    val_acc: float | None
    grad_norms: np.ndarray  # mean over the epoch's batches of ‖∂J/∂W^m‖, m = 1 … M
    best: bool  # lowest validation loss so far (training loss without a validation set)
    best_epoch: int
    stopped: bool = False  # early stopping ended training here (best weights restored)
    diverged: bool = False  # loss exploded or θ non-finite: stopped, θ from before kept;
    # a diverged record's losses are NaN: show its message, do not plot it
    message: str = ""
    opt_state: Any = field(default=None, repr=False)  # to continue training later


def accuracy(net: MLP, X: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(net.predict(X) == y))


def _check_args(X, y, epochs, batch_size, patience, l1, l2):
    if X.ndim != 2 or y.ndim != 1 or len(X) != len(y) or len(X) == 0:
        raise ValueError(f"X must be (rows, features) and y (rows,), got {X.shape} and {y.shape}")
    if not (isinstance(epochs, Integral) and epochs >= 1):
        raise ValueError(f"epochs={epochs!r} must be a positive integer")
    if not (isinstance(batch_size, Integral) and batch_size >= 1):
        raise ValueError(f"batch_size={batch_size!r} must be a positive integer")
    if patience is not None and not (isinstance(patience, Integral) and patience >= 1):
        raise ValueError(f"patience={patience!r} must be None or a positive integer")
    for name, value in (("l1", l1), ("l2", l2)):
        if not (np.isfinite(value) and value >= 0):
            raise ValueError(f"{name}={value!r} must be a finite number ≥ 0")


def fit(net: MLP, optimizer, X: np.ndarray, y: np.ndarray, *, epochs: int, batch_size: int,
        seed, X_val: np.ndarray | None = None, y_val: np.ndarray | None = None,
        l1: float = 0.0, l2: float = 0.0, patience: int | None = None,
        opt_state: Any = None) -> Iterator[EpochRecord]:
    """Train `net` in place, yielding an EpochRecord after every epoch.

    y holds integer class labels. With `patience`, training stops once the
    validation loss (training loss if there is no validation set) has not
    improved for that many epochs, and the best weights are restored (also
    when the epochs run out). Pass a record's `opt_state` back in to continue
    with the optimizer's velocity or history. The same seed gives the same run.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    _check_args(X, y, epochs, batch_size, patience, l1, l2)
    if getattr(optimizer, "needs_hessian", False):
        raise ValueError(f"{type(optimizer).__name__} needs a Hessian; it only runs on 2D "
                         "surfaces, not on a network's parameters")
    has_val = X_val is not None and y_val is not None and len(X_val) > 0
    rng = np.random.default_rng(seed)  # shuffles and dropout masks
    Y = net._targets(y)
    batch_size = min(batch_size, len(X))
    state = optimizer.init(net.params) if opt_state is None else opt_state
    best_loss, best_epoch, best_params, waited = np.inf, 0, net.params.copy(), 0
    with np.errstate(all="ignore"):
        blow_up = DIVERGENCE_FACTOR * max(net.loss(X, y), 1.0)

    for epoch in range(1, epochs + 1):
        order = rng.permutation(len(X))
        norm_sum = np.zeros(len(net.layers))
        n_batches = 0
        with np.errstate(all="ignore"):  # divergence is detected below, not warned about
            for start in range(0, len(X), batch_size):
                rows = order[start:start + batch_size]
                used = []  # the gradients the optimizer asked for in this step

                def grad_fn(theta, Xb=X[rows], Yb=Y[rows], used=used):
                    net.params = theta
                    grad = net.loss_and_grad(Xb, Yb, l1=l1, l2=l2, training=True, rng=rng)[1]
                    used.append(grad)
                    return grad

                theta, state = optimizer.step(net.params.copy(), grad_fn, state)
                net.params = theta
                norm_sum += net.layer_grad_norms(used[-1])
                n_batches += 1
            train_loss = net.loss(X, y)
            val_loss = net.loss(X_val, y_val) if has_val else None
        grad_norms = norm_sum / n_batches

        if not (np.isfinite(train_loss) and train_loss < blow_up
                and np.all(np.isfinite(net.params))):
            net.params = best_params  # never leave a network full of NaN behind
            yield EpochRecord(
                epoch, np.nan, np.nan, None, None, np.nan_to_num(grad_norms, nan=np.inf),
                best=False, best_epoch=best_epoch, diverged=True,
                message=divergence_message(epoch, net, optimizer),
                opt_state=optimizer.init(net.params))
            return

        watched = val_loss if has_val else train_loss
        best = watched < best_loss
        if best:
            best_loss, best_epoch, best_params, waited = watched, epoch, net.params.copy(), 0
        else:
            waited += 1
        stop = patience is not None and waited >= patience
        record = EpochRecord(
            epoch, train_loss, accuracy(net, X, y), val_loss,
            accuracy(net, X_val, y_val) if has_val else None, grad_norms, best, best_epoch,
            stopped=stop, opt_state=state,
            message=(f"Early stopping: the validation loss has not improved for {patience} "
                     f"epochs; restored the weights of epoch {best_epoch}.") if stop else "")
        if patience is not None and (stop or epoch == epochs):
            net.params = best_params
        yield record
        if stop:
            return


def divergence_message(epoch: int, net: MLP, optimizer) -> str:
    """Say why training blew up: the 'large' initialization or a too large α."""
    if net.init_name == "large":
        cause = ("the 'large' initialization makes activations and gradients explode; "
                 "try 'normalized' or 'he'")
    else:
        cause = f"the learning rate α = {optimizer.lr:g} is too large; try a smaller one"
    return (f"Training diverged in epoch {epoch}: the loss exploded (to more than "
            f"{DIVERGENCE_FACTOR:g}× its starting value, or to infinity), because {cause}. "
            f"The weights from before the divergence were kept.")
