"""Widgets and the filled-in chain of the unstable gradients page."""

from __future__ import annotations

import numpy as np
import streamlit as st

from engine.unstable import GradientProfile
from ui import concepts, url_state
from ui.concepts import ACTIVATIONS, INITS

PAGE = "gradients"
MEASURES = {"weights": "‖∂J/∂Wᵐ‖: the gradient each layer's weights get",
            "deltas": "‖δᵐ‖: the error term backpropagated to layer m"}
FIELDS = [
    url_state.Field("depth", url_state.number_between(2, 40, integer=True)),
    url_state.Field("width", url_state.number_between(4, 64, integer=True)),
    url_state.Field("measure", url_state.one_of(tuple(MEASURES))),
    url_state.Field("chain", url_state.one_of(ACTIVATIONS)),
    url_state.Field("chain_init", url_state.one_of(INITS)),
    url_state.Field("net_seed", url_state.number_between(0, 99, integer=True)),
]
DEFAULTS = {"depth": 20, "width": 32, "measure": "weights", "chain": "sigmoid",
            "chain_init": "normalized", "net_seed": 0}


def controls() -> dict:
    for notice in url_state.load(PAGE, FIELDS):
        st.info(notice, icon=":material/info:")
    state = st.session_state
    for key, value in DEFAULTS.items():
        state.setdefault(key, value)
    a, b, c = st.columns([2, 2, 3])
    a.slider("Hidden layers (depth)", 2, 40, key="depth")
    b.slider("Units per layer (width)", 4, 64, key="width")
    c.radio("Show", tuple(MEASURES), key="measure", format_func=MEASURES.get)
    values = {key: state[key] for key in DEFAULTS}
    url_state.save(PAGE, FIELDS, values, DEFAULTS)
    return values


def profile_panels(settings: dict) -> tuple[dict[str, dict[str, np.ndarray]], str]:
    """The measure the user chose for every initialization and activation, and its name."""
    every = concepts.norms(settings["depth"], settings["width"], settings["net_seed"])
    panels = {}
    for init in INITS:
        panels[f"{init} initialization"] = profiles = {}
        for activation in ACTIVATIONS:
            profile = every[init, activation]
            profiles[activation] = (profile.weight_grad_norms if settings["measure"] == "weights"
                                    else profile.delta_norms)
    return panels, ("weight gradient norm" if settings["measure"] == "weights"
                    else "error term norm")


def chain_controls() -> tuple[str, str]:
    left, right = st.columns(2)
    left.selectbox("Activation", ACTIVATIONS, key="chain")
    right.selectbox("Initialization", INITS, key="chain_init")
    state = st.session_state
    url_state.save(PAGE, FIELDS, {key: state[key] for key in DEFAULTS}, DEFAULTS)
    return state["chain"], state["chain_init"]


def chain_latex(profile: GradientProfile, shown: int = 3) -> str:
    """δ¹ = f'(z¹)(W²)ᵀ f'(z²)(W³)ᵀ … with each factor's typical size under it."""
    terms = []
    for m in range(min(shown, len(profile.slopes))):
        slope, gain = profile.slopes[m], profile.weight_gains[m]
        terms.append(rf"\underbrace{{f'(\mathbf{{z}}^{{{m + 1}}})}}_{{{slope:.2f}}}"
                     rf"\underbrace{{(\mathbf{{W}}^{{{m + 2}}})^T}}_{{{gain:.2f}}}")
    return (r"\delta^1 = " + " ".join(terms) + r" \cdots \frac{\partial J}{\partial \mathbf{z}^"
            + f"{{{len(profile.delta_norms)}}}" + "}")


def chain_summary(profile: GradientProfile) -> str:
    factors = profile.factors
    total = float(profile.delta_norms[0] / profile.delta_norms[-1])
    direction = "shrinks" if total < 1 else "grows"
    return (f"Each step back through a layer multiplies the error by about "
            f"{np.exp(np.mean(np.log(factors))):.2f} (the geometric mean of |f'| × ‖W‖ "
            f"over the {len(factors)} layers). From the output layer back to layer 1 the "
            f"error term {direction} by a factor of {total:.1e}.")
