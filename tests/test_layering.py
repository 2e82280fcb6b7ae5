"""Architecture rules, checked so that new modules are covered automatically.

* Data flows one way: pages → ui → viz → engine/surfaces. `engine/` imports none of
  surfaces, viz, ui or pages (it takes any gradient and Hessian function); `surfaces/`
  none of viz, ui or pages (it may use the engine's mathematics); `viz/` neither ui nor
  pages; `ui/` not pages.
* Nothing below `ui/` loads Streamlit, Plotly or pandas: importing `engine/`,
  `surfaces/` or `viz/` (and every module in them) must not, and the source of
  `engine/` and `surfaces/` may import only the standard library, NumPy and the
  packages below them.
* `engine/`, `surfaces/` and `viz/` never use the global `np.random.<func>` state;
  randomness comes from `np.random.default_rng(seed)` / a passed-in Generator.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ("engine", "surfaces")  # NumPy-only packages
BELOW_UI = ("engine", "surfaces", "viz")  # no Streamlit, Plotly or pandas
SEEDED = ("engine", "surfaces", "viz")  # packages that must not use global np.random
FORBIDDEN = frozenset({"streamlit", "plotly", "pandas"})
# What each layer's source may import of the project's own packages (besides itself).
MAY_IMPORT = {
    "engine": frozenset(),
    "surfaces": frozenset({"engine"}),
    "viz": frozenset({"engine", "surfaces"}),
    "ui": frozenset({"engine", "surfaces", "viz"}),
}
PROJECT = frozenset({*MAY_IMPORT, "pages", "bench", "tests", "app"})
# The parts of np.random that do not touch the global state.
RANDOM_OK = frozenset(
    {
        "default_rng",
        "Generator",
        "BitGenerator",
        "SeedSequence",
        "PCG64",
        "PCG64DXSM",
        "Philox",
        "SFC64",
        "MT19937",
    }
)

_PROBE = """
import importlib, json, pkgutil, sys
sys.path.insert(0, {root!r})
loaded = []
for name in {packages!r}:
    pkg = importlib.import_module(name)
    loaded.append(name)
    for info in pkgutil.walk_packages(pkg.__path__, name + "."):
        importlib.import_module(info.name)
        loaded.append(info.name)
bad = sorted(m for m in sys.modules if m.split(".")[0] in {forbidden!r})
print(json.dumps({{"loaded": loaded, "bad": bad}}))
"""


def _py_files(*packages: str) -> list[Path]:
    return sorted(p for pkg in packages for p in (ROOT / pkg).rglob("*.py"))


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, absolute module name) for every import; relative imports are skipped."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def test_importing_the_packages_below_ui_loads_no_ui_libraries() -> None:
    code = _PROBE.format(root=str(ROOT), packages=list(BELOW_UI), forbidden=set(FORBIDDEN))
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, f"importing {BELOW_UI} failed:\n{proc.stderr}"
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    # Every module file on disk was imported (so the check covers new modules).
    on_disk = {
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in _py_files(*BELOW_UI)
    }
    assert on_disk <= set(result["loaded"])
    assert not result["bad"], f"importing {BELOW_UI} loaded {result['bad']}"


@pytest.mark.parametrize("path", _py_files(*CORE), ids=_rel)
def test_core_source_imports_only_stdlib_numpy_and_the_layers_below(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    layer = path.relative_to(ROOT).parts[0]
    allowed = {"numpy", layer, *MAY_IMPORT[layer]}
    bad = [
        f"{_rel(path)}:{line}: import {name}"
        for line, name in _imported_modules(tree)
        if (top := name.split(".")[0]) not in sys.stdlib_module_names and top not in allowed
    ]
    assert not bad, "engine/ and surfaces/ are NumPy only:\n" + "\n".join(bad)


@pytest.mark.parametrize("path", _py_files(*MAY_IMPORT), ids=_rel)
def test_each_layer_imports_only_the_layers_below_it(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    layer = path.relative_to(ROOT).parts[0]
    bad = [
        f"{_rel(path)}:{line}: import {name}"
        for line, name in _imported_modules(tree)
        if (top := name.split(".")[0]) in PROJECT and top != layer
        and top not in MAY_IMPORT[layer]
    ]
    assert not bad, f"{layer}/ may import only {sorted(MAY_IMPORT[layer])}:\n" + "\n".join(bad)


@pytest.mark.parametrize("path", _py_files("viz"), ids=_rel)
def test_viz_source_imports_no_ui_library(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    bad = [f"{_rel(path)}:{line}: import {name}" for line, name in _imported_modules(tree)
           if name.split(".")[0] in FORBIDDEN]
    assert not bad, "viz/ builds figures as plain dicts:\n" + "\n".join(bad)


@pytest.mark.parametrize(("layer", "source", "allowed"), [
    ("engine", "from surfaces.base import classify_hessian", False),
    ("engine", "import viz.figure", False),
    ("surfaces", "from engine.curvature import classify_hessian", True),
    ("surfaces", "from ui import charts", False),
    ("viz", "from engine.race import Lane", True),
    ("viz", "from ui.charts import ready", False),
    ("ui", "from viz.race_map import race_map", True),
    ("ui", "import pages.lab", False),
])
def test_the_layer_rule_itself(layer, source, allowed):
    """The rule above catches each kind of import (so that it cannot silently rot)."""
    names = [name for _, name in _imported_modules(ast.parse(source))]
    ok = all(name.split(".")[0] not in PROJECT or name.split(".")[0] in MAY_IMPORT[layer]
             for name in names)
    assert ok is allowed


def _global_random_uses(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, name) for every use of np.random's global-state API."""
    # Local names bound to numpy / numpy.random (import numpy as np, from numpy import random).
    numpy_names: set[str] = set()
    random_names: set[str] = set()
    bad: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name == "numpy":
                    numpy_names.add(a.asname or "numpy")
                elif a.name == "numpy.random":
                    if a.asname:
                        random_names.add(a.asname)
                    else:
                        numpy_names.add("numpy")
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            for a in node.names:
                if node.module == "numpy" and a.name == "random":
                    random_names.add(a.asname or "random")
                elif node.module == "numpy.random" and a.name not in RANDOM_OK:
                    bad.append((node.lineno, f"numpy.random.{a.name}"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        base = node.value
        via_numpy = (
            isinstance(base, ast.Attribute)
            and base.attr == "random"
            and isinstance(base.value, ast.Name)
            and base.value.id in numpy_names
        )
        via_alias = isinstance(base, ast.Name) and base.id in random_names
        if (via_numpy or via_alias) and node.attr not in RANDOM_OK:
            bad.append((node.lineno, f"numpy.random.{node.attr}"))
    return bad


@pytest.mark.parametrize("path", _py_files(*SEEDED), ids=_rel)
def test_no_global_numpy_random(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    bad = [f"{_rel(path)}:{line}: {name}" for line, name in _global_random_uses(tree)]
    assert not bad, "use np.random.default_rng(seed) instead of:\n" + "\n".join(bad)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import numpy as np\nnp.random.seed(0)", ["numpy.random.seed"]),
        ("import numpy\nx = numpy.random.rand(3)", ["numpy.random.rand"]),
        ("import numpy.random as npr\nnpr.normal()", ["numpy.random.normal"]),
        ("from numpy import random\nrandom.shuffle(a)", ["numpy.random.shuffle"]),
        ("from numpy.random import randn", ["numpy.random.randn"]),
        ("import numpy as np\nrng = np.random.default_rng(0)\nrng.normal()", []),
        ("from numpy.random import Generator, default_rng", []),
        ("import random\nrandom.random()", []),  # stdlib random is a different rule
    ],
)
def test_global_random_detector(source: str, expected: list[str]) -> None:
    """The detector itself catches each spelling (so the rule cannot silently rot)."""
    assert [name for _, name in _global_random_uses(ast.parse(source))] == expected
