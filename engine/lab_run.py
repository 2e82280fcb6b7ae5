"""The training lab's run: its data, its networks, its history, and where it stands.

The lab's page keeps one LabRun per browser session and calls `advance` on it between
redraws: every step runs inside that session's own script run, so two trainings of one
session never overlap, and a widget change between steps cannot corrupt anything.

Longer than 300 lines because the run's data, its networks, the knobs that change while
it trains and what it records of those changes are one model, driven by one page.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.datasets import make_dataset, train_val_test_split
from engine.ensembles import Bagging, bagging_trainers
from engine.network import MLP
from engine.optimizers import make_optimizer
from engine.training import EpochRecord, Trainer

SINGLE, COMPARE, BAGGING = "single", "compare", "bagging"
TICK_SECONDS = 0.15  # training time per refresh: charts redraw at least every 0.25 s
TICKS_PER_RUN = 12  # a fast run is still spread over this many refreshes, to be watched


@dataclass(frozen=True)
class LabData:
    X_tr: np.ndarray
    y_tr: np.ndarray
    X_va: np.ndarray
    y_va: np.ndarray
    X_te: np.ndarray
    y_te: np.ndarray
    classes: list[str]
    features: list[str]

    @property
    def n_classes(self) -> int:
        return len(self.classes)


def synthetic_data(name: str, n: int, noise: float, seed: int, *, arms: int, blobs: int,
                   val: float, test: float) -> LabData:
    extras = {"spirals": {"n_arms": arms}, "blobs": {"n_classes": blobs}}.get(name, {})
    X, y = make_dataset(name, n, noise=noise, seed=seed, **extras)
    return split(X, y, [str(k) for k in range(int(y.max()) + 1)], ["x₁", "x₂"], val, test,
                 seed)


def split(X, y, classes, features, val: float, test: float, seed: int) -> LabData:
    parts = train_val_test_split(X, y, val=val, test=test, seed=seed)
    return LabData(*parts, classes=list(classes), features=list(features))


@dataclass(frozen=True)
class Architecture:
    """What a network is made of: changing any of this starts a new run."""

    hidden_layers: int
    width: int
    activation: str
    init: str
    loss: str
    seed: int

    def layer_sizes(self, n_features: int, n_classes: int) -> list[int]:
        return [n_features, *[self.width] * self.hidden_layers, n_classes]


@dataclass(frozen=True)
class Knobs:
    """What can change while training continues."""

    optimizer: str
    hyper: tuple  # ((name, value), ...)
    batch_size: int | None  # None: the whole training set
    l1: float
    l2: float
    dropout: float
    patience: int | None
    epochs: int

    def make_optimizer(self):
        return make_optimizer(self.optimizer, **dict(self.hyper))

    def training_values(self) -> dict[str, Any]:
        """The settings that change how training goes on, by name: the optimizer, its
        hyperparameters (lr, momentum, rho), batch_size, l1, l2, dropout and patience."""
        return {"optimizer": self.optimizer, **dict(self.hyper), "batch_size": self.batch_size,
                "l1": self.l1, "l2": self.l2, "dropout": self.dropout,
                "patience": self.patience}


@dataclass(frozen=True)
class KnobChange:
    """A setting changed while training: from epoch `epoch` + 1 on, `knob` was `after`."""

    epoch: int  # the last epoch trained with `before`
    knob: str  # a key of Knobs.training_values: "lr", "dropout", "l2", …
    before: Any
    after: Any


@dataclass
class Pace:
    """A training speed the student chose: `per_second` epochs a second, counted from the
    epoch `start_epoch` at the moment `started` (time.perf_counter)."""

    per_second: float
    started: float
    start_epoch: int
    last: float  # the last time training was asked to advance


@dataclass
class LabRun:
    key: tuple  # data + architecture + mode: a different key means a new run
    mode: str
    data: LabData
    trainers: dict[str, Trainer]
    histories: dict[str, list[EpochRecord]]
    samples: np.ndarray | None = None  # bagging's bootstrap indices
    status: str = "ready"  # ready, running, paused, finished
    messages: list[str] = field(default_factory=list)
    initial_params: dict[str, np.ndarray] = field(default_factory=dict)
    knobs: Knobs | None = None  # the settings training goes on with
    changes: list[KnobChange] = field(default_factory=list)  # made while it trained
    pace: Pace | None = None  # a chosen training speed's clock

    @property
    def started(self) -> bool:
        return any(self.histories.values())

    def diverged_at(self) -> dict[str, int]:
        """The epoch in which each network that diverged did so (it trains no more)."""
        return {label: history[-1].epoch for label, history in self.histories.items()
                if history and history[-1].diverged}

    @property
    def all_diverged(self) -> bool:
        return len(self.diverged_at()) == len(self.trainers)

    @property
    def epoch(self) -> int:
        """How far the run is: the slowest network still training; once none is (they
        ran out of epochs, stopped early or diverged), the furthest any of them got."""
        training = [t.epoch for t in self.trainers.values() if not t.finished]
        return min(training) if training else max(t.epoch for t in self.trainers.values())

    def nets(self) -> dict[str, MLP]:
        return {label: t.net for label, t in self.trainers.items()}

    def ensemble(self) -> Bagging | None:
        if self.mode != BAGGING:
            return None
        assert self.samples is not None  # new_run gives every bagging run its samples
        return Bagging([t.net for t in self.trainers.values()], self.samples)


def new_run(key: tuple, mode: str, data: LabData, arch: Architecture, knobs: Knobs,
            members: int) -> LabRun:
    sizes = arch.layer_sizes(data.X_tr.shape[1], data.n_classes)
    options: dict[str, Any] = {"X_val": data.X_va, "y_val": data.y_va, "l1": knobs.l1,
                               "l2": knobs.l2, "patience": knobs.patience,
                               "record_batches": True}  # the per-batch loss curve
    batch = knobs.batch_size or len(data.X_tr)
    trainers: list[Trainer] | dict[str, Trainer]  # a list for bagging, else by label
    if mode == BAGGING:
        samples, trainers = bagging_trainers(
            sizes, knobs.make_optimizer, data.X_tr, data.y_tr, k=members, batch_size=batch,
            seed=arch.seed, trainer_options=options,
            mlp_options={"activation": arch.activation, "loss": arch.loss, "init": arch.init,
                         "dropout": knobs.dropout})
        labelled = {f"member {i + 1}": t for i, t in enumerate(trainers)}
        run = LabRun(key, mode, data, labelled, {label: [] for label in labelled}, samples)
    else:
        # Comparison: identical networks (same seed: same initial weights) and identical
        # batches (same training seed), except for the hidden activation.
        activations = {"sigmoid": "sigmoid", "ReLU": "relu"} if mode == COMPARE \
            else {arch.activation: arch.activation}
        trainers = {}
        for label, activation in activations.items():
            net = MLP(sizes, activation=activation, loss=arch.loss, init=arch.init,
                      dropout=knobs.dropout, seed=arch.seed)
            trainers[label] = Trainer(net, knobs.make_optimizer(), data.X_tr, data.y_tr,
                                      batch_size=batch, seed=arch.seed + 1, **options)
        run = LabRun(key, mode, data, trainers, {label: [] for label in trainers})
    run.initial_params = {label: t.net.params.copy() for label, t in run.trainers.items()}
    run.knobs = knobs
    return run


def apply_knobs(run: LabRun, knobs: Knobs) -> None:
    """Carry new α, penalties, dropout, batch size or patience into the running training,
    and once training has begun, record each change at the epoch it came after."""
    if run.knobs is not None and run.started:
        _record_changes(run, run.knobs.training_values(), knobs.training_values())
    run.knobs = knobs
    for trainer in run.trainers.values():
        wanted = knobs.make_optimizer()
        if wanted != trainer.optimizer:
            trainer.set_optimizer(wanted)
        trainer.l1, trainer.l2, trainer.patience = knobs.l1, knobs.l2, knobs.patience
        trainer.batch_size = knobs.batch_size or len(trainer.X)
        trainer.net.set_dropout(knobs.dropout)


def _record_changes(run: LabRun, before: dict[str, Any], after: dict[str, Any]) -> None:
    """One KnobChange per setting that differs (hyperparameters that only one of two
    optimizers has come and go with the optimizer, which is recorded). Several changes
    of one setting between the same two epochs are one change; one that is undone is
    none."""
    epoch = run.epoch
    for knob in before.keys() & after.keys():
        if before[knob] == after[knob]:
            continue
        same = [c for c in run.changes if c.epoch == epoch and c.knob == knob]
        first = same[0].before if same else before[knob]
        run.changes = [c for c in run.changes if c not in same]
        if first != after[knob]:
            run.changes.append(KnobChange(epoch, knob, first, after[knob]))
    run.changes.sort(key=lambda c: c.epoch)  # stable: in the order made within an epoch


def _due(run: LabRun, per_second: float, now: float) -> int:
    """How many epochs are due at `per_second` epochs a second: the first at once, then
    one every 1/per_second seconds. The clock restarts with a new speed, and after a
    pause (no call for a while), so that nothing is made up in a burst."""
    pace = run.pace
    if (pace is None or pace.per_second != per_second
            or now - pace.last > max(1.0, 2 / per_second)):
        pace = run.pace = Pace(per_second, now, run.epoch, now)
    pace.last = now
    return pace.start_epoch + 1 + int((now - pace.started) * per_second) - run.epoch


def _active(run: LabRun, epochs: int) -> list[tuple[str, Trainer]]:
    return [(label, t) for label, t in run.trainers.items()
            if not t.finished and t.epoch < epochs]


def advance(run: LabRun, epochs: int, seconds: float = TICK_SECONDS,
            per_second: float | None = None, now: float | None = None) -> None:
    """Train every unfinished network, one epoch each in turn, for about `seconds`,
    and for at most epochs / TICKS_PER_RUN epochs, so that even a quick run grows
    visibly over a few refreshes instead of appearing finished at once. With
    `per_second`, the epochs due at that many epochs a second instead (`now`: the
    time.perf_counter to count from, for tests)."""
    start = time.perf_counter()
    deadline = start + seconds
    budget = (_due(run, per_second, start if now is None else now) if per_second
              else max(1, -(-epochs // TICKS_PER_RUN)))
    if not _active(run, epochs):
        _finish(run, epochs)
        return
    for _ in range(budget):
        if time.perf_counter() >= deadline:
            return
        active = _active(run, epochs)
        if not active:
            _finish(run, epochs)
            return
        for label, trainer in active:
            record = trainer.run_epoch()
            run.histories[label].append(record)
            text = f"{label}: {record.message}" if len(run.trainers) > 1 else record.message
            if record.message and text not in run.messages:
                run.messages.append(text)


def _finish(run: LabRun, epochs: int) -> None:
    """All networks are done: with early stopping, each keeps its best weights."""
    for label, trainer in run.trainers.items():
        if trainer.patience is not None and not trainer.finished and trainer.epoch >= epochs:
            trainer.restore_best()
            prefix = f"{label}: " if len(run.trainers) > 1 else ""
            run.messages.append(f"{prefix}The epochs ran out; early stopping restored the "
                                f"weights of epoch {trainer.best_epoch}, the best.")
    run.status = "finished"


def kept_epochs(run: LabRun) -> dict[str, int]:
    """The epoch whose weights each network holds: its best one after early stopping or
    a divergence (both restore it), else its last."""
    kept = {}
    for label, trainer in run.trainers.items():
        history = run.histories[label]
        restored = trainer.patience is not None or bool(history and history[-1].diverged)
        kept[label] = trainer.best_epoch if restored else trainer.epoch
    return kept


def can_continue(run: LabRun, epochs: int) -> bool:
    return any(not t.finished and t.epoch < epochs for t in run.trainers.values())


def losses_on_test_set(run: LabRun) -> dict[str, float]:
    """Test loss of each network, computed once training has finished."""
    if run.status != "finished" or not len(run.data.X_te):
        return {}
    with np.errstate(all="ignore"):
        return {label: t.net.loss(run.data.X_te, run.data.y_te)
                for label, t in run.trainers.items()
                if run.histories[label] and not run.histories[label][-1].diverged}


def history_rows(run: LabRun) -> list[dict]:
    """One row per network and epoch, one column per layer's gradient norm (the CSV)."""
    rows = []
    for label, history in run.histories.items():
        for r in history:
            row = {"run": label, "epoch": r.epoch, "train_loss": r.train_loss,
                   "val_loss": r.val_loss, "train_accuracy": r.train_acc,
                   "val_accuracy": r.val_acc, "best_so_far": r.best, "diverged": r.diverged}
            row.update({f"grad_norm_layer_{m + 1}": float(v)
                        for m, v in enumerate(r.grad_norms)})
            rows.append(row)
    return rows
