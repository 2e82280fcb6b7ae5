"""AppTest: the optimizer playground page, as a script run by Streamlit."""

import base64
import json
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from engine.optimizers import OPTIMIZERS, make_optimizer
from engine.race import run_race
from surfaces import SURFACES
from tests.results_table import results
from ui.playground.presets import PRESETS
from ui.playground.rules import WHAT_TO_LOOK_FOR

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "playground.py")


def open_page(**query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def decode(values):
    """Trace data are plain lists; the map's animation frames are {"dtype", "bdata"}."""
    if isinstance(values, dict) and "bdata" in values:
        return np.frombuffer(base64.b64decode(values["bdata"]), values["dtype"])
    return np.asarray(values, dtype=float)


def race_spec(at: AppTest) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def full_paths(spec) -> dict[str, np.ndarray]:
    """The whole-path traces of the race map, by optimizer label."""
    return {t["name"]: np.stack([decode(t["x"]), decode(t["y"])], axis=1)
            for t in spec["data"] if t.get("mode") == "lines" and "name" in t}  # not trails


def warnings_text(at: AppTest) -> str:
    return " ".join(w.value for w in at.warning)


@pytest.mark.parametrize("surface", sorted(SURFACES))
def test_every_library_surface_runs_with_its_defaults(surface):
    at = open_page(surface=surface)
    assert not at.exception
    assert at.title[0].value == "Optimizer playground"
    assert at.sidebar.selectbox[0].value == surface
    charts = at.get("plotly_chart")
    assert len(charts) == 2  # the map and the curves (3D only when its tab is open)
    curves = json.loads(charts[1].proto.spec)
    panels = sum(key.startswith("xaxis") for key in curves["layout"])
    assert panels >= 3  # loss, gradient norm, and the preset's momentum or adaptive method
    spec = race_spec(at)
    assert spec["layout"]["images"][0]["source"].startswith("data:image/png;base64,")
    assert len(spec["frames"]) > 10
    for path in full_paths(spec).values():
        assert np.all(np.isfinite(path))
    assert len(results(at)) == len(at.sidebar.multiselect[0].value)  # a row per optimizer


def chart_types(at: AppTest) -> list[str]:
    return [json.loads(c.proto.spec)["data"][0]["type"] for c in at.get("plotly_chart")]


def test_the_3d_view_is_built_only_while_its_tab_is_open():
    at = open_page()
    assert "surface" not in chart_types(at)
    at.session_state["view"] = "3D view"  # what clicking the tab does (it reruns)
    at.run()
    assert not at.exception
    assert chart_types(at).count("surface") == 1
    surface_3d = json.loads(at.get("plotly_chart")[1].proto.spec)
    lines = [t for t in surface_3d["data"] if t["type"] == "scatter3d" and "legendgroup" in t]
    assert len(lines) == len(at.sidebar.multiselect[0].value)  # every optimizer's path
    at.session_state["view"] = "Race on the map"
    assert "surface" not in chart_types(at.run())


def test_steps_between_cached_horizons_show_exactly_that_many_steps():
    at = open_page(surface="bowl", opts="sgd", steps="230")  # the race is kept for 250
    spec = race_spec(at)
    assert spec["layout"]["sliders"][0]["steps"][-1]["label"] == "230"
    path = full_paths(spec)["SGD"]
    surface = SURFACES["bowl"]
    expected = run_race(surface, {"sgd": make_optimizer("sgd", lr=0.05)}, surface.start, 230)
    np.testing.assert_allclose(path, expected[0].positions, atol=1e-5)  # float32 on screen


def test_changing_alpha_changes_the_path():
    at = open_page(surface="valley")
    before = full_paths(race_spec(at))["SGD"]
    slider = next(s for s in at.sidebar.select_slider if s.key == "sgd_lr")
    assert slider.value == 0.075
    slider.set_value(0.03).run()
    assert not at.exception
    after = full_paths(race_spec(at))["SGD"]
    assert before.shape == after.shape and not np.allclose(before, after)
    assert at.query_params["sgd_lr"] == "0.03"  # and the link remembers it


def test_a_divergent_alpha_is_explained():
    at = open_page(surface="valley", opts="sgd", sgd_lr="0.1")  # 0.1 > 2/25: unstable
    assert not at.exception
    text = warnings_text(at)
    assert "SGD diverged at step" in text and "smaller α" in text
    path = full_paths(race_spec(at))["SGD"]
    assert np.all(np.isfinite(path))
    assert len(path) < 200  # it stops at its last good point
    table = results(at)
    assert table["stopped early"].iloc[0].startswith("yes, at step")


@pytest.mark.parametrize("lr", ["0.1", "0.75"])
def test_the_suggested_alpha_runs_the_whole_race(lr):
    """The valley is stable for α < 2/25: from α = 0.75 a third (0.2) still diverges, so the
    suggestion must come from a run, not from dividing."""
    at = open_page(surface="valley", opts="sgd", sgd_lr=lr)
    text = warnings_text(at)
    assert "SGD diverged at step" in text
    suggested, steps = re.search(r"such as ([0-9.e-]+): with it, SGD runs all (\d+) steps",
                                 text).groups()
    assert float(suggested) <= float(lr) / 3
    assert int(steps) == next(s for s in at.sidebar.slider if s.label == "Steps").value
    again = open_page(surface="valley", opts="sgd", sgd_lr=suggested)
    assert not again.warning  # it really runs to the end
    assert results(again)["stopped early"].iloc[0] == "no"


def test_a_smaller_alpha_that_then_runs_downhill_is_said_to_cure_the_overshoot():
    # The saddle falls forever along y: with a small enough α SGD stops overshooting, and
    # slides off; "try a much smaller α" would never help, and is not said
    for opts in ("sgd", "sgd,momentum"):
        at = open_page(surface="saddle", opts=opts, sgd_lr="2", momentum_lr="1")
        text = warnings_text(at)
        for label in opts.replace("sgd", "SGD").replace("momentum", "Momentum").split(","):
            suggested = re.search(rf"With a smaller α, such as ([0-9.e-]+), {label} no longer "
                                  r"overshoots, but it then runs off the map downhill",
                                  text).group(1)
            again = open_page(surface="saddle", opts=label.lower(),
                              **{f"{label.lower()}_lr": suggested})
            assert f"{label} ran off the map downhill" in warnings_text(again)
        assert "much smaller" not in text


def test_when_no_smaller_alpha_helps_the_message_says_why():
    # log(x)·y falls towards x = 0, where it is undefined: in 3000 steps a smaller α only
    # gets there later
    query = {"surface": "custom", "formula": "log(x)*y", "opts": "sgd", "steps": "3000"}
    smallest = re.search(r"Even with α = ([0-9.e-]+) it stops early \(at step \d+\): from "
                         r"this start f keeps falling", warnings_text(open_page(**query))).group(1)
    assert results(open_page(**query, sgd_lr=smallest))["stopped early"].iloc[0] != "no"
    # f = 10⁷x² + y² is too steep for every α on the slider
    steep = {"surface": "custom", "formula": "10000000*x**2 + y**2", "opts": "sgd",
             "x": "0.5", "y": "0.5"}
    assert ("Even the slider's smallest α is too large for this surface."
            in warnings_text(open_page(**steep, sgd_lr="0.0001")))
    assert ("Even α = 0.0001, the slider's smallest, still overshoots"
            in warnings_text(open_page(**steep, sgd_lr="0.0003")))


def test_a_jump_off_the_map_from_inside_is_not_called_downhill():
    # Two valleys rises in every direction; from the corner (3, 3) Newton's second step
    # jumps from inside the map (the local quadratic's flat point lies far away)
    at = open_page(x="3", y="3", opts="sgd,newton")
    text = warnings_text(at)
    assert "Newton stopped at step 2" in text and "local quadratic" in text
    assert "ran off the map downhill" not in text
    assert "where f curves downward, the flat point" in text  # why it left
    # log(x)·y: SGD walks downhill towards x = 0, and its next step lands where log is
    # undefined: not an overshooting α, and not a surface without a bottom
    at = open_page(surface="custom", formula="log(x)*y", opts="sgd")
    text = warnings_text(at)
    assert "SGD stopped at step" in text and "where f is undefined" in text
    assert "downhill" not in text and "overshoots" not in text
    # √x + y²: Newton's first step drops y² by more than √x rises, but it heads up the
    # √x slope (x triples at each step where f curves downward), off the map
    at = open_page(surface="custom", formula="sqrt(x) + y**2", opts="newton")
    text = warnings_text(at)
    assert "ran off the map downhill" not in text and "where f curves downward" in text


def test_a_surface_with_a_global_minimum_is_never_said_to_fall_forever():
    # Rosenbrock from (−2, 1): Nesterov's third step leaves the map while its loss still
    # falls; Rosenbrock is ≥ 0, so that is a jump α can cure, not a bottomless slope
    at = open_page(surface="rosenbrock", x="-2", y="1")
    text = warnings_text(at)
    assert "ran off the map downhill" not in text
    assert "Nesterov stopped at step 3" in text
    suggested = re.search(r"such as ([0-9.e-]+): with it, Nesterov runs all", text).group(1)
    again = open_page(surface="rosenbrock", x="-2", y="1", opts="nesterov",
                      nesterov_lr=suggested)
    assert results(again)["stopped early"].iloc[0] == "no"


def test_newtons_overshoot_on_a_bowl_is_blamed_on_alpha_not_curvature():
    at = open_page(surface="bowl", opts="newton", newton_lr="10")
    text = warnings_text(at)
    assert "α = 1 would step to (0, 0)" in text and "Try α = 1." in text
    assert "curves downward" not in text
    # the saddle: α = 1 lands on the saddle point, so α = 10 is to blame, not curvature
    text = warnings_text(open_page(surface="saddle", opts="newton", newton_lr="10"))
    assert "α = 1 would step to (0, 0)" in text and "damping" not in text
    # with damping, the α = 1 target lies off the map: then f's curvature speaks, with
    # the most negative curvature along the path (checked here independently)
    at = open_page(opts="newton", newton_lr="2", newton_damping="0.5")
    text = warnings_text(at)
    assert "α = 1 would step to" not in text and "where f curves downward" in text
    lane = next(lane for lane in run_race(SURFACES["two_minima"], {"newton": make_optimizer(
        "newton", lr=2.0, damping=0.5)}, SURFACES["two_minima"].start, 300))
    on_map = lane.positions[:lane.last_step + 1]
    on_map = on_map[np.all(np.abs(on_map) <= 3, axis=1)]
    lowest = min(np.linalg.eigvalsh(SURFACES["two_minima"].hessian(p)).min() for p in on_map)
    assert f"well above {-lowest:.2g}" in text
    # Rastrigin's curvature is beyond what the damping slider can make up for: said so
    text = warnings_text(open_page(surface="rastrigin", opts="newton"))
    assert "more than the damping slider (up to μ = 10) can make up for" in text
    at = open_page(surface="bowl", opts="sgd", sgd_lr="10")
    assert "its first step already flew off the map" in warnings_text(at)


def test_a_suggested_alpha_must_bring_the_loss_down():
    # on the bowl, α = 1 is SGD's stability limit: it bounces between two walls forever
    # without stopping, so it is not offered; a smaller one is, and it converges
    at = open_page(surface="bowl", opts="sgd", sgd_lr="10")
    suggested = re.search(r"such as ([0-9.e-]+): with it, SGD runs all",
                          warnings_text(at)).group(1)
    assert float(suggested) < 1
    again = results(open_page(surface="bowl", opts="sgd", sgd_lr=suggested))
    assert again["ended at"].iloc[0].startswith("global minimum")
    # from next to the minimum, α = 1 bounces around it for ever (passing the minimum at
    # step 0 is not getting there): not offered either
    at = open_page(surface="bowl", opts="sgd", sgd_lr="10", x="0.02", y="0.02")
    suggested = re.search(r"such as ([0-9.e-]+): with it, SGD runs all",
                          warnings_text(at)).group(1)
    assert float(suggested) < 1
    # RMSProp's normalized steps do not shrink: at α = 1 it bounces between (±0.5, ∓0.5)
    # on the bowl, its loss stuck at 0.5; what is offered instead settles
    at = open_page(surface="bowl", opts="rmsprop", rmsprop_lr="10")
    suggested = re.search(r"such as ([0-9.e-]+): with it, RMSProp runs all",
                          warnings_text(at)).group(1)
    assert float(suggested) < 1
    table = results(open_page(surface="bowl", opts="rmsprop", rmsprop_lr=suggested))
    assert float(table["final loss f(θ)"].iloc[0]) < 0.1


def test_newton_on_a_saddle_lands_on_it_and_sgd_runs_off_downhill():
    at = open_page(surface="saddle")
    table = results(at).set_index("optimizer")
    assert table.loc["Newton", "ended at"].startswith("saddle")
    assert "ran off the map downhill" in warnings_text(at)


def test_a_custom_formula_races():
    at = open_page(surface="custom", formula="x**2 + 3*y**2 + sin(3*x)")
    assert not at.exception and not at.error
    assert "x**2 + 3*y**2 + sin(3*x)" in at.sidebar.text_input[0].value
    assert len(full_paths(race_spec(at))) == 5  # the course text's five


def test_a_bad_formula_shows_why_and_keeps_the_previous_surface():
    at = open_page(surface="custom", formula="x**2 + y**2")
    good = full_paths(race_spec(at))
    at.sidebar.text_input[0].set_value("__import__('os').system('echo hi')").run()
    assert not at.exception
    assert "not allowed" in at.sidebar.error[0].value
    assert ".\n\nAllowed:" in at.sidebar.error[0].value  # the hint is its own paragraph
    # in backticks: Markdown would read the ** as bold and garble the formula
    assert "f(x, y) = `x**2 + y**2`" in " ".join(i.value for i in at.info)
    still = full_paths(race_spec(at))
    for name in good:
        np.testing.assert_array_equal(good[name], still[name])


@pytest.mark.parametrize("query", [
    {"surface": "nowhere"},
    {"sgd_lr": "banana"},
    {"sgd_lr": "1e309"},
    {"steps": "-5"},
    {"opts": "sgd,lbfgs"},
    {"x": "nan"},
    {"x": "999"},
    {"steps": "5"},  # below the Steps slider's 10: once a traceback
    {"formula": "x" * 5000},
    {"who": "knows"},
    {"step": "-3"},
    {"step": "12.5"},
    {"view": "4d"},
])
def test_a_tampered_link_gives_a_notice_not_a_traceback(query):
    at = open_page(**query)
    assert not at.exception
    assert at.info, "the user is told what was ignored"
    assert len(at.get("plotly_chart")) == 2


def test_settings_round_trip_through_the_link():
    at = open_page(surface="rosenbrock", opts="adam,newton", adam_lr="0.1", steps="500",
                   x="-1.5", y="2")
    assert not at.exception and not at.info
    assert at.sidebar.multiselect[0].value == ["adam", "newton"]
    assert at.sidebar.slider[0].value == 500
    assert at.sidebar.number_input[0].value == -1.5
    assert dict(at.query_params) == {"surface": "rosenbrock", "opts": "adam,newton",
                                     "adam_lr": "0.1", "steps": "500", "x": "-1.5", "y": "2"}
    paths = full_paths(race_spec(at))
    np.testing.assert_allclose(paths["Adam"][0], [-1.5, 2.0])


def test_changing_surface_loads_its_preset():
    at = open_page(surface="valley")
    at.sidebar.selectbox[0].set_value("himmelblau").run()
    assert not at.exception
    assert next(s for s in at.sidebar.select_slider if s.key == "sgd_lr").value == 0.01
    assert (at.sidebar.number_input[0].value, at.sidebar.number_input[1].value) == \
        SURFACES["himmelblau"].start


def test_no_optimizer_chosen_asks_for_one():
    at = open_page()
    at.sidebar.multiselect[0].set_value([]).run()
    assert not at.exception
    assert "Choose at least one optimizer" in warnings_text(at)


def test_the_largest_race_stays_under_the_payload_ceiling():
    at = open_page(surface="rosenbrock", opts="sgd,momentum,nesterov,adagrad,rmsprop,adam,newton",
                   steps="1000")
    size = len(at.get("plotly_chart")[0].proto.spec)
    assert size <= 1.5e6, f"race map is {size / 1e6:.2f} MB"


def test_the_rule_panels_show_each_rule_with_the_sliders_values():
    at = open_page(surface="bowl", opts="sgd,momentum", sgd_lr="0.03", momentum_momentum="0.7")
    assert not at.exception
    panels = {m.value.split("**")[1]: m.value for m in at.markdown if "$$" in m.value}
    assert set(panels) == {"SGD", "Momentum"}
    assert r"\theta(k) = \theta(k-1) - 0.03\," in panels["SGD"]
    assert r"0.7\,\mathbf{v}(k-1)" in panels["Momentum"]
    assert "steepest slope" in panels["SGD"]  # what to look for, in the same panel


def test_what_to_look_for_is_safe_inside_a_markdown_panel():
    for words in WHAT_TO_LOOK_FOR.values():
        assert not set(words) & set("[]$*_`\\"), words  # would end :gray[…] or start markup


def test_the_results_table_escapes_what_markdown_would_read_as_syntax():
    from ui.playground.results import _table_row
    assert _table_row(["a|b", "$x$", "x_1 * 2", "1e-12"]) == r"| a\|b | \$x\$ | x\_1 \* 2 | 1e-12 |"


def test_the_table_names_flat_points_of_a_custom_surface_and_no_unknown_minimum():
    # f = x² + y²: every optimizer ends at its minimum, which a custom surface does not list
    # (it counts the steps to the one a path ends at; "never" would be wrong for the rest)
    at = open_page(surface="custom", formula="x**2 + y**2", opts="sgd,adam")
    table = results(at).set_index("optimizer")
    assert table.loc["SGD", "ended at"].startswith("a minimum")
    surface = SURFACES["bowl"]  # the same f, with its minimum listed
    (sgd,) = run_race(surface, {"sgd": make_optimizer("sgd", lr=0.05)},
                      (float(at.sidebar.number_input[0].value),
                       float(at.sidebar.number_input[1].value)), 300)
    tol = float(re.search(r"within ([0-9.]+)", table.columns[2])[1])
    first = int(np.flatnonzero(np.linalg.norm(sgd.positions, axis=1) <= tol)[0])
    assert table.loc["SGD"].iloc[2] == str(first)
    for name, row in table.iterrows():
        if not row["ended at"].startswith("a minimum"):
            assert row.iloc[2] == "— (no minimum known)", name  # not "never"
    at = open_page(surface="custom", formula="x*y", opts="sgd", x="0", y="0")
    assert results(at).set_index("optimizer").loc["SGD", "ended at"].startswith("a saddle")
    # |x| + |y| has no flat point, but a kink that SGD reaches; momentum still swings
    # around it, 0.07 away: it passed within 0.06 of it but did not stay, and says so
    table = results(open_page(surface="custom", formula="abs(x) + abs(y)",
                              opts="sgd,momentum")).set_index("optimizer")
    assert table.loc["SGD", "ended at"].startswith("a minimum (")
    assert table.loc["SGD"].iloc[2].isdigit()
    assert table.loc["Momentum", "ended at"].startswith("on its way (")
    assert re.fullmatch(r"passed at step \d+, did not stay", table.loc["Momentum"].iloc[2])


def test_a_path_undefined_at_its_start_has_no_final_loss():
    at = open_page(surface="custom", formula="sqrt(x**2 + y**2)", opts="sgd", x="0", y="0")
    row = results(at).set_index("optimizer").loc["SGD"]
    assert row["final loss f(θ)"] == "— (undefined)" and row["ended at"] == "—"
    assert "undefined (or too large to compute) at the start point" in warnings_text(at)


def test_a_stopped_path_is_not_on_its_way():
    at = open_page(surface="valley", opts="sgd", sgd_lr="0.1")  # diverges
    ended = results(at).set_index("optimizer").loc["SGD", "ended at"]
    assert ended.startswith("stopped early") and "on its way" not in ended


def test_a_start_far_off_the_map_is_shown_as_a_short_number():
    at = open_page(x="1e6")
    assert "The start x = 1e+06 was outside the map; moved it to 3." in [i.value for i in at.info]


def test_the_alpha_below_a_third_is_found_without_rounding_errors():
    from engine.hyperparameters import HYPERPARAMETERS
    from engine.lr_search import option_below
    stops = HYPERPARAMETERS["lr"].stops
    assert option_below(0.3, 3, stops) == 0.1  # 0.3 / 3 is 0.0999… in floating point
    assert option_below(0.15, 3, stops) == 0.05
    assert option_below(0.0001, 3, stops) is None  # below the slider's smallest stop


def test_grey_on_the_map_is_explained_only_where_there_is_grey():
    overflow = open_page(surface="custom", formula="x**99999", opts="sgd")
    assert "Grey: f is undefined or too large to compute there." in overflow.caption[0].value
    assert "Grey" not in open_page().caption[0].value


def test_no_curves_chart_when_every_path_stopped_at_its_start():
    at = open_page(surface="custom", formula="x**99999", opts="sgd,adam")
    assert not at.exception
    assert "No curves to draw" in " ".join(i.value for i in at.info)
    assert chart_types(at).count("scatter") >= 1 and len(at.get("plotly_chart")) == 1  # the map


def test_a_custom_surfaces_minimum_found_by_one_path_names_the_others_there():
    query = {"surface": "custom", "formula": "x**4 - x**2 + y**2",
             "opts": "sgd,adagrad,adam", "adagrad_lr": "10", "adam_lr": "10"}
    table = results(open_page(**query)).set_index("optimizer")
    # f has minima at (±1/√2, 0): every path here ends at one of them
    for name, row in table.iterrows():
        x = float(re.search(r"\(([-0-9.e]+),", row["ended at"])[1])
        assert abs(abs(x) - 2 ** -0.5) < 0.06, name
        assert row["ended at"].startswith("a minimum"), name
        assert row.iloc[2].isdigit(), name
    # a library surface without minima says there is none, not that none is known
    saddle = results(open_page(surface="saddle"))
    assert (saddle.iloc[:, 3] == "— (there is none)").all()


# ---------------------------------------------------------------- the step shown, the view


def step_slider(at: AppTest):
    return next(s for s in at.slider if s.key == "step")


def shown_step(spec) -> int:
    slider = spec["layout"]["sliders"][0]
    return int(slider["steps"][slider["active"]]["label"])


def heads(spec) -> dict[str, np.ndarray]:
    return {t["name"]: np.array([t["x"][0], t["y"][0]]) for t in spec["data"]
            if t.get("mode") == "markers" and "legendgroup" in t and "look-ahead" not in
            t["name"]}


def test_a_link_opens_the_map_and_the_3d_view_at_its_step():
    at = open_page(opts="sgd,momentum", step="137", view="3d")
    assert not at.exception and not at.info
    assert step_slider(at).value == 137 and at.session_state["view"] == "3D view"
    surface, hyper = SURFACES["two_minima"], PRESETS["two_minima"]["hyper"]
    expected = run_race(surface, {n: make_optimizer(n, **hyper[n]) for n in ("sgd", "momentum")},
                        surface.start, 300)
    spec = race_spec(at)
    assert shown_step(spec) == 137
    view = json.loads(at.get("plotly_chart")[1].proto.spec)  # the 3D view, open
    paths = {t["name"]: t for t in view["data"] if t.get("legendgroup")}
    for lane in expected:
        label = OPTIMIZERS[lane.name].label
        np.testing.assert_allclose(heads(spec)[label], lane.positions[137], atol=1e-5)
        path = paths[label]
        np.testing.assert_allclose([path["x"][-1], path["y"][-1]], lane.positions[137],
                                   atol=1e-5)
    assert at.query_params["step"] == "137" and at.query_params["view"] == "3d"


def test_the_step_slider_reaches_any_step_and_the_link_keeps_it():
    at = open_page(surface="bowl", opts="sgd")
    assert step_slider(at).value == 150 and "step" not in at.query_params  # the end
    for step in (1, 2, 3, 77):
        step_slider(at).set_value(step).run()
        assert not at.exception
        assert shown_step(race_spec(at)) == step
        assert at.query_params["step"] == str(step)
    step_slider(at).set_value(150).run()
    assert "step" not in at.query_params  # the end is the default: a short link


def test_the_step_stays_at_the_end_as_steps_change_and_within_the_race():
    at = open_page(surface="bowl", opts="sgd")
    steps = next(s for s in at.sidebar.slider if s.label == "Steps")
    steps.set_value(200).run()
    assert step_slider(at).value == 200 and shown_step(race_spec(at)) == 200
    step_slider(at).set_value(120).run()
    next(s for s in at.sidebar.slider if s.label == "Steps").set_value(300).run()
    assert step_slider(at).value == 120  # a chosen step stays where it was
    next(s for s in at.sidebar.slider if s.label == "Steps").set_value(100).run()
    assert not at.exception
    assert step_slider(at).value == 100 == shown_step(race_spec(at))  # not past the end
    assert "step" not in at.query_params


def test_a_new_surface_is_shown_to_its_end():
    at = open_page(surface="bowl", opts="sgd", step="20")
    at.sidebar.selectbox[0].set_value("valley").run()
    assert not at.exception
    assert step_slider(at).value == 200 == shown_step(race_spec(at))  # valley's 200 steps
    assert "step" not in at.query_params


def test_the_open_tab_is_kept_in_the_link():
    at = open_page()
    assert "view" not in at.query_params
    at.session_state["view"] = "3D view"  # what clicking the tab does (it reruns)
    at.run()
    assert at.query_params["view"] == "3d"
    again = open_page(**dict(at.query_params))
    assert chart_types(again).count("surface") == 1  # the link opens the 3D view
    at.session_state["view"] = "Race on the map"
    at.run()
    assert "view" not in at.query_params


def test_a_links_step_past_the_end_shows_the_end_and_says_so():
    at = open_page(surface="bowl", opts="sgd", steps="200", step="250")
    assert not at.exception
    assert step_slider(at).value == 200 == shown_step(race_spec(at))
    assert any("step 250 is past the race's 200 steps" in i.value for i in at.info)
    assert "step" not in at.query_params
