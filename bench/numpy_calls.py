"""How far the training step is from the floor of Python-level overhead.

Counts the NumPy calls the engine makes in a training step, and divides the step time
by them. Compare with an empty NumPy call: the closer the two, the more only fewer calls
can help.

Counted: every call the engine makes through its `np` name (functions such as np.dot
and np.empty, ufuncs such as np.exp and np.maximum, ufunc methods such as
np.add.reduce), by giving the engine's modules a counting stand-in for `np` while one
epoch runs. Not counted: arithmetic operators on arrays (+=, *, / ...), indexing and
slicing, and array methods; each of those is a NumPy call too, so the true count is
higher and the true time per call lower. (A profiler hook cannot count them either: it
sees none of the ufunc or np.dot calls.)
"""

from __future__ import annotations

import time
import types
from contextlib import contextmanager

import numpy as np

import engine.activations
import engine.losses
import engine.network
import engine.optimizers
import engine.training
from bench.timing import Row, best_time
from engine import MLP, Momentum, make_moons
from engine.training import Trainer

ENGINE_MODULES = (engine.activations, engine.losses, engine.network, engine.optimizers,
                  engine.training)


class _Counted:
    """A NumPy callable that counts its calls, and those of its methods (np.add.reduce)."""

    def __init__(self, target, counter: list[int]):
        self._target, self._counter = target, counter

    def __call__(self, *args, **kwargs):
        self._counter[0] += 1
        return self._target(*args, **kwargs)

    def __getattr__(self, name):
        attribute = getattr(self._target, name)
        return _Counted(attribute, self._counter) if callable(attribute) else attribute


class _CountingNumPy(types.ModuleType):
    """`np` with every function and ufunc counted; types and constants stay themselves."""

    def __init__(self, counter: list[int]):
        super().__init__("numpy")
        self._counter = counter

    def __getattr__(self, name):
        attribute = getattr(np, name)
        if callable(attribute) and not isinstance(attribute, type):
            return _Counted(attribute, self._counter)
        return attribute  # np.float64, np.errstate's class, np.inf ...


@contextmanager
def _counting_numpy():
    counter = [0]
    stand_in = _CountingNumPy(counter)
    for module in ENGINE_MODULES:
        module.np = stand_in
    try:
        yield counter
    finally:
        for module in ENGINE_MODULES:
            module.np = np


def run() -> list[Row]:
    X, y = make_moons(1000, noise=0.2, seed=0)
    rows = []
    for sizes, label in (([2, 32, 32, 2], "2-32-32-2"), ([2, 64, 64, 64, 64, 64, 2],
                                                         "2-64×5-2")):
        trainer = Trainer(MLP(sizes, seed=0), Momentum(lr=0.05, momentum=0.9), X, y,
                          batch_size=32, seed=1)
        trainer.run_epoch()
        steps = -(-len(X) // 32)
        with _counting_numpy() as counter:
            trainer.run_epoch()
        calls = counter[0] / steps
        per_step = best_time(trainer.run_epoch, repeats=10, warmup=0) / steps
        empty = np.zeros(1)
        start = time.perf_counter()
        for _ in range(100_000):
            np.add(empty, empty)
        floor = (time.perf_counter() - start) / 100_000
        rows.append(Row(f"explicit NumPy calls per training step (operators not counted), "
                        f"{label}", calls, None, "calls"))
        rows.append(Row(f"time per explicit NumPy call in a step, {label} (empty np.add: "
                        f"{floor * 1e6:.2f} µs)", per_step / calls * 1e6, None, "µs"))
    return rows
