"""Start and stop a private Streamlit server for a benchmark (127.0.0.1 only).

Same approach as tests/browser/conftest.py: `streamlit run app.py` on a free loopback
port in its own process group, polled on /_stcore/health; stopped by that process
group only (never by name). The server log goes to a temporary file.

    with running_server() as url:   # e.g. "http://127.0.0.1:40123"
        ...
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT = 30.0  # seconds until /_stcore/health must answer "ok"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().decode().strip() == "ok"
    except OSError:
        return False


def stop(process: subprocess.Popen) -> None:
    """Stop the server's own process group (it was started in a new session)."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def start(log_path: Path | None = None) -> tuple[subprocess.Popen, str, Path]:
    """Start `streamlit run app.py`; returns (process, base URL, log path)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    if log_path is None:
        log_path = Path(tempfile.gettempdir()) / f"descent-bench-server-{port}.log"
    command = [sys.executable, "-m", "streamlit", "run", "app.py",
               "--server.headless", "true", "--server.port", str(port),
               "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none"]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        if healthy(url):
            return process, url, log_path
        time.sleep(0.2)
    stop(process)
    raise RuntimeError(f"Streamlit did not become healthy at {url} within "
                       f"{STARTUP_TIMEOUT:.0f} s (exit code {process.returncode}). "
                       f"Server log:\n{log_path.read_text()}")


@contextlib.contextmanager
def running_server(log_path: Path | None = None) -> Iterator[str]:
    """A fresh server for the duration of the block; yields its base URL."""
    process, url, log_path = start(log_path)
    try:
        yield url
    finally:
        died = process.poll()
        stop(process)
        if died is not None:
            print(f"Streamlit server exited early (code {died}); log: {log_path}",
                  file=sys.stderr)
