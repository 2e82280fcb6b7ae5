"""Instructive starting settings for the optimizer playground, one set per surface.

Every race has the course text's five optimizers (COURSE_TEXT): SGD, momentum, Nesterov,
AdaGrad and RMSProp; a surface about second-order methods adds Newton. Adam and Newton
are one click away, with a word on where the course text stands on them (BEYOND).

Each preset was tuned by running the race (see tests/test_playground_presets.py,
which checks that each surface's race still shows what its description promises and
that its paths can be told apart). Every optimizer starts from its playground defaults
(engine.optimizers); a preset changes the learning rates it names, always to stops of
the α slider.
"""

from __future__ import annotations

from engine.optimizers import OPTIMIZERS

COURSE_TEXT = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop")
WITH_NEWTON = (*COURSE_TEXT, "newton")

# Where the course text stands on the optimizers it does not teach
BEYOND = {
    "adam": "The course text does not mention Adam: it is here for comparison, momentum on "
            "the gradient with RMSProp's scaling.",
    "newton": "The course text mentions second-order methods such as Newton's only in "
              "passing, as outside its scope and not working well in practice.",
}


def picker_help() -> str:
    """The optimizer picker's help: which optimizers the course text teaches."""
    five = ", ".join(OPTIMIZERS[name].label for name in COURSE_TEXT)
    return (f"The course text teaches {five}; each surface races them. "
            + " ".join(BEYOND.values()))


def _preset(optimizers, steps, **learning_rates):
    hyper = {name: dict(cls.defaults["playground"]) for name, cls in OPTIMIZERS.items()}
    for name, lr in learning_rates.items():
        hyper[name]["lr"] = lr
    return {"optimizers": list(optimizers), "steps": steps, "hyper": hyper}


PRESETS = {
    # everything converges; on a round bowl the gradient points at the minimum, so SGD,
    # momentum and Nesterov share one line and the adaptive rates start off at 45°.
    # RMSProp's steps stay about α long: at α = 0.02 it settles within the 150 steps
    "bowl": _preset(COURSE_TEXT, 150, rmsprop=0.02),
    # SGD's α sits just under 2/25, the stability limit across the valley: it zig-zags;
    # momentum and Nesterov with one α: Nesterov settles first (47 steps, SGD 49, momentum 63)
    "valley": _preset(COURSE_TEXT, 200, sgd=0.075, momentum=0.03, nesterov=0.03, adagrad=0.5,
                      rmsprop=0.05),
    "rosenbrock": _preset(COURSE_TEXT, 1000,
                          sgd=0.001, momentum=0.001, nesterov=0.001, adagrad=0.5, rmsprop=0.01),
    # first-order methods stall near the saddle, then slide off; Newton lands on it
    "saddle": _preset(WITH_NEWTON, 300, sgd=0.02),
    "monkey_saddle": _preset(WITH_NEWTON, 300),
    # from the start below the global minimum: momentum rolls over the ridge to the global
    # minimum, Nesterov (same α and λ) brakes in time and turns back to the local one, SGD
    # and RMSProp curve into it along different lines, and AdaGrad's shrinking steps stall
    # it on the way (the course text's complaint about AdaGrad)
    "two_minima": _preset(COURSE_TEXT, 300, momentum=0.1, nesterov=0.1, adagrad=0.05),
    # SGD barely moves on the flat part; adaptive rates stride across it
    # (400 steps: momentum, as the description promises, finds the drop at ~330)
    "plateau": _preset(COURSE_TEXT, 400),
    # Newton climbs to the maximum in the middle; the others end in three valleys
    "himmelblau": _preset(WITH_NEWTON, 300,
                          sgd=0.01, momentum=0.005, nesterov=0.005),
    # gradient descent stops in the nearest dip; momentum with a larger α coasts into another
    "rastrigin": _preset(COURSE_TEXT, 300,
                         sgd=0.002, momentum=0.0075, nesterov=0.002),
    "custom": _preset(COURSE_TEXT, 300),
}

DEFAULT_FORMULA = "sin(x)*y**2 + 0.1*x**2"
