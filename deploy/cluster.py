"""Several Descent replicas behind Debian's HAProxy on this machine (127.0.0.1 only).

Used by deploy/local-cluster and by tests/browser/test_cluster_browser.py:

    with Cluster(replicas=2, base_path="/descent") as cluster:
        cluster.url                    # the proxy, e.g. "http://127.0.0.1:40100/descent"
        cluster.kill("s1")             # SIGKILL replica s1's process group
        cluster.restart("s1")          # start it again on its port, healthy and warm

Each replica is `python -m streamlit run app.py` on its own loopback port, in its own
process group, with the cluster's shared cookie secret and cache hash seed. HAProxy runs
in the foreground (`-db`) on a copy of deploy/haproxy.cfg whose replicas block lists them
as `server sN 127.0.0.1:PORT ... cookie sN`: the sticky cookie DESCENT names the replica.
Everything is stopped through the pids this object started, never by name.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # deploy/local-cluster runs this from any folder
    sys.path.insert(0, str(ROOT))

from bench._server import free_port, healthy  # noqa: E402  (one server, one way to probe)

HAPROXY_CFG = ROOT / "deploy" / "haproxy.cfg"
BEGIN, END = "# >>> replicas", "# <<< replicas"
COOKIE = "DESCENT"
SERVER_LINE = "    server {name} 127.0.0.1:{port} check inter 1s fall 2 rise 2 cookie {name}"
STARTUP_TIMEOUT = 60.0  # seconds for a replica to answer /_stcore/health and run a page


def normalize_base_path(path: str) -> str:
    """"" or "/descent" (Streamlit accepts either form; HAProxy needs the slash)."""
    path = path.strip("/")
    return f"/{path}" if path else ""


def fill_config(text: str, servers: list[tuple[str, int]]) -> str:
    """deploy/haproxy.cfg with its replicas block replaced by one `server` per (name, port)."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip().startswith(BEGIN)]
    ends = [i for i, line in enumerate(lines) if line.strip().startswith(END)]
    if len(starts) != 1 or len(ends) != 1 or ends[0] < starts[0]:
        raise ValueError(f"expected one '{BEGIN}' … '{END}' block in {HAPROXY_CFG}")
    block = [SERVER_LINE.format(name=name, port=port) for name, port in servers]
    return "\n".join([*lines[:starts[0]], *block, *lines[ends[0] + 1:]]) + "\n"


def warm(url: str, timeout: float = STARTUP_TIMEOUT) -> None:
    """Run the home page once over Streamlit's websocket protocol, as a browser would.

    A fresh server learns its page list on its first run; until then the first visitor
    of a deep link (/playground?...) can get "Page not found"."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    message = BackMsg()
    message.rerun_script.query_string = ""
    message.rerun_script.page_name = ""
    stream = url.replace("http://", "ws://", 1) + "/_stcore/stream"
    deadline = time.monotonic() + timeout
    with connect(stream, subprotocols=["streamlit"], open_timeout=timeout,
                 max_size=None) as websocket:
        websocket.send(message.SerializeToString())
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"the home page did not finish a run at {url}")
            reply = ForwardMsg.FromString(websocket.recv(timeout=remaining))
            if reply.WhichOneof("type") == "script_finished":
                return


def stop_group(process: subprocess.Popen | None, sig: int = signal.SIGTERM) -> None:
    """Signal the process group `process` leads (it was started in a new session); after
    SIGTERM, wait up to 10 s and then SIGKILL it."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@dataclass
class Replica:
    name: str  # s1, s2 ...: also its value of the DESCENT cookie
    port: int
    log: Path
    process: subprocess.Popen | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


class Cluster:
    def __init__(self, replicas: int = 2, port: int = 0, base_path: str = "",
                 log_dir: Path | str | None = None) -> None:
        if replicas < 1:
            raise ValueError("at least one replica")
        self.base_path = normalize_base_path(base_path)
        self.port = port or free_port()
        self.log_dir = Path(log_dir or tempfile.mkdtemp(prefix="descent-cluster-"))
        self.log_dir.mkdir(parents=True, exist_ok=True)
        # Every replica must share these (deploy/README.md, "Compose").
        self.env = {**os.environ,
                    "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32),
                    "STREAMLIT_RUNNER_CACHE_HASH_SEED": str(secrets.randbelow(2**32))}
        ports: set[int] = {self.port}
        while len(ports) < replicas + 1:
            ports.add(free_port())
        ports.discard(self.port)
        self.replicas = [Replica(f"s{i + 1}", port, self.log_dir / f"s{i + 1}.log")
                         for i, port in enumerate(sorted(ports))]
        self.proxy: subprocess.Popen | None = None
        self.config = self.log_dir / "haproxy.cfg"

    # ------------------------------------------------------------ addresses

    @property
    def url(self) -> str:
        """The proxy's address, base path included (no trailing slash)."""
        return f"http://127.0.0.1:{self.port}{self.base_path}"

    def replica_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.replica(name).port}{self.base_path}"

    def replica(self, name: str) -> Replica:
        for replica in self.replicas:
            if replica.name == name:
                return replica
        raise KeyError(f"no replica {name!r} (cookie values are s1 … s{len(self.replicas)})")

    # ------------------------------------------------------------ life cycle

    def start(self) -> Cluster:
        for log in (*(replica.log for replica in self.replicas), self.log_dir / "haproxy.log"):
            log.write_text("")  # this run's logs only (a restarted replica appends)
        try:
            for replica in self.replicas:  # start them all, then wait: they boot in parallel
                self._launch(replica)
            for replica in self.replicas:
                self._wait_ready(replica)
            self._start_proxy()
        except BaseException:
            self.stop()
            raise
        return self

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Send `sig` (default SIGKILL: a crash) to the replica's process group."""
        replica = self.replica(name)
        if replica.alive:
            os.killpg(replica.pid, sig)
            replica.process.wait(timeout=10)

    def restart(self, name: str) -> Replica:
        """Start the replica again on its port (stopping it first if it still runs); return
        once it is healthy, warm, and HAProxy sends its visitors to it again."""
        replica = self.replica(name)
        stop_group(replica.process)
        self._launch(replica)
        self._wait_ready(replica)
        deadline = time.monotonic() + 15
        while self.proxy is not None and not self.routes_to(name):
            if time.monotonic() > deadline:
                raise RuntimeError(f"HAProxy did not take {name} back into service")
            time.sleep(0.2)
        return replica

    def routes_to(self, name: str) -> bool:
        """Whether HAProxy sends a visitor whose cookie names `name` to that replica: with
        `insert indirect` it sets no new cookie then, and redispatches (new cookie) if the
        replica is down."""
        request = urllib.request.Request(f"{self.url}/_stcore/health",
                                         headers={"Cookie": f"{COOKIE}={name}"})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                cookies = response.headers.get_all("Set-Cookie") or []
                return response.status == 200 and not any(
                    cookie.startswith(f"{COOKIE}=") for cookie in cookies)
        except OSError:
            return False

    def stop(self) -> None:
        stop_group(self.proxy)
        for replica in self.replicas:
            stop_group(replica.process)

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------ internals

    def _launch(self, replica: Replica) -> None:
        command = [sys.executable, "-m", "streamlit", "run", "app.py",
                   "--server.port", str(replica.port), "--server.address", "127.0.0.1",
                   "--server.headless", "true", "--browser.gatherUsageStats", "false",
                   "--server.fileWatcherType", "none", "--server.baseUrlPath", self.base_path]
        with replica.log.open("a") as log:
            replica.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True)

    def _wait_ready(self, replica: Replica) -> None:
        url = self.replica_url(replica.name)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not healthy(url):
            if replica.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"replica {replica.name} did not become healthy at {url} "
                                   f"(exit code {replica.process.poll()}); log: {replica.log}"
                                   f"\n{replica.log.read_text()[-3000:]}")
            time.sleep(0.2)
        warm(url, timeout=max(1.0, deadline - time.monotonic()))

    def _start_proxy(self) -> None:
        haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
        if not Path(haproxy).exists():
            raise RuntimeError("haproxy not found: apt-get install -y haproxy")
        servers = [(replica.name, replica.port) for replica in self.replicas]
        self.config.write_text(fill_config(HAPROXY_CFG.read_text(), servers))
        env = {**os.environ, "DESCENT_LISTEN": f"127.0.0.1:{self.port}",
               "BASE_PATH": self.base_path}
        log = self.log_dir / "haproxy.log"
        with log.open("a") as out:
            self.proxy = subprocess.Popen([haproxy, "-f", str(self.config), "-db"], env=env,
                                          stdout=out, stderr=subprocess.STDOUT,
                                          stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 15
        while not healthy(self.url):
            if self.proxy.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"HAProxy did not serve {self.url} (exit code "
                                   f"{self.proxy.poll()}):\n{log.read_text()[-3000:]}")
            time.sleep(0.1)
