"""Each surface's preset race shows what the surface's description promises."""

import numpy as np
import pytest

from engine.hyperparameters import HYPERPARAMETERS
from engine.optimizers import OPTIMIZERS, make_optimizer
from engine.race import run_race
from engine.verdicts import (
    divergence_kind,
    flat_point_kind,
    lowest_all_round,
    minima_of,
    steps_to_minimum,
    tolerance,
    where_it_ended,
)
from surfaces import SURFACES
from ui.playground.presets import PRESETS
from ui.playground.results import ending_text


def race(name, optimizers=tuple(OPTIMIZERS)):
    preset = PRESETS[name]
    surface = SURFACES[name]
    opts = {o: make_optimizer(o, **preset["hyper"][o]) for o in optimizers}
    lanes = {lane.name: lane for lane in run_race(surface, opts, surface.start, preset["steps"])}
    tol = tolerance(surface.bounds)
    ends = {o: ending_text(where_it_ended(surface, lane, tol)) for o, lane in lanes.items()}
    return surface, lanes, ends


def test_every_preset_value_is_a_stop_of_its_slider():
    for preset in PRESETS.values():
        for opt, cls in OPTIMIZERS.items():
            for p in cls.hyperparameter_names():
                assert preset["hyper"][opt][p] in HYPERPARAMETERS[p].stops, (opt, p)
        assert set(preset["optimizers"]) <= set(OPTIMIZERS)


def test_two_minima_momentum_rolls_to_the_global_minimum_the_others_stay_local():
    _, _, ends = race("two_minima")
    assert ends["momentum"].startswith("global minimum")
    for name in ("sgd", "nesterov", "adam"):
        assert ends[name].startswith("local minimum"), name
    assert ends["newton"].startswith("saddle")


def test_valley_sgd_zigzags_but_everyone_arrives():
    _, lanes, ends = race("valley")
    assert all(end.startswith("global minimum") for end in ends.values())
    y = lanes["sgd"].positions[:20, 1]
    assert np.all(np.sign(y[1:]) != np.sign(y[:-1]))  # crosses the valley floor every step
    # as the description says: momentum crosses less often, Nesterov arrives first
    def crossings(name):
        y = lanes[name].positions[:, 1]
        return int(np.sum(np.sign(y[1:]) != np.sign(y[:-1])))
    assert crossings("momentum") < crossings("sgd") / 2
    surface = SURFACES["valley"]
    arrive = {name: steps_to_minimum(lanes[name], minima_of(surface), tolerance(surface.bounds))
              for name in ("sgd", "momentum", "nesterov")}
    assert arrive["nesterov"] < min(arrive["sgd"], arrive["momentum"])


def test_rosenbrock_newton_and_momentum_reach_the_minimum_sgd_does_not():
    _, _, ends = race("rosenbrock")
    assert ends["newton"].startswith("global minimum")
    assert ends["momentum"].startswith("global minimum")
    assert ends["sgd"].startswith("on its way")


def test_saddle_newton_lands_on_it_first_order_methods_slide_off():
    surface, lanes, ends = race("saddle")
    assert ends["newton"].startswith("saddle")
    assert divergence_kind(surface, lanes["sgd"]) == "downhill"


def test_plateau_sgd_barely_moves_adaptive_methods_cross():
    _, lanes, ends = race("plateau")
    moved = np.linalg.norm(lanes["sgd"].positions[-1] - lanes["sgd"].positions[0])
    assert moved < 0.5
    assert ends["adam"].startswith("global minimum")
    assert ends["rmsprop"].startswith("global minimum")
    # the description: "momentum and Adam pick up speed and find the drop"
    assert ends["momentum"].startswith("global minimum")


def test_himmelblau_newton_climbs_to_the_maximum():
    _, _, ends = race("himmelblau")
    assert ends["newton"].startswith("maximum")
    assert ends["sgd"].startswith("global minimum")
    # as the description says: starting together, they end in different valleys
    valleys = {end for name, end in ends.items() if name != "newton"}
    assert len(valleys) >= 3 and all(end.startswith("global minimum") for end in valleys)


def test_monkey_saddle_races_as_its_description_says():
    surface, lanes, ends = race("monkey_saddle")

    def path(name):
        return lanes[name].positions[:lanes[name].last_step + 1]

    def valley(name):  # the valleys run out at 60°, 180° and 300°
        x, y = path(name)[-1]
        return round(np.degrees(np.arctan2(y, x)) / 120 - 0.5) % 3

    assert ends["newton"].startswith("saddle")
    for name in ("sgd", "momentum", "rmsprop"):
        assert divergence_kind(surface, lanes[name]) == "downhill"
    # gradient descent slows down near the middle: its steps' length is α‖∇f‖
    steps = np.linalg.norm(np.diff(path("sgd"), axis=0), axis=1)
    slowest = int(np.argmin(steps))
    assert 0 < slowest < len(steps) - 1 and steps[slowest] < steps[0] / 3
    assert np.linalg.norm(path("sgd")[slowest]) < 1
    # momentum rolls on through the middle into another valley than gradient descent's
    assert np.linalg.norm(path("momentum"), axis=1).min() < 0.5
    assert valley("momentum") != valley("sgd")
    # RMSProp: steady steps, never near the middle, into the nearest valley
    hyper = PRESETS["monkey_saddle"]["hyper"]["rmsprop"]
    lengths = np.linalg.norm(np.diff(path("rmsprop"), axis=0), axis=1) / hyper["lr"]
    # the first is √2/√(1 − ρ) (r starts at (1 − ρ)g²), the longest; none is below α
    assert lengths[0] == pytest.approx(np.sqrt(2 / (1 - hyper["rho"])))
    assert lengths.min() >= 1 and lengths.max() == lengths[0]
    assert np.linalg.norm(path("rmsprop"), axis=1).min() > 1
    assert valley("rmsprop") == valley("sgd") == 0  # 60°: the nearest to the start


def test_rastrigin_gradient_descent_stops_in_a_local_dip():
    _, _, ends = race("rastrigin", ("sgd",))
    assert ends["sgd"].startswith("local minimum")


@pytest.mark.parametrize("name", sorted(SURFACES))
def test_no_preset_diverges_by_accident(name):
    surface, lanes, _ = race(name)
    for lane in lanes.values():
        assert divergence_kind(surface, lane) in (None, "downhill", "singular") or \
            lane.name == "newton", (name, lane.name)


def test_minima_and_tolerance_helpers():
    surface = SURFACES["himmelblau"]
    assert minima_of(surface).shape == (4, 2)
    assert tolerance(surface.bounds) == pytest.approx(0.1)


@pytest.mark.parametrize(("hessian", "kind"), [
    ([[2.0, 0.0], [0.0, 1.0]], "a minimum"), ([[-2.0, 0.0], [0.0, -1.0]], "a maximum"),
    ([[0.0, 1.0], [1.0, 0.0]], "a saddle"), ([[1.0, 0.0], [0.0, 0.0]], "a flat point"),
    ([[np.nan, 0.0], [0.0, 1.0]], "a flat point")])
def test_a_flat_point_is_named_by_its_curvature(hessian, kind):
    assert flat_point_kind(np.array(hessian)) == kind


@pytest.mark.parametrize(("f", "point", "is_minimum"), [
    (lambda p: np.abs(p[..., 0]) + np.abs(p[..., 1]), (0.0, 0.0), True),  # a kink
    (lambda p: np.abs(p[..., 0]) + np.abs(p[..., 1]), (1e-5, -2e-5), True),
    (lambda p: np.abs(p[..., 0]) + np.abs(p[..., 1]), (1e-3, 0.0), False),  # beside it
    (lambda p: np.abs(p[..., 0]) + np.abs(p[..., 1]), (0.0, 0.5), False),  # a crease
    (lambda p: p[..., 0] ** 2 + p[..., 1] ** 2, (0.0, 0.0), True),
    (lambda p: p[..., 0] * p[..., 1], (0.0, 0.0), False),  # a saddle
    (lambda p: 0.0 * p[..., 0] + 1e-12 * p[..., 1] + 3.0, (0.0, 0.0), False),  # flat
    (lambda p: np.sqrt(p[..., 0]) + p[..., 1] ** 2, (0.0, 0.0), False),  # f's edge
])
def test_a_minimum_is_where_f_is_higher_all_round(f, point, is_minimum):
    assert lowest_all_round(f, np.array(point), 1e-4) is is_minimum


def test_a_path_past_the_maps_edge_is_said_to_be_off_the_map():
    # On the saddle RMSProp slides off along y and, in 100 steps, is past the edge (y = 3)
    # but not yet far enough to count as escaped: still on its way, off the map
    surface = SURFACES["saddle"]
    (lane,) = run_race(surface, {"rmsprop": make_optimizer(
        "rmsprop", **PRESETS["saddle"]["hyper"]["rmsprop"])}, surface.start, 100)
    end = lane.positions[lane.last_step]
    assert lane.diverged_at < 0 and abs(end[1]) > surface.bounds[1][1]
    said = ending_text(where_it_ended(surface, lane, tolerance(surface.bounds)))
    assert said.startswith("on its way (") and said.endswith(", off the map")
    # the race's own ends on the map say nothing of the kind
    assert not any("off the map" in end for end in race("two_minima")[2].values())
