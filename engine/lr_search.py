"""Which smaller α to suggest to a lane that overshot, found by running it.

A lane that overshoots ("unstable") or whose next step would leave the map while its
loss still falls ("jump") gets a stop of the α slider about ÷3 of its own, else ÷10,
else ÷30, with which it does neither. Dividing is not enough: on the valley α = 0.75
diverges and so does its third, 0.2. The candidates of every such lane run together,
one race per round (`run_trials`). A candidate that then runs off downhill still counts:
α is no longer the trouble there; one whose loss does not come down (a bounce between
two walls) does not.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from engine.race import Lane
from engine.verdicts import CURABLE, Divergence, divergence_kind, minima_of, tolerance

DIVISORS = (3, 10, 30)


class Progress(StrEnum):
    """What a trial with a smaller α got done."""

    LOSS_FALLS = "its loss falls"  # clearly, start to end
    AT_MINIMUM = "it ends at a minimum"  # within the tolerance, from a start already that close


@dataclass(frozen=True)
class Trial:
    lr: float
    lane: Lane
    kind: Divergence | None  # why it stopped early, if it did
    progress: Progress | None  # None: it did not help


@dataclass(frozen=True)
class Advice:
    """For one lane: the trial that helped, or the last that did not (None: no stop of
    the slider is small enough to try)."""

    helped: Trial | None
    last_failed: Trial | None


def option_below(lr: float, divisor: int, stops: Sequence[float]) -> float | None:
    """The largest of `stops` ≤ lr / divisor (compared without dividing: 0.3 / 3 is
    0.0999… in floating point, which would skip the stop 0.1)."""
    below = [o for o in stops if o * divisor <= lr * (1 + 1e-9)]
    return max(below) if below else None


def search_smaller_lr(surface, lanes: list[Lane], stops: Sequence[float],
                      run_trials: Callable[[dict[str, float]], list[Lane]]
                      ) -> dict[str, Advice]:
    """Advice per lane (by its name). `run_trials({name: α})` races each named optimizer
    with its own settings but that α, and returns their lanes."""
    found: dict[str, Advice] = {}
    last: dict[str, Trial] = {}  # latest failed trial
    waiting = [lane.name for lane in lanes]
    current = {lane.name: float(lane.optimizer.lr) for lane in lanes}
    for divisor in DIVISORS:
        trials = {}
        for name in waiting:
            option = option_below(current[name], divisor, stops)
            if option is not None and (name not in last or option < last[name].lr):
                trials[name] = option
        if not trials:
            break
        for lane in run_trials(trials):
            kind = divergence_kind(surface, lane)
            progress = None if kind in CURABLE else _progress(surface, lane)
            trial = Trial(trials[lane.name], lane, kind, progress)
            if progress is None:
                last[lane.name] = trial
            else:
                found[lane.name] = Advice(trial, None)
        waiting = [name for name in waiting if name not in found]
    for name in waiting:
        found[name] = Advice(None, last.get(name))
    return found


def _progress(surface, trial: Lane) -> Progress | None:
    """What the trial got done, or None. (On a bowl, α at the stability limit bounces
    between two walls forever: its loss stays where it was, and it never stops.)"""
    first, end = trial.losses[0], trial.losses[trial.last_step]
    if _bouncing(surface, trial):
        return None
    if end < first - 1e-6 * max(1.0, abs(first)):
        return Progress.LOSS_FALLS
    minima = minima_of(surface)
    if len(minima) and np.min(np.linalg.norm(minima - trial.positions[trial.last_step],
                                             axis=1)) <= tolerance(surface.bounds):
        return Progress.AT_MINIMUM
    return None


def _bouncing(surface, trial: Lane) -> bool:
    """Its last steps are long while its loss barely moves (under 1 %): it bounces
    between two points for ever (RMSProp with a large α on a bowl, whose normalized steps
    do not shrink), after its loss fell at first."""
    recent = slice(max(trial.last_step - 10, 0), trial.last_step + 1)
    steps = np.linalg.norm(np.diff(trial.positions[recent], axis=0), axis=1)
    losses = trial.losses[recent]
    return bool(len(steps) >= 5 and steps.min() > tolerance(surface.bounds)
                and np.ptp(losses) <= 0.01 * max(1e-12, float(np.abs(losses).max())))
