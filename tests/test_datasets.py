"""Tests for engine.datasets: shapes, balance, determinism, exact geometry, splitting."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from engine import datasets as ds
from engine.datasets import (
    DATASETS,
    make_blobs,
    make_circles,
    make_dataset,
    make_moons,
    make_spirals,
    make_xor,
    train_val_test_split,
)

# name -> (extras, number of classes with those extras)
CASES = {
    "moons": ({}, 2),
    "circles": ({"factor": 0.4}, 2),
    "xor": ({}, 2),
    "spirals": ({"n_arms": 3}, 3),
    "blobs": ({"n_classes": 4}, 4),
}


def test_registry_names() -> None:
    assert set(DATASETS) == {"moons", "circles", "xor", "spirals", "blobs"}
    assert set(CASES) == set(DATASETS)


def _check_shape_and_balance(X: np.ndarray, y: np.ndarray, n: int, k: int) -> None:
    assert X.shape == (n, 2)
    assert y.shape == (n,)
    assert X.dtype == np.float64
    assert y.dtype == np.int64
    assert np.isfinite(X).all()
    counts = np.bincount(y, minlength=k)
    assert len(counts) == k  # labels are 0..k-1
    assert counts.min() >= 1
    assert counts.max() - counts.min() <= 1  # as even as possible
    assert counts.sum() == n


@pytest.mark.parametrize("name", sorted(CASES))
def test_shapes_dtypes_balance_range(name: str) -> None:
    extras, k = CASES[name]
    X, y = DATASETS[name](601, noise=0.1, seed=3, **extras)
    _check_shape_and_balance(X, y, 601, k)
    # Shuffled: the labels are not in blocks.
    assert np.count_nonzero(np.diff(y)) > 601 // 4
    # Roughly centred and spanning about [-2, 2].
    assert np.abs(X.mean(axis=0)).max() < 0.3
    assert 1.3 < np.abs(X).max() < 3.0
    assert (X.std(axis=0) > 0.4).all()


@pytest.mark.parametrize("name", sorted(CASES))
@settings(max_examples=40, deadline=None)
@given(n=st.integers(5, 400), noise=st.floats(0.0, 1.0), seed=st.integers(0, 2**32))
def test_any_n_is_balanced(name: str, n: int, noise: float, seed: int) -> None:
    extras, k = CASES[name]
    X, y = DATASETS[name](n, noise=noise, seed=seed, **extras)
    _check_shape_and_balance(X, y, n, k)


@pytest.mark.parametrize("name", sorted(CASES))
def test_smallest_n_is_one_point_per_class(name: str) -> None:
    extras, k = CASES[name]
    X, y = DATASETS[name](k, noise=0.1, seed=0, **extras)
    _check_shape_and_balance(X, y, k, k)


@pytest.mark.parametrize("name", sorted(CASES))
def test_deterministic_for_a_seed(name: str) -> None:
    extras, _ = CASES[name]
    make = DATASETS[name]
    X1, y1 = make(200, noise=0.1, seed=7, **extras)
    X2, y2 = make(200, noise=0.1, seed=7, **extras)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    X3, _ = make(200, noise=0.1, seed=8, **extras)
    assert not np.array_equal(X1, X3)
    # A Generator seeds exactly like the int it was made from, and is advanced.
    rng = np.random.default_rng(7)
    X4, y4 = make(200, noise=0.1, seed=rng, **extras)
    np.testing.assert_array_equal(X1, X4)
    np.testing.assert_array_equal(y1, y4)
    X5, _ = make(200, noise=0.1, seed=rng, **extras)
    assert not np.array_equal(X4, X5)


def test_make_dataset_matches_registry() -> None:
    X1, y1 = make_dataset("spirals", 90, noise=0.2, seed=4, n_arms=3)
    X2, y2 = make_spirals(90, n_arms=3, noise=0.2, seed=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)


# ------------------------------------------------------------- exact geometry at noise 0


def _fit_circle(P: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Least-squares circle through points: (centre, radius, max |distance - radius|)."""
    A = np.column_stack([P, np.ones(len(P))])
    b = -(P**2).sum(axis=1)
    (d, e, f), *_ = np.linalg.lstsq(A, b, rcond=None)
    centre = np.array([-d / 2, -e / 2])
    radius = math.sqrt(centre @ centre - f)
    return centre, radius, float(np.abs(np.linalg.norm(P - centre, axis=1) - radius).max())


def test_moons_noise_free_geometry() -> None:
    X, y = make_moons(400, noise=0.0, seed=1)
    c0, r0, err0 = _fit_circle(X[y == 0])
    c1, r1, err1 = _fit_circle(X[y == 1])
    assert err0 < 1e-9 and err1 < 1e-9  # each class lies exactly on a circle
    assert r0 == pytest.approx(r1)  # of the same radius r
    # Second circle's centre is (r, r/2) from the first: the interleaving moons.
    np.testing.assert_allclose(c1 - c0, [r0, r0 / 2], atol=1e-9)
    # Class 0 is the upper half of its circle, class 1 the lower half of its own,
    # each covering the full half-circle (ends at the circle's diameter).
    assert (X[y == 0, 1] >= c0[1] - 1e-9).all()
    assert (X[y == 1, 1] <= c1[1] + 1e-9).all()
    np.testing.assert_allclose(np.ptp(X[y == 0, 0]), 2 * r0)
    np.testing.assert_allclose(np.ptp(X[y == 1, 0]), 2 * r1)
    # The documented unit geometry: unit circles around (0, 0) and (1, 0.5).
    U = X / ds.MOONS_SCALE + np.array(ds.MOONS_SHIFT)
    np.testing.assert_allclose(np.linalg.norm(U[y == 0], axis=1), 1.0)
    np.testing.assert_allclose(np.linalg.norm(U[y == 1] - [1.0, 0.5], axis=1), 1.0)


@pytest.mark.parametrize("factor", [0.2, 0.5, 0.8])
def test_circles_noise_free_geometry(factor: float) -> None:
    X, y = make_circles(300, noise=0.0, factor=factor, seed=2)
    r = np.linalg.norm(X, axis=1)
    outer, inner = r[y == 0], r[y == 1]
    np.testing.assert_allclose(outer, outer[0])  # concentric around the origin
    np.testing.assert_allclose(inner, inner[0])
    assert inner[0] / outer[0] == pytest.approx(factor)  # radii 1 and factor, scaled
    assert outer[0] == pytest.approx(ds.CIRCLES_SCALE)
    np.testing.assert_allclose(X.mean(axis=0), 0.0, atol=1e-12)  # evenly spaced


def test_xor_noise_free_geometry() -> None:
    X, y = make_xor(1000, noise=0.0, seed=3)
    prod = X[:, 0] * X[:, 1]
    np.testing.assert_array_equal(y, (prod < 0).astype(np.int64))  # label = sign differs
    a = np.abs(X)
    assert (a >= ds.XOR_GAP * ds.XOR_SCALE).all()
    assert (a <= ds.XOR_SCALE).all()
    quadrant = 2 * (X[:, 0] < 0) + (X[:, 1] < 0)
    np.testing.assert_array_equal(np.bincount(quadrant), [250] * 4)


@pytest.mark.parametrize("k", [2, 3, 4, 5])
def test_spirals_noise_free_geometry(k: int) -> None:
    m = 60
    X, y = make_spirals(k * m, n_arms=k, noise=0.0, seed=4)
    # Arm j rotated by 2π/k is arm j+1, point for point.
    c, s = math.cos(2 * math.pi / k), math.sin(2 * math.pi / k)
    R = np.array([[c, -s], [s, c]])
    for j in range(k):
        rotated = X[y == j] @ R.T
        target = X[y == (j + 1) % k]
        dist = np.linalg.norm(rotated[:, None, :] - target[None, :, :], axis=2)
        assert dist.min(axis=1).max() < 1e-9
    # Each arm's radii are evenly spaced from the inner to the outer radius.
    for j in range(k):
        r = np.sort(np.linalg.norm(X[y == j], axis=1))
        np.testing.assert_allclose(np.diff(r), np.diff(r)[0])
        assert r[-1] == pytest.approx(ds.SPIRALS_SCALE)
        assert r[0] == pytest.approx(ds.SPIRALS_R0 * ds.SPIRALS_SCALE)


@pytest.mark.parametrize("k", [2, 3, 5, 8])
def test_blobs_noise_free_geometry(k: int) -> None:
    X, y = make_blobs(10 * k, n_classes=k, noise=0.0, seed=5)
    centres = np.array([X[y == j][0] for j in range(k)])
    for j in range(k):
        np.testing.assert_array_equal(X[y == j], np.tile(centres[j], (10, 1)))
    # Centres are the vertices of a regular k-gon around the origin.
    radii = np.linalg.norm(centres, axis=1)
    np.testing.assert_allclose(radii, radii[0])
    angles = np.sort(np.arctan2(centres[:, 1], centres[:, 0]))
    gaps = np.diff(np.append(angles, angles[0] + 2 * math.pi))
    np.testing.assert_allclose(gaps, 2 * math.pi / k)


def test_noise_is_gaussian_with_the_given_scale() -> None:
    noise = 0.25
    X, y = make_blobs(30_000, n_classes=3, noise=noise, seed=6)
    for j in range(3):
        sd = X[y == j].std(axis=0) / ds.BLOBS_SCALE
        np.testing.assert_allclose(sd, noise, rtol=0.05)
    Xc, yc = make_circles(20_000, noise=0.05, factor=0.5, seed=6)
    radial = np.linalg.norm(Xc[yc == 0], axis=1) / ds.CIRCLES_SCALE - 1.0
    assert abs(radial.mean()) < 0.01
    assert radial.std() == pytest.approx(0.05, rel=0.1)


# ------------------------------------------------------------------------------- split


def _ids(X: np.ndarray) -> np.ndarray:
    return X[:, 0].astype(np.int64)


@settings(max_examples=150, deadline=None)
@given(
    counts=st.lists(st.integers(3, 80), min_size=1, max_size=6),
    val=st.floats(0.05, 0.45),
    test=st.floats(0.05, 0.45),
    seed=st.integers(0, 1000),
    stratify=st.booleans(),
)
def test_split_disjoint_complete_stratified(
    counts: list[int], val: float, test: float, seed: int, stratify: bool
) -> None:
    y = np.repeat(np.arange(len(counts)), counts)
    n = len(y)
    # the training part must keep a row (too few rows is a ValueError, tested elsewhere)
    assume(n - max(1, round(test * n)) - max(1, round(val * n)) >= 1)
    X = np.column_stack([np.arange(n, dtype=np.float64), np.zeros(n)])  # column 0 = row id
    X_tr, y_tr, X_va, y_va, X_te, y_te = train_val_test_split(
        X, y, val=val, test=test, seed=seed, stratify=stratify
    )
    parts = [(X_tr, y_tr), (X_va, y_va), (X_te, y_te)]
    ids = np.concatenate([_ids(Xp) for Xp, _ in parts])
    np.testing.assert_array_equal(np.sort(ids), np.arange(n))  # disjoint and complete
    for Xp, yp in parts:
        assert len(Xp) >= 1  # every part non-empty
        np.testing.assert_array_equal(yp, y[_ids(Xp)])  # rows keep their labels
    assert abs(len(X_te) - test * n) <= 1
    assert abs(len(X_va) - val * n) <= 1
    if stratify:
        for yp, frac in [(y_va, val), (y_te, test)]:
            got = np.bincount(yp, minlength=len(counts))
            assert (np.abs(got - frac * np.array(counts)) < 1.5).all()


def test_split_deterministic_and_shuffled() -> None:
    X, y = make_moons(300, seed=0)
    a = train_val_test_split(X, y, seed=1)
    b = train_val_test_split(X, y, seed=1)
    c = train_val_test_split(X, y, seed=2)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[0], c[0])
    assert [len(p) for p in a[1::2]] == [180, 60, 60]


def test_split_zero_fraction_gives_empty_part() -> None:
    X, y = make_xor(50, seed=0)
    X_tr, y_tr, X_va, y_va, X_te, y_te = train_val_test_split(X, y, val=0.0, test=0.3)
    assert X_va.shape == (0, 2) and y_va.shape == (0,)
    assert len(y_tr) + len(y_te) == 50
    assert len(X_te) == 15 and len(X_tr) == 35


# ------------------------------------------------------------------------ bad arguments

BAD_CALLS = [
    (make_moons, (1,), {}, "1"),
    (make_moons, (2.5,), {}, "2.5"),
    (make_moons, (True,), {}, "True"),
    (make_moons, (100,), {"noise": -0.1}, "-0.1"),
    (make_moons, (100,), {"noise": float("nan")}, "nan"),
    (make_moons, (100,), {"noise": float("inf")}, "inf"),
    (make_moons, (100,), {"seed": -3}, "-3"),
    (make_moons, (100,), {"seed": "abc"}, "'abc'"),
    (make_circles, (100,), {"factor": 1.0}, "1.0"),
    (make_circles, (100,), {"factor": 0.0}, "0.0"),
    (make_xor, (100,), {"noise": -1}, "-1"),
    (make_spirals, (100,), {"n_arms": 1}, "1"),
    (make_spirals, (100,), {"n_arms": 6}, "6"),
    (make_spirals, (4,), {"n_arms": 5}, "4"),
    (make_blobs, (100,), {"n_classes": 1}, "1"),
    (make_blobs, (100,), {"n_classes": 9}, "9"),
    (make_blobs, (2,), {"n_classes": 3}, "2"),
]


@pytest.mark.parametrize(("make", "args", "kwargs", "shown"), BAD_CALLS)
def test_bad_dataset_arguments(make, args, kwargs, shown) -> None:
    with pytest.raises(ValueError, match=re.escape(shown)):
        make(*args, **kwargs)


def test_unknown_dataset_name() -> None:
    with pytest.raises(ValueError, match="'ring'"):
        make_dataset("ring", 100, noise=0.1)


@pytest.mark.parametrize(
    ("kwargs", "shown"),
    [
        ({"val": 1.0}, "val=1.0"),
        ({"val": -0.1}, "val=-0.1"),
        ({"test": float("nan")}, "test=nan"),
        ({"test": 1.5}, "test=1.5"),
        ({"val": 0.6, "test": 0.5}, "val=0.6"),
        ({"seed": -1}, "seed=-1"),
    ],
)
def test_bad_split_arguments(kwargs: dict, shown: str) -> None:
    X, y = make_moons(100)
    with pytest.raises(ValueError, match=re.escape(shown)):
        train_val_test_split(X, y, **kwargs)


def test_split_rejects_mismatched_or_tiny_inputs() -> None:
    X, y = make_moons(100)
    with pytest.raises(ValueError, match=re.escape("(99,)")):
        train_val_test_split(X, y[:99])
    with pytest.raises(ValueError, match="2 rows"):
        train_val_test_split(X[:2], y[:2], val=0.2, test=0.2)
