"""ui.server_tuning: TCP_NODELAY for open connections and later accepts, glibc's
thresholds, the startup objects frozen, all once per process, and a switch to turn it off."""

from __future__ import annotations

import ast
import gc
import importlib
import importlib.util
import os
import platform
import socket
import sys
from pathlib import Path

import pytest

from ui import server_tuning

ROOT = Path(__file__).resolve().parent.parent
linux = pytest.mark.skipif(not sys.platform.startswith("linux"),
                           reason="finds sockets through /proc/self/fd")


def _nodelay(sock: socket.socket) -> int:
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


@linux
def test_open_connections_and_later_accepts_get_tcp_nodelay():
    # proto 0, as Streamlit binds it: asyncio would leave Nagle on for its connections
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        early = socket.create_connection(listener.getsockname())
        served_early, _ = listener.accept()
        assert (_nodelay(listener), _nodelay(served_early)) == (0, 0)

        assert server_tuning.disable_nagle() >= 3  # the listener and both ends of the connection

        late = socket.create_connection(listener.getsockname())
        served_late, _ = listener.accept()
        with early, served_early, late, served_late:
            assert _nodelay(listener) == 1
            assert _nodelay(served_early) == 1
            assert _nodelay(served_late) == 1  # inherited from the listener


@linux
def test_other_sockets_are_left_alone_and_no_descriptor_leaks():
    before = len(os.listdir("/proc/self/fd"))
    left, right = socket.socketpair()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM), left, right:
        server_tuning.disable_nagle()  # UDP and Unix sockets have no TCP options: skipped, no error
        assert len(os.listdir("/proc/self/fd")) == before + 3  # every duplicate was closed


@pytest.mark.skipif(not (sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"),
                    reason="mallopt is glibc's")
def test_glibc_takes_every_threshold():
    assert server_tuning.keep_freed_memory()


def test_the_first_call_freezes_what_is_alive_and_later_calls_do_nothing(monkeypatch):
    monkeypatch.setattr(server_tuning, "_done", False)
    monkeypatch.delenv(server_tuning.SWITCH, raising=False)
    gc.unfreeze()
    try:
        assert server_tuning.tune_server_once()
        frozen = gc.get_freeze_count()
        assert frozen > 1000  # this test process's modules, at least
        later = [[i] for i in range(100)]  # new container objects, not frozen
        assert not server_tuning.tune_server_once()
        assert gc.get_freeze_count() == frozen  # the second call froze nothing, not even these
        assert len(later) == 100
    finally:
        gc.unfreeze()



def test_the_modules_asked_for_are_imported_before_the_freeze(monkeypatch):
    monkeypatch.setattr(server_tuning, "_done", False)
    monkeypatch.delenv(server_tuning.SWITCH, raising=False)
    monkeypatch.delitem(sys.modules, "json.tool", raising=False)
    gc.unfreeze()
    try:
        server_tuning.tune_server_once(["json.tool"])
        assert "json.tool" in sys.modules
    finally:
        gc.unfreeze()



def _imported_modules(path: Path) -> set[str]:
    """The ui.* and viz.* modules a script imports (`from ui.lab import sidebar` counts as
    ui.lab.sidebar, a module of its own)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in (
                "ui", "viz"):
            package = importlib.util.find_spec(node.module).submodule_search_locations
            inner = {f"{node.module}.{a.name}" for a in node.names} if package else set()
            modules = {name for name in inner if importlib.util.find_spec(name) is not None}
            found |= modules or {node.module}
    return found


def test_app_freezes_every_module_the_pages_import():
    tree = ast.parse((ROOT / "app.py").read_text())
    listed = next(ast.literal_eval(node.value) for node in tree.body
                  if isinstance(node, ast.Assign) and node.targets[0].id == "PAGE_MODULES")
    pages = set().union(*(_imported_modules(page) for page in (ROOT / "pages").glob("*.py")))
    assert pages <= set(listed), pages - set(listed)
    for name in listed:
        importlib.import_module(name)


def test_the_switch_turns_every_tweak_off(monkeypatch):
    monkeypatch.setattr(server_tuning, "_done", False)
    monkeypatch.setenv(server_tuning.SWITCH, "off")
    called = []
    for name in ("disable_nagle", "keep_freed_memory", "freeze_startup_objects"):
        monkeypatch.setattr(server_tuning, name, lambda *a, name=name: called.append(name))
    assert not server_tuning.tune_server_once()
    assert called == [] and not server_tuning._done
    monkeypatch.setenv(server_tuning.SWITCH, "on")
    assert server_tuning.tune_server_once()
    assert called == ["disable_nagle", "keep_freed_memory", "freeze_startup_objects"]
