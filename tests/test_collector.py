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
        later = [[i] for i in range(100)]  # new container objects, not frozen
        collector.freeze_startup_objects_once()
        assert gc.get_freeze_count() == frozen  # the second call froze nothing, not even these
        assert len(later) == 100
    finally:
        gc.unfreeze()
