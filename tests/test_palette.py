"""The optimizers' palette, measured: seven colours that differ from each other and from
the surface's colour map for readers with normal vision and with deuteranopia or
protanopia, and line styles and head symbols that tell them apart in grey-scale.

Colour differences are CIEDE2000 (tests/colour_science.py, checked here against Sharma,
Wu and Dalal's published pairs); colour-blind vision is simulated with Machado et al.
(2009) at full severity. As a scale: ΔE2000 ≈ 2 is a just-noticeable difference between
large patches, and thin lines need several times more.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from engine.optimizers import OPTIMIZERS
from tests.colour_science import (
    MACHADO,
    contrast_ratio,
    delta_e,
    delta_e2000,
    lab,
    rgb,
    seen_as,
)
from viz.colors import CRITICAL_POINT_STYLE
from viz.race_map import STOPPED_SYMBOL
from viz.surface_image import sample_surface, surface_rgb

NAMES = list(OPTIMIZERS)
COLOURS = np.array([rgb(OPTIMIZERS[name].color) for name in NAMES])
CVD = ("deuteranopia", "protanopia")

PAIR_NORMAL = 25.0  # every two optimizers, normal vision
PAIR_CVD = 12.0  # colour-blind: below this a pair must also differ in dash and symbol
ON_MAP_NORMAL, ON_MAP_CVD = 20.0, 10.0  # against every colour the surface is drawn in
ON_WHITE = 20.0  # the legend's and the curves' background
GREY_CONTRAST = 2.0  # luminance contrast below which grey-scale needs a different dash


def map_colours() -> np.ndarray:
    """Every colour the race map's background is drawn in: a linear ramp through the
    surface picture gives each colour band and its darkened contour edge."""
    grid = sample_surface(lambda p: p[..., 0], ((0, 1), (0, 1)), resolution=400)
    return np.unique(surface_rgb(grid).reshape(-1, 3), axis=0) / 255.0


def pairs():
    return list(itertools.combinations(range(len(NAMES)), 2))


def test_delta_e2000_matches_sharmas_test_data():
    # (L*a*b* 1, L*a*b* 2, ΔE00) from Sharma, Wu, Dalal (2005), Table 1
    data = [((50, 2.6772, -79.7751), (50, 0, -82.7485), 2.0425),
            ((50, 0, 0), (50, -1, 2), 2.3669),
            ((50, 2.49, -0.001), (50, -2.49, 0.0009), 7.1792),
            ((50, 2.5, 0), (73, 25, -18), 27.1492),
            ((50, 2.5, 0), (61, -5, 29), 22.8977),
            ((50, 2.5, 0), (56, -27, -3), 31.9030),
            ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
            ((2.0776, 0.0795, -1.135), (0.9033, -0.0636, -0.5514), 0.9082)]
    for first, second, expected in data:
        assert delta_e2000(np.array(first), np.array(second)) == pytest.approx(expected,
                                                                               abs=1e-4)
    assert lab(np.ones(3)) == pytest.approx([100, 0, 0], abs=1e-3)  # white is L* 100


def test_colour_blind_simulation_keeps_greys_and_merges_red_and_green():
    for matrix in MACHADO.values():
        assert matrix.sum(axis=1) == pytest.approx(np.ones(3), abs=1e-3)  # greys stay
    red, green = rgb("#d62728"), rgb("#2ca02c")
    assert delta_e(red, green) > 50
    assert delta_e(red, green, "deuteranopia") < 0.3 * delta_e(red, green)
    assert seen_as(rgb("#808080"), "protanopia") == pytest.approx(rgb("#808080"), abs=2e-3)


@pytest.mark.parametrize("vision", ["normal", *CVD])
def test_every_two_optimizers_differ_in_colour(vision):
    weak = []
    for i, j in pairs():
        difference = float(delta_e(COLOURS[i], COLOURS[j], vision))
        a, b = OPTIMIZERS[NAMES[i]], OPTIMIZERS[NAMES[j]]
        if vision == "normal":
            assert difference >= PAIR_NORMAL, (NAMES[i], NAMES[j], difference)
        elif difference < PAIR_CVD:  # then the lines and heads tell them apart
            weak.append((NAMES[i], NAMES[j], round(difference, 1)))
            assert a.dash != b.dash and a.symbol != b.symbol, weak[-1]
    assert len(weak) <= 1, weak  # colour, not line style, does nearly all the work


@pytest.mark.parametrize("vision", ["normal", *CVD])
def test_every_colour_stands_out_on_every_colour_of_the_surface(vision):
    background = map_colours()
    assert len(background) >= 40  # 24 bands and their contour edges
    floor = ON_MAP_NORMAL if vision == "normal" else ON_MAP_CVD
    for name, colour in zip(NAMES, COLOURS, strict=True):
        nearest = float(delta_e(colour[None, :], background, vision).min())
        assert nearest >= floor, (name, vision, nearest)


def test_every_colour_shows_on_white():
    for name, colour in zip(NAMES, COLOURS, strict=True):
        assert float(delta_e(colour, np.ones(3))) >= ON_WHITE, name


def test_optimizers_with_similar_greys_differ_in_line_style():
    """In grey-scale only luminance is left: two colours of nearly the same luminance
    must be drawn with different dashes (and every head has its own symbol)."""
    close = []
    for i, j in pairs():
        if contrast_ratio(COLOURS[i], COLOURS[j]) < GREY_CONTRAST:
            close.append((NAMES[i], NAMES[j]))
            assert OPTIMIZERS[NAMES[i]].dash != OPTIMIZERS[NAMES[j]].dash, close[-1]
    assert len(close) >= 3  # the check is not empty: seven colours cannot all differ in grey
    assert len({OPTIMIZERS[name].symbol for name in NAMES}) == len(NAMES)


def test_dashes_and_symbols_are_plotlys_and_a_head_is_not_mistaken_for_a_marked_point():
    dashes = {"solid", "dot", "dash", "longdash", "dashdot", "longdashdot"}
    marked = dict(CRITICAL_POINT_STYLE.values())  # symbol: colour
    for name in NAMES:
        cls = OPTIMIZERS[name]
        assert cls.dash in dashes, name
        assert cls.symbol not in ("diamond", STOPPED_SYMBOL), name  # the start, a stop
        if cls.symbol in marked:  # SGD's ● and a local minimum's ○: far apart in grey too
            assert contrast_ratio(rgb(cls.color), rgb(marked[cls.symbol])) >= 7, name
