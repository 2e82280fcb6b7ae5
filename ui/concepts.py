"""Shared content of the home page and the concept pages: the topic map and experiments."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from engine.losses import cross_entropy
from engine.unstable import (
    GradientProfile,
    HiddenPass,
    LayerNorms,
    deep_network_factors,
    deep_network_norms_by_activation,
)

PLAYGROUND, LAB = "pages/playground.py", "pages/lab.py"
LOSSES, GRADIENTS = "pages/losses.py", "pages/gradients.py"


@dataclass(frozen=True)
class Link:
    label: str
    page: str
    query: dict[str, str]
    what_to_see: str = ""


# The seed's topics, each with the page and settings that show it.
TOPICS = [
    Link("Loss functions: softmax and cross-entropy", LOSSES, {}),
    Link("Mini-batch training (online, mini-batch, batch)", LAB, {"batch": "1"}),
    Link("Initialization (normalized, small, zeros, large)", LAB, {"init": "zeros"}),
    Link("Local minima", PLAYGROUND, {"surface": "two_minima"}),
    Link("Saddle points and plateaus", PLAYGROUND, {"surface": "saddle"}),
    Link("Momentum", PLAYGROUND, {"surface": "valley", "opts": "sgd,momentum"}),
    Link("Nesterov momentum", PLAYGROUND,
         {"surface": "two_minima", "opts": "momentum,nesterov", "ghost": "1"}),
    Link("AdaGrad", PLAYGROUND, {"surface": "valley", "opts": "adagrad,rmsprop"}),
    Link("RMSProp", PLAYGROUND, {"surface": "plateau", "opts": "sgd,rmsprop"}),
    Link("Second-order methods (Newton)", PLAYGROUND, {"surface": "himmelblau",
                                                       "opts": "sgd,newton"}),
    Link("Regularization: L1 and L2", LAB, {"l2": "0.01"}),
    Link("Early stopping", LAB, {"early": "1", "patience": "10", "epochs": "500"}),
    Link("Ensembles: bagging", LAB, {"mode": "bagging"}),
    Link("Dropout", LAB, {"dropout": "0.3"}),
    Link("The unstable gradient problem", GRADIENTS, {}),
]

OVERFIT = {"n": "100", "noise": "0.35", "val": "0.3", "test": "0.1", "layers": "3",
           "width": "64", "epochs": "300", "batch": "16"}

EXPERIMENTS = [
    Link("Momentum overshoots in a narrow valley", PLAYGROUND,
         {"surface": "valley", "opts": "sgd,momentum", "momentum_momentum": "0.95"},
         "SGD zig-zags across the valley; momentum rolls along it but swings past the "
         "minimum again and again before it settles."),
    Link("Nesterov brakes earlier", PLAYGROUND,
         {"surface": "two_minima", "opts": "momentum,nesterov", "ghost": "1"},
         "With the same α and λ, momentum rolls over the ridge into the far valley; Nesterov "
         "looks ahead (the ghost), feels the slope turn, and stops in the near one."),
    Link("AdaGrad stalls, RMSProp does not", PLAYGROUND,
         {"surface": "valley", "opts": "adagrad,rmsprop", "adagrad_lr": "0.05",
          "rmsprop_lr": "0.05", "steps": "500"},
         "Same α: AdaGrad's step α/(δ + √r) only shrinks and it never arrives; RMSProp forgets "
         "old gradients and gets there in under 100 steps."),
    Link("Newton falls into the saddle", PLAYGROUND, {"surface": "saddle", "opts": "sgd,newton"},
         "Newton jumps straight onto the saddle point and stays; gradient descent slides off "
         "downhill."),
    Link("A deep sigmoid network stops learning", LAB,
         {"mode": "compare", "layers": "6", "width": "8"},
         "Two identical 6-layer networks, sigmoid and ReLU: the sigmoid one's first layers get "
         "gradients thousands of times smaller and it stays at chance."),
    Link("Without dropout, the validation loss runs away", LAB, OVERFIT,
         "A big network on 70 noisy points: the training loss goes to 0, the validation loss "
         "climbs."),
    Link("Dropout closes the gap between train and validation loss", LAB,
         {**OVERFIT, "dropout": "0.3"},
         "The same network with dropout p = 0.3: the two curves stay close together."),
]


def link(item: Link, **kwargs) -> None:
    st.page_link(item.page, label=item.label, query_params=item.query or None, **kwargs)


# ---------------------------------------------------------------- cat and dog

CAT_DOG = {
    "barely right": {"a": [[0.55, 0.45], [0.44, 0.56]], "y": [[1, 0], [0, 1]]},
    "barely wrong": {"a": [[0.51, 0.49], [0.41, 0.59]], "y": [[0, 1], [1, 0]]},
}


def cat_dog(case: str) -> dict:
    """The seed's example, computed by the engine: accuracy and mean cross-entropy."""
    a = np.array(CAT_DOG[case]["a"])
    y = np.array(CAT_DOG[case]["y"])
    true_p = (a * y).sum(axis=1)
    return {"a": a, "y": y, "true_p": true_p,
            "accuracy": float(np.mean(np.argmax(a, axis=1) == np.argmax(y, axis=1))),
            "cross_entropy": cross_entropy(y, a)}


# ---------------------------------------------------------------- unstable gradients

INITS = ("normalized", "small", "large")
ACTIVATIONS = ("sigmoid", "tanh", "relu")


@st.cache_data(max_entries=16, show_spinner=False)
def norms(depth: int, width: int, seed: int) -> dict[tuple[str, str], LayerNorms]:
    """What the panels plot, for every (initialization, activation): one cache entry for
    all nine networks, so a rerun looks the cache up once. No chain factors: they cost
    an SVD per layer."""
    passes = _hidden_passes(width, seed)
    return {(init, activation): layers
            for init in INITS
            for activation, layers in deep_network_norms_by_activation(
                ACTIVATIONS, init, passes[init], depth=depth, width=width, seed=seed).items()}


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
    return {init: {} for init in INITS}


def profile(activation: str, init: str, depth: int, width: int, seed: int) -> GradientProfile:
    """The norms (shared with the panels' cache) and the chain's factors."""
    layers = norms(depth, width, seed)[init, activation]
    return GradientProfile(layers.delta_norms, layers.weight_grad_norms,
                           *_factors(activation, init, depth, width, seed))
