"""Bagging: k networks, each trained on its own bootstrap sample, averaged.

Each learner gets a dataset of the same size drawn from the original with
replacement (so some rows repeat and others are missing), its own initial
weights and its own batch order. The ensemble predicts with the mean of the
members' softmax probabilities.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.network import MLP
from engine.training import EpochRecord, Trainer


def bootstrap_indices(n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """k rows of n indices drawn from range(n) with replacement."""
    return rng.integers(0, n, size=(k, n))


@dataclass(frozen=True)
class Resample:
    """What one member's bootstrap sample made of the n original rows."""

    counts: np.ndarray  # (n,) how many times each original row was drawn (0: missing)

    @property
    def missing(self) -> int:
        """Rows never drawn: the member never sees them."""
        return int(np.count_nonzero(self.counts == 0))

    @property
    def repeated(self) -> int:
        """Rows drawn twice or more."""
        return int(np.count_nonzero(self.counts > 1))

    @property
    def extra_copies(self) -> int:
        """Draws beyond each row's first: as many as the rows missing (n draws in all)."""
        return int(np.sum(np.maximum(self.counts - 1, 0)))


def resample(indices: np.ndarray, n: int) -> Resample:
    """A bootstrap sample's indices (one row of bootstrap_indices) as counts per row."""
    return Resample(np.bincount(np.asarray(indices), minlength=n))


@dataclass
class Bagging:
    members: list[MLP]
    samples: np.ndarray  # (k, n) bootstrap indices each member was trained on

    def member_proba(self, X: np.ndarray) -> np.ndarray:
        """(k, rows, classes): every member's probabilities."""
        return np.stack([net.predict_proba(X) for net in self.members])

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return self.member_proba(X).mean(axis=0)

    def predict(self, X: np.ndarray) -> np.ndarray:
        return np.argmax(self.predict_proba(X), axis=1)

    def member_accuracies(self, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.array([np.mean(net.predict(X) == y) for net in self.members])

    def accuracy(self, X: np.ndarray, y: np.ndarray) -> float:
        return float(np.mean(self.predict(X) == y))

    def disagreement(self, X: np.ndarray) -> np.ndarray:
        """Per row, the fraction of members whose vote differs from the ensemble's."""
        votes = np.argmax(self.member_proba(X), axis=2)  # (k, rows)
        return np.mean(votes != self.predict(X)[None, :], axis=0)


def bagging_trainers(layer_sizes, make_optimizer: Callable[[], object], X: np.ndarray,
                     y: np.ndarray, *, k: int, batch_size: int, seed: int,
                     mlp_options: dict | None = None,
                     trainer_options: dict | None = None) -> tuple[np.ndarray, list[Trainer]]:
    """k Trainers, each on its own bootstrap sample with its own initial weights and batches.

    Returns the (k, n) bootstrap indices and the trainers; step them in any order
    (the lab interleaves them to show progress) and wrap the networks in Bagging.
    """
    if not (isinstance(k, int | np.integer) and k >= 1):
        raise ValueError(f"k={k!r} must be a positive integer")
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    seeds = np.random.SeedSequence(seed).spawn(k + 1)
    samples = bootstrap_indices(len(X), k, np.random.default_rng(seeds[0]))
    trainers = []
    for i in range(k):
        init_seed, batch_seed = seeds[i + 1].spawn(2)
        net = MLP(layer_sizes, seed=np.random.default_rng(init_seed), **(mlp_options or {}))
        rows = samples[i]
        trainers.append(Trainer(net, make_optimizer(), X[rows], y[rows], batch_size=batch_size,
                                seed=np.random.default_rng(batch_seed),
                                **(trainer_options or {})))
    return samples, trainers


def fit_bagging(layer_sizes, make_optimizer: Callable[[], object], X: np.ndarray, y: np.ndarray,
                *, k: int, epochs: int, batch_size: int, seed: int,
                on_epoch: Callable[[int, EpochRecord], None] | None = None,
                mlp_options: dict | None = None, fit_options: dict | None = None) -> Bagging:
    """Train k MLPs on bootstrap samples of (X, y) and return the ensemble.

    `make_optimizer()` builds a fresh optimizer per member; `mlp_options` go to
    MLP (activation, loss, init, dropout) and `fit_options` to the Trainer (l1, l2,
    X_val, y_val, patience). `on_epoch(member, record)` is called after every epoch.
    """
    if not (isinstance(epochs, int | np.integer) and epochs >= 1):
        raise ValueError(f"epochs={epochs!r} must be a positive integer")
    samples, trainers = bagging_trainers(layer_sizes, make_optimizer, X, y, k=k,
                                         batch_size=batch_size, seed=seed,
                                         mlp_options=mlp_options, trainer_options=fit_options)
    for i, trainer in enumerate(trainers):
        for _ in range(epochs):
            record = trainer.run_epoch()
            if on_epoch is not None:
                on_epoch(i, record)
            if trainer.finished:
                break
        if trainer.patience is not None and not record.diverged:
            trainer.restore_best()
    return Bagging([t.net for t in trainers], samples)
