"""Which smaller α to suggest to a playground lane that overshot, found by running it.

A lane that overshoots ("unstable") or whose next step would leave the map while its
loss still falls ("jump") gets a stop on the α slider about ÷3 of its own, else ÷10,
else ÷30, with which it does neither. Dividing is not enough: on the valley α = 0.75
diverges and so does its third, 0.2. The candidates of every such lane run together,
one race per round (ui.cache.race, whose lane cache keeps them for when one is picked).
A candidate that then runs off downhill still counts: α is no longer the trouble there;
one whose loss does not come down (a bounce between two walls) does not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from engine.race import Lane, divergence_kind, minima_of, tolerance
from surfaces import Surface
from ui import cache
from ui.optimizer_controls import HYPERS
from viz.colors import OPTIMIZER_LABELS

if TYPE_CHECKING:
    from ui.playground import Settings

CURABLE = ("unstable", "jump")  # the stops a smaller α can prevent
DIVISORS = (3, 10, 30)


def _option_below(lr: float, divisor: int) -> float | None:
    """The largest slider stop ≤ lr / divisor (compared without dividing: 0.3 / 3 is
    0.0999… in floating point, which would skip the stop 0.1)."""
    below = [o for o in HYPERS["lr"].options if o * divisor <= lr * (1 + 1e-9)]
    return max(below) if below else None


def smaller_lr_advice(surface: Surface, lanes: list[Lane], settings: Settings) -> dict[str, str]:
    """A sentence per lane (by optimizer name) saying which smaller α to try, or why a
    smaller one would not help."""
    advice: dict[str, str] = {}
    last: dict[str, tuple[float, Lane, str | None]] = {}  # latest failed trial, its kind
    waiting = [lane.name for lane in lanes]
    for divisor in DIVISORS:
        trials = {}
        for name in waiting:
            option = _option_below(settings.hyper[name]["lr"], divisor)
            if option is not None and (name not in last or option < last[name][0]):
                trials[name] = option
        if not trials:
            break
        key = tuple((name, tuple(sorted({**settings.hyper[name], "lr": lr}.items())))
                    for name, lr in trials.items())
        for trial in cache.race(settings.surface_name, settings.formula, key, settings.start,
                                settings.steps):
            lr, kind = trials[trial.name], divergence_kind(surface, trial)
            progress = None if kind in CURABLE else _progress(surface, trial)
            if progress is None:
                last[trial.name] = (lr, trial, kind)
            else:
                advice[trial.name] = _better(trial.name, lr, kind, settings.steps, progress)
        waiting = [name for name in waiting if name not in advice]
    for name in waiting:
        advice[name] = _no_better(*last[name]) if name in last else (
            "Even the slider's smallest α is too large for this surface.")
    return advice


def _progress(surface: Surface, trial: Lane) -> str | None:
    """What the trial got done: "its loss falls" (clearly, start to end), "it ends at a
    minimum" (within the table's tolerance, from a start already that close), or None.
    (On a bowl, α at the stability limit bounces between two walls forever: its loss
    stays where it was, and it never stops.)"""
    first, end = trial.losses[0], trial.losses[trial.last_step]
    if _bouncing(surface, trial):
        return None
    if end < first - 1e-6 * max(1.0, abs(first)):
        return "its loss falls"
    minima = minima_of(surface)
    if len(minima) and np.min(np.linalg.norm(minima - trial.positions[trial.last_step],
                                             axis=1)) <= tolerance(surface.bounds):
        return "it ends at a minimum"
    return None


def _bouncing(surface: Surface, trial: Lane) -> bool:
    """Its last steps are long while its loss barely moves (under 1 %): it bounces
    between two points for ever (RMSProp with a large α on a bowl, whose normalized steps
    do not shrink), after its loss fell at first."""
    recent = slice(max(trial.last_step - 10, 0), trial.last_step + 1)
    steps = np.linalg.norm(np.diff(trial.positions[recent], axis=0), axis=1)
    losses = trial.losses[recent]
    return bool(len(steps) >= 5 and steps.min() > tolerance(surface.bounds)
                and np.ptp(losses) <= 0.01 * max(1e-12, float(np.abs(losses).max())))


def _better(name: str, lr: float, kind: str | None, steps: int, progress: str) -> str:
    label = OPTIMIZER_LABELS[name]
    if kind is None:
        return (f"Try a smaller α, such as {lr:g}: with it, {label} runs all {steps} steps "
                f"and {progress}.")
    if kind == "downhill":
        return (f"With a smaller α, such as {lr:g}, {label} no longer overshoots, but it then "
                "runs off the map downhill: the surface keeps falling that way.")
    return f"With a smaller α, such as {lr:g}, {label} no longer overshoots."


def _no_better(lr: float, trial: Lane, kind: str | None) -> str:
    if kind not in CURABLE:  # it ran, but its loss did not come down, or it bounces
        smaller = ("" if lr == min(HYPERS["lr"].options) else ": try a much smaller α")
        return (f"Even with α = {lr:g} it gets nowhere from this start (its loss stays put, "
                f"or it bounces back and forth){smaller}.")
    if kind == "unstable":
        if lr == min(HYPERS["lr"].options):
            return f"Even α = {lr:g}, the slider's smallest, still overshoots: f is too steep here."
        return f"Even α = {lr:g} still overshoots from this start: try a much smaller one."
    return (f"Even with α = {lr:g} it stops early (at step {trial.diverged_at}): from this "
            "start f keeps falling towards the map's edge or where it is undefined, so a "
            "smaller α only gets there later. Pick another start.")
