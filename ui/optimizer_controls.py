"""Sliders for the optimizers' hyperparameters, labelled with the seed's symbols."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ui.url_state import Field, format_number, number_in


def _series(low_exp: int, high_exp: int, mantissas=(1, 1.5, 2, 3, 5, 7.5)) -> tuple[float, ...]:
    """1, 1.5, 2, 3, 5, 7.5 × 10^k: a log scale whose stops are round numbers."""
    values = [round(m * 10.0**k, 12) for k in range(low_exp, high_exp) for m in mantissas]
    return (*values, round(10.0**high_exp, 12))


@dataclass(frozen=True)
class Hyper:
    symbol: str  # as the seed writes it
    label: str
    options: tuple[float, ...]
    help: str


HYPERS = {
    "lr": Hyper("α", "α, learning rate", _series(-4, 1),
                "Step size. Log scale: each stop is about 1.5× the one before."),
    "momentum": Hyper("λ", "λ, momentum", (*(round(0.05 * i, 2) for i in range(19)),
                                              0.95, 0.97, 0.99),
                      "How much of the previous velocity is kept: 0 is plain SGD, "
                      "close to 1 means little friction."),
    "rho": Hyper("ρ", "ρ, decay", (0.0, 0.5, 0.8, 0.9, 0.95, 0.99, 0.999),
                 "How fast RMSProp forgets old squared gradients."),
    "eps": Hyper("δ", "δ, small constant", tuple(float(f"1e{k}") for k in range(-10, 1)),
                 "Keeps α/(δ + √r) finite when r is 0."),
    "beta1": Hyper("β₁", "β₁, first-moment decay", (0.0, 0.5, 0.8, 0.9, 0.95, 0.99),
                   "Adam's momentum on the gradient."),
    "beta2": Hyper("β₂", "β₂, second-moment decay", (0.9, 0.99, 0.999, 0.9999),
                   "Adam's memory of squared gradients, like RMSProp's ρ."),
    "damping": Hyper("μ", "μ, damping", (0.0, 0.01, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0),
                     "Adds μI to the Hessian: larger μ makes Newton more like gradient descent."),
}


def widget_key(optimizer: str, param: str) -> str:
    return f"{optimizer}_{param}"


def hyper_fields(hyperparameters: dict[str, tuple[str, ...]]) -> list[Field]:
    """One URL field per optimizer hyperparameter, e.g. `momentum_lr`."""
    return [Field(widget_key(opt, p), number_in(HYPERS[p].options), format_number)
            for opt, params in hyperparameters.items() for p in params]


def format_value(value: float) -> str:
    return f"{value:g}"


def hyper_sliders(optimizer: str, params: tuple[str, ...]) -> dict[str, float]:
    """The sliders of one optimizer; values come from (and stay in) session state."""
    values = {}
    for param in params:
        spec = HYPERS[param]
        values[param] = st.select_slider(
            spec.label, options=spec.options, key=widget_key(optimizer, param),
            format_func=format_value, help=spec.help)
    return values
