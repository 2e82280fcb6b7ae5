"""Cached wrappers around the engine and surfaces, with bounded caches.

A public server keeps every cache entry in memory for all its visitors, so
every cache here has `max_entries`.
"""

from __future__ import annotations

from typing import NamedTuple

import streamlit as st

from engine.optimizers import make_optimizer
from engine.race import Lane, continue_race, first_steps, run_race
from surfaces import SURFACES, Surface, from_formula
from ui.lane_cache import LaneCache
from viz import concept_charts
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


# The Steps slider moves in tens: a race run to the next multiple of this serves several
# of its positions (a path's first k steps do not depend on how many follow).
RACE_STEPS_ROUNDED_UP_TO = 50


class _LaneKey(NamedTuple):
    surface: str
    formula: str
    start: tuple[float, float]
    steps: int
    optimizer: str
    params: tuple  # ((param, value), ...)


_LANES = LaneCache(max_entries=224)  # 7 optimizers × 32 races (or fewer races, and the
# α trials of ui.lr_advice: up to three lanes per diverging one)


def race(name: str, formula: str, settings: tuple, start: tuple[float, float],
         steps: int) -> list[Lane]:
    """Run the race; `settings` is ((optimizer, ((param, value), ...)), ...), hashable.

    Each lane is cached on its own (ui.lane_cache): after one optimizer's slider moves,
    only that optimizer runs again, and lanes that are missing run together. A lane
    cached for another number of steps is cut (a longer race) or goes on from where it
    ends (a shorter one), on its own, instead of starting over.
    """
    horizon = -(-steps // RACE_STEPS_ROUNDED_UP_TO) * RACE_STEPS_ROUNDED_UP_TO
    surface = get_surface(name, formula)

    def run(missing: list[_LaneKey]) -> list[Lane]:
        cached = _LANES.items()
        nearest = {key: _nearest_race(key, cached) for key in missing}
        fresh = [key for key in missing if nearest[key] is None]
        lanes = {}
        with st.spinner("Running the race…"):
            if fresh:  # together: one surface evaluation per step for all of them
                optimizers = {key.optimizer: make_optimizer(key.optimizer, **dict(key.params))
                              for key in fresh}
                lanes.update(zip(fresh, run_race(surface, optimizers, start, horizon),
                                 strict=True))
            for key, lane in nearest.items():  # one by one: each from its own last point
                if lane is not None:
                    lanes[key] = continue_race(surface, lane, horizon)
        return [lanes[key] for key in missing]

    keys = [_LaneKey(name, formula, start, horizon, opt, params) for opt, params in settings]
    return [first_steps(lane, steps) for lane in _LANES.get_or_run(keys, run)]


def _nearest_race(key: _LaneKey, cached: list[tuple[_LaneKey, Lane]]) -> Lane | None:
    """Of the `cached` lanes, one with the same settings for another number of steps: the
    shortest longer race (cutting it costs nothing), else the longest shorter one."""
    same = {other.steps: lane for other, lane in cached
            if other._replace(steps=key.steps) == key}
    longer = [steps for steps in same if steps > key.steps]
    shorter = [steps for steps in same if steps < key.steps]
    if longer or shorter:
        return same[min(longer) if longer else max(shorter)]
    return None


# Figures that no widget changes: built once per server, not on every rerun.


@st.cache_data(max_entries=1, show_spinner=False)
def why_cross_entropy() -> tuple[dict, dict]:
    return concept_charts.why_cross_entropy()


@st.cache_data(max_entries=1, show_spinner=False)
def activation_and_slope() -> dict:
    return concept_charts.activation_and_slope()
