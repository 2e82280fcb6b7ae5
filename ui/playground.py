"""Widgets and page sections of the optimizer playground."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from engine.race import (
    Lane,
    divergence_kind,
    effective_steps,
    global_minimum_value,
    minima_of,
    steps_to_minimum,
    tolerance,
    velocity_norms,
    where_it_ended,
)
from surfaces import SURFACES, FormulaError, Surface
from ui import url_state
from ui.cache import CUSTOM, get_surface
from ui.lr_advice import CURABLE, smaller_lr_advice
from ui.markdown import escape
from ui.optimizer_controls import HYPERS, hyper_fields, hyper_sliders, widget_key
from ui.presets import DEFAULT_FORMULA, HYPERPARAMETERS, OPTIMIZER_NAMES, PRESETS
from viz.colors import OPTIMIZER_LABELS
from viz.figure import Panel
from viz.number_text import scientific_text
from viz.race_charts import (
    effective_step_panel,
    grad_norm_panel,
    loss_panel,
    velocity_panel,
)
from viz.rules import WHAT_TO_LOOK_FOR, filled_rule

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

    def race_key(self) -> tuple:
        """The optimizers' settings as a hashable tuple for the race cache."""
        return tuple((name, tuple(sorted(self.hyper[name].items())))
                     for name in self.optimizers)


def map_caption(grid) -> str:
    """How to read the map; grey only where the surface has cells it could not compute."""
    grey = ("" if np.all(np.isfinite(grid.values)) else
            " Grey: f is undefined or too large to compute there.")
    return ("Press ▶ Play to watch the race, drag the step slider to scrub. Faint lines are "
            "the whole paths; ★ global minimum, ○ local minimum, ✕ saddle, △ maximum; ■ where "
            f"a path stopped early.{grey} Click the map to start somewhere else.")


def surface_title(name: str) -> str:
    return "Your own formula f(x, y)" if name == CUSTOM else SURFACES[name].title


FIELDS = [
    url_state.Field("surface", url_state.one_of(SURFACE_CHOICES)),
    url_state.Field("formula", str),
    url_state.Field("opts", url_state.subset_of(OPTIMIZER_NAMES), url_state.format_list),
    url_state.Field("steps", url_state.number_between(MIN_STEPS, MAX_STEPS, integer=True)),
    url_state.Field("x", url_state.number_between(-1e6, 1e6), url_state.format_number),
    url_state.Field("y", url_state.number_between(-1e6, 1e6), url_state.format_number),
    url_state.Field("ghost", url_state.boolean, url_state.format_bool),
    *hyper_fields(HYPERPARAMETERS),
]


def _preset_values(name: str) -> dict:
    """Every widget's value for a fresh start on surface `name`."""
    preset = PRESETS[name]
    start = SURFACES[name].start if name in SURFACES else (None, None)
    values = {"opts": preset["optimizers"], "steps": preset["steps"],
              "x": start[0], "y": start[1], "ghost": False}
    for opt, params in HYPERPARAMETERS.items():
        for p in params:
            values[widget_key(opt, p)] = preset["hyper"][opt][p]
    return values


def _apply_preset() -> None:
    """Surface changed (or Reset pressed): every setting returns to that surface's preset."""
    name = st.session_state["surface"]
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

    chosen = side.multiselect("Optimizers", OPTIMIZER_NAMES, key="opts",
                              format_func=OPTIMIZER_LABELS.get,
                              placeholder="Choose optimizers to race")
    hyper = {}
    for name in chosen:
        with side.expander(f"{OPTIMIZER_LABELS[name]} settings", expanded=len(chosen) <= 2):
            hyper[name] = hyper_sliders(name, HYPERPARAMETERS[name])
    side.slider("Steps", MIN_STEPS, MAX_STEPS, key="steps", step=10,
                help="How many updates each optimizer makes.")
    start = _start_inputs(side, surface, notices)
    ghost = side.toggle("Show Nesterov's look-ahead θ + λv", key="ghost",
                        help="The point where Nesterov evaluates the gradient.")
    side.button("Reset to this surface's preset", on_click=_apply_preset)

    settings = Settings(state["surface"], formula, surface, tuple(chosen), hyper,
                        int(state["steps"]), start, ghost)
    values = {f.key: state.get(f.key) for f in FIELDS}
    values["formula"] = formula if state["surface"] == CUSTOM else DEFAULT_FORMULA
    defaults = {**_preset_values(state["surface"]), "surface": "two_minima",
                "formula": DEFAULT_FORMULA}
    if state["surface"] == CUSTOM:
        defaults["x"], defaults["y"] = surface.start
    url_state.save(PAGE, FIELDS, values, defaults)
    return settings, notices


def _surface(side) -> tuple[Surface, str, str | None]:
    """The chosen surface; a bad formula keeps the last good one and explains why."""
    state = st.session_state
    name = state["surface"]
    side.caption(SURFACES[name].description if name in SURFACES else
                 "Type any f(x, y): the optimizers race over it on −3 ≤ x, y ≤ 3.")
    if name != CUSTOM:
        return SURFACES[name], "", None
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


# ---------------------------------------------------------------- page sections


def divergence_messages(surface: Surface, lanes: list[Lane], settings: Settings) -> list[str]:
    kinds = {lane.name: divergence_kind(surface, lane) for lane in lanes}
    advice = smaller_lr_advice(surface, [lane for lane in lanes if lane.name != "newton"
                                         and kinds[lane.name] in CURABLE], settings)
    messages = []
    for lane in lanes:
        kind = kinds[lane.name]
        label = OPTIMIZER_LABELS[lane.name]
        k = lane.diverged_at
        if kind == "start":
            messages.append(f"{label}: f or its gradient is undefined (or too large to "
                            "compute) at the start point; pick another start.")
        elif kind == "singular":
            messages.append(f"{label} stopped at step {k}: the Hessian is singular there "
                            "(no curvature to jump with). A damping μ > 0 makes the step "
                            "defined.")
        elif kind == "downhill":
            messages.append(f"{label} ran off the map downhill at step {k}: this surface "
                            "keeps falling in that direction, so there is no minimum to find "
                            "there.")
        elif kind in ("jump", "unstable") and lane.name == "newton":
            messages.append(_newton_message(surface, lane, settings))
        elif kind == "jump":
            messages.append(f"{label} stopped at step {k}: its loss was still falling, but "
                            "its next step would have landed far off the map or where f is "
                            "undefined. Its path stops at its last good point. "
                            f"{advice[lane.name]}")
        elif kind == "unstable":
            lr = settings.hyper[lane.name]["lr"]
            how = ("its first step already flew off the map" if k == 1 else
                   "each step overshoots by more than the last, until the path flew off "
                   "the map")
            messages.append(f"{label} diverged at step {k}: with α = {lr:g} {how}. Its path "
                            f"stops at its last good point. {advice[lane.name]}")
    return messages


def _newton_message(surface: Surface, lane: Lane, settings: Settings) -> str:
    """Why Newton left the map. α > 1 when a step with α = 1 would have stayed on it (it
    aims at θ − (H + μI)⁻¹∇f from the last point on the map); else f's curvature along
    the path: where it is negative the quadratic model's flat point is no minimum."""
    k, params = lane.diverged_at, settings.hyper[lane.name]
    (x0, x1), (y0, y1) = surface.bounds
    path = lane.positions[:lane.last_step + 1]
    on_map = path[(path[:, 0] >= x0) & (path[:, 0] <= x1)
                  & (path[:, 1] >= y0) & (path[:, 1] <= y1)]
    theta = on_map[-1] if len(on_map) else path[-1]
    said = f"Newton stopped at step {k}: "
    with np.errstate(all="ignore"):
        h, g = surface.hessian(theta), surface.grad(theta)
        try:
            target = theta - np.linalg.solve(h + params["damping"] * np.eye(2), g)
        except np.linalg.LinAlgError:  # H + μI singular there: no point to aim at
            target = np.full(2, np.nan)
        hessians = surface.hessian(on_map) if len(on_map) else np.full((1, 2, 2), np.nan)
        finite = np.all(np.isfinite(hessians), axis=(1, 2))
        lowest = (float(np.linalg.eigvalsh(hessians[finite]).min()) if finite.any()
                  else np.nan)
    model = "damped local quadratic model" if params["damping"] else "local quadratic model"
    if params["lr"] > 1 and x0 <= target[0] <= x1 and y0 <= target[1] <= y1:
        return (said + f"α = 1 would step to ({target[0]:.3g}, {target[1]:.3g}), where its "
                f"{model} is flat; α = {params['lr']:g} steps {params['lr']:g} times as "
                "far, past that point and off the map. Try α = 1.")
    if lowest < 0:
        away = ", away from the minimum" if len(minima_of(surface)) else ""
        largest = max(HYPERS["damping"].options)
        cure = (f"A damping μ well above {scientific_text(-lowest)} (the size of the most "
                "negative curvature on its way) makes H + μI curve upward everywhere it "
                "went, and its steps go downhill." if -lowest < largest / 2 else
                f"The curvature gets as negative as {scientific_text(lowest)} on its way: "
                f"more than the damping slider (up to μ = {largest:g}) can make up for. "
                "Pick another start or another optimizer.")
        return (said + "where f curves downward, the flat point of its local quadratic "
                "model is a maximum or a saddle, so Newton's step points uphill or "
                f"sideways{away}, until it leaves the map. {cure}")
    return (said + "it steps to where the local quadratic model of f is flat, and where the "
            "curvature is small that point can lie far off the map. Its path stops at its "
            "last good point. A damping μ > 0 or a smaller α shortens such jumps.")


def results_table(surface: Surface, lanes: list[Lane]) -> str:
    """How each lane ended, as a markdown table: one light element, and no DataFrame to
    build and convert to Arrow, which st.table needs (~2 ms of each rerun)."""
    tol = tolerance(surface.bounds)
    minima = minima_of(surface)
    header = ["optimizer", "final loss f(θ)", "ended at",
              f"steps to within {tol:.2g} of a minimum", "stopped early"]
    ends = [where_it_ended(surface, lane, tol) if lane.diverged_at != 0 else "—"
            for lane in lanes]
    custom = not surface.critical_points
    if custom:  # a formula's minima are not known in advance: the ones paths end at count
        minima = np.array([lane.positions[lane.last_step] for lane, ended
                           in zip(lanes, ends, strict=True) if ended.startswith("a minimum")]
                          ).reshape(-1, 2)
        ends = [_at_found_minimum(lane, ended, minima, tol) for lane, ended
                in zip(lanes, ends, strict=True)]
    rows = []
    for lane, ended in zip(lanes, ends, strict=True):
        k = lane.diverged_at
        reached = steps_to_minimum(lane, minima, tol)
        rows.append([
            OPTIMIZER_LABELS[lane.name],
            # 1e-12, not 0, and 0 rather than -0; nothing where f is undefined at the start
            # (recorded as 0)
            f"{lane.losses[lane.last_step] + 0.0:.4g}" if k != 0 else "— (undefined)",
            ended,
            ("never" if reached is None else str(reached)) if len(minima)
            else "— (no minimum known)" if custom else "— (there is none)",
            "no" if k < 0 else f"yes, at step {k}",
        ])
    lines = [_table_row(header), "|" + " --- |" * len(header)]
    return "\n".join(lines + [_table_row(row) for row in rows])


def _at_found_minimum(lane: Lane, ended: str, minima: np.ndarray, tol: float) -> str:
    """'on its way' for a path that sits within `tol` of a minimum another path found
    (its gradient not quite 0, or a kink like |x|'s) is 'a minimum' too."""
    end = lane.positions[lane.last_step]
    if not ended.startswith("on its way") or not len(minima):
        return ended
    near = np.linalg.norm(minima - end, axis=1)
    i = int(np.argmin(near))
    return f"a minimum ({minima[i][0]:.3g}, {minima[i][1]:.3g})" if near[i] <= tol else ended


def _table_row(cells) -> str:
    return "| " + " | ".join(escape(cell) for cell in cells) + " |"


def rule_panels(settings: Settings) -> None:
    """One panel per optimizer: its rule with the current values, and what to look for.

    Each panel is one markdown element (the rule as a $$ block): a rerun sends 10
    elements for five optimizers instead of 35 (columns, latex, caption), which made
    the playground's rerun ~13% cheaper on the server (paired runs).
    """
    for name in settings.optimizers:
        with st.container(border=True):
            st.markdown(_rule_panel_text(name, settings.hyper[name]))


def _rule_panel_text(name: str, hyper: dict[str, float]) -> str:
    return (f"**{OPTIMIZER_LABELS[name]}**\n\n$$\n{filled_rule(name, hyper)}\n$$\n\n"
            f":gray[{WHAT_TO_LOOK_FOR[name]}]")


def curve_panels(surface: Surface, lanes: list[Lane]) -> list[Panel]:
    """Loss and gradient norm for every lane; the speed of the momentum methods and the
    effective steps of the adaptive ones when any of them race."""
    panels = [loss_panel([(lane.name, lane.losses[:lane.last_step + 1]) for lane in lanes],
                         best_value(surface)),
              grad_norm_panel([(lane.name, lane.path.grad_norms[:lane.last_step + 1, 0])
                               for lane in lanes])]
    speeds = [(lane.name, v) for lane in lanes if (v := velocity_norms(lane)) is not None]
    rates = [(lane.name, r) for lane in lanes if (r := effective_steps(lane)) is not None]
    panels += [velocity_panel(speeds)] if speeds else []
    panels += [effective_step_panel(rates)] if rates else []
    return panels


def best_value(surface: Surface) -> float | None:
    return global_minimum_value(surface)
