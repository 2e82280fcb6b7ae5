"""The analysis behind the playground's words, tested in the engine without a page:
engine.verdicts (how a lane ended), engine.lr_search (which smaller α helps) and
engine.newton_diagnosis (why Newton left the map). Expected values are derived by hand."""

import numpy as np
import pytest

from engine.hyperparameters import HYPERPARAMETERS
from engine.lr_search import Progress, option_below, search_smaller_lr
from engine.newton_diagnosis import NewtonTrouble, diagnose_newton
from engine.optimizers import make_optimizer
from engine.race import run_race
from engine.verdicts import (
    Arrival,
    Divergence,
    MinimaKnown,
    StabilityLimit,
    Where,
    arrival,
    divergence_kind,
    left_map,
    race_results,
    singular_stop,
    stability_limit,
    tolerance,
    where_it_ended,
)
from surfaces import SURFACES, from_formula

LR_STOPS = HYPERPARAMETERS["lr"].stops


def lane_of(surface, name, steps=300, start=None, **hyper):
    (lane,) = run_race(surface, {name: make_optimizer(name, **hyper)},
                       surface.start if start is None else start, steps)
    return lane


# ---------------------------------------------------------------- verdicts


def test_an_ending_at_a_listed_minimum_names_that_point_not_the_path_end():
    bowl = SURFACES["bowl"]
    lane = lane_of(bowl, "sgd", lr=0.1)  # θ ← 0.8 θ: 0.8³⁰⁰ of the start, at (0, 0)
    ending = where_it_ended(bowl, lane, 0.04)
    assert (ending.where, ending.kind, ending.point) == (Where.LISTED, "global minimum",
                                                         (0.0, 0.0))


def test_a_lane_still_moving_is_on_its_way_with_its_own_end():
    bowl = SURFACES["bowl"]
    lane = lane_of(bowl, "sgd", steps=3, lr=0.1)  # 0.8³ = 0.512 of (−1.6, 1.2)
    ending = where_it_ended(bowl, lane, 0.04)
    assert ending.where == Where.ON_ITS_WAY and not ending.off_map
    np.testing.assert_allclose(ending.point, (-1.6 * 0.512, 1.2 * 0.512))


def test_sgd_past_the_valleys_stability_limit_is_unstable_and_stops_early():
    valley = SURFACES["valley"]  # curvature 25 across: SGD is stable only for α < 2/25
    lane = lane_of(valley, "sgd", lr=0.1)
    assert divergence_kind(valley, lane) == Divergence.UNSTABLE
    assert where_it_ended(valley, lane, 0.1).where == Where.STOPPED
    assert divergence_kind(valley, lane_of(valley, "sgd", lr=0.075)) is None


def test_the_results_count_steps_to_the_minimum_and_say_when_there_is_none():
    bowl = SURFACES["bowl"]
    lane = lane_of(bowl, "sgd", lr=0.1)
    tol, (result,) = race_results(bowl, [lane])
    # |θ(k)| = 0.8ᵏ · 2 ≤ tol = 0.01 · 4: the first such k
    first = int(np.ceil(np.log(tol / 2.0) / np.log(0.8)))
    assert (tol, result.steps_to_minimum, result.minima) == (0.04, first, MinimaKnown.LISTED)
    assert result.final_loss == pytest.approx(4 * 0.64**300)
    saddle = SURFACES["saddle"]
    _, (none,) = race_results(saddle, [lane_of(saddle, "sgd", steps=20, lr=0.02)])
    assert none.minima == MinimaKnown.NONE and none.steps_to_minimum is None


def test_a_formulas_minimum_found_by_one_lane_counts_for_the_others():
    surface = from_formula("x**2 + y**2")
    near = lane_of(surface, "sgd", steps=30, lr=0.1)  # 0.8³⁰ ≈ 0.0012 of the start: close
    there = lane_of(surface, "sgd", steps=300, lr=0.1)  # at (0, 0): flat, a minimum
    _, (close, arrived) = race_results(surface, [near, there])
    assert arrived.ending.where == Where.MINIMUM and arrived.minima == MinimaKnown.FOUND
    assert close.ending.where == Where.MINIMUM  # within the tolerance of the one found
    assert close.ending.point == arrived.ending.point


# ---------------------------------------------------------------- the α search


def test_option_below_compares_without_dividing():
    assert option_below(0.3, 3, LR_STOPS) == 0.1  # 0.3 / 3 is 0.0999… in floating point
    assert option_below(1e-4, 3, LR_STOPS) is None


def test_the_search_finds_a_stop_under_the_stability_limit_and_runs_it():
    valley = SURFACES["valley"]
    lane = lane_of(valley, "sgd", lr=0.1)
    asked = []

    def run_trials(trials):
        asked.append(dict(trials))
        return run_race(valley, {n: make_optimizer(n, lr=lr) for n, lr in trials.items()},
                        valley.start, 300)

    advice = search_smaller_lr(valley, [lane], LR_STOPS, run_trials)["sgd"]
    # ÷3 of 0.1 is the stop 0.03, under 2/25: the loss falls, so one round is enough
    assert asked == [{"sgd": 0.03}]
    assert advice.helped.lr == 0.03 and advice.helped.kind is None
    assert advice.helped.progress == Progress.LOSS_FALLS and advice.last_failed is None


def test_the_search_says_when_no_stop_is_small_enough():
    bowl = SURFACES["bowl"]
    lane = lane_of(bowl, "sgd", lr=1e-4)  # pretend it overshot: nothing below 1e-4 to try
    advice = search_smaller_lr(bowl, [lane], LR_STOPS, lambda trials: [])["sgd"]
    assert advice.helped is None and advice.last_failed is None


# ---------------------------------------------------------------- Newton


def test_newton_with_alpha_3_on_the_bowl_overshot_a_target_on_the_map():
    bowl = SURFACES["bowl"]
    lane = lane_of(bowl, "newton", steps=10, lr=3.0, damping=0.0)  # θ ← θ − 3θ = −2θ
    assert lane.diverged_at > 0
    why = diagnose_newton(bowl, lane)
    assert why.trouble == NewtonTrouble.OVERSHOT and why.lr == 3.0
    np.testing.assert_allclose(why.target, (0.0, 0.0), atol=1e-12)  # H⁻¹∇f lands on 0


def test_newton_where_f_curves_down_is_told_so():
    # f = x² − eʸ: ∂²f/∂y² = −eʸ < 0, and Newton's y-step is −(−eʸ)/(−eʸ) = −1 a step
    surface = from_formula("x**2 - exp(y)")
    lane = lane_of(surface, "newton", steps=30, lr=1.0, damping=0.0)
    assert lane.diverged_at > 0
    why = diagnose_newton(surface, lane)
    assert why.trouble == NewtonTrouble.CURVES_DOWN
    lowest_y = lane.positions[:lane.last_step + 1, 1][
        np.abs(lane.positions[:lane.last_step + 1, 1]) <= 3].max()
    assert why.lowest_curvature == pytest.approx(-np.exp(lowest_y))


def test_newton_where_f_is_nearly_flat_jumps_far():
    # f = √(x² + 1) + y²: f'' = (x² + 1)^(−3/2) is small, the step −x(x² + 1) is long
    surface = from_formula("sqrt(x**2 + 1) + y**2")
    lane = lane_of(surface, "newton", steps=10, start=(2.0, 0.0), lr=1.0, damping=0.0)
    assert lane.diverged_at > 0
    assert diagnose_newton(surface, lane).trouble == NewtonTrouble.FAR_JUMP


# ---------------------------------------------------------------- arriving, not passing


def momentum_path(surface, start, lr, lam, steps):
    """Momentum by the course text's equations, in a loop of its own: v(k) = λv(k−1) −
    α∇J(θ(k−1)), θ(k) = θ(k−1) + v(k)."""
    theta, v, path = np.array(start, dtype=float), np.zeros(2), [np.array(start, dtype=float)]
    for _ in range(steps):
        v = lam * v - lr * surface.grad(theta)
        theta = theta + v
        path.append(theta)
    return np.array(path)


def test_a_path_that_passes_a_minimum_and_ends_elsewhere_has_not_arrived():
    surface = SURFACES["two_minima"]
    lane = lane_of(surface, "momentum", lr=0.1, momentum=0.99)
    path = momentum_path(surface, surface.start, 0.1, 0.99, 300)
    np.testing.assert_allclose(lane.positions, path, atol=1e-9)
    minima = np.array([[p.x, p.y] for p in surface.critical_points if "minimum" in p.kind])
    near = np.linalg.norm(path[:, None] - minima[None], axis=-1).min(axis=1) <= 0.06
    assert near.any() and not near[-1]  # within 0.06 of a minimum on the way, not at the end
    tol, (result,) = race_results(surface, [lane])
    assert tol == 0.06
    assert result.steps_to_minimum is None
    assert result.passed_at == int(np.flatnonzero(near)[0])
    assert arrival(lane, minima, tol) == Arrival(int(np.flatnonzero(near)[0]), None)
    # λ = 0.9 spirals into the global minimum: it arrives at the step from which it stays
    lane = lane_of(surface, "momentum", lr=0.1, momentum=0.9)
    path = momentum_path(surface, surface.start, 0.1, 0.9, 300)
    near = np.linalg.norm(path[:, None] - minima[None], axis=-1).min(axis=1) <= 0.06
    stays = int(np.flatnonzero(~near)[-1]) + 1
    assert near[stays:].all() and stays < 300
    assert arrival(lane, minima, 0.06) == Arrival(int(np.flatnonzero(near)[0]), stays)
    assert race_results(surface, [lane])[1][0].steps_to_minimum == stays


# ---------------------------------------------------------------- leaving the picture


def test_where_a_path_left_the_map_is_its_last_crossing_of_the_edge():
    # Newton on the plateau: f curves downward on its way, and it wanders off; it is
    # stopped a map's width past the edge, at (−12, 9.4), at step 108
    plateau = SURFACES["plateau"]
    lane = lane_of(plateau, "newton", steps=400, lr=1.0, damping=0.0)
    assert lane.diverged_at == 108 and np.abs(lane.positions[lane.last_step]).max() > 11
    path = lane.positions[:lane.last_step + 1]
    inside = np.all(np.abs(path) <= 4, axis=1)  # the map is −4 … 4 both ways
    k = int(np.flatnonzero(inside)[-1]) + 1
    a, b = path[k - 1], path[k]
    assert b[0] < -4 and abs(b[1]) <= 4  # it leaves through the left edge, x = −4
    y = a[1] + (-4 - a[0]) / (b[0] - a[0]) * (b[1] - a[1])
    left = left_map(plateau.bounds, lane)
    assert left.step == k == 7
    np.testing.assert_allclose(left.point, (-4.0, y), atol=1e-12)
    ending = where_it_ended(plateau, lane, tolerance(plateau.bounds))
    assert ending.off_map and ending.left == left
    # a path that ends on the map did not leave it
    assert left_map(plateau.bounds, lane_of(plateau, "sgd", steps=50, lr=0.05)) is None


# ---------------------------------------------------------------- where f is singular


def test_a_path_stopped_where_f_blows_up_is_said_to_stop_at_a_singular_point():
    # log(x² + y²): ‖∇f‖ = 2/r. SGD creeps to the origin, where f falls without end, and
    # stops at its last good point, (0.000128, 0.000128), on the map: f is singular there
    surface = from_formula("log(x**2+y**2)")
    lane = lane_of(surface, "sgd", lr=0.05)
    end = lane.positions[lane.last_step]
    assert lane.diverged_at > 0 and np.abs(end).max() < 1e-3
    assert divergence_kind(surface, lane) == Divergence.SINGULAR_F
    why = singular_stop(surface, lane)
    r = np.linalg.norm(end)
    assert why.grad_norm == pytest.approx(2 / r)
    # 0.06 (the tolerance) away, ‖∇f‖ is 2/0.06 give or take the r ≈ 0.0002 offset
    assert why.radius == 0.06 and why.nearby_grad_norm == pytest.approx(2 / 0.06, rel=0.01)
    # not so where a smooth f is steep everywhere (10⁷x² + y²: α too large) or where the
    # path stopped off the map
    steep = from_formula("10000000*x**2 + y**2")
    lane = lane_of(steep, "sgd", start=(0.5, 0.5), lr=1e-4)
    assert singular_stop(steep, lane) is None
    assert divergence_kind(steep, lane) == Divergence.UNSTABLE
    valley = SURFACES["valley"]
    assert singular_stop(valley, lane_of(valley, "sgd", lr=0.1)) is None


# ---------------------------------------------------------------- α and the curvature


def test_the_sgd_stability_limit_is_two_over_the_largest_curvature_at_the_minimum():
    # by hand: the valley ½(x² + 25y²) curves by 1 and 25; the bowl x² + y² by 2;
    # Rastrigin at 0 by 2 + 10·(2π)² both ways
    assert stability_limit(SURFACES["valley"]) == StabilityLimit((0.0, 0.0), (1.0, 25.0))
    assert stability_limit(SURFACES["valley"]).max_lr == pytest.approx(2 / 25)
    assert stability_limit(SURFACES["bowl"]).max_lr == pytest.approx(1.0)
    rastrigin = stability_limit(SURFACES["rastrigin"])
    assert rastrigin.max_lr == pytest.approx(2 / (2 + 40 * np.pi**2))
    assert stability_limit(SURFACES["saddle"]) is None  # no minimum to settle in
    # and it is the limit: just under it SGD settles on the valley, just over it diverges
    valley = SURFACES["valley"]
    assert divergence_kind(valley, lane_of(valley, "sgd", lr=0.075)) is None
    assert divergence_kind(valley, lane_of(valley, "sgd", lr=0.1)) == Divergence.UNSTABLE
