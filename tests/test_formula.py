"""User formulas: values, exact derivatives, LaTeX, and a wall against hostile input."""

import ast
import pathlib
import time
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from surfaces import FormulaError, from_formula, numerical_gradient, numerical_hessian
from surfaces.parse import MAX_DEPTH, MAX_LENGTH, MAX_NODES


def sigmoid(u):
    return 1 / (1 + np.exp(-u))


# (formula, the same function written directly in NumPy, bounds where it is smooth)
FORMULAS = [
    ("sin(x)*y**2 + 0.1*x**2", lambda x, y: np.sin(x) * y**2 + 0.1 * x**2, (-3, 3)),
    ("x**2 + y**2", lambda x, y: x**2 + y**2, (-3, 3)),
    ("exp(-(x**2 + y**2) / 2)", lambda x, y: np.exp(-(x**2 + y**2) / 2), (-3, 3)),
    ("log(1 + x**2) - sqrt(1 + y**2)", lambda x, y: np.log(1 + x**2) - np.sqrt(1 + y**2), (-3, 3)),
    (
        "tanh(x*y) + cosh(x/3) - sinh(y/4)",
        lambda x, y: np.tanh(x * y) + np.cosh(x / 3) - np.sinh(y / 4),
        (-3, 3),
    ),
    ("atan(x) * arctan(2*y)", lambda x, y: np.arctan(x) * np.arctan(2 * y), (-3, 3)),
    ("sigmoid(x - y) * tan(x/4)", lambda x, y: sigmoid(x - y) * np.tan(x / 4), (-3, 3)),
    ("pi*x - e**y", lambda x, y: np.pi * x - np.e**y, (-3, 3)),
    ("(x - 1)**3 / (2 + cos(y))", lambda x, y: (x - 1) ** 3 / (2 + np.cos(y)), (-3, 3)),
    ("-x**2 + +y - -x", lambda x, y: -(x**2) + y + x, (-3, 3)),
    ("2**-x * y", lambda x, y: 2.0 ** (-x) * y, (-3, 3)),
    ("x**y", lambda x, y: x**y, (0.5, 3)),
    ("log(x) * sqrt(y) + x**0.5", lambda x, y: np.log(x) * np.sqrt(y) + x**0.5, (0.5, 3)),
    ("(1 + x**2)**(y/2) - 1/(x*y)", lambda x, y: (1 + x**2) ** (y / 2) - 1 / (x * y), (0.5, 3)),
    ("abs(x)**3 + abs(x*y)", lambda x, y: np.abs(x) ** 3 + np.abs(x * y), (0.5, 3)),
    ("sign(x) * y**2 + 0*x + 1*y", lambda x, y: np.sign(x) * y**2 + y, (0.5, 3)),
    ("(1 - x)**2 + 100*(y - x**2)**2", lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2, (-2, 2)),
]
FORMULA_IDS = [text for text, _, _ in FORMULAS]


def random_points(low, high, count=200, seed=0):
    return np.random.default_rng(seed).uniform(low, high, size=(count, 2))


def assert_matches_finite_differences(exact, approx, noise_scale):
    allowed = 1e-5 * np.abs(exact) + 1e-7 * (1 + noise_scale)
    assert np.all(np.abs(exact - approx) <= allowed), np.abs(exact - approx).max()


# --- values and derivatives


@pytest.mark.parametrize(("text", "reference", "domain"), FORMULAS, ids=FORMULA_IDS)
def test_values_match_numpy(text, reference, domain):
    surface = from_formula(text, bounds=(domain, domain))
    p = random_points(*domain)
    np.testing.assert_allclose(surface.f(p), reference(p[:, 0], p[:, 1]), rtol=1e-13)


@pytest.mark.parametrize(("text", "reference", "domain"), FORMULAS, ids=FORMULA_IDS)
def test_exact_derivatives_match_finite_differences(text, reference, domain):
    surface = from_formula(text, bounds=(domain, domain))
    p = random_points(*domain, seed=1)
    noise = np.abs(surface.f(p))[:, None]
    assert_matches_finite_differences(surface.grad(p), numerical_gradient(surface.f, p), noise)
    noise = np.abs(surface.grad(p)).max(axis=-1)[:, None, None]
    hessian = surface.hessian(p)
    assert_matches_finite_differences(hessian, numerical_hessian(surface.grad, p), noise)
    np.testing.assert_array_equal(hessian, hessian.swapaxes(-1, -2))


def test_shapes_and_input_safety():
    surface = from_formula("sin(x) * y**2 + 0.1 * x**2")
    grid = random_points(-3, 3, count=12).reshape(3, 4, 2)
    frozen = grid.copy()
    frozen.flags.writeable = False
    assert surface.f(frozen).shape == (3, 4)
    assert surface.grad(frozen).shape == (3, 4, 2)
    assert surface.hessian(frozen).shape == (3, 4, 2, 2)
    assert surface.f([1, 2]).dtype == np.float64 and surface.f([1, 2]).shape == ()
    np.testing.assert_array_equal(frozen, grid)
    for index in np.ndindex(3, 4):
        assert surface.f(grid[index]) == surface.f(grid)[index]
        np.testing.assert_array_equal(surface.hessian(grid[index]), surface.hessian(grid)[index])


def test_constant_parts_broadcast_to_the_input_shape():
    surface = from_formula("x + 2*y + 3")  # gradient and Hessian are constant trees
    points = random_points(-1, 1, count=5)
    np.testing.assert_array_equal(surface.grad(points), np.tile([1.0, 2.0], (5, 1)))
    np.testing.assert_array_equal(surface.hessian(points), np.zeros((5, 2, 2)))


def test_evaluation_never_warns():
    surface = from_formula("log(x) + sqrt(y) + 1/x + x**y + tan(pi/2 * y)")
    bad_points = np.array([[-1.0, -1.0], [0.0, 0.0], [0.0, 1.0], [1e308, 1e308]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = surface.f(bad_points)
        surface.grad(bad_points)
        surface.hessian(bad_points)
    assert not np.isfinite(values[:3]).any()  # non-finite values are left to the caller


# Smooth building blocks for random formulas, each with its NumPy twin.
SMOOTH = {"sin": np.sin, "cos": np.cos, "tanh": np.tanh, "arctan": np.arctan, "sigmoid": sigmoid}
BINARY = {"+": np.add, "-": np.subtract, "*": np.multiply}
LEAVES = st.sampled_from(
    [
        ("x", lambda x, y: x, 1),
        ("y", lambda x, y: y, 1),
        ("0.5", lambda x, y: 0.5, 1),
        ("2", lambda x, y: 2.0, 1),
        ("pi", lambda x, y: np.pi, 1),
    ]
)


def _call(name, arg):
    text, fn, depth = arg
    return f"{name}({text})", lambda x, y: SMOOTH[name](fn(x, y)), depth + 1


def _binary(left, op, right):
    (lt, lf, ld), (rt, rf, rd) = left, right
    return f"({lt}) {op} ({rt})", lambda x, y: BINARY[op](lf(x, y), rf(x, y)), max(ld, rd) + 1


def _square(arg):
    text, fn, depth = arg
    return f"({text})**2", lambda x, y: fn(x, y) ** 2, depth + 1


def _extend(children):
    return st.one_of(
        st.builds(_call, st.sampled_from(sorted(SMOOTH)), children),
        st.builds(_binary, children, st.sampled_from(sorted(BINARY)), children),
        st.builds(_square, children),
        children.map(lambda arg: (f"-({arg[0]})", lambda x, y: -arg[1](x, y), arg[2] + 1)),
    )


EXPRESSIONS = st.recursive(LEAVES, _extend, max_leaves=6).filter(
    lambda e: len(e[0]) <= MAX_LENGTH and e[2] <= MAX_DEPTH
)


@settings(max_examples=150, deadline=None)
@given(EXPRESSIONS, st.integers(0, 2**32 - 1))
def test_random_formulas_match_numpy_and_finite_differences(expression, seed):
    text, reference, _ = expression
    surface = from_formula(text, bounds=((-1, 1), (-1, 1)))
    p = random_points(-1, 1, count=20, seed=seed)
    expected = np.broadcast_to(reference(p[:, 0], p[:, 1]), (20,))  # constants give scalars
    np.testing.assert_allclose(surface.f(p), expected, rtol=1e-9, atol=1e-9)

    checks = [
        (surface.grad(p), numerical_gradient, surface.f),
        (surface.hessian(p), numerical_hessian, surface.grad),
    ]
    for exact, difference, fn in checks:
        # Differences at two step sizes bracket the truncation error, which gives even
        # steep random formulas a fair tolerance (a Richardson-style error estimate).
        coarse = difference(fn, p, relative_step=2e-5)
        fine = difference(fn, p, relative_step=1e-5)
        assume(np.isfinite(coarse).all() and np.isfinite(fine).all())
        allowed = 1e-6 * (1 + np.abs(exact)) + 4 * np.abs(coarse - fine)
        assert np.all(np.abs(exact - fine) <= allowed), (text, np.abs(exact - fine).max())


# --- the Surface it builds


def test_surface_fields():
    surface = from_formula("sin(x)*y**2 + 0.1*x**2", bounds=((-2, 4), (-1, 1)))
    assert surface.name == "custom"
    assert surface.title == "f(x, y) = sin(x) * y ** 2 + 0.1 * x ** 2"
    assert surface.critical_points == ()
    assert surface.bounds == ((-2.0, 4.0), (-1.0, 1.0))
    assert surface.contains(surface.start)
    assert np.linalg.norm(surface.grad(surface.start)) > 0
    assert "\n" not in surface.description


def test_default_start_avoids_flat_points():
    # The first candidate, 70% of the way to the upper-right corner, is (2.1, 2.1): the minimum.
    surface = from_formula("(x - 2.1)**2 + (y - 2.1)**2")
    assert surface.start != (2.1, 2.1)
    assert surface.contains(surface.start)
    assert np.linalg.norm(surface.grad(surface.start)) > 1e-8


@pytest.mark.parametrize("text", [
    "-sqrt(4 - x**2 - y**2)", "sqrt(1 - x**2 - y**2)", "log(1 - x**2 - y**2)",
    "-log(0.5 - abs(x)) - log(0.5 - abs(y))",
])
def test_default_start_is_where_f_is_defined(text):
    """Hemispheres and log barriers are undefined at every fixed candidate start."""
    surface = from_formula(text)
    value = surface.f(np.array(surface.start))
    assert np.isfinite(value)
    assert np.all(np.isfinite(surface.grad(np.array(surface.start))))
    assert surface.start == tuple(round(c, 3) for c in surface.start)


@pytest.mark.parametrize("text", ["1e200*x", "exp(x**7.95)", "-y/(1)*(0.5)**e*1e300"])
def test_building_a_steep_surface_does_not_warn(text):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from_formula(text)


def test_the_quotient_rule_survives_tiny_denominators():
    grad = from_formula("x/1e-200").grad(np.array([1.0, 1.0]))
    np.testing.assert_array_equal(grad, [1e200, 0.0])
    np.testing.assert_allclose(from_formula("x*y/1e-170").grad(np.array([2.0, 3.0])),
                               [3e170, 2e170])


def test_hessian_of_a_large_grid_stays_small_in_memory():
    import tracemalloc

    surface = from_formula("1/(1/(1/(1/(x+y)+x)+y)+x)+1/(1/(1/(x*y+1)+x)+y)")
    grid = np.stack(np.meshgrid(np.linspace(-3, 3, 300), np.linspace(-3, 3, 300)), axis=-1)
    tracemalloc.start()
    try:
        hessian = surface.hessian(grid)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert hessian.shape == (300, 300, 2, 2)
    np.testing.assert_allclose(hessian[17, 33], surface.hessian(grid[17, 33]))
    assert peak < 60e6, f"{peak / 1e6:.0f} MB"


def test_explicit_start_is_used_and_validated():
    assert from_formula("x*y", start=(1, -2)).start == (1.0, -2.0)
    for start in [(9.0, 0.0), (np.nan, 0.0), "ab", (1.0,)]:
        with pytest.raises(FormulaError, match="start"):
            from_formula("x*y", start=start)


@pytest.mark.parametrize(
    "bounds", [((1, -1), (0, 1)), ((0, 0), (0, 1)), ((0, np.inf), (0, 1)), ((0, 1),), "ab",
               ((-1e308, 1e308), (-1, 1))]
)
def test_bad_bounds_are_rejected(bounds):
    with pytest.raises(FormulaError, match="bounds"):
        from_formula("x*y", bounds=bounds)


def test_formula_that_is_never_finite_is_rejected():
    with pytest.raises(FormulaError, match="not finite"):
        from_formula("log(-1 - x**2 - y**2)")
    from_formula("log(x)")  # nan on half the plane is fine


@pytest.mark.parametrize(
    ("text", "latex"),
    [
        ("sin(x)*y**2 + 0.1*x**2", r"\sin\left(x\right) y^{2} + 0.1 x^{2}"),
        ("(x + 1)/(y - 2)", r"\frac{x + 1}{y - 2}"),
        ("sqrt(x) * abs(y)", r"\sqrt{x} \left|y\right|"),
        ("-(x + y) - (x - y)", r"-\left(x + y\right) - \left(x - y\right)"),
        ("x - -y + (-x)**2 - x**2", r"x - \left(-y\right) + \left(-x\right)^{2} - x^{2}"),
        ("2*pi*x*e**y", r"2 \pi x e^{y}"),
        ("x*2 + 1e-05*log(y)", r"x \cdot 2 + 1 \times 10^{-5} \ln\left(y\right)"),
        ("x**y**2 * (x*y)**0.5", r"x^{y^{2}} \left(x y\right)^{0.5}"),
    ],
)
def test_latex(text, latex):
    assert from_formula(text, bounds=((0.5, 3), (0.5, 3))).latex == f"f(x, y) = {latex}"


# --- limits


def test_length_limit_is_checked_on_the_raw_text():
    from_formula("x" + " " * (MAX_LENGTH - 1))
    with pytest.raises(FormulaError, match=str(MAX_LENGTH)):
        from_formula("x" + " " * MAX_LENGTH)


def test_depth_limit():
    from_formula("sin(" * (MAX_DEPTH - 1) + "x" + ")" * (MAX_DEPTH - 1))
    with pytest.raises(FormulaError, match="nested"):
        from_formula("sin(" * MAX_DEPTH + "x" + ")" * MAX_DEPTH)


def test_node_limit():
    term = "x*y*x*y"  # 7 nodes, shallow: many of them stay under the depth limit
    fits = (MAX_NODES + 1) // 8
    from_formula("+".join([term] * fits))
    with pytest.raises(FormulaError, match="parts"):
        from_formula("+".join([term] * (fits + 1)))


# --- hostile and mistaken input


HOSTILE = {
    "x.__class__": "`x.__class__`",
    "__import__('os')": "`__import__`",
    "__builtins__": "`__builtins__`",
    "import os": "import",
    "from os import path": "import",
    "lambda: 1": "`lambda: 1`",
    "[x for x in y]": "`[x for x in y]`",
    "'abc'": "`'abc'`",
    "b'a'": "`b'a'`",
    "sin(x=1)": "`sin(x=1)`",
    "sin(*x)": "`sin(*x)`",
    "x[0]": "`x[0]`",
    "x < y": "`x < y`",
    "x and y": "`x and y`",
    'f"{x}"': '`f"{x}"`',
    "(z := 1)": "`z := 1`",
    "z": "unknown name `z`",
    "foo(x)": "unknown function `foo`",
    "np.sin(x)": "`np.sin(x)`",
    "x(2)": "`x` is not a function",
    "sin": "`sin` is a function",
    "x ^ 2": "**",
    "x // 2": "`//`",
    "9**9**9": "`9**9**9` is not finite",
    "1/0": "`1/0` is not finite",
    "0/0": "not finite",
    "1e999": "not finite",
    "(" * 100 + "x" + ")" * 100: "characters",
    "x+" * 5000 + "x": "characters",
    "-" * 100 + "x": "nested",
    "": "empty",
    "   ": "empty",
    "x +": "could not read",
    "1j": "`1j`",
    "True": "`True`",
    "None": "`None`",
    "sin(x, y)": "1 argument",
    "sin()": "1 argument",
    "x if y else 1": "`x if y else 1`",
    "(x, y)": "`(x, y)`",
}


@pytest.mark.parametrize(("text", "quoted"), HOSTILE.items(), ids=[t[:30] for t in HOSTILE])
def test_hostile_input_is_rejected_quickly_and_helpfully(text, quoted):
    began = time.perf_counter()
    with pytest.raises(FormulaError) as caught:
        from_formula(text)
    assert time.perf_counter() - began < 1.0  # a generous safety bound
    message = str(caught.value)
    assert quoted in message  # names the problem...
    assert "x and y" in message and "pi" in message and "sin" in message  # ...and the fix
    assert isinstance(caught.value, ValueError)


def test_non_text_is_rejected():
    with pytest.raises(FormulaError, match="text"):
        from_formula(42)


def test_formula_code_never_executes_text():
    """No eval/exec/compile anywhere in the package, and no forbidden libraries."""
    forbidden_calls = {"eval", "exec", "compile", "__import__"}
    forbidden_modules = {"streamlit", "plotly", "scipy", "sympy", "numexpr", "asteval"}
    package = pathlib.Path(__file__).resolve().parent.parent / "surfaces"
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in forbidden_calls, path
            if isinstance(node, ast.Import):
                names = {alias.name.split(".")[0] for alias in node.names}
                assert not names & forbidden_modules, path
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module.split(".")[0] not in forbidden_modules, path
            if isinstance(node, ast.Attribute) and node.attr == "random":
                raise AssertionError(f"{path} uses np.random")
