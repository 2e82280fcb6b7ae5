"""Tuning of the Streamlit server process, done once: `tune_server_once()`, from app.py.

Each tweak was measured on this project's 2-core machine (numbers in bench/README.md):
- **TCP_NODELAY on every TCP socket.** Streamlit binds its listening socket itself, with
  `proto` 0, so asyncio never turns TCP_NODELAY on for the websockets it accepts (the
  same bug as uvicorn #3149). A rerun writes many small websocket messages; with Nagle's
  algorithm each one after the first waits for the browser's delayed ACK: about 40 ms
  more per rerun on Linux. Linux copies the option from a listening socket to the
  sockets it accepts, so setting it on every TCP socket of the process (found in
  /proc/self/fd) fixes the open connections and every later one.
- **glibc keeps freed memory** (mallopt). Every rerun allocates and frees the same NumPy
  arrays again; by default glibc hands memory above 128 kB back to the system and the
  next rerun page-faults it in again: a 20-layer forward pass took 2.3-3.0 ms that way,
  0.6-0.9 ms with the memory kept. glibc's MALLOC_TRIM_THRESHOLD_ (and friends) do the
  same from the environment and measured the same, but only where every launcher sets
  them; the call works however the app is started.
- **Startup objects frozen out of the garbage collector's way** (gc.freeze, after the
  first run, with every page's modules imported). A full collection went through
  ~100 000 long-lived objects, most of them Streamlit's, NumPy's and plotly's modules:
  100-120 ms during which no session's rerun can run; ~15 ms once they are frozen. A
  frozen object that is later dropped is still freed by its reference count, unless it
  sits in a reference cycle, which then stays for good.

DESCENT_SERVER_TUNING=off in the environment switches all of it off (to measure it, or
to rule it out). Elsewhere than Linux with glibc the first two do nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import importlib
import os
import socket
import threading
from collections.abc import Iterable

SWITCH = "DESCENT_SERVER_TUNING"  # "off" switches the tuning off
_FD_DIR = "/proc/self/fd"
_lock = threading.Lock()
_done = False


def tune_server_once(modules: Iterable[str] = ()) -> bool:
    """Tune this process the first time it is called (the first script run): TCP_NODELAY,
    glibc's thresholds, then import `modules` and freeze what is alive. True if it tuned
    now; False later, or when switched off."""
    global _done
    if _done or os.environ.get(SWITCH, "").lower() == "off":
        return False
    with _lock:
        if _done:
            return False
        disable_nagle()
        keep_freed_memory()
        freeze_startup_objects(modules)
        _done = True
        return True


# ---------------------------------------------------------------- TCP_NODELAY


def _tcp_sockets():
    """Duplicates of this process's TCP stream sockets (the caller closes them)."""
    try:
        names = os.listdir(_FD_DIR)
    except OSError:
        return
    for name in names:
        try:
            if not os.readlink(f"{_FD_DIR}/{name}").startswith("socket:"):
                continue
            sock = socket.socket(fileno=os.dup(int(name)))  # detects family and type
        except (OSError, ValueError):
            continue  # closed meanwhile, or not a socket after all
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
            yield sock
        else:
            sock.close()


def disable_nagle() -> int:
    """Set TCP_NODELAY on every TCP socket of this process; returns how many."""
    count = 0
    for sock in _tcp_sockets():
        with sock:  # closes the duplicate only; the option belongs to the socket itself
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                count += 1
            except OSError:
                pass  # e.g. a connection that closed meanwhile
    return count


# ---------------------------------------------------------------- glibc's free memory

# mallopt parameters, from glibc's <malloc.h>
M_TRIM_THRESHOLD = -1
M_TOP_PAD = -2
M_MMAP_THRESHOLD = -3
KEEP_BYTES = 256 * 2**20  # free memory glibc may keep at the top of the heap
PAD_BYTES = 16 * 2**20  # extra room to ask for whenever the heap grows
MMAP_BYTES = 32 * 2**20  # only blocks larger than this get an mmap of their own


def keep_freed_memory() -> bool:
    """Set glibc's trim and mmap thresholds; True if this C library took them."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):  # not glibc (musl, macOS, Windows)
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return all(mallopt(param, value) == 1 for param, value in (
        (M_TRIM_THRESHOLD, KEEP_BYTES), (M_TOP_PAD, PAD_BYTES), (M_MMAP_THRESHOLD, MMAP_BYTES)))


# ---------------------------------------------------------------- the garbage collector


def freeze_startup_objects(modules: Iterable[str] = ()) -> None:
    """Import `modules`, collect once, then freeze every object that survives. The first
    page opened has imported only its own modules: with Home first ~39 000 objects were
    left to the collector."""
    for name in modules:
        importlib.import_module(name)
    gc.collect()  # do not freeze garbage
    gc.freeze()
