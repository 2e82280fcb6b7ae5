"""Colours shared by every figure: kinds of critical points, the loss surfaces' colour map.

Each optimizer's own colour, line style and head symbol are in its registry entry
(engine.optimizers); tests/test_palette.py measures them against this colour map.
"""

from __future__ import annotations

# marker symbol and colour per kind of critical point
CRITICAL_POINT_STYLE = {
    "global minimum": ("star", "#FFD700"),
    "local minimum": ("circle", "#FFFFFF"),
    "saddle": ("x", "#FFFFFF"),
    "maximum": ("triangle-up", "#FFFFFF"),
}
# the same in the 3D view, whose markers have no star or triangle; and its start point
CRITICAL_POINT_STYLE_3D = {
    "global minimum": ("circle", "#FFD700"),
    "local minimum": ("circle", "#FFFFFF"),
    "saddle": ("x", "#FFFFFF"),
    "maximum": ("square", "#FFFFFF"),
    "start": ("diamond", "#FFFFFF"),
}
MAX_MARKED_POINTS = 25  # more critical points than this (Rastrigin): mark only the minima


def marked_points(critical_points) -> list:
    """The critical points a figure marks: all of them, or only the global minima of a
    surface that has more than MAX_MARKED_POINTS."""
    points = list(critical_points)
    if len(points) > MAX_MARKED_POINTS:
        points = [p for p in points if p.kind == "global minimum"]
    return points


# A light sequential colour map (low = dark blue, high = pale yellow) for loss surfaces.
SURFACE_COLORMAP = ["#2c115f", "#3b3f8f", "#2f6f9f", "#2a9d8f", "#6cc08b", "#b8de7a", "#f6f0a6"]
