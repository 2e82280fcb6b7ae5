"""The update-rule panels: each optimizer's rule with the current values, and what to
look for in the race."""

from __future__ import annotations

import streamlit as st

from engine.optimizers import OPTIMIZERS
from ui.playground.presets import BEYOND
from ui.playground.sidebar import Settings


def rule_panels(settings: Settings) -> None:
    """One panel per optimizer: its rule (engine.optimizers) with the current values, and
    what to look for.

    Each panel is one markdown element (the rule as a $$ block): a rerun sends 10
    elements for five optimizers instead of 35 (columns, latex, caption), which made
    the playground's rerun ~13% cheaper on the server (paired runs).
    """
    for name in settings.optimizers:
        with st.container(border=True):
            st.markdown(rule_panel_text(name, settings.hyper[name]))


def rule_panel_text(name: str, hyper: dict[str, float]) -> str:
    """The rule with `hyper` filled in and what to look for; for Adam and Newton, where
    the course text stands on them (presets.BEYOND)."""
    optimizer = OPTIMIZERS[name]
    beyond = f"\n\n:orange[{BEYOND[name]}]" if name in BEYOND else ""
    return (f"**{optimizer.label}**\n\n$$\n{optimizer.rule_latex(hyper)}\n$$\n\n"
            f":gray[{WHAT_TO_LOOK_FOR[name]}]{beyond}")


WHAT_TO_LOOK_FOR = {
    "sgd": "It follows the steepest slope with a fixed step α. A small α crawls over flat "
           "ground; a large α bounces from wall to wall across a narrow valley, and past a "
           "limit it diverges.",
    "momentum": "The velocity v remembers past gradients, so the particle keeps rolling: "
                "zig-zags across a valley cancel out, and it can coast over small bumps, "
                "but it overshoots and spirals into a minimum. λ acts like (1 − friction).",
    "nesterov": "Like momentum, but it measures the slope at θ + λv, where it is about to "
                "be (show the look-ahead ghost). It sees the far wall before it hits it, so "
                "it brakes earlier and overshoots less.",
    "adagrad": "Each coordinate gets its own step α/(δ + √r). r only ever grows, so the "
               "steps only shrink: fast at first, then it slows down and can stall before "
               "reaching the minimum.",
    "rmsprop": "AdaGrad that forgets: old squared gradients decay at rate ρ, so on flat "
               "ground its step size recovers instead of shrinking forever. Near a minimum "
               "its steps stay about α long, so it hovers.",
    "adam": "Momentum on the gradient (β₁) plus RMSProp's per-coordinate scaling (β₂), with "
            "corrections for the first steps. Each step is about α long whatever the slope, "
            "so plateaus do not slow it down.",
    "newton": "It uses the curvature H to jump to where the local quadratic model is flat. "
              "On a bowl that is the minimum in one step, but it jumps to saddles and maxima "
              "just as readily: the course text's warning about second-order methods.",
}
