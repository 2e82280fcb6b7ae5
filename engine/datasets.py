"""Toy 2-D classification datasets, made in NumPy from an explicit seed.

Every maker has the shape `make_x(n, *, noise, seed, **extras) -> (X, y)`:

* `X` is float64 of shape (n, 2), `y` is int64 of shape (n,) with labels 0..k-1;
* the k classes are balanced (sizes differ by at most one) and the rows shuffled;
* the data are roughly centred and span about [-2, 2], so a small network trains
  on them without any preprocessing.

Each dataset is first drawn in its own "unit" geometry (documented per maker),
Gaussian noise of standard deviation `noise` is added in those unit coordinates,
and the result is shifted and scaled to the common range. With noise=0 the points
lie exactly on the unit geometry, mapped by that shift and scale.

`seed` is an int ≥ 0 or a `np.random.Generator`; the global `np.random` state is
never touched. A given int seed always gives the same data.

Longer than 300 lines because five datasets, their registry and the split share the
checks, noise and scaling helpers at the top.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any, cast

import numpy as np

Seed = int | np.random.Generator
Dataset = tuple[np.ndarray, np.ndarray]

# (shift, scale) of each dataset's unit geometry: X = (X_unit - shift) * scale.
MOONS_SHIFT = (0.5, 0.25)  # centre of the two unit half-circles' bounding box / mean
MOONS_SCALE = 1.25
CIRCLES_SCALE = 1.75
XOR_SCALE = 1.75
XOR_GAP = 0.1  # |x|, |y| ≥ XOR_GAP in unit coordinates: quadrants stay apart
SPIRALS_SCALE = 1.75
SPIRALS_TURNS = 1.25  # turns of each arm from its inner to its outer end
SPIRALS_R0 = 0.15  # inner radius of each arm (unit coordinates; the outer one is 1)
BLOBS_SCALE = 1.5

MIN_ARMS, MAX_ARMS = 2, 5
MIN_BLOBS, MAX_BLOBS = 2, 8


# --------------------------------------------------------------------------- checks


def _check_int(name: str, value: object, lo: int, hi: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ValueError(f"{name}={value!r} must be an int")
    v = int(value)
    if v < lo or (hi is not None and v > hi):
        bound = f">= {lo}" if hi is None else f"in {lo}..{hi}"
        raise ValueError(f"{name}={value!r} must be {bound}")
    return v


def _check_n(n: object, k: int) -> int:
    if isinstance(n, bool) or not isinstance(n, Integral) or int(n) < k:
        raise ValueError(f"n={n!r} must be an int >= {k} (the number of classes)")
    return int(n)


def _check_real(name: str, value: object, *, lo: float, hi: float | None = None,
                lo_open: bool = False, hi_open: bool = False) -> float:
    ok = isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)
    if ok:  # value is a Real: `ok` says so, but mypy cannot see it
        v = float(cast(Real, value))
        ok = (v > lo if lo_open else v >= lo) and (
            hi is None or (v < hi if hi_open else v <= hi)
        )
    if not ok:
        left = "(" if lo_open else "["
        right = "inf)" if hi is None else (f"{hi})" if hi_open else f"{hi}]")
        raise ValueError(f"{name}={value!r} must be a finite number in {left}{lo}, {right}")
    return float(cast(Real, value))


def _check_noise(noise: object) -> float:
    return _check_real("noise", noise, lo=0.0)


def _rng(seed: object) -> np.random.Generator:
    """A Generator from an int seed ≥ 0, or the Generator itself."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, Integral) or int(seed) < 0:
        raise ValueError(f"seed={seed!r} must be an int >= 0 or a np.random.Generator")
    return np.random.default_rng(int(seed))


# ---------------------------------------------------------------------------- tools


def class_sizes(n: int, k: int) -> np.ndarray:
    """Split n into k class sizes as evenly as possible (first classes get the extra)."""
    sizes = np.full(k, n // k, dtype=np.int64)
    sizes[: n % k] += 1
    return sizes


def _labels(sizes: np.ndarray) -> np.ndarray:
    return np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)


def _finish(
    X_unit: np.ndarray,
    y: np.ndarray,
    rng: np.random.Generator,
    noise: float,
    shift: tuple[float, float],
    scale: float,
) -> Dataset:
    """Add noise in unit coordinates, map to the common range, shuffle the rows."""
    X = np.asarray(X_unit, dtype=np.float64)
    if noise > 0:
        X = X + rng.normal(0.0, noise, size=X.shape)
    X = (X - np.asarray(shift, dtype=np.float64)) * scale
    order = rng.permutation(len(y))
    return np.ascontiguousarray(X[order]), np.ascontiguousarray(y[order], dtype=np.int64)


# --------------------------------------------------------------------------- makers


def make_moons(n: int, *, noise: float = 0.1, seed: Seed = 0) -> Dataset:
    """Two interleaving half-moons (2 classes).

    Unit geometry: class 0 on the upper unit semicircle (cos t, sin t), class 1 on
    the lower one (1 - cos t, 0.5 - sin t), t evenly spaced in [0, π]; then shifted
    by MOONS_SHIFT and scaled by MOONS_SCALE.
    """
    n = _check_n(n, 2)
    noise = _check_noise(noise)
    rng = _rng(seed)
    sizes = class_sizes(n, 2)
    t0 = np.linspace(0.0, np.pi, sizes[0])
    t1 = np.linspace(0.0, np.pi, sizes[1])
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])
    return _finish(np.vstack([upper, lower]), _labels(sizes), rng, noise,
                   MOONS_SHIFT, MOONS_SCALE)


def make_circles(
    n: int, *, noise: float = 0.05, factor: float = 0.5, seed: Seed = 0
) -> Dataset:
    """A ring around a disc (2 classes).

    Unit geometry: class 0 evenly spaced on the circle of radius 1, class 1 on the
    concentric circle of radius `factor` (0 < factor < 1); scaled by CIRCLES_SCALE.
    """
    n = _check_n(n, 2)
    noise = _check_noise(noise)
    factor = _check_real("factor", factor, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    rng = _rng(seed)
    sizes = class_sizes(n, 2)
    t0 = np.linspace(0.0, 2.0 * np.pi, sizes[0], endpoint=False)
    t1 = np.linspace(0.0, 2.0 * np.pi, sizes[1], endpoint=False)
    outer = np.column_stack([np.cos(t0), np.sin(t0)])
    inner = factor * np.column_stack([np.cos(t1), np.sin(t1)])
    return _finish(np.vstack([outer, inner]), _labels(sizes), rng, noise,
                   (0.0, 0.0), CIRCLES_SCALE)


def make_xor(n: int, *, noise: float = 0.1, seed: Seed = 0) -> Dataset:
    """The XOR pattern (2 classes): the label is whether x and y have opposite signs.

    Unit geometry: points uniform in the four squares XOR_GAP ≤ |x|, |y| ≤ 1; class 0
    in the quadrants where x·y > 0, class 1 where x·y < 0, each class split evenly
    over its two quadrants; scaled by XOR_SCALE. Noise moves points but not labels.
    """
    n = _check_n(n, 2)
    noise = _check_noise(noise)
    rng = _rng(seed)
    sizes = class_sizes(n, 2)
    y = _labels(sizes)
    # Signs: class 0 alternates (+,+), (-,-); class 1 alternates (+,-), (-,+).
    sx = np.concatenate([1 - 2 * (np.arange(s) % 2) for s in sizes]).astype(np.float64)
    sy = np.where(y == 0, sx, -sx)
    mag = rng.uniform(XOR_GAP, 1.0, size=(n, 2))
    X_unit = mag * np.column_stack([sx, sy])
    return _finish(X_unit, y, rng, noise, (0.0, 0.0), XOR_SCALE)


def make_spirals(n: int, *, n_arms: int = 2, noise: float = 0.1, seed: Seed = 0) -> Dataset:
    """Interleaved Archimedean spiral arms, one class per arm (n_arms = 2..5).

    Unit geometry: arm j has points at radius r evenly spaced in [SPIRALS_R0, 1] and
    angle θ = 2πj/n_arms + 2π·SPIRALS_TURNS·(r - SPIRALS_R0)/(1 - SPIRALS_R0), so
    arm j+1 is arm j rotated by 2π/n_arms; scaled by SPIRALS_SCALE.
    """
    k = _check_int("n_arms", n_arms, MIN_ARMS, MAX_ARMS)
    n = _check_n(n, k)
    noise = _check_noise(noise)
    rng = _rng(seed)
    sizes = class_sizes(n, k)
    parts = []
    for j, m in enumerate(sizes):
        s = np.linspace(0.0, 1.0, m)
        r = SPIRALS_R0 + (1.0 - SPIRALS_R0) * s
        theta = 2.0 * np.pi * j / k + 2.0 * np.pi * SPIRALS_TURNS * s
        parts.append(np.column_stack([r * np.cos(theta), r * np.sin(theta)]))
    return _finish(np.vstack(parts), _labels(sizes), rng, noise, (0.0, 0.0), SPIRALS_SCALE)


def make_blobs(n: int, *, n_classes: int = 3, noise: float = 0.3, seed: Seed = 0) -> Dataset:
    """Isotropic Gaussian blobs, one class per blob (n_classes = 2..8).

    Unit geometry: blob j is centred at angle 2πj/n_classes + π/2 on the unit circle
    and has standard deviation `noise` (its spread); scaled by BLOBS_SCALE.
    """
    k = _check_int("n_classes", n_classes, MIN_BLOBS, MAX_BLOBS)
    n = _check_n(n, k)
    noise = _check_noise(noise)
    rng = _rng(seed)
    sizes = class_sizes(n, k)
    y = _labels(sizes)
    angle = 2.0 * np.pi * y / k + np.pi / 2.0
    X_unit = np.column_stack([np.cos(angle), np.sin(angle)])
    return _finish(X_unit, y, rng, noise, (0.0, 0.0), BLOBS_SCALE)


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset of the registry: called as make(n, noise=..., seed=..., **extras)."""

    name: str
    label: str  # as the app names it
    make: Callable[..., Dataset]
    # Where the lab starts its noise. Spirals' arms are closer together than the other
    # datasets' classes (0.34 apart in unit coordinates with 2 arms, 0.14 with 5): at the
    # others' 0.2 they blur into a cloud that no network can learn.
    noise: float = 0.2

    def __call__(self, n: int, **kwargs: Any) -> Dataset:
        return self.make(n, **kwargs)


DATASETS: dict[str, DatasetSpec] = {  # the registry, in the order the app lists them
    spec.name: spec for spec in (
        DatasetSpec("moons", "Two moons", make_moons),
        DatasetSpec("circles", "Circles", make_circles),
        DatasetSpec("xor", "XOR", make_xor),
        DatasetSpec("spirals", "Spirals", make_spirals, noise=0.05),
        DatasetSpec("blobs", "Gaussian blobs", make_blobs),
    )
}


def make_dataset(name: str, n: int, *, noise: float, seed: Seed = 0, **extras: object) -> Dataset:
    """Look a dataset up by name and make it; the error lists the valid names."""
    try:
        maker = DATASETS[name]
    except KeyError:
        raise ValueError(f"dataset={name!r} is not one of {sorted(DATASETS)}") from None
    return maker(n, noise=noise, seed=seed, **extras)


# ---------------------------------------------------------------------------- split


def _allocate(total: int, weights: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """Integers ≤ caps summing to `total`, proportional to `weights` (largest remainder)."""
    if total == 0 or weights.sum() == 0:
        return np.zeros_like(caps)
    quota = total * weights / weights.sum()
    out = np.minimum(np.floor(quota).astype(np.int64), caps)
    remainder = quota - out
    while out.sum() < total:
        room = out < caps
        if not room.any():
            break
        i = int(np.argmax(np.where(room, remainder, -np.inf)))
        out[i] += 1
        remainder[i] = -np.inf if out[i] >= caps[i] else remainder[i] - 1.0
    return out


def train_val_test_split(
    X: np.ndarray,
    y: np.ndarray,
    *,
    val: float = 0.2,
    test: float = 0.2,
    seed: Seed = 0,
    stratify: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle-split rows into train / validation / test parts.

    `val` and `test` are fractions of all rows (each in [0, 1), val + test < 1);
    a positive fraction always gets at least one row, and training keeps at least
    one. With `stratify`, each class is split in the same proportions (to within a
    row). Returns (X_tr, y_tr, X_va, y_va, X_te, y_te): disjoint, together every row.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim < 1 or y.ndim != 1 or len(X) != len(y):
        raise ValueError(
            f"X (shape {X.shape}) and y (shape {y.shape}) must have the same number of rows"
        )
    val = _check_real("val", val, lo=0.0, hi=1.0, hi_open=True)
    test = _check_real("test", test, lo=0.0, hi=1.0, hi_open=True)
    if val + test >= 1.0:
        raise ValueError(f"val={val!r} + test={test!r} must be < 1 (training needs rows)")
    rng = _rng(seed)

    n = len(y)
    n_te = max(1, round(test * n)) if test > 0 else 0
    n_va = max(1, round(val * n)) if val > 0 else 0
    if n - n_te - n_va < 1:
        raise ValueError(
            f"{n} rows are too few for val={val!r} and test={test!r} (training would be empty)"
        )

    if stratify:
        classes, inverse = np.unique(y, return_inverse=True)
        groups = [rng.permutation(np.flatnonzero(inverse == c)) for c in range(len(classes))]
    else:
        groups = [rng.permutation(n)]
    sizes = np.array([len(g) for g in groups], dtype=np.int64)
    te = _allocate(n_te, sizes.astype(np.float64), sizes)
    va = _allocate(n_va, sizes.astype(np.float64), sizes - te)

    parts: tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]] = ([], [], [])
    for g, a, b in zip(groups, te, va, strict=True):
        parts[2].append(g[:a])
        parts[1].append(g[a : a + b])
        parts[0].append(g[a + b :])
    out: list[np.ndarray] = []
    for chunks in parts:
        idx = rng.permutation(np.concatenate(chunks).astype(np.int64))
        out += [X[idx], y[idx]]
    X_tr, y_tr, X_va, y_va, X_te, y_te = out
    return X_tr, y_tr, X_va, y_va, X_te, y_te
