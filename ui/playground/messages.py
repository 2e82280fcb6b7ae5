"""Why a path stopped early, in words, and what to try instead.

The facts come from the engine: engine.verdicts says why a lane stopped,
engine.lr_search which smaller α helps (running it), engine.newton_diagnosis why
Newton left the map. Here they become the warnings above the map.
"""

from __future__ import annotations

from engine.hyperparameters import HYPERPARAMETERS
from engine.lr_search import Advice, Trial, search_smaller_lr
from engine.newton_diagnosis import NewtonDiagnosis, NewtonTrouble, diagnose_newton
from engine.optimizers import OPTIMIZERS
from engine.race import Lane
from engine.verdicts import (
    CURABLE,
    Divergence,
    MapExit,
    divergence_kind,
    left_map,
    minima_of,
    singular_stop,
)
from surfaces import Surface
from ui.playground import race
from ui.playground.results import exit_text, point_text
from ui.playground.sidebar import Settings
from viz.number_text import scientific_text

LR_STOPS = HYPERPARAMETERS["lr"].stops


def divergence_messages(surface: Surface, lanes: list[Lane], settings: Settings) -> list[str]:
    kinds = {lane.name: divergence_kind(surface, lane) for lane in lanes}
    advice = _smaller_lr_advice(surface, [lane for lane in lanes if lane.name != "newton"
                                          and kinds[lane.name] in CURABLE], settings)
    messages = []
    downhill: list[tuple[str, str]] = []  # said together: the saddle sends five paths off
    for lane in lanes:
        kind = kinds[lane.name]
        label = OPTIMIZERS[lane.name].label
        k = lane.diverged_at
        left = left_map(surface.bounds, lane) if kind is not None else None
        # where it was last seen, when it stopped out of the picture
        seen = f" It {exit_text(left)}, where it went out of the picture." if left else ""
        if kind == Divergence.START:
            messages.append(f"{label}: f or its gradient is undefined (or too large to "
                            "compute) at the start point; pick another start.")
        elif kind == Divergence.SINGULAR:
            messages.append(f"{label} stopped at step {k}: the Hessian is singular there "
                            "(no curvature to jump with). A damping μ > 0 makes the step "
                            "defined.")
        elif kind == Divergence.SINGULAR_F:
            messages.append(singular_message(label, surface, lane))
        elif kind == Divergence.DOWNHILL:
            where = (f"at step {left.step}, at {point_text(left.point)}" if left else
                     f"at step {k}")
            downhill.append((label, where))
        elif kind in CURABLE and lane.name == "newton":
            messages.append(newton_message(surface, diagnose_newton(surface, lane), left))
        elif kind == Divergence.JUMP:
            messages.append(f"{label} stopped at step {k}: its loss was still falling, but "
                            "its next step would have landed far off the map or where f is "
                            f"undefined.{seen} Its path stops at its last good point. "
                            f"{advice[lane.name]}")
        elif kind == Divergence.UNSTABLE:
            lr = settings.hyper[lane.name]["lr"]
            how = ("its first step already flew off the map" if k == 1 else
                   "each step overshoots by more than the last, until the path flew off "
                   "the map")
            messages.append(f"{label} diverged at step {k}: with α = {lr:g} {how}.{seen} Its "
                            f"path stops at its last good point. {advice[lane.name]}")
    if downhill:
        messages.append(_downhill_message(downhill))
    return messages


def _downhill_message(paths: list[tuple[str, str]]) -> str:
    """"SGD ran off the map downhill at step 194, at (…): …" for one path (label, where);
    one message naming each for several."""
    why = "this surface keeps falling in that direction, so there is no minimum to find there."
    if len(paths) == 1:
        (label, where), = paths
        return f"{label} ran off the map downhill {where}: {why}"
    labels = [label for label, _ in paths]
    names = ", ".join(labels[:-1]) + f" and {labels[-1]}"
    each = "; ".join(f"{label} {where}" for label, where in paths)
    return f"{names} ran off the map downhill ({each}): {why}"


def singular_message(label: str, surface: Surface, lane: Lane) -> str:
    """The path stopped on the map where f blows up: say so, with the slopes that show it."""
    why = singular_stop(surface, lane)
    assert why is not None  # divergence_kind said SINGULAR_F
    at = point_text(why.point)
    slope = ("undefined or too large to compute" if why.grad_norm == float("inf") else
             f"{scientific_text(why.grad_norm)}, against about "
             f"{scientific_text(why.nearby_grad_norm)} only {why.radius:.2g} away")
    return (f"{label} stopped at step {lane.diverged_at}, at {at}: f is singular there (its "
            f"slope ‖∇f‖ there is {slope}), so its next step would have been flung far away. "
            "No learning rate settles at such a point: its path stops at its last good "
            "point. Pick another start or formula.")


def newton_message(surface: Surface, why: NewtonDiagnosis, left: MapExit | None = None
                   ) -> str:
    """Why Newton left the map: α > 1 past a target on the map, f curving downward on
    its way (the quadratic model's flat point is then no minimum), or a far jump; and
    where it went out of the picture (`left`), long before it was stopped."""
    said = (f"Newton {exit_text(left)}, out of the picture, and stopped at step {why.step}: "
            if left else f"Newton stopped at step {why.step}: ")
    model = "damped local quadratic model" if why.damping else "local quadratic model"
    if why.trouble == NewtonTrouble.OVERSHOT:
        x, y = why.target
        return (said + f"α = 1 would step to ({x:.3g}, {y:.3g}), where its {model} is flat; "
                f"α = {why.lr:g} steps {why.lr:g} times as far, past that point and off the "
                "map. Try α = 1.")
    if why.trouble == NewtonTrouble.CURVES_DOWN:
        lowest = why.lowest_curvature
        away = ", away from the minimum" if len(minima_of(surface)) else ""
        largest = max(HYPERPARAMETERS["damping"].stops)
        cure = (f"A damping μ well above {scientific_text(-lowest)} (the size of the most "
                "negative curvature on its way) makes H + μI curve upward everywhere it "
                "went, and its steps go downhill." if -lowest < largest / 2 else
                f"The curvature gets as negative as {scientific_text(lowest)} on its way: "
                f"more than the damping slider (up to μ = {largest:g}) can make up for. "
                "Pick another start or another optimizer.")
        return (said + "where f curves downward, the flat point of its local quadratic "
                "model is a maximum or a saddle, so Newton's step points uphill or "
                f"sideways{away}, until it leaves the map. {cure}")
    return (said + "it steps to where the local quadratic model of f is flat, and where the "
            "curvature is small that point can lie far off the map. Its path stops at its "
            "last good point. A damping μ > 0 or a smaller α shortens such jumps.")


# ---------------------------------------------------------------- a smaller α


def _smaller_lr_advice(surface: Surface, lanes: list[Lane], settings: Settings
                       ) -> dict[str, str]:
    """A sentence per lane (by optimizer name) saying which smaller α to try, or why a
    smaller one would not help. The trials run through the race cache, which keeps
    them for when one is picked."""
    def run_trials(trials: dict[str, float]) -> list[Lane]:
        key = tuple((name, tuple(sorted({**settings.hyper[name], "lr": lr}.items())))
                    for name, lr in trials.items())
        return race.race(settings.surface_name, settings.formula, key, settings.start,
                         settings.steps)

    found = search_smaller_lr(surface, lanes, LR_STOPS, run_trials)
    return {name: _advice_text(name, advice, settings.steps) for name, advice in found.items()}


def _advice_text(name: str, advice: Advice, steps: int) -> str:
    if advice.helped is not None:
        return _better(name, advice.helped, steps)
    if advice.last_failed is not None:
        return _no_better(advice.last_failed)
    return "Even the slider's smallest α is too large for this surface."


def _better(name: str, trial: Trial, steps: int) -> str:
    label = OPTIMIZERS[name].label
    if trial.kind is None:
        return (f"Try a smaller α, such as {trial.lr:g}: with it, {label} runs all {steps} "
                f"steps and {trial.progress}.")
    if trial.kind == Divergence.DOWNHILL:
        return (f"With a smaller α, such as {trial.lr:g}, {label} no longer overshoots, but "
                "it then runs off the map downhill: the surface keeps falling that way.")
    return f"With a smaller α, such as {trial.lr:g}, {label} no longer overshoots."


def _no_better(trial: Trial) -> str:
    lr = trial.lr
    if trial.kind not in CURABLE:  # it ran, but its loss did not come down, or it bounces
        smaller = "" if lr == min(LR_STOPS) else ": try a much smaller α"
        return (f"Even with α = {lr:g} it gets nowhere from this start (its loss stays put, "
                f"or it bounces back and forth){smaller}.")
    if trial.kind == Divergence.UNSTABLE:
        if lr == min(LR_STOPS):
            return f"Even α = {lr:g}, the slider's smallest, still overshoots: f is too steep here."
        return f"Even α = {lr:g} still overshoots from this start: try a much smaller one."
    return (f"Even with α = {lr:g} it stops early (at step {trial.lane.diverged_at}): from "
            "this start f keeps falling towards the map's edge or where it is undefined, so "
            "a smaller α only gets there later. Pick another start.")
