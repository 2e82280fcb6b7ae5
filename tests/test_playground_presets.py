"""Each surface's preset race shows what the surface's description promises, races the
course text's five optimizers, and takes paths that can be told apart."""

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

# The optimizers the course text teaches, written out here rather than imported
FIVE = {"sgd", "momentum", "nesterov", "adagrad", "rmsprop"}


def race(name, optimizers=None):
    """The preset's race (its own optimizers unless others are named)."""
    preset = PRESETS[name]
    surface = SURFACES[name]
    optimizers = preset["optimizers"] if optimizers is None else optimizers
    opts = {o: make_optimizer(o, **preset["hyper"][o]) for o in optimizers}
    lanes = {lane.name: lane for lane in run_race(surface, opts, surface.start, preset["steps"])}
    tol = tolerance(surface.bounds)
    ends = {o: ending_text(where_it_ended(surface, lane, tol)) for o, lane in lanes.items()}
    return surface, lanes, ends


def path(lane):
    return lane.positions[:lane.last_step + 1]


def test_every_preset_value_is_a_stop_of_its_slider():
    for preset in PRESETS.values():
        for opt, cls in OPTIMIZERS.items():
            for p in cls.hyperparameter_names():
                assert preset["hyper"][opt][p] in HYPERPARAMETERS[p].stops, (opt, p)
        assert set(preset["optimizers"]) <= set(OPTIMIZERS)


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_races_the_course_texts_five_and_newton_only_where_it_is_the_point(name):
    chosen = set(PRESETS[name]["optimizers"])
    assert chosen >= FIVE
    assert "adam" not in chosen  # the course text does not mention it: one click away
    if "newton" in chosen:  # a surface about Newton: its description or its race says so
        assert name in ("saddle", "monkey_saddle", "himmelblau")
        assert race(name)[2]["newton"].startswith(("saddle", "maximum"))


def test_two_minima_momentum_rolls_to_the_global_minimum_the_others_stay_local():
    surface, lanes, ends = race("two_minima")
    # the description: gradient descent settles in the nearest (local) minimum
    start = np.array(surface.start)
    local, best = (np.array([p.x, p.y]) for kind in ("local minimum", "global minimum")
                   for p in surface.critical_points if p.kind == kind)
    assert np.linalg.norm(start - local) < np.linalg.norm(start - best)
    assert ends["sgd"].startswith("local minimum")
    assert ends["momentum"].startswith("global minimum")
    # with the same α and λ, Nesterov brakes in time (the home page's experiment)
    hyper = PRESETS["two_minima"]["hyper"]
    assert hyper["nesterov"] == hyper["momentum"]
    assert ends["nesterov"].startswith("local minimum")
    assert ends["rmsprop"].startswith("local minimum")
    # AdaGrad's steps only shrink (the course text: its rate decays too much too early):
    # its last step is a tenth of its first, and it has not arrived after 300 steps
    steps = np.linalg.norm(np.diff(path(lanes["adagrad"]), axis=0), axis=1)
    assert steps[-1] < steps[0] / 9 and np.all(np.diff(steps[1:]) < 1e-3)
    assert ends["adagrad"].startswith("on its way")
    assert np.linalg.norm(path(lanes["adagrad"])[-1] - local) > 0.5


def _farthest_from(a, b):
    """How far the point of path a farthest from path b (a polyline) lies from it."""
    a = a[:, None, :]
    start, end = b[:-1][None], b[1:][None]
    seg = end - start
    t = np.clip(np.sum((a - start) * seg, axis=-1) / np.maximum(np.sum(seg**2, -1), 1e-300),
                0, 1)
    return float(np.linalg.norm(a - (start + t[..., None] * seg), axis=-1).min(axis=1).max())


def test_two_minima_paths_can_be_told_apart():
    """Before, all paths lay on one diagonal. From the start the paths part: 30 steps in,
    any two heads are at least 0.25 apart (4 % of the map), and every path has a stretch
    at least 0.3 away from any other path (its own track, not one drawn over another)."""
    _, lanes, _ = race("two_minima")
    names = sorted(lanes)
    heads = {name: lanes[name].positions[30] for name in names}
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert np.linalg.norm(heads[a] - heads[b]) >= 0.25, (a, b)
            apart = max(_farthest_from(path(lanes[a]), path(lanes[b])),
                        _farthest_from(path(lanes[b]), path(lanes[a])))
            assert apart >= 0.3, (a, b, apart)


def test_the_default_race_is_the_two_minima_preset():
    assert PRESETS["two_minima"]["optimizers"] == ["sgd", "momentum", "nesterov", "adagrad",
                                                   "rmsprop"]


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


def test_rosenbrock_finding_the_valley_is_easy_following_its_floor_is_hard():
    _, lanes, ends = race("rosenbrock")
    for name, lane in lanes.items():  # every path is on the floor y ≈ x² within 10 steps
        floor = np.abs(lane.positions[:, 1] - lane.positions[:, 0] ** 2)
        assert floor[:11].min() < 0.1, name
    assert ends["momentum"].startswith("global minimum")
    assert ends["nesterov"].startswith("global minimum")
    for name in ("sgd", "adagrad", "rmsprop"):  # still following the floor after 1000 steps
        assert ends[name].startswith("on its way"), name


def test_saddle_newton_lands_on_it_first_order_methods_slide_off():
    surface, lanes, ends = race("saddle")
    assert ends["newton"].startswith("saddle")
    assert divergence_kind(surface, lanes["sgd"]) == "downhill"


def test_plateau_sgd_barely_moves_momentum_and_adaptive_rates_cross():
    surface, lanes, ends = race("plateau")
    moved = np.linalg.norm(lanes["sgd"].positions[-1] - lanes["sgd"].positions[0])
    assert moved < 0.5
    # the description: momentum picks up speed, the adaptive rates take full-size steps
    for name in ("momentum", "adagrad", "rmsprop"):
        assert ends[name].startswith("global minimum"), name
    speed = np.linalg.norm(lanes["momentum"].trajectory.internals["v"][:, 0], axis=1)
    assert speed[100] > 5 * speed[1]
    # AdaGrad's first step: r = g², so α g/(δ + √r) moves about α along each axis, √2·α
    # in all, however small g; SGD's is α‖∇f‖, with ‖∇f‖ = ‖θ‖ e^(−‖θ‖²/2) ≈ 0.0063 here
    hyper = PRESETS["plateau"]["hyper"]
    first = np.linalg.norm(lanes["adagrad"].positions[1] - lanes["adagrad"].positions[0])
    assert first == pytest.approx(np.sqrt(2) * hyper["adagrad"]["lr"], rel=1e-4)
    r = np.linalg.norm(surface.start)
    sgd_first = np.linalg.norm(lanes["sgd"].positions[1] - lanes["sgd"].positions[0])
    assert sgd_first == pytest.approx(hyper["sgd"]["lr"] * r * np.exp(-r**2 / 2), rel=1e-6)


def test_bowl_every_optimizer_reaches_the_one_minimum():
    _, _, ends = race("bowl")
    assert all(end.startswith("global minimum") for end in ends.values()), ends


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


def test_rastrigin_gradient_descent_stops_in_the_nearest_dip_momentum_in_another():
    surface, lanes, ends = race("rastrigin")
    minima = minima_of(surface)
    nearest = minima[np.argmin(np.linalg.norm(minima - np.array(surface.start), axis=1))]
    assert ends["sgd"] == ending_text(where_it_ended(surface, lanes["sgd"], 0.1))
    np.testing.assert_allclose(path(lanes["sgd"])[-1], nearest, atol=0.01)
    assert ends["sgd"].startswith("local minimum")
    # momentum, with a larger α, coasts over a ridge and stops in another dip
    assert ends["momentum"].startswith("local minimum")
    assert np.linalg.norm(path(lanes["momentum"])[-1] - nearest) > 0.9  # a dip is 1 wide
    assert np.linalg.norm(path(lanes["momentum"])[-1]) > 1  # not the global minimum


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


def test_a_path_past_the_maps_edge_is_said_to_be_off_the_map_where_it_left_it():
    # On the saddle RMSProp slides off along y and, in 100 steps, is past the edge (y = 2)
    # but not yet far enough to count as escaped: still on its way, off the map
    surface = SURFACES["saddle"]
    (lane,) = run_race(surface, {"rmsprop": make_optimizer(
        "rmsprop", **PRESETS["saddle"]["hyper"]["rmsprop"])}, surface.start, 100)
    end = lane.positions[lane.last_step]
    assert lane.diverged_at < 0 and abs(end[1]) > surface.bounds[1][1]
    # where it left the picture, found here by hand: the first step past y = 2 (it never
    # comes back), and where the line to it from the step before crosses y = 2
    y = lane.positions[:, 1]
    k = int(np.argmax(np.abs(y) > 2))
    assert np.all(np.abs(y[k:]) > 2)
    a, b = lane.positions[k - 1], lane.positions[k]
    t = (np.sign(b[1]) * 2 - a[1]) / (b[1] - a[1])
    x = a[0] + t * (b[0] - a[0])
    said = ending_text(where_it_ended(surface, lane, tolerance(surface.bounds)))
    assert said == f"on its way, off the map: it left the map at step {k}, at ({x:.3g}, 2)"
    # the race's own ends on the map say nothing of the kind
    assert not any("off the map" in end for end in race("two_minima")[2].values())
