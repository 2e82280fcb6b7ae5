"""The playground's words and numbers on the page (AppTest): the surface's formula, the
course text's five optimizers and where it stands on the other two, the results table's
tolerance and arrivals, where a path left the picture, a singular f, labelled log axes.
Expected values are computed here by hand or by a NumPy loop of their own."""

import json
import re

import numpy as np
import pytest

from engine.optimizers import OPTIMIZERS, make_optimizer
from engine.race import run_race
from surfaces import SURFACES
from tests.results_table import results
from tests.test_playground_page import open_page, warnings_text

FIVE = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop"]


def texts(at) -> list[str]:
    """Every markdown and caption on the page and in its sidebar."""
    return [e.value for e in (*at.markdown, *at.caption, *at.sidebar.markdown,
                              *at.sidebar.caption)]


@pytest.mark.parametrize("name", sorted(SURFACES))
def test_every_library_surface_shows_its_formula_and_its_description_once(name):
    at = open_page(surface=name)
    assert not at.exception
    surface = SURFACES[name]
    assert [e.value for e in at.latex] == [f"$$\n{surface.latex}\n$$"]
    assert sum(text.count(surface.description) for text in texts(at)) == 1


def test_the_formula_comes_with_the_alpha_its_curvature_allows():
    # the valley ½(x² + 25y²) curves by 25 across: SGD settles only for α < 2/25
    caption = next(c.value for c in at_valley().caption if "Hessian" in c.value)
    assert caption.startswith("Curvature at the global minimum (0, 0): 1 to 25 ")
    assert "α < 2/25 = 0.08" in caption
    # a saddle has no minimum to settle in: no such caption
    assert not any("Hessian" in c.value for c in open_page(surface="saddle").caption)


def at_valley():
    return open_page(surface="valley")


def test_the_default_race_is_the_course_texts_five_from_an_open_start():
    at = open_page()
    assert at.sidebar.multiselect[0].value == FIVE
    start = (at.sidebar.number_input[0].value, at.sidebar.number_input[1].value)
    assert start == SURFACES["two_minima"].start == (1.6, -2.8)


def test_adam_and_newton_say_where_the_course_text_stands_on_them():
    at = open_page(opts="sgd,adam,newton")
    help_text = at.sidebar.multiselect[0].help
    assert "SGD, Momentum, Nesterov, AdaGrad, RMSProp" in help_text
    assert "does not mention Adam" in help_text and "only in passing" in help_text
    panels = {m.value.split("**")[1]: m.value for m in at.markdown if "$$" in m.value}
    assert "does not mention Adam" in panels["Adam"]
    assert "only in passing" in panels["Newton"]
    assert "course text" not in panels["SGD"].split("$$")[-1].replace(
        "the course text's", "")  # the five say nothing of the kind


def test_the_results_table_explains_its_tolerance_from_the_maps_size():
    for name, tol, width in (("two_minima", "0.06", "6"), ("valley", "0.08", "8")):
        at = open_page(surface=name)
        assert f"steps to within {tol} of a minimum" in results(at).columns
        caption = next(c.value for c in at.caption if c.value.startswith("Within"))
        assert caption.startswith(f"Within {tol} of a minimum: less than {tol} away from it "
                                  f"in the (x, y) plane, 1% of the map's width ({width}).")


def test_momentum_passing_a_minimum_and_ending_elsewhere_did_not_arrive():
    # λ = 0.99 on the default surface: momentum swings through the local minimum's
    # neighbourhood and ends on its way. Its path by the course text's equations:
    surface = SURFACES["two_minima"]
    theta, v, near = np.array(surface.start), np.zeros(2), []
    minima = np.array([[p.x, p.y] for p in surface.critical_points if "minimum" in p.kind])
    for _ in range(300):
        near.append(np.linalg.norm(minima - theta, axis=1).min() <= 0.06)
        v = 0.99 * v - 0.1 * surface.grad(theta)
        theta = theta + v
    near.append(np.linalg.norm(minima - theta, axis=1).min() <= 0.06)
    first = near.index(True)
    assert not near[-1]
    row = results(open_page(opts="momentum", momentum_momentum="0.99")).iloc[0]
    assert row["ended at"].startswith("on its way")
    assert row["steps to within 0.06 of a minimum"] == f"passed at step {first}, did not stay"


def test_newton_wandering_off_the_plateau_is_said_to_leave_where_it_left_the_picture():
    surface = SURFACES["plateau"]
    (lane,) = run_race(surface, {"newton": make_optimizer("newton", lr=1.0, damping=0.0)},
                       surface.start, 400)
    path = lane.positions[:lane.last_step + 1]
    k = int(np.flatnonzero(np.all(np.abs(path) <= 4, axis=1))[-1]) + 1
    a, b = path[k - 1], path[k]
    y = a[1] + (-4 - a[0]) / (b[0] - a[0]) * (b[1] - a[1])  # it crosses x = −4
    at = open_page(surface="plateau", opts="newton")
    left = f"left the map at step {k}, at (-4, {y:.3g})"
    assert f"Newton {left}, out of the picture, and stopped at step 108" in warnings_text(at)
    assert results(at).iloc[0]["ended at"] == f"stopped early, off the map: it {left}"
    assert "-12" not in results(at).iloc[0]["ended at"]  # where it was stopped, unseen


def test_a_path_stopped_at_a_singular_point_is_not_said_to_fly_off():
    at = open_page(surface="custom", formula="log(x**2+y**2)", opts="sgd")
    text = warnings_text(at)
    stop = re.search(r"SGD stopped at step (\d+), at \(([-0-9.e]+), ([-0-9.e]+)\): f is "
                     r"singular there", text)
    assert stop and abs(float(stop[2])) < 1e-3 and abs(float(stop[3])) < 1e-3
    assert "flew off" not in text and "overshoots" not in text
    row = results(at).set_index("optimizer").loc["SGD"]
    assert row["stopped early"] == f"yes, at step {stop[1]}: f is singular there"


def test_rastrigins_loss_axis_has_numbers_on_it():
    """Its gap f − f* ran 24 … 47 on a log axis: no 1, 2 or 5 × 10ᵏ inside, so plotly.js
    drew no number at all, and the curves looked as if they reached 0 while the table said
    everyone was stuck. (Momentum, now with a larger α, climbs to 62 on its way.)"""
    at = open_page(surface="rastrigin")
    curves = json.loads(at.get("plotly_chart")[1].proto.spec)
    values = np.concatenate([np.asarray(t["y"], dtype=float) for t in curves["data"]
                             if t.get("yaxis") == "y"])
    low, high = values.min(), values.max()
    assert low > 20 and high < 100  # about 24.9 … 62: within one decade
    axis = curves["layout"]["yaxis"]
    inside = [v for v in axis["tickvals"] if low <= v <= high]
    assert len(inside) >= 2
    assert [float(t) for t in axis["ticktext"]] == axis["tickvals"]


def test_paths_running_off_the_saddle_are_named_in_one_warning_where_they_left():
    at = open_page(surface="saddle")
    downhill = [w.value for w in at.warning if "ran off the map downhill" in w.value]
    assert len(downhill) == 1  # not five yellow boxes in a row
    (text,) = downhill
    surface = SURFACES["saddle"]
    for name in FIVE:
        hyper = {p: at.session_state[f"{name}_{p}"]
                 for p in OPTIMIZERS[name].hyperparameter_names()}
        (lane,) = run_race(surface, {name: make_optimizer(name, **hyper)}, surface.start, 300)
        y = lane.positions[:lane.last_step + 1, 1]
        k = int(np.argmax(np.abs(y) > 2))  # its first step past the top or bottom edge
        assert np.all(np.abs(y[k:]) > 2)  # and it never came back
        assert f"{OPTIMIZERS[name].label} at step {k}, at (" in text
