"""ui.collector: the objects alive at the first run are frozen, once per process."""

from __future__ import annotations

import gc

from ui import collector


def test_the_first_call_freezes_what_is_alive_and_later_calls_do_nothing(monkeypatch):
    monkeypatch.setattr(collector, "_done", False)
    gc.unfreeze()
    try:
        collector.freeze_startup_objects_once()
        frozen = gc.get_freeze_count()
        assert frozen > 1000  # this test process's modules, at least
        later = [[i] for i in range(100)]  # new container objects, tracked by the collector
        collector.freeze_startup_objects_once()
        assert gc.get_freeze_count() == frozen  # not frozen again
        assert all(gc.is_tracked(item) for item in later)
    finally:
        gc.unfreeze()
