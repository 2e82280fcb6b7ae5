"""Colours shared by every figure: kinds of critical points, the loss surfaces' colour map.

Each optimizer's own colour is in its registry entry (engine.optimizers).
"""

from __future__ import annotations

# marker symbol and colour per kind of critical point
CRITICAL_POINT_STYLE = {
    "global minimum": ("star", "#FFD700"),
    "local minimum": ("circle", "#FFFFFF"),
    "saddle": ("x", "#FFFFFF"),
    "maximum": ("triangle-up", "#FFFFFF"),
}

# A light sequential colour map (low = dark blue, high = pale yellow) for loss surfaces.
SURFACE_COLORMAP = ["#2c115f", "#3b3f8f", "#2f6f9f", "#2a9d8f", "#6cc08b", "#b8de7a", "#f6f0a6"]
