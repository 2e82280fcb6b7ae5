"""The unstable gradients page: its widgets, the cached measurements of nine fresh
networks (engine.unstable), and the chain written out with their numbers."""

from __future__ import annotations

import numpy as np
import streamlit as st

from engine.activations import ACTIVATIONS
from engine.initializers import LARGE_STD, SMALL_STD
from engine.unstable import (
    ORDER_OF_MAGNITUDE,
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
INITS_COMPARED = ("normalized", "he", "small", "large")
INIT_NAMES = {"normalized": "normalized", "he": "He", "small": "small", "large": "large"}
# W ~ … for a layer of m inputs and n outputs, from the engine's own constants
INIT_DISTRIBUTIONS = {"normalized": "U(−√6/√(m+n), +√6/√(m+n))", "he": "N(0, 2/m)",
                      "small": f"N(0, {SMALL_STD:g}²)", "large": f"N(0, {LARGE_STD:g}²)"}
NORMAL_DRAWS = ("he", "small", "large")  # the same normal draws at different scales
CHAIN_SHOWN = 3  # factors the chain's formula writes out
NORMALIZED_ERRATUM = ("The course text prints the normalized initialization's bounds as "
                      "−6/√(m+n) and 6/(m+n); the correct bound is √6/√(m+n) on both sides "
                      "(Glorot and Bengio, 2010), which Descent uses.")
CHAIN_ERRATUM = ("The course text ends δ¹'s chain with ∂J/∂n⁵; the correct last factor is "
                 "∂J/∂z⁵ (= δ⁵), as in its lines for δ⁴, δ³ and δ².")
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


Measured = dict[tuple[str, str], LayerNorms]  # (initialization, activation) -> norms


def measured(settings: dict) -> Measured:
    """Every network's layer norms at the chosen depth, width and seed (one cache entry)."""
    return norms(settings["depth"], settings["width"], settings["net_seed"])


def profile_panels(every: Measured, settings: dict
                   ) -> tuple[dict[str, dict[str, np.ndarray]], str]:
    """The measure the user chose for every initialization and activation, and its name."""
    panels = {}
    for init in INITS_COMPARED:
        panels[f"{INIT_NAMES[init]} initialization"] = profiles = {}
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
        scaled = [INIT_NAMES[i] for i in NORMAL_DRAWS if INIT_NAMES[i] in inits["relu"]]
        if len(scaled) > 1:
            note += (f" The {_and(scaled)} initializations draw the same random weights at "
                     "different scales, and with biases at 0 a ReLU network only rescales "
                     "its signal: its units switch off in the same layers at every scale.")
    if inits.keys() - {"relu"}:
        note += (" For sigmoid or tanh, exactly 0 means the product of the factors fell "
                 "below the smallest float, or a whole layer is so saturated for every "
                 "input that its slopes f'(z) round to 0.")
    return note


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _listed(pairs: list[tuple[str, str]]) -> str:
    return _and([f"**{ACTIVATIONS[a].label} with {INIT_NAMES[i]}**" for i, a in pairs])


def steadiness_note(every: Measured) -> str:
    """Which networks keep every layer's gradient within an order of magnitude, from the
    measured norms of both kinds, in words."""
    steady = [key for key in _ordered(every) if every[key].steady]
    limit = f"{ORDER_OF_MAGNITUDE:g}"
    rule = (f"the largest layer's norm at most {limit} × the smallest, for both the weight "
            "gradients ‖∂J/∂Wᵐ‖ and the error terms ‖δᵐ‖")
    if steady:
        text = (f"**Every layer's gradient within an order of magnitude** ({rule}), in these "
                f"networks: {_listed(steady)} initialization.")
    else:
        text = (f"**No network here keeps every layer's gradient within an order of "
                f"magnitude** ({rule}) at this depth.")
    # flat weight gradients can hide error terms that vanish or explode: say so
    only_weights = [key for key in _ordered(every) if not every[key].steady
                    and every[key].weight_spread <= ORDER_OF_MAGNITUDE]
    if only_weights:
        spans = [f"{ACTIVATIONS[a].label} with {INIT_NAMES[i]} "
                 f"({_times(every[i, a].delta_spread, n == 0)})"
                 for n, (i, a) in enumerate(only_weights)]
        text += (" Flat weight gradients can hide error terms that vanish or explode: "
                 f"‖∂J/∂Wᵐ‖ stays within {limit}× but ‖δᵐ‖ does not for {_and(spans)}. "
                 "Show ‖δᵐ‖ above to see them.")
    return text


def _ordered(every: Measured) -> list[tuple[str, str]]:
    return [(i, a) for i in INITS_COMPARED for a in ACTIVATIONS_COMPARED if (i, a) in every]


def _times(factor: float, first: bool) -> str:
    """'‖δᵐ‖ spans 2.7·10³×' (the first time; then the number alone), or why there is no
    such factor."""
    if not np.isfinite(factor):
        return "some layer's ‖δᵐ‖ is exactly 0"
    return f"‖δᵐ‖ spans {scientific_text(factor)}×" if first else f"{scientific_text(factor)}×"


def relu_note(every: Measured) -> str:
    """Why ReLU's slope of 1 is not enough on its own, with the measured factors."""
    text = ("Sigmoid's slope is at most 0.25, and much less once |z| is large. Started with "
            "small weights, every layer multiplies the backpropagated error by something "
            "well below 1. ReLU's slope is exactly 1 wherever the unit is active, so the "
            "product need not shrink, **if the weights keep the signal's size**. About half "
            "of a ReLU layer's units are off for any input, which halves the signal's "
            "energy at each layer unless the weights make up for it: Var(W) = 2/m, He "
            "initialization, does; the normalized one gives a square layer Var(W) = 1/m.")
    factors = {i: every[i, "relu"].per_layer_factor for i in ("normalized", "he")
               if (i, "relu") in every}
    if all(np.isfinite(f) and f > 0 for f in factors.values()) and len(factors) == 2:
        text += (f" Measured here, one step back through a ReLU layer multiplies the error "
                 f"term by about {factors['normalized']:.2f} with the normalized "
                 f"initialization and {factors['he']:.2f} with He.")
    return text


def chain_controls() -> tuple[str, str]:
    left, right = st.columns(2)
    left.selectbox("Activation", ACTIVATIONS_COMPARED, key="chain",
                   format_func=lambda name: ACTIVATIONS[name].label)
    right.selectbox("Initialization", INITS_COMPARED, key="chain_init",
                    format_func=INIT_NAMES.get)
    state = st.session_state
    url_state.save(PAGE, FIELDS, {key: state[key] for key in DEFAULTS}, DEFAULTS)
    return state["chain"], state["chain_init"]


def chain_latex(profile: GradientProfile, shown: int = CHAIN_SHOWN) -> str:
    """δ¹ = f'(z¹)(W²)ᵀ f'(z²)(W³)ᵀ … with each factor's typical size under it; "⋯" only
    where factors are left out."""
    terms = []
    for m in range(min(shown, len(profile.slopes))):
        slope, gain = profile.slopes[m], profile.weight_gains[m]
        terms.append(rf"\underbrace{{f'(\mathbf{{z}}^{{{m + 1}}})}}_{{{slope:.2f}}}"
                     rf"\underbrace{{(\mathbf{{W}}^{{{m + 2}}})^T}}_{{{gain:.2f}}}")
    more = r" \cdots" if len(profile.slopes) > shown else ""
    return (r"\delta^1 = " + " ".join(terms) + more + r" \frac{\partial J}{\partial \mathbf{z}^"
            + f"{{{len(profile.delta_norms)}}}" + "}")


def chain_summary(profile: GradientProfile, shown: int = CHAIN_SHOWN) -> str:
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
    measured, mean = total ** (1 / steps), float(np.exp(np.mean(np.log(factors))))
    size = (f"shrinks to {scientific_text(total)} of its size" if total < 1
            else f"grows to {scientific_text(total)} times its size")
    # the factors are typical sizes, not exact: ‖W‖₂ is W's largest stretch, and |f'| is
    # averaged over units and inputs, so either can be the larger
    why = (", more than measured: ‖W‖₂ is the most W can stretch a vector, and the error is "
           "not always lined up with that direction" if mean > measured else
           ", less than measured: they are typical sizes, not exact ones (|f'| is an "
           "average over units and inputs)")
    written = ("the formula above writes them all out" if steps <= shown
               else f"the formula above writes out the first {shown}")
    return (f"From the output layer back to layer 1 the error term {size}: each of the "
            f"{steps} steps back through a hidden layer multiplies it by about "
            f"{measured:.2g} on average. The chain's {steps} factors |f'| × ‖W‖ "
            f"({written}) have a geometric mean of {mean:.2g} a step{why}.")


# ---------------------------------------------------------------- cached measurements


@st.cache_data(max_entries=16, show_spinner=False)
def norms(depth: int, width: int, seed: int) -> dict[tuple[str, str], LayerNorms]:
    """What the panels plot, for every (initialization, activation): one cache entry for
    all twelve networks, so a rerun looks the cache up once. No chain factors: they cost
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
    """The twelve networks' forward passes through their hidden layers, by initialization
    and activation, for the last width and seed asked about: a depth change reuses them
    (engine.unstable.HiddenPass), so it costs the backward passes and any new layers.
    Shared by every session; at most 12 passes × 40 layers × z and f(z) of 128 × width
    values and a copy of the weights: 79 MB at width 64, 18 MB at the default 20 × 32.

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
