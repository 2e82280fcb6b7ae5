"""The optimizer playground's sidebar: every setting of the race, kept in the URL."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from engine.hyperparameters import HYPERPARAMETERS
from engine.optimizers import OPTIMIZERS
from surfaces import SURFACES, FormulaError, Surface
from ui import url_state
from ui.playground.presets import DEFAULT_FORMULA, PRESETS, picker_help
from ui.playground.race import CUSTOM, get_surface

SURFACE_CHOICES = (*SURFACES, CUSTOM)
MIN_STEPS, MAX_STEPS = 10, 3000  # the Steps slider's range; a link is held to it too
PAGE = "playground"


@dataclass(frozen=True)
class Settings:
    surface_name: str
    formula: str  # the formula in use ("" unless the surface is custom)
    surface: Surface
    optimizers: tuple[str, ...]
    hyper: dict[str, dict[str, float]]
    steps: int
    start: tuple[float, float]
    show_look_ahead: bool
    step: int  # the step the map opens on and the 3D view shows (0 … steps)

    def race_key(self) -> tuple:
        """The optimizers' settings as a hashable tuple for the race cache."""
        return tuple((name, tuple(sorted(self.hyper[name].items())))
                     for name in self.optimizers)


def surface_title(name: str) -> str:
    return "Your own formula f(x, y)" if name == CUSTOM else SURFACES[name].title


def widget_key(optimizer: str, param: str) -> str:
    return f"{optimizer}_{param}"


# The page's two views (st.tabs labels, its key "view") and their names in the URL
VIEWS = {"map": "Race on the map", "3d": "3D view"}


def _parse_view(text: str) -> str:
    if text not in VIEWS:
        raise ValueError(f"{text!r} is not one of {', '.join(VIEWS)}")
    return VIEWS[text]


def _format_view(label: str) -> str:
    return next(name for name, shown in VIEWS.items() if shown == label)


FIELDS = [
    url_state.Field("surface", url_state.one_of(SURFACE_CHOICES)),
    url_state.Field("formula", str),
    url_state.Field("opts", url_state.subset_of(tuple(OPTIMIZERS)), url_state.format_list),
    url_state.Field("steps", url_state.number_between(MIN_STEPS, MAX_STEPS, integer=True)),
    url_state.Field("x", url_state.number_between(-1e6, 1e6), url_state.format_number),
    url_state.Field("y", url_state.number_between(-1e6, 1e6), url_state.format_number),
    url_state.Field("ghost", url_state.boolean, url_state.format_bool),
    url_state.Field("step", url_state.number_between(0, MAX_STEPS, integer=True)),
    url_state.Field("view", _parse_view, _format_view),
    *(url_state.Field(widget_key(name, p), url_state.number_in(HYPERPARAMETERS[p].stops),
                      url_state.format_number)
      for name, cls in OPTIMIZERS.items() for p in cls.hyperparameter_names()),
]


def _preset_values(name: str) -> dict:
    """Every widget's value for a fresh start on surface `name`."""
    preset = PRESETS[name]
    start = SURFACES[name].start if name in SURFACES else (None, None)
    values = {"opts": preset["optimizers"], "steps": preset["steps"],
              "x": start[0], "y": start[1], "ghost": False}
    for name, cls in OPTIMIZERS.items():
        for p in cls.hyperparameter_names():
            values[widget_key(name, p)] = preset["hyper"][name][p]
    return values


def _apply_preset() -> None:
    """Surface changed (or Reset pressed): every setting returns to that surface's preset."""
    name = st.session_state["surface"]
    st.session_state.pop("step", None)  # the new race is shown to its end
    for key, value in _preset_values(name).items():
        if value is not None:
            st.session_state[key] = value
    if name == CUSTOM:
        st.session_state.pop("x", None)  # the formula surface chooses its own start
        st.session_state.pop("y", None)


def _take_clicked_start() -> None:
    """A click on the map selects one of its invisible grid points: make it the start."""
    map_key = st.session_state.setdefault("race_map_key", "race_map_0")
    event = st.session_state.get(map_key)
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    if points:
        point = points[0]
        st.session_state["x"] = round(float(point["x"]), 3)
        st.session_state["y"] = round(float(point["y"]), 3)
        # a new key gives a fresh chart, so the old selection does not stick
        number = int(map_key.rsplit("_", 1)[1]) + 1
        st.session_state["race_map_key"] = f"race_map_{number}"


def controls() -> tuple[Settings, list[str]]:
    """Sidebar widgets; returns the settings and any notices for the user."""
    notices = url_state.load(PAGE, FIELDS)
    state = st.session_state
    state.setdefault("surface", "two_minima")
    for key, value in _preset_values(state["surface"]).items():
        if value is not None:
            state.setdefault(key, value)
    state.setdefault("formula", DEFAULT_FORMULA)
    _take_clicked_start()

    side = st.sidebar
    side.selectbox("Loss surface", SURFACE_CHOICES, key="surface", format_func=surface_title,
                   on_change=_apply_preset)
    surface, formula, error = _surface(side)
    if error:
        notices.append(error)
    if state.get("x") is None or state.get("y") is None:
        state["x"], state["y"] = surface.start

    chosen = side.multiselect("Optimizers", tuple(OPTIMIZERS), key="opts",
                              format_func=lambda name: OPTIMIZERS[name].label,
                              placeholder="Choose optimizers to race", help=picker_help())
    hyper = {}
    for name in chosen:
        with side.expander(f"{OPTIMIZERS[name].label} settings", expanded=len(chosen) <= 2):
            hyper[name] = _hyperparameter_sliders(name)
    side.slider("Steps", MIN_STEPS, MAX_STEPS, key="steps", step=10,
                help="How many updates each optimizer makes.")
    start = _start_inputs(side, surface, notices)
    ghost = side.toggle("Show Nesterov's look-ahead θ + λv", key="ghost",
                        help="The point where Nesterov evaluates the gradient.")
    side.button("Reset to this surface's preset", on_click=_apply_preset)

    steps = int(state["steps"])
    settings = Settings(state["surface"], formula, surface, tuple(chosen), hyper,
                        steps, start, ghost, _shown_step(steps, notices))
    values = {f.key: state.get(f.key) for f in FIELDS}
    values["formula"] = formula if state["surface"] == CUSTOM else DEFAULT_FORMULA
    defaults = {**_preset_values(state["surface"]), "surface": "two_minima",
                "formula": DEFAULT_FORMULA, "step": steps, "view": VIEWS["map"]}
    if state["surface"] == CUSTOM:
        defaults["x"], defaults["y"] = surface.start
    url_state.save(PAGE, FIELDS, values, defaults)
    return settings, notices


def _shown_step(steps: int, notices: list[str]) -> int:
    """The step the map and the 3D view show, kept within the race: its end unless one
    was chosen, and still its end when Steps makes the race longer or shorter. (Its
    slider's range is the race's length, so a link's step is checked here, not on
    parsing.)"""
    state = st.session_state
    step, before = state.get("step"), state.get("_steps_before")
    if isinstance(step, int) and step > steps and before in (None, steps):
        notices.append(f"The link's step {step} is past the race's {steps} steps; showing "
                       f"step {steps}.")  # a shorter race (the Steps slider) says nothing
    if not isinstance(step, int) or step > steps or step == before:
        step = steps
    state["step"], state["_steps_before"] = step, steps
    return step


def step_slider(steps: int) -> None:
    """The page's own step slider (its value is Settings.step): it reaches every step,
    where the map's slider and ▶ Play go through the map's frames."""
    st.slider("Step shown on the map and in 3D", 0, steps, key="step",
              help="Any step, on the map and in 3D: drag, or press ← / → for one step at a "
                   "time. The map's ▶ Play and its own slider run through its frames: every "
                   "step at first, then one each time the paths have moved a little further.")


def _surface(side) -> tuple[Surface, str, str | None]:
    """The chosen surface; a bad formula keeps the last good one and explains why."""
    state = st.session_state
    name = state["surface"]
    if name != CUSTOM:  # its description is under the page's title
        return SURFACES[name], "", None
    side.caption("Type any f(x, y): the optimizers race over it on −3 ≤ x, y ≤ 3.")
    text = side.text_input("f(x, y) =", key="formula", max_chars=200,
                           help="Variables x and y; numbers, pi, e; + − * / **; functions "
                                "such as sin, cos, exp, log, sqrt, abs, tanh.")
    good = state.get("formula_ok", DEFAULT_FORMULA)
    try:
        surface = get_surface(CUSTOM, text)
    except FormulaError as error:
        # the problem and the hint as paragraphs; formulas in backticks, so that Markdown
        # does not read their * and ** as emphasis
        side.error(f"That formula can't be used: {error.problem.rstrip('.')}.\n\n{error.hint}",
                   icon=":material/warning:")
        message = f"Your formula can't be used, so the race still shows f(x, y) = `{good}`."
        return get_surface(CUSTOM, good), good, message
    state["formula_ok"] = text
    return surface, text, None


def _start_inputs(side, surface: Surface, notices: list[str]) -> tuple[float, float]:
    (x0, x1), (y0, y1) = surface.bounds
    state = st.session_state
    for key, low, high in (("x", x0, x1), ("y", y0, y1)):
        value = state.get(key)
        if not (isinstance(value, int | float) and low <= value <= high):
            number = isinstance(value, int | float)
            state[key] = float(np.clip(value, low, high)) if number \
                else surface.start[0 if key == "x" else 1]
            shown = f"{value:g}" if number else repr(value)  # 1e+06, not 1000000.0
            notices.append(f"The start {key} = {shown} was outside the map; moved it to "
                           f"{state[key]:g}.")
    side.caption("Start point: type it, or click anywhere on the map.")
    left, right = side.columns(2)
    x = left.number_input("start x", key="x", step=0.1, format="%.3f")
    y = right.number_input("start y", key="y", step=0.1, format="%.3f")
    return float(x), float(y)


def _hyperparameter_sliders(optimizer: str) -> dict[str, float]:
    """The sliders of one optimizer, labelled with the course text's symbols; values come
    from (and stay in) session state."""
    values = {}
    for param in OPTIMIZERS[optimizer].hyperparameter_names():
        spec = HYPERPARAMETERS[param]
        values[param] = st.select_slider(
            spec.label, options=spec.stops, key=widget_key(optimizer, param),
            format_func=lambda value: f"{value:g}", help=spec.help)
    return values
