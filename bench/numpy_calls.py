"""How far the training step is from the floor of Python-level overhead.

Counts the NumPy calls made through functions, ufuncs and array methods during
training steps (sys.setprofile sees those; arithmetic operators such as @, + and *
do not show up, so the true count is higher and the time per call lower), and
divides the step time by them. Compare with an empty NumPy call: the closer the
two, the more only fewer calls can help.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from bench.timing import Row
from engine import MLP, Momentum, make_moons
from engine.training import Trainer


def _numpy_c_calls(run) -> int:
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        if event == "c_call":
            owner = getattr(arg, "__module__", None) or type(getattr(arg, "__self__", None)
                                                              ).__module__
            if owner and owner.startswith("numpy"):
                count += 1

    sys.setprofile(profile)
    try:
        run()
    finally:
        sys.setprofile(None)
    return count


def run() -> list[Row]:
    X, y = make_moons(1000, noise=0.2, seed=0)
    rows = []
    for sizes, label in (([2, 32, 32, 2], "2-32-32-2"), ([2, 64, 64, 64, 64, 64, 2],
                                                         "2-64×5-2")):
        trainer = Trainer(MLP(sizes, seed=0), Momentum(lr=0.05, momentum=0.9), X, y,
                          batch_size=32, seed=1)
        trainer.run_epoch()
        steps = -(-len(X) // 32)
        calls = _numpy_c_calls(trainer.run_epoch) / steps
        start = time.perf_counter()
        for _ in range(5):
            trainer.run_epoch()
        per_step = (time.perf_counter() - start) / 5 / steps
        empty = np.zeros(1)
        start = time.perf_counter()
        for _ in range(100_000):
            np.add(empty, empty)
        floor = (time.perf_counter() - start) / 100_000
        rows.append(Row(f"NumPy function/method calls per training step, {label}", calls,
                        None, "calls"))
        rows.append(Row(f"time per NumPy call in a step, {label} (empty np.add: "
                        f"{floor * 1e6:.2f} µs)", per_step / calls * 1e6, None, "µs"))
    return rows
