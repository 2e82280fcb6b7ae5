"""The home page's map of the course text's topics and its ready-made experiments: links
to a page with the settings that show each idea.

A topic's link shows what the course text says of it, working, with equal settings for
what it compares or its settings stated in its words; where a topic is easy to get wrong,
a second link, labelled as such, shows the failure and why. tests/test_topic_links.py
runs each link's settings through the engine and checks its words.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from engine.datasets import DATASETS
from engine.lab_run import LabData, synthetic_data
from ui.lab.sidebar import DEFAULTS as LAB_DEFAULTS
from ui.lab.sidebar import FIELDS as LAB_FIELDS

PLAYGROUND, LAB = "pages/playground.py", "pages/lab.py"
LOSSES, GRADIENTS = "pages/losses.py", "pages/gradients.py"


@dataclass(frozen=True)
class Link:
    label: str
    page: str
    query: dict[str, str]
    what_to_see: str = ""


def lab_settings(query: dict[str, str]) -> dict:
    """Every lab setting a link opens with: the lab's defaults, then the link's own."""
    parse = {field.key: field.parse for field in LAB_FIELDS}
    data = query.get("data", LAB_DEFAULTS["data"])
    settings = {**LAB_DEFAULTS, "noise": DATASETS[data].noise}
    settings.update({key: parse[key](value) for key, value in query.items()})
    return settings


def lab_data(query: dict[str, str]) -> LabData:
    """The data the lab trains on with a link's settings, split as the lab splits it."""
    s = lab_settings(query)
    return synthetic_data(s["data"], s["n"], s["noise"], s["data_seed"], arms=s["arms"],
                          blobs=s["blobs"], val=s["val"], test=s["test"])


# ---------------------------------------------------------------- the playground's links

LOCAL_MINIMA = {"surface": "two_minima"}
SADDLE = {"surface": "saddle"}
MOMENTUM = {"surface": "valley", "opts": "sgd,momentum", "sgd_lr": "0.05",
            "momentum_lr": "0.05", "momentum_momentum": "0.5"}
NESTEROV = {"surface": "valley", "opts": "momentum,nesterov", "momentum_lr": "0.03",
            "nesterov_lr": "0.03", "momentum_momentum": "0.9", "nesterov_momentum": "0.9",
            "ghost": "1"}
ADAGRAD = {"surface": "valley", "opts": "adagrad,rmsprop", "adagrad_lr": "0.05",
           "rmsprop_lr": "0.05", "steps": "500"}
RMSPROP = {"surface": "plateau", "opts": "sgd,rmsprop", "sgd_lr": "0.03", "rmsprop_lr": "0.03"}
NEWTON = {"surface": "himmelblau", "opts": "sgd,newton"}

# ---------------------------------------------------------------- the lab's links

MINI_BATCH = {"batch": "16"}
ONLINE_TOO_FAST = {"batch": "1"}  # the lab's α = 0.05, λ = 0.9: too large for Q = 1
ONLINE_SLOWER = {"batch": "1", "lr": "0.01"}
NORMALIZED = {"init": "normalized"}
ZEROS = {"init": "zeros"}
OVERFIT = {"n": "100", "noise": "0.35", "val": "0.3", "test": "0.1", "layers": "3",
           "width": "64", "epochs": "300", "batch": "16"}
L2 = {**OVERFIT, "l2": "0.01"}
EARLY = {**OVERFIT, "early": "1", "patience": "10"}
BAGGING = {"mode": "bagging"}
DROPOUT = {**OVERFIT, "dropout": "0.3"}


def _overfit_words() -> str:
    """"A big network (3 hidden layers of 64 units) on 60 noisy points (30 more held out
    for validation)": the numbers from the settings, the points from the lab's split."""
    s, data = lab_settings(OVERFIT), lab_data(OVERFIT)
    return (f"A big network ({s['layers']} hidden layers of {s['width']} units) on "
            f"{len(data.y_tr)} noisy training points ({len(data.y_va)} more held out for "
            "validation)")


_online = lab_settings(ONLINE_TOO_FAST)
_early = lab_settings(EARLY)
_bagging = lab_settings(BAGGING)

# The course text's topics, each with the page and settings that show it.
TOPICS = [
    Link("Loss functions: softmax and cross-entropy", LOSSES, {},
         "The course text's cat and dog: cross-entropy 0.59 when both answers are barely "
         "right, 0.80 when both are barely wrong (the text prints 0.62, a slip)."),
    Link("Mini-batch training (online, mini-batch, batch)", LAB, MINI_BATCH,
         f"Mini-batches of Q = {MINI_BATCH['batch']} points, each update from their average "
         "gradient: the network learns the two moons, over 90 % of the validation points "
         "right."),
    Link("Mini-batch training gone wrong: online (Q = 1) with too large an α", LAB,
         ONLINE_TOO_FAST,
         f"One point per update with the lab's α = {_online['lr']:g} and λ = "
         f"{_online['lam']:g}: within 5 epochs large steps push every ReLU unit of a hidden "
         "layer to 0 for every input; with no gradient left they never recover, and "
         f"accuracy stays at 50 %. With α = {ONLINE_SLOWER['lr']}, online training works."),
    Link("Initialization (normalized, small, zeros, large)", LAB, NORMALIZED,
         "The course text's standard, the normalized initialization W ~ U(−√6/√(m+n), "
         "+√6/√(m+n)) (its bound corrected): the network learns the two moons, over 90 % "
         "of the validation points right. Small, zeros and large are in the sidebar."),
    Link("Initialization gone wrong: all weights zero", LAB, ZEROS,
         "Every hidden unit starts with the same weights, computes the same thing and gets "
         "the same gradient, so they stay identical (and ReLU units at 0 get no gradient at "
         "all): the network never gets past 50 %."),
    Link("Local minima", PLAYGROUND, LOCAL_MINIMA,
         "Gradient descent settles in the nearest minimum, a local one; momentum rolls over "
         "the ridge into the deeper, global one."),
    Link("Saddle points and plateaus", PLAYGROUND, SADDLE,
         "Starting just off the ridge, gradient descent slows down near the saddle point, "
         "then slides off downhill; Newton's method lands on the saddle and stays."),
    Link("Momentum", PLAYGROUND, MOMENTUM,
         f"Same α = {MOMENTUM['sgd_lr']} for both, momentum with λ = "
         f"{MOMENTUM['momentum_momentum']}: SGD zig-zags across the narrow valley at every "
         "step; momentum damps the zig-zag, keeps rolling along the floor, and settles in "
         "less than half as many steps."),
    Link("Nesterov momentum", PLAYGROUND, NESTEROV,
         f"Same α = {NESTEROV['momentum_lr']} and λ = {NESTEROV['momentum_momentum']}: "
         "Nesterov takes the slope where it is about to be (the ghost, θ + λv), so it "
         "overshoots the minimum by less and settles sooner than momentum."),
    Link("AdaGrad", PLAYGROUND, ADAGRAD,
         f"Same α = {ADAGRAD['adagrad_lr']} for {ADAGRAD['steps']} steps: AdaGrad's step "
         "α/(δ + √r) only shrinks as r piles up, the course text's complaint, and it stalls "
         "far from the minimum; RMSProp forgets old gradients and gets there."),
    Link("RMSProp", PLAYGROUND, RMSPROP,
         f"Same α = {RMSPROP['sgd_lr']}: on the flat plateau SGD's steps α‖∇J‖ are tiny "
         "and it barely moves; RMSProp divides by the root of its recent squared "
         "gradients, takes steps about α long, and finds the drop."),
    Link("Second-order methods (Newton)", PLAYGROUND, NEWTON,
         "Newton's method jumps to where f's local quadratic model is flat: from here, the "
         "maximum in the middle, the completely wrong direction the course text warns of; "
         "gradient descent goes downhill to a minimum."),
    Link("Regularization: L1 and L2", LAB, L2,
         f"{_overfit_words()}, with L2 λ₂ = {L2['l2']}: the weights stay less than half "
         "as large as without the penalty, and the validation loss ends less than half as "
         "high."),
    Link("Early stopping", LAB, EARLY,
         f"{_overfit_words()}: once the validation loss has not improved for "
         f"{_early['patience']} epochs, training stops, long before its {_early['epochs']}, "
         "and the network goes back to its best weights."),
    Link("Ensembles: bagging", LAB, BAGGING,
         f"{_bagging['members']} networks, each trained on its own resample of the training "
         "points (duplicates in, others left out): their averaged vote is at least as "
         "accurate as the average member."),
    Link("Dropout", LAB, DROPOUT,
         f"{_overfit_words()}, with dropout p = {DROPOUT['dropout']}: the training and "
         "validation losses stay close together."),
    Link("The unstable gradient problem", GRADIENTS, {},
         "A deep network of sigmoid units: the error terms shrink layer by layer back "
         "towards the input, by orders of magnitude, so the first layers barely learn."),
]

NESTEROV_BRAKES = {"surface": "two_minima", "opts": "momentum,nesterov", "momentum_lr": "0.1",
                   "nesterov_lr": "0.1", "ghost": "1"}

EXPERIMENTS = [
    Link("Momentum overshoots in a narrow valley", PLAYGROUND,
         {"surface": "valley", "opts": "sgd,momentum", "momentum_momentum": "0.95"},
         "SGD zig-zags across the valley; momentum with λ = 0.95 rolls along it but swings "
         "past the minimum again and again before it settles."),
    Link("Nesterov brakes earlier", PLAYGROUND, NESTEROV_BRAKES,
         f"With the same α = {NESTEROV_BRAKES['momentum_lr']} and λ, momentum rolls over the "
         "ridge into the far valley; Nesterov looks ahead (the ghost), feels the slope turn, "
         "and turns back into the near one."),
    Link("AdaGrad stalls, RMSProp does not", PLAYGROUND, ADAGRAD,
         f"Same α = {ADAGRAD['adagrad_lr']}: AdaGrad's step α/(δ + √r) only shrinks and it "
         "never arrives; RMSProp forgets old gradients and gets there."),
    Link("Newton falls into the saddle", PLAYGROUND, {"surface": "saddle", "opts": "sgd,newton"},
         "Newton jumps straight onto the saddle point and stays; gradient descent slides off "
         "downhill."),
    Link("A deep sigmoid network stops learning", LAB,
         {"mode": "compare", "layers": "6", "width": "8"},
         "Two identical 6-layer networks, sigmoid and ReLU: the sigmoid one's first layers get "
         "gradients thousands of times smaller and it stays at chance."),
    Link("Without dropout, the validation loss runs away", LAB, OVERFIT,
         f"{_overfit_words()}: the training loss goes to 0, the validation loss climbs."),
    Link("Dropout closes the gap between train and validation loss", LAB, DROPOUT,
         f"The same network with dropout p = {DROPOUT['dropout']}: the two curves stay close "
         "together."),
]


def link(item: Link, **kwargs) -> None:
    st.page_link(item.page, label=item.label, query_params=item.query or None, **kwargs)
