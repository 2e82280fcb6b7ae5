"""Colours shared by every figure: one fixed colour per optimizer, kinds of critical points."""

from __future__ import annotations

# Okabe–Ito palette: distinguishable with the common colour-vision deficiencies.
OPTIMIZER_COLORS = {
    "sgd": "#000000",
    "momentum": "#E69F00",
    "nesterov": "#D55E00",
    "adagrad": "#0072B2",
    "rmsprop": "#56B4E9",
    "adam": "#009E73",
    "newton": "#CC79A7",
}

OPTIMIZER_LABELS = {
    "sgd": "SGD",
    "momentum": "Momentum",
    "nesterov": "Nesterov",
    "adagrad": "AdaGrad",
    "rmsprop": "RMSProp",
    "adam": "Adam",
    "newton": "Newton",
}

# marker symbol and colour per kind of critical point
CRITICAL_POINT_STYLE = {
    "global minimum": ("star", "#FFD700"),
    "local minimum": ("circle", "#FFFFFF"),
    "saddle": ("x", "#FFFFFF"),
    "maximum": ("triangle-up", "#FFFFFF"),
}

# A light sequential colour map (low = dark blue, high = pale yellow) for loss surfaces.
SURFACE_COLORMAP = ["#2c115f", "#3b3f8f", "#2f6f9f", "#2a9d8f", "#6cc08b", "#b8de7a", "#f6f0a6"]
