"""ui.tcp switches Nagle's algorithm off for open connections and for later accepts."""

from __future__ import annotations

import os
import socket
import sys

import pytest

from ui import tcp

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="finds sockets through /proc/self/fd")


def _nodelay(sock: socket.socket) -> int:
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def test_open_connections_and_later_accepts_get_tcp_nodelay():
    # proto 0, as Streamlit binds it: asyncio would leave Nagle on for its connections
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        early = socket.create_connection(listener.getsockname())
        served_early, _ = listener.accept()
        assert (_nodelay(listener), _nodelay(served_early)) == (0, 0)

        assert tcp.disable_nagle() >= 3  # the listener and both ends of the connection

        late = socket.create_connection(listener.getsockname())
        served_late, _ = listener.accept()
        with early, served_early, late, served_late:
            assert _nodelay(listener) == 1
            assert _nodelay(served_early) == 1
            assert _nodelay(served_late) == 1  # inherited from the listener


def test_other_sockets_are_left_alone_and_no_descriptor_leaks():
    before = len(os.listdir("/proc/self/fd"))
    left, right = socket.socketpair()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM), left, right:
        tcp.disable_nagle()  # UDP and Unix sockets have no TCP options: skipped, no error
        assert len(os.listdir("/proc/self/fd")) == before + 3  # every duplicate was closed
