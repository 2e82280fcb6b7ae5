"""Optimizer paths: the playground's race and the basins map, against torch.optim.

The race: SGD, momentum, Nesterov, AdaGrad, RMSProp, Adam and Newton, 1000 steps each
on Rosenbrock from (−1.2, 1), as the playground computes it (engine.race.run_race),
against torch.optim with autograd computing every gradient (Newton: a Hessian step
with torch.autograd.functional). Basins: 200 × 200 starts, 500 momentum steps on
Himmelblau, vectorized on both sides, and on both sides with the points column-major
(all x, then all y), which makes each coordinate one contiguous array.
"""

from __future__ import annotations

import numpy as np

from bench.timing import Row, best_times
from engine.optimizers import Momentum, make_optimizer
from engine.race import run_race
from surfaces import SURFACES

STEPS = 1000
SETTINGS = {"sgd": {"lr": 1e-3}, "momentum": {"lr": 1e-3, "momentum": 0.9},
            "nesterov": {"lr": 1e-3, "momentum": 0.9}, "adagrad": {"lr": 0.5},
            "rmsprop": {"lr": 0.01}, "adam": {"lr": 0.05}, "newton": {"lr": 1.0}}
START = (-1.2, 1.0)


def _rosenbrock_torch(p):
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


def _torch_optimizer(torch, name, params):
    s = SETTINGS[name]
    if name == "sgd":
        return torch.optim.SGD(params, lr=s["lr"])
    if name in ("momentum", "nesterov"):
        # torch's velocity is the course text's divided by −α: the same path for a constant α
        return torch.optim.SGD(params, lr=s["lr"], momentum=s["momentum"],
                               nesterov=name == "nesterov")
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=s["lr"], eps=1e-7)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=s["lr"], alpha=0.9, eps=1e-7)
    return torch.optim.Adam(params, lr=s["lr"], eps=1e-8)


def torch_race(torch, steps: int = STEPS) -> None:
    for name in SETTINGS:
        p = torch.tensor(START, dtype=torch.float64, requires_grad=True)
        if name == "newton":
            for _ in range(steps):
                g = torch.autograd.functional.jacobian(_rosenbrock_torch, p)
                h = torch.autograd.functional.hessian(_rosenbrock_torch, p)
                with torch.no_grad():
                    p -= torch.linalg.solve(h, g)
            continue
        opt = _torch_optimizer(torch, name, [p])
        for _ in range(steps):
            opt.zero_grad()
            _rosenbrock_torch(p).backward()
            opt.step()


def our_race() -> None:
    surface = SURFACES["rosenbrock"]
    opts = {name: make_optimizer(name, **s) for name, s in SETTINGS.items()}
    run_race(surface, opts, START, STEPS)


def single_loops(torch) -> tuple[float, float]:
    """One optimizer's plain step loop on each side (momentum, 1000 steps)."""
    grad = SURFACES["rosenbrock"].grad
    opt = Momentum(lr=1e-3, momentum=0.9)

    def ours():
        theta = np.array(START)
        state = opt.init(theta)
        for _ in range(STEPS):
            theta, state = opt.step(theta, grad, state)

    def theirs():
        p = torch.tensor(START, dtype=torch.float64, requires_grad=True)
        o = torch.optim.SGD([p], lr=1e-3, momentum=0.9)
        for _ in range(STEPS):
            o.zero_grad()
            _rosenbrock_torch(p).backward()
            o.step()

    return best_times(ours, theirs, repeats=5, peer_repeats=3)


def basins(torch, side: int = 200, steps: int = 500) -> tuple[float, float]:
    himmelblau = SURFACES["himmelblau"]
    xs = np.linspace(-5, 5, side)
    starts = np.asfortranarray(np.stack(np.meshgrid(xs, xs), axis=-1).reshape(-1, 2))
    opt = Momentum(lr=0.005, momentum=0.9)

    def ours():
        theta, state = starts, opt.init(starts)
        for _ in range(steps):
            theta, state = opt.step(theta, himmelblau.grad, state)
        return theta

    def theirs():
        p = torch.tensor(starts.T, requires_grad=True)  # (2, points): rows x and y
        o = torch.optim.SGD([p], lr=0.005, momentum=0.9)
        for _ in range(steps):
            o.zero_grad()
            x, y = p[0], p[1]
            ((x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2).sum().backward()
            o.step()
        return p.detach().numpy().T

    ends_ours, ends_theirs = ours(), theirs()
    assert np.allclose(ends_ours, ends_theirs, atol=1e-6), "the two basin maps differ"
    # both are warm from the check above
    return best_times(ours, theirs, repeats=5, warmup=0)


def run() -> list[Row]:
    import torch

    torch.set_num_threads(1)
    our_race()
    torch_race(torch, steps=10)  # warm-ups: torch's first autograd calls set things up
    # torch's race takes seconds: two of its runs, taken in turns with five of ours
    race_ours, race_torch = best_times(our_race, lambda: torch_race(torch), repeats=5,
                                       peer_repeats=2, warmup=0)
    loop_ours, loop_torch = single_loops(torch)
    basin_ours, basin_torch = basins(torch)
    return [
        Row("race: 7 optimizers × 1000 steps on Rosenbrock", race_ours * 1e3, race_torch * 1e3,
            "ms", "≥ 30×", race_torch / race_ours >= 30),
        Row("one optimizer's step loop (momentum, 1000 steps)", loop_ours * 1e3,
            loop_torch * 1e3, "ms", "≥ 20×", loop_torch / loop_ours >= 20),
        Row("basins: 200×200 starts × 500 momentum steps, Himmelblau", basin_ours,
            basin_torch, "s", "≥ 5×", basin_torch / basin_ours >= 5),
    ]
