"""ui.collector: the objects alive at the first run are frozen, once per process."""

from __future__ import annotations

import ast
import gc
import importlib
import sys
from pathlib import Path

from ui import collector

ROOT = Path(__file__).resolve().parent.parent


def test_the_first_call_freezes_what_is_alive_and_later_calls_do_nothing(monkeypatch):
    monkeypatch.setattr(collector, "_done", False)
    gc.unfreeze()
    try:
        collector.freeze_startup_objects_once()
        frozen = gc.get_freeze_count()
        assert frozen > 1000  # this test process's modules, at least
        later = [[i] for i in range(100)]  # new container objects, not frozen
        collector.freeze_startup_objects_once()
        assert gc.get_freeze_count() == frozen  # the second call froze nothing, not even these
        assert len(later) == 100
    finally:
        gc.unfreeze()



def test_the_modules_asked_for_are_imported_before_the_freeze(monkeypatch):
    monkeypatch.setattr(collector, "_done", False)
    monkeypatch.delitem(sys.modules, "json.tool", raising=False)
    gc.unfreeze()
    try:
        collector.freeze_startup_objects_once(["json.tool"])
        assert "json.tool" in sys.modules
    finally:
        gc.unfreeze()



def _imported_modules(path: Path) -> set[str]:
    """The ui.* and viz.* modules a script imports (`from ui import lab` counts as ui.lab)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in (
                "ui", "viz"):
            found |= ({f"{node.module}.{a.name}" for a in node.names}
                      if node.module in ("ui", "viz") else {node.module})
    return found


def test_app_freezes_every_module_the_pages_import():
    tree = ast.parse((ROOT / "app.py").read_text())
    listed = next(ast.literal_eval(node.value) for node in tree.body
                  if isinstance(node, ast.Assign) and node.targets[0].id == "PAGE_MODULES")
    pages = set().union(*(_imported_modules(page) for page in (ROOT / "pages").glob("*.py")))
    assert pages <= set(listed), pages - set(listed)
    for name in listed:
        importlib.import_module(name)
