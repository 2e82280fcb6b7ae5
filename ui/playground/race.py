"""The playground's cached engine calls: the surface, its picture, and the race.

A public server keeps every cache entry in memory for all its visitors, so every cache
here is bounded.
"""

from __future__ import annotations

import streamlit as st

from engine.race import Lane
from engine.race_cache import LaneCache, cached_race
from surfaces import SURFACES, Surface, from_formula
from viz.surface_image import SurfaceGrid, sample_surface, surface_data_uri

CUSTOM = "custom"


@st.cache_resource(max_entries=32, show_spinner=False)
def _formula_surface(text: str) -> Surface:
    # cache_resource: a formula surface holds closures, which cache_data cannot pickle.
    # A FormulaError is raised, not cached, so the next run tries again.
    return from_formula(text)


def get_surface(name: str, formula: str) -> Surface:
    """A library surface by name, or the user's formula when name is "custom"."""
    return _formula_surface(formula) if name == CUSTOM else SURFACES[name]


@st.cache_data(max_entries=32, show_spinner=False)
def surface_picture(name: str, formula: str) -> tuple[SurfaceGrid, str]:
    """The sampled grid (for the 3D view) and the PNG background of the 2D map."""
    surface = get_surface(name, formula)
    grid = sample_surface(surface.f, surface.bounds)
    return grid, surface_data_uri(grid)


LANES = LaneCache(max_entries=224)  # 7 optimizers × 32 races (or fewer races, and the
# α trials of ui.playground.messages: up to three lanes per diverging one)


def race(name: str, formula: str, settings: tuple, start: tuple[float, float],
         steps: int) -> list[Lane]:
    """The race; `settings` is ((optimizer, ((param, value), ...)), ...), hashable.

    Each lane is cached on its own (engine.race_cache): after one optimizer's slider
    moves, only that optimizer runs again, and a lane cached for other steps is cut or
    continued."""
    return cached_race(LANES, get_surface(name, formula), (name, formula), settings, start,
                       steps, running=lambda: st.spinner("Running the race…"))
