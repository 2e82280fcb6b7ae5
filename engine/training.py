"""Mini-batch training, one epoch at a time, with early stopping.

Each epoch shuffles the training set and then takes the mini-batches in order,
as the course text describes. A step follows θ(k) = θ(k−1) − (α/Q) Σ_q ∇J(x_q, θ(k−1)):
the losses average over the Q rows of a batch, so ∂J/∂θ already carries the 1/Q.
batch_size=1 is online SGD and batch_size=len(X) is batch gradient descent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from numbers import Integral
from typing import Any, cast

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
    diverged: bool = False  # loss exploded or θ non-finite: stopped, best θ restored;
    # a diverged record's losses are NaN: show its message, do not plot it
    message: str = ""
    opt_state: Any = field(default=None, repr=False)  # to continue training later
    # the data loss J of each mini-batch, in the epoch's order, as its step computed it
    # (dropout included, no penalty): online, mini-batch and batch training's noise
    batch_losses: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)
    weight_l2: float = np.nan  # ‖w‖₂ over the weights (not the biases) after the epoch
    weight_l1: float = np.nan  # ‖w‖₁ likewise


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


class Trainer:
    """Training one epoch at a time, which can pause and continue with new settings.

    Between epochs the caller may change `optimizer` (set_optimizer keeps the
    velocity or history when the kind of optimizer stays the same), `l1`, `l2`,
    `batch_size` and `patience`: the lab changes α or the penalties mid-run this
    way without losing anything. With `patience`, the run stops once the
    validation loss (training loss without a validation set) has not improved for
    that many epochs, and the best weights are restored. The same seed gives the
    same run. With `record_batches`, each EpochRecord also holds every mini-batch's
    loss, computed after the epoch from the scores the steps' backpropagation kept.
    """

    def __init__(self, net: MLP, optimizer, X: np.ndarray, y: np.ndarray, *, batch_size: int,
                 seed, X_val: np.ndarray | None = None, y_val: np.ndarray | None = None,
                 l1: float = 0.0, l2: float = 0.0, patience: int | None = None,
                 opt_state: Any = None, record_batches: bool = False):
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y)
        _check_args(X, y, 1, batch_size, patience, l1, l2)
        _check_optimizer(optimizer)
        self.net, self.optimizer = net, optimizer
        self.X, self.y, self.Y = X, y, net._targets(y)
        self.has_val = X_val is not None and y_val is not None and len(X_val) > 0
        self.X_val, self.y_val = (X_val, y_val) if self.has_val else (None, None)
        self.batch_size, self.l1, self.l2, self.patience = batch_size, l1, l2, patience
        self.record_batches = record_batches  # EpochRecord.batch_losses (costs ~1 µs a step)
        self.rng = np.random.default_rng(seed)  # shuffles and dropout masks
        self.state = optimizer.init(net.params) if opt_state is None else opt_state
        self.epoch = 0
        self.best_loss, self.best_epoch, self.waited = np.inf, 0, 0
        self.best_params = net.params.copy()
        self.finished = False  # stopped early or diverged: no more epochs
        with np.errstate(all="ignore"):
            self.blow_up = DIVERGENCE_FACTOR * max(net.evaluate(X, y)[0], 1.0)

    def set_optimizer(self, optimizer) -> None:
        """Continue with new hyperparameters; the state carries over for the same kind."""
        _check_optimizer(optimizer)
        if type(optimizer) is not type(self.optimizer):
            self.state = optimizer.init(self.net.params)
        self.optimizer = optimizer

    def restore_best(self) -> None:
        self.net.params = self.best_params

    def run_epoch(self) -> EpochRecord:
        """One pass over the shuffled training set in mini-batches, then the metrics."""
        if self.finished:
            raise RuntimeError("this run has ended (early stopping or divergence)")
        _check_args(self.X, self.y, 1, self.batch_size, self.patience, self.l1, self.l2)
        net = self.net
        self.epoch += 1
        batch = min(self.batch_size, len(self.X))
        order = self.rng.permutation(len(self.X))
        X, Y = self.X[order], self.Y[order]  # shuffled once: each batch is then a slice
        n_batches = -(-len(X) // batch)
        # Buffers reused by every step: the gradient (optimizers read g during their
        # step and never keep it), its squares, and per batch Σ g² per W, b segment.
        grad, squares = np.empty_like(net.params), np.empty_like(net.params)
        segment_squares = np.empty((n_batches, 2 * len(net.layers)))
        # each step's output scores, for its batch's loss (computed after the epoch)
        scores: list[np.ndarray] | None = [] if self.record_batches else None
        theta = net.params.copy()  # the optimizer's θ; net.params holds the same values
        with np.errstate(all="ignore"):  # divergence is detected below, not warned about
            for i, start in enumerate(range(0, len(X), batch)):

                def grad_fn(point, Xb=X[start:start + batch], Yb=Y[start:start + batch],
                            at=theta):
                    if point is not at:  # Nesterov asks at a look-ahead point
                        net.params = point
                    return net.gradient(Xb, Yb, l1=self.l1, l2=self.l2, training=True,
                                        rng=self.rng, out=grad, scores=scores)

                theta, self.state = self.optimizer.step(theta, grad_fn, self.state)
                net.params = theta
                net.segment_squares(grad, out=segment_squares[i], scratch=squares)
            batch_losses = (np.empty(0) if scores is None
                            else _batch_losses(net.loss_name, scores, Y, batch))
            train_loss, train_acc = net.evaluate(self.X, self.y)
            # with has_val, X_val and y_val are arrays (and val_loss a float, below)
            val_loss, val_acc = (net.evaluate(cast(np.ndarray, self.X_val),
                                              cast(np.ndarray, self.y_val))
                                 if self.has_val else (None, None))
        # the mean over the epoch's batches of each ‖∂J/∂W^m‖
        grad_norms = np.sqrt(segment_squares[:, ::2]).mean(axis=0)

        if not (np.isfinite(train_loss) and train_loss < self.blow_up
                and np.all(np.isfinite(net.params))):
            self.restore_best()  # never leave a network full of NaN behind
            self.state = self.optimizer.init(net.params)
            self.finished = True
            return EpochRecord(
                self.epoch, np.nan, np.nan, None, None, np.nan_to_num(grad_norms, nan=np.inf),
                best=False, best_epoch=self.best_epoch, diverged=True,
                message=divergence_message(self.epoch, net, self.optimizer,
                                           self.best_epoch),
                opt_state=self.state, batch_losses=batch_losses)

        watched = cast(float, val_loss) if self.has_val else train_loss
        best = watched < self.best_loss
        if best:
            self.best_loss, self.best_epoch, self.waited = watched, self.epoch, 0
            self.best_params = net.params.copy()
        else:
            self.waited += 1
        stop = self.patience is not None and self.waited >= self.patience
        weights = net.params[net.weight_mask]
        record = EpochRecord(
            self.epoch, train_loss, train_acc, val_loss, val_acc, grad_norms, best,
            self.best_epoch, stopped=stop, opt_state=self.state, batch_losses=batch_losses,
            weight_l2=float(np.sqrt(np.dot(weights, weights))),
            weight_l1=float(np.abs(weights).sum()),
            message=(f"Early stopping: the validation loss has not improved for "
                     # stop implies a patience (an int)
                     f"{self.patience} epoch{'s' if cast(int, self.patience) > 1 else ''}; "
                     f"restored the weights of epoch {self.best_epoch}.") if stop else "")
        if stop:
            self.restore_best()
            self.finished = True
        return record


def _batch_losses(loss: str, scores: list[np.ndarray], Y: np.ndarray, batch: int
                  ) -> np.ndarray:
    """J of each mini-batch from the scores c its step computed (the rows of Y in the
    epoch's order, `batch` at a time): the mean of its rows' losses. All the epoch's
    batches at once, class by class on (classes, rows) arrays as engine.losses does: about
    a dozen NumPy calls an epoch (~20 µs for 1000 rows), and no loss computed in a step."""
    c = np.concatenate(scores).T.copy()  # (classes, rows)
    c -= np.maximum.reduce(c)  # c − max, so that e^(c − max) ≤ 1
    e = np.exp(c)
    total = np.add.reduce(e)
    if loss == "cross_entropy":  # −log q(c)_true = log Σⱼ e^(cⱼ − max) − (c_true − max)
        per_row = np.log(total)
        per_row -= np.add.reduce(c * Y.T)
    else:  # the mean squared error of q(c), over each row's classes
        e /= total
        e -= Y.T
        per_row = np.add.reduce(e * e) / len(e)
    starts = np.arange(0, len(Y), batch)
    return np.add.reduceat(per_row, starts) / np.diff(starts, append=len(Y))


def _check_optimizer(optimizer) -> None:
    if getattr(optimizer, "needs_hessian", False):
        raise ValueError(f"{type(optimizer).__name__} needs a Hessian; it only runs on 2D "
                         "surfaces, not on a network's parameters")


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
    _check_args(np.asarray(X), np.asarray(y), epochs, batch_size, patience, l1, l2)
    trainer = Trainer(net, optimizer, X, y, batch_size=batch_size, seed=seed, X_val=X_val,
                      y_val=y_val, l1=l1, l2=l2, patience=patience, opt_state=opt_state)
    for epoch in range(1, epochs + 1):
        record = trainer.run_epoch()
        if patience is not None and epoch == epochs and not record.diverged:
            trainer.restore_best()
        yield record
        if trainer.finished:
            return


def divergence_message(epoch: int, net: MLP, optimizer, best_epoch: int = 0) -> str:
    """Say why training blew up (the 'large' initialization, a high dropout p, or a too
    large α) and which weights the network was given back."""
    p = max(net.p_input, net.p_hidden)
    if net.init_name == "large":  # α may be too large as well: both are named
        cause = (f"the 'large' initialization makes activations and gradients explode, "
                 f"or the learning rate α = {optimizer.lr:g} is too large; try 'normalized' "
                 "or 'he', or a smaller α")
    elif p >= 0.5:
        cause = (f"dropout p = {p:g} scales the units it keeps by 1/(1 − p) = {1 / (1 - p):.3g}, "
                 f"so the gradients, and the steps with α = {optimizer.lr:g}, are large and "
                 "noisy; try a smaller p or a smaller α")
    else:
        cause = f"the learning rate α = {optimizer.lr:g} is too large; try a smaller one"
    kept = (f"the weights of epoch {best_epoch}, the best before it, were restored"
            if best_epoch else "the starting weights were restored")
    return (f"Training diverged in epoch {epoch}: the loss exploded (to more than "
            f"{DIVERGENCE_FACTOR:g}× its starting value, or to infinity), because {cause}. "
            f"{kept[0].upper()}{kept[1:]}.")
