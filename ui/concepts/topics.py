"""The home page's map of the course text's topics and its ready-made experiments: links
to a page with the settings that show each idea."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

PLAYGROUND, LAB = "pages/playground.py", "pages/lab.py"
LOSSES, GRADIENTS = "pages/losses.py", "pages/gradients.py"


@dataclass(frozen=True)
class Link:
    label: str
    page: str
    query: dict[str, str]
    what_to_see: str = ""


# The course text's topics, each with the page and settings that show it.
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
