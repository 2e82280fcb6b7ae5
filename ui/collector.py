"""Move what the server has built at startup out of the garbage collector's way (once).

Python's collector goes through every container object it tracks whenever it collects
its oldest generation, and a rerun of the playground builds enough objects (the race
map's frames) to trigger that every few dozen reruns. In this server that meant
~100 000 objects, most of them Streamlit's, NumPy's and plotly's modules: one collection
took 100-120 ms, during which no session's rerun can run (the collector holds the GIL).
gc.freeze() moves every object alive now into a generation the collector never
visits; the same collection then took ~15 ms. It runs once, after the first script run,
and first imports the modules of every page (`modules`): the first page opened has
imported only its own, and with Home first ~39 000 objects were left to the collector.
The first session's objects are frozen too: a frozen object that is later dropped is
still freed by its reference count, unless it sits in a reference cycle, which then
stays for good.
"""

from __future__ import annotations

import gc
import importlib
import threading
from collections.abc import Iterable

_lock = threading.Lock()
_done = False


def freeze_startup_objects_once(modules: Iterable[str] = ()) -> None:
    """Import `modules`, collect once, then freeze every object that survives (first call
    per process)."""
    global _done
    if _done:
        return
    with _lock:
        if not _done:
            for name in modules:
                importlib.import_module(name)
            gc.collect()  # do not freeze garbage
            gc.freeze()
            _done = True
