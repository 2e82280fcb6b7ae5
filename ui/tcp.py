"""Switch off Nagle's algorithm on the server's TCP sockets (once per process).

Streamlit's Starlette server binds its listening socket itself, with `proto` 0.
asyncio turns on TCP_NODELAY only for sockets that report IPPROTO_TCP, so every
accepted websocket keeps Nagle's algorithm on (the same bug as uvicorn #3149).
A rerun writes many small websocket messages; with Nagle, each one after the
first waits for the browser's delayed ACK, which on Linux adds about 40 ms to
every rerun (200 ms with Windows' default delayed ACK).

Linux copies TCP_NODELAY from a listening socket to the sockets it accepts, so
setting it on every TCP socket of the process fixes the connections that are
open now and every later one. Sockets are found in /proc/self/fd; elsewhere
this does nothing.
"""

from __future__ import annotations

import os
import socket
import threading

_FD_DIR = "/proc/self/fd"
_lock = threading.Lock()
_done = False


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


def disable_nagle_once() -> None:
    """disable_nagle() the first time any session of this server process runs."""
    global _done
    if _done:
        return
    with _lock:
        if not _done:
            disable_nagle()
            _done = True
