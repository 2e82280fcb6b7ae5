"""Instructive starting settings for the optimizer playground, one set per surface.

Each preset was tuned by running the race (see tests/test_playground_presets.py,
which checks that each surface's race still shows what its description promises).
Every optimizer starts from its playground defaults (engine.optimizers); a preset
changes the learning rates it names.
"""

from __future__ import annotations

from engine.optimizers import OPTIMIZERS


def _preset(optimizers, steps, **learning_rates):
    hyper = {name: dict(cls.defaults["playground"]) for name, cls in OPTIMIZERS.items()}
    for name, lr in learning_rates.items():
        hyper[name]["lr"] = lr
    return {"optimizers": list(optimizers), "steps": steps, "hyper": hyper}


PRESETS = {
    # everything converges; momentum spirals in, Newton jumps in one step
    "bowl": _preset(("sgd", "momentum", "nesterov", "adam", "newton"), 150),
    # SGD's α sits just under 2/25, the stability limit across the valley: it zig-zags
    "valley": _preset(("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"), 200,
                      sgd=0.075, adagrad=0.5, rmsprop=0.05, adam=0.1),
    "rosenbrock": _preset(("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam",
                           "newton"), 1000,
                          sgd=0.001, momentum=0.001, nesterov=0.001, adagrad=0.5, rmsprop=0.01),
    # first-order methods stall near the saddle, then slide off; Newton lands on it
    "saddle": _preset(("sgd", "momentum", "adam", "newton"), 300, sgd=0.02),
    "monkey_saddle": _preset(("sgd", "momentum", "rmsprop", "newton"), 300),
    # momentum rolls over the ridge to the global minimum, Nesterov brakes in time
    # and stays in the local one, Newton stops on the saddle between them
    "two_minima": _preset(("sgd", "momentum", "nesterov", "adam", "newton"), 300,
                          momentum=0.1, nesterov=0.1),
    # SGD barely moves on the flat part; adaptive rates stride across it
    # (400 steps: momentum, as the description promises, finds the drop at ~330)
    "plateau": _preset(("sgd", "momentum", "adagrad", "rmsprop", "adam", "newton"), 400),
    # Newton climbs to the maximum in the middle
    "himmelblau": _preset(("sgd", "momentum", "nesterov", "adam", "newton"), 300,
                          sgd=0.01, momentum=0.005, nesterov=0.005, adam=0.1),
    "rastrigin": _preset(("sgd", "momentum", "adam"), 300,
                         sgd=0.002, momentum=0.002, nesterov=0.002, adam=0.3),
    "custom": _preset(("sgd", "momentum", "adam"), 300),
}

DEFAULT_FORMULA = "sin(x)*y**2 + 0.1*x**2"
