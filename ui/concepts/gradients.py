"""The unstable gradients page: its widgets, the cached measurements of nine fresh
networks (engine.unstable), and the chain written out with their numbers."""

from __future__ import annotations

import numpy as np
import streamlit as st

from engine.activations import ACTIVATIONS
from engine.unstable import (
    GradientProfile,
    HiddenPass,
    LayerNorms,
    deep_network_factors,
    deep_network_norms_by_activation,
)
from ui import url_state
from viz import concept_charts
from viz.concept_charts import layer_ranges
from viz.number_text import scientific_text

PAGE = "gradients"
INITS_COMPARED = ("normalized", "small", "large")
ACTIVATIONS_COMPARED = ("sigmoid", "tanh", "relu")
MEASURES = {"weights": "‖∂J/∂Wᵐ‖: the gradient each layer's weights get",
            "deltas": "‖δᵐ‖: the error term backpropagated to layer m"}
FIELDS = [
    url_state.Field("depth", url_state.number_between(2, 40, integer=True)),
    url_state.Field("width", url_state.number_between(4, 64, integer=True)),
    url_state.Field("measure", url_state.one_of(tuple(MEASURES))),
    url_state.Field("chain", url_state.one_of(ACTIVATIONS_COMPARED)),
    url_state.Field("chain_init", url_state.one_of(INITS_COMPARED)),
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
    a, b, c, d = st.columns([2, 2, 1.5, 3])  # 1.5: room for the seed box's − and + buttons
    a.slider("Hidden layers (depth)", 2, 40, key="depth")
    b.slider("Units per layer (width)", 4, 64, key="width")
    c.number_input("Weight seed", 0, 99, key="net_seed",
                   help="Other random weights and inputs; the pattern across layers stays.")
    d.radio("Show", tuple(MEASURES), key="measure", format_func=MEASURES.get)
    values = {key: state[key] for key in DEFAULTS}
    url_state.save(PAGE, FIELDS, values, DEFAULTS)
    return values


def profile_panels(settings: dict) -> tuple[dict[str, dict[str, np.ndarray]], str]:
    """The measure the user chose for every initialization and activation, and its name."""
    every = norms(settings["depth"], settings["width"], settings["net_seed"])
    panels = {}
    for init in INITS_COMPARED:
        panels[f"{init} initialization"] = profiles = {}
        for activation in ACTIVATIONS_COMPARED:
            profile = every[init, activation]
            profiles[activation] = (profile.weight_grad_norms if settings["measure"] == "weights"
                                    else profile.delta_norms)
    return panels, ("weight gradient norm" if settings["measure"] == "weights"
                    else "error term norm")


def zero_norms_note(panels: dict[str, dict[str, np.ndarray]]) -> str | None:
    """Which lines are left out of the log-scale panels because their norms are exactly
    0, and why; None when every norm is drawn."""
    inits: dict[str, list[str]] = {}  # activation -> the panels where it has a 0
    for heading, profiles in panels.items():
        for activation, values in profiles.items():
            if np.any(values == 0):
                inits.setdefault(activation, []).append(heading.removesuffix(" initialization"))
    if not inits:
        return None
    which = _and([f"{ACTIVATIONS[activation].label} with the {_and(names)} initialization"
                  + ("s" if len(names) > 1 else "") for activation, names in inits.items()])
    note = f"**Norms of exactly 0 are not drawn** (a log scale has no 0): {which}."
    if "relu" in inits:
        note += (" Every ReLU unit of some layer is off (zᵐ ≤ 0) for every input, so that "
                 "layer outputs only zeros. The layers above it then get z = b = 0 (biases "
                 "start at 0): they output zeros too, so no weight above gets a gradient. "
                 "And ReLU's slope is 0 wherever z ≤ 0 (at z = 0 it is taken as 0), so no "
                 "error gets back through these layers to the ones below. Such units are "
                 "called *dead*: with no gradient, training cannot bring them back.")
        if {"small", "large"} <= set(inits["relu"]):
            note += (" The small and large initializations draw the same random weights at "
                     "two scales, and with biases at 0 a ReLU network only rescales its "
                     "signal: its units switch off in the same layers at both scales.")
    if inits.keys() - {"relu"}:
        note += (" For sigmoid or tanh, exactly 0 means the product of the factors fell "
                 "below the smallest float, or a whole layer is so saturated for every "
                 "input that its slopes f'(z) round to 0.")
    return note


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def chain_controls() -> tuple[str, str]:
    left, right = st.columns(2)
    left.selectbox("Activation", ACTIVATIONS_COMPARED, key="chain")
    right.selectbox("Initialization", INITS_COMPARED, key="chain_init")
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
    if total == 0:  # a layer of dead ReLU units (or fully saturated ones) stops the error
        dead = np.flatnonzero(profile.slopes == 0) + 1
        if not dead.size:
            return (f"From the output layer back to layer 1 the error term drops to exactly "
                    f"0: the product of the {len(factors)} layers' factors falls below the "
                    f"smallest float.")
        return (f"In {len(dead)} of the {len(factors)} hidden layers (layers "
                f"{layer_ranges(dead)}) every unit has slope f'(z) = 0 for every input, so "
                f"their factors are 0: from the output layer back to layer 1 the error "
                f"term drops to exactly 0.")
    steps = len(factors)
    measured, shown = total ** (1 / steps), float(np.exp(np.mean(np.log(factors))))
    size = (f"shrinks to {scientific_text(total)} of its size" if total < 1
            else f"grows to {scientific_text(total)} times its size")
    # the factors are typical sizes, not exact: ‖W‖₂ is W's largest stretch, and |f'| is
    # averaged over units and inputs, so either can be the larger
    why = (", more than measured: ‖W‖₂ is the most W can stretch a vector, and the error is "
           "not always lined up with that direction" if shown > measured else
           ", less than measured: they are typical sizes, not exact ones (|f'| is an "
           "average over units and inputs)")
    return (f"From the output layer back to layer 1 the error term {size}: each of the "
            f"{steps} steps back through a hidden layer multiplies it by about "
            f"{measured:.2g} on average. The chain's {steps} factors |f'| × ‖W‖ (the "
            f"formula above writes out the first) have a geometric mean of {shown:.2g} a "
            f"step{why}.")


# ---------------------------------------------------------------- cached measurements


@st.cache_data(max_entries=16, show_spinner=False)
def norms(depth: int, width: int, seed: int) -> dict[tuple[str, str], LayerNorms]:
    """What the panels plot, for every (initialization, activation): one cache entry for
    all nine networks, so a rerun looks the cache up once. No chain factors: they cost
    an SVD per layer."""
    passes = _hidden_passes(width, seed)
    return {(init, activation): layers
            for init in INITS_COMPARED
            for activation, layers in deep_network_norms_by_activation(
                ACTIVATIONS_COMPARED, init, passes[init], depth=depth, width=width,
                seed=seed).items()}


@st.cache_data(max_entries=16, show_spinner=False)
def _factors(activation: str, init: str, depth: int, width: int, seed: int):
    return deep_network_factors(activation, init, _hidden_passes(width, seed)[init],
                                depth=depth, width=width, seed=seed)


@st.cache_resource(max_entries=1, show_spinner=False)
def _hidden_passes(width: int, seed: int) -> dict[str, dict[str, HiddenPass]]:
    """The nine networks' forward passes through their hidden layers, by initialization
    and activation, for the last width and seed asked about: a depth change reuses them
    (engine.unstable.HiddenPass), so it costs the backward passes and any new layers.
    Shared by every session; at most 9 passes × 40 layers × z and f(z) of 128 × width
    values and a copy of the weights: 59 MB at width 64, 13 MB at the default 20 × 32.

    No lock: a pass is immutable (read-only arrays) and is checked against the network
    before it is used, and a dict's get and set are atomic. Two sessions at once can only
    repeat work, or store a shallower pass over a deeper one."""
    return {init: {} for init in INITS_COMPARED}


def profile(activation: str, init: str, depth: int, width: int, seed: int) -> GradientProfile:
    """The norms (shared with the panels' cache) and the chain's factors."""
    layers = norms(depth, width, seed)[init, activation]
    return GradientProfile(layers.delta_norms, layers.weight_grad_norms,
                           *_factors(activation, init, depth, width, seed))


@st.cache_data(max_entries=1, show_spinner=False)
def activation_and_slope() -> dict:
    """A figure no widget changes: built once per server, not on every rerun."""
    return concept_charts.activation_and_slope()
