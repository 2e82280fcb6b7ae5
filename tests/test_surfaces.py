"""Every built-in surface, checked against independent numerical evidence.

Derivatives are compared with central differences, critical points with a separate Newton
search from a dense grid, and claims about optimizer behaviour with tiny local loops.
"""

import numpy as np
import pytest

from surfaces import (
    SURFACES,
    CriticalPoint,
    Surface,
    classify_hessian,
    numerical_gradient,
    numerical_hessian,
)

REQUIRED = {
    "bowl",
    "valley",
    "rosenbrock",
    "saddle",
    "monkey_saddle",
    "two_minima",
    "plateau",
    "himmelblau",
    "rastrigin",
}
POLYNOMIAL = ["bowl", "valley", "rosenbrock", "saddle", "monkey_saddle", "himmelblau"]
UNBOUNDED_BELOW = {"saddle", "monkey_saddle"}  # no minimum at all


@pytest.fixture(params=sorted(SURFACES))
def surface(request) -> Surface:
    return SURFACES[request.param]


def random_points(surface: Surface, count: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    (xmin, xmax), (ymin, ymax) = surface.bounds
    return np.stack([rng.uniform(xmin, xmax, count), rng.uniform(ymin, ymax, count)], axis=-1)


def grid(surface: Surface, size: int) -> np.ndarray:
    (xmin, xmax), (ymin, ymax) = surface.bounds
    xs, ys = np.meshgrid(np.linspace(xmin, xmax, size), np.linspace(ymin, ymax, size))
    return np.stack([xs, ys], axis=-1)


def gradient_descent(surface: Surface, start, learning_rate: float, steps: int) -> np.ndarray:
    """Plain gradient descent; returns the whole path, shape (steps + 1, 2)."""
    path = [np.array(start, dtype=float)]
    for _ in range(steps):
        path.append(path[-1] - learning_rate * surface.grad(path[-1]))
    return np.array(path)


def assert_matches_finite_differences(exact, approx, noise_scale):
    """|exact - approx| <= 1e-5 |exact| + 1e-7 (1 + noise_scale), elementwise.

    `noise_scale` is the size of the differenced quantity: central differences lose about
    eps * |value| / step to rounding, which the second term allows for.
    """
    allowed = 1e-5 * np.abs(exact) + 1e-7 * (1 + noise_scale)
    error = np.abs(exact - approx)
    worst = np.unravel_index(np.argmax(error - allowed), error.shape)
    assert np.all(error <= allowed), f"worst at {worst}: {exact[worst]} vs {approx[worst]}"


# --- registry and metadata


def test_registry_has_every_required_surface():
    assert REQUIRED.issubset(SURFACES)


def test_metadata_is_complete(surface):
    assert SURFACES[surface.name] is surface
    assert surface.title and surface.latex
    assert surface.description and "\n" not in surface.description
    (xmin, xmax), (ymin, ymax) = surface.bounds
    assert np.isfinite([xmin, xmax, ymin, ymax]).all() and xmin < xmax and ymin < ymax


def test_start_is_inside_bounds_and_not_critical(surface):
    (xmin, xmax), (ymin, ymax) = surface.bounds
    x, y = surface.start
    assert xmin <= x <= xmax and ymin <= y <= ymax
    assert np.linalg.norm(surface.grad(surface.start)) > 0


# --- derivatives


def test_gradient_matches_finite_differences(surface):
    points = random_points(surface, 300)
    exact = surface.grad(points)
    approx = numerical_gradient(surface.f, points)
    assert_matches_finite_differences(exact, approx, np.abs(surface.f(points))[:, None])


def test_hessian_matches_finite_differences(surface):
    points = random_points(surface, 300, seed=1)
    exact = surface.hessian(points)
    approx = numerical_hessian(surface.grad, points)
    gradient_size = np.abs(surface.grad(points)).max(axis=-1)
    assert_matches_finite_differences(exact, approx, gradient_size[:, None, None])


def test_hessian_is_symmetric(surface):
    hessians = surface.hessian(random_points(surface, 100))
    np.testing.assert_array_equal(hessians, hessians.swapaxes(-1, -2))


# --- vectorization and array hygiene


@pytest.mark.parametrize("shape", [(), (7,), (4, 5)])
def test_vectorized_calls_agree_with_a_loop(surface, shape):
    points = random_points(surface, int(np.prod(shape)), seed=2).reshape(*shape, 2)
    values, grads, hessians = surface.f(points), surface.grad(points), surface.hessian(points)
    assert np.shape(values) == shape
    assert grads.shape == (*shape, 2)
    assert hessians.shape == (*shape, 2, 2)
    for output in (values, grads, hessians):
        assert np.asarray(output).dtype == np.float64
    for index in np.ndindex(*shape):
        single = points[index].copy()
        np.testing.assert_allclose(surface.f(single), values[index], rtol=1e-13, atol=1e-13)
        np.testing.assert_allclose(surface.grad(single), grads[index], rtol=1e-13, atol=1e-13)
        np.testing.assert_allclose(surface.hessian(single), hessians[index], rtol=1e-13, atol=1e-13)


def test_many_points_give_exactly_what_few_points_give(surface):
    # 60 × 50 points: past the size where split_xy copies x and y out of the array
    points = random_points(surface, 3000, seed=3).reshape(60, 50, 2)
    points.flags.writeable = False
    for fn in (surface.f, surface.grad, surface.hessian):
        many = fn(points)
        few = np.array([fn(row) for row in points])  # 50 points at a time: views
        np.testing.assert_array_equal(many, few)


def test_column_major_points_give_what_row_major_points_give(surface):
    # all x, then all y: split_xy takes the contiguous columns as they are
    points = random_points(surface, 5000, seed=4)
    columns = np.asfortranarray(points)
    columns.flags.writeable = False
    for fn in (surface.f, surface.grad, surface.hessian):
        np.testing.assert_array_equal(fn(columns), fn(points))


def test_inputs_are_never_modified(surface):
    points = random_points(surface, 10)
    original = points.copy()
    points.flags.writeable = False  # any in-place write would raise
    for fn in (surface.f, surface.grad, surface.hessian):
        fn(points)
        fn(points[0])
    np.testing.assert_array_equal(points, original)


def test_accepts_lists_and_integers(surface):
    x, y = (round(c) for c in surface.start)
    expected = surface.f(np.array([x, y], dtype=float))
    assert surface.f([x, y]) == expected
    np.testing.assert_array_equal(surface.grad([[x, y]]), surface.grad(np.array([[x, y]], float)))


def test_outputs_are_fresh_writable_arrays(surface):
    grads, hessians = surface.grad(surface.start), surface.hessian(surface.start)
    grads[...] = np.nan
    hessians[...] = np.nan  # constant Hessians must not be shared, read-only views
    assert np.isfinite(surface.hessian(surface.start)).all()


# --- critical points


def test_critical_points_have_zero_gradient(surface):
    for point in surface.critical_points:
        p = np.array([point.x, point.y])
        scale = max(1.0, np.linalg.norm(surface.hessian(p)))  # rounding in p moves grad by ~H
        assert np.linalg.norm(surface.grad(p)) < 1e-8 * scale, point


def test_critical_points_are_inside_bounds(surface):
    (xmin, xmax), (ymin, ymax) = surface.bounds
    for point in surface.critical_points:
        assert xmin <= point.x <= xmax and ymin <= point.y <= ymax, point


def test_critical_point_kinds_agree_with_hessian(surface):
    expected = {
        "global minimum": "minimum",
        "local minimum": "minimum",
        "saddle": "saddle",
        "maximum": "maximum",
    }
    for point in surface.critical_points:
        kind = classify_hessian(surface.hessian([point.x, point.y]))
        if surface.name == "monkey_saddle":
            assert kind == "degenerate"  # checked by test_monkey_saddle_is_a_saddle instead
        else:
            assert kind == expected[point.kind], point


def test_monkey_saddle_is_a_saddle():
    surface = SURFACES["monkey_saddle"]
    (center,) = surface.critical_points
    assert center.kind == "saddle"
    angles = np.linspace(0, 2 * np.pi, 60, endpoint=False)
    for radius in (1e-1, 1e-3, 1e-6):
        circle = np.stack([np.cos(angles), np.sin(angles)], axis=-1) * radius
        centre = np.array([center.x, center.y])
        values = surface.f(circle + centre) - surface.f(centre)
        assert values.min() < 0 < values.max()  # uphill and downhill arbitrarily close


def test_global_minima_are_lowest(surface):
    minima = [p for p in surface.critical_points if p.kind == "global minimum"]
    if surface.name in UNBOUNDED_BELOW:
        assert not minima
        return
    assert minima
    listed = [surface.f([p.x, p.y]) for p in surface.critical_points]
    lowest_grid_value = surface.f(grid(surface, 401)).min()
    for point in minima:
        value = surface.f([point.x, point.y])
        tol = 1e-9 * (1 + abs(value))
        assert value <= min(listed) + tol
        assert value <= lowest_grid_value + tol


def newton_search(surface: Surface, size: int) -> np.ndarray:
    """Critical points found by Newton's method started from every node of a grid."""
    p = grid(surface, size).reshape(-1, 2)
    with np.errstate(all="ignore"):
        for _ in range(100):
            g, h = surface.grad(p), surface.hessian(p)
            det = h[:, 0, 0] * h[:, 1, 1] - h[:, 0, 1] * h[:, 1, 0]
            step_x = (h[:, 1, 1] * g[:, 0] - h[:, 0, 1] * g[:, 1]) / det
            step_y = (h[:, 0, 0] * g[:, 1] - h[:, 1, 0] * g[:, 0]) / det
            p = p - np.stack([step_x, step_y], axis=-1)
        gradient_norm = np.linalg.norm(surface.grad(p), axis=-1)
    (xmin, xmax), (ymin, ymax) = surface.bounds
    inside = (xmin <= p[:, 0]) & (p[:, 0] <= xmax) & (ymin <= p[:, 1]) & (p[:, 1] <= ymax)
    return p[inside & (gradient_norm < 1e-9)]


def test_critical_point_lists_are_complete(surface):
    listed = np.array([[p.x, p.y] for p in surface.critical_points])
    found = newton_search(surface, size=81)
    assert len(found) > 0
    distances = np.linalg.norm(found[:, None, :] - listed[None, :, :], axis=-1)
    nearest = distances.min(axis=1)
    assert nearest.max() < 1e-6, f"unlisted critical point {found[nearest.argmax()]}"
    # And the search, which knows nothing of the list, rediscovers every listed point.
    assert set(distances.argmin(axis=1)) == set(range(len(listed)))


@pytest.mark.parametrize("name", POLYNOMIAL)
def test_polynomial_surfaces_list_exactly_their_known_critical_points(name):
    known_counts = {
        "bowl": 1,
        "valley": 1,
        "rosenbrock": 1,
        "saddle": 1,
        "monkey_saddle": 1,
        "himmelblau": 9,  # the gradient is a pair of cubics: at most 3 * 3 real solutions
    }
    assert len(SURFACES[name].critical_points) == known_counts[name]


# --- surface-specific lessons


def test_two_minima_gradient_descent_gets_trapped_in_the_local_minimum():
    surface = SURFACES["two_minima"]
    kinds = sorted(p.kind for p in surface.critical_points)
    assert kinds == ["global minimum", "local minimum", "saddle"]
    (local,) = [p for p in surface.critical_points if p.kind == "local minimum"]
    (best,) = [p for p in surface.critical_points if p.kind == "global minimum"]
    assert surface.f([best.x, best.y]) < surface.f([local.x, local.y]) - 0.1

    end = gradient_descent(surface, surface.start, learning_rate=0.01, steps=6000)[-1]
    assert np.linalg.norm(end - [local.x, local.y]) < 1e-4
    assert np.linalg.norm(end - [best.x, best.y]) > 1.0


def test_plateau_start_is_on_the_flat_part():
    surface = SURFACES["plateau"]
    steepest = np.linalg.norm(surface.grad(grid(surface, 201)), axis=-1).max()
    assert np.linalg.norm(surface.grad(surface.start)) < 0.02 * steepest
    end = gradient_descent(surface, surface.start, learning_rate=0.1, steps=100)[-1]
    assert np.linalg.norm(end - surface.start) < 0.2  # plain descent barely moves


def test_saddle_start_stalls_near_the_saddle():
    surface = SURFACES["saddle"]
    path = gradient_descent(surface, surface.start, learning_rate=0.05, steps=200)
    distances = np.linalg.norm(path, axis=-1)
    assert distances.min() < 0.1  # drawn to the saddle along the x-axis...
    assert distances[-1] > 1.0  # ...then pushed away along y


def test_rosenbrock_minimum_is_at_one_one():
    (point,) = SURFACES["rosenbrock"].critical_points
    assert (point.x, point.y, point.kind) == (1.0, 1.0, "global minimum")


def test_himmelblau_has_four_equal_global_minima():
    surface = SURFACES["himmelblau"]
    kinds = [p.kind for p in surface.critical_points]
    assert (kinds.count("global minimum"), kinds.count("saddle"), kinds.count("maximum")) == (
        4,
        4,
        1,
    )
    for point in surface.critical_points:
        if point.kind == "global minimum":
            assert surface.f([point.x, point.y]) < 1e-20
    assert any(abs(p.x - 3) < 1e-12 and abs(p.y - 2) < 1e-12 for p in surface.critical_points)


def test_rastrigin_critical_points_are_products_of_1d_ones():
    surface = SURFACES["rastrigin"]
    # 1D profile t**2 - 10 cos(2 pi t): its slope changes sign once per critical point.
    t = np.linspace(-5.12, 5.12, 200_001)
    slope = 2 * t + 20 * np.pi * np.sin(2 * np.pi * t)
    uphill = slope > 0
    changes = np.nonzero(np.diff(uphill))[0]
    rising = uphill[changes + 1]  # slope turns from downhill to uphill: a minimum
    n_min, n_max = int(rising.sum()), int((~rising).sum())

    kinds = [p.kind for p in surface.critical_points]
    assert kinds.count("global minimum") == 1
    assert kinds.count("local minimum") == n_min**2 - 1
    assert kinds.count("saddle") == 2 * n_min * n_max
    assert kinds.count("maximum") == n_max**2
    (best,) = [p for p in surface.critical_points if p.kind == "global minimum"]
    assert (best.x, best.y) == (0.0, 0.0)


# --- the building blocks


@pytest.mark.parametrize(
    ("eigenvalues", "kind"),
    [
        ((1.0, 3.0), "minimum"),
        ((-1.0, -0.5), "maximum"),
        ((2.0, -1.0), "saddle"),
        ((1.0, 0.0), "degenerate"),
        ((0.0, 0.0), "degenerate"),
    ],
)
def test_classify_hessian(eigenvalues, kind):
    angle = 0.7  # rotate so the test does not rely on diagonal matrices
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    hessian = rotation @ np.diag(eigenvalues) @ rotation.T
    assert classify_hessian(hessian) == kind


def test_classify_hessian_rejects_wrong_shapes():
    with pytest.raises(ValueError):
        classify_hessian(np.eye(3))


def test_numerical_derivatives_of_a_known_function():
    def cubic(p):
        return p[..., 0] ** 3 * p[..., 1]

    def cubic_grad(p):
        x, y = p[..., 0], p[..., 1]
        return np.stack([3 * x**2 * y, x**3], axis=-1)

    p = np.array([[1.5, -2.0], [0.3, 0.7]])
    x, y = p[:, 0], p[:, 1]
    hessian = np.stack(
        [np.stack([6 * x * y, 3 * x**2], -1), np.stack([3 * x**2, 0 * x], -1)], axis=-2
    )
    np.testing.assert_allclose(numerical_gradient(cubic, p), cubic_grad(p), rtol=1e-8)
    np.testing.assert_allclose(numerical_hessian(cubic_grad, p), hessian, rtol=1e-8, atol=1e-8)


def test_critical_point_kind_is_validated():
    with pytest.raises(ValueError):
        CriticalPoint(0.0, 0.0, "minimum")


def test_surface_rejects_a_start_outside_its_bounds():
    bowl = SURFACES["bowl"]
    with pytest.raises(ValueError):
        Surface(**{**bowl.__dict__, "start": (5.0, 0.0)})
