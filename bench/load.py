"""Many sessions at once through HAProxy in front of several replicas, at protocol level.

    python -m bench.load [--sessions 100] [--replicas 2] [--seconds 120] [--interval 2]
                         [--kill-halfway] [--no-restart] [--no-wait]

Starts deploy.cluster.Cluster (N `streamlit run app.py` replicas on 127.0.0.1 behind
HAProxy, sticky cookie DESCENT) and warms each replica with one playground run, straight
to its own port. Then each session, in its own thread, does what a browser tab does:

1. GET /playground through the proxy and keep the cookies it sets: HAProxy's
   Set-Cookie DESCENT=sN pins the session to replica sN;
2. open ws://…/_stcore/stream with those cookies in a Cookie header (the client of
   bench.server_cost), ask for the playground and wait for its final script_finished;
3. once every session is open, change the playground's Steps slider every `interval`
   seconds for `seconds` seconds (values zig-zag as in server_cost; each session at its
   own phase of the interval), timing each rerun from the BackMsg sent to the run's final
   script_finished. A session has one change in flight at most: a tick that comes while
   its previous rerun still runs is skipped and counted as missed.

Between reruns a session listens on its websocket, so it sees a closed connection at
once, as the browser does, and reconnects the way Streamlit's frontend does: an HTTP
request through the proxy with its cookies (the health endpoint, which the frontend polls
before it reconnects; HAProxy's redispatch sends it to a live replica and sets a new
DESCENT cookie), a new websocket with the new cookie, and a run of the page with the query
string the app last wrote (it holds every setting). "Back after" runs from the kill to
that run's script_finished.

--kill-halfway SIGKILLs one replica (cluster.kill) at half time and, unless --no-restart,
starts it again (cluster.restart) at three quarters; at the end a request with each
re-pinned session's cookies checks that HAProxy still sends it to its new replica.

Before it starts it waits until no chromium or pytest process of other developers runs
(polls every 15 s, at most 25 min; --no-wait skips) and says if it ran on a busy machine.
The client shares the cores with the replicas: its CPU time is printed with theirs.
Longer than 300 lines: a session's life (pin, open, tick, reconnect) and the report of
a run with a kill belong together.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import http.client
import math
import os
import platform
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import streamlit
from websockets.exceptions import ConnectionClosed

from bench.server_cost import BenchError, Session, _applied, slider_values, widget_state
from deploy.cluster import COOKIE, Cluster

PAGE, SLIDER = "playground", "Steps"
OPEN_TIMEOUT = 180.0  # seconds for every session to open its page before the clock starts
RECONNECT_TIMEOUT = 90.0  # seconds a reset session keeps trying to come back
DRAIN_TIMEOUT = 90.0  # seconds after the end for the last reruns (server_cost: 60 s each)
QUIET_POLL, QUIET_MAX = 15.0, 25 * 60.0
LOST = (ConnectionClosed, OSError)  # a closed or refused connection


def http_get(url: str, path: str, cookies: dict[str, str]) -> tuple[int, dict[str, str]]:
    """GET url+path (127.0.0.1 only) with `cookies`; returns (status, cookies it sets)."""
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname != "127.0.0.1":
        raise BenchError(f"refusing to connect anywhere but 127.0.0.1: {url}")
    connection = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=10)
    try:
        headers = {"Cookie": cookie_header(cookies)} if cookies else {}
        connection.request("GET", parts.path + path, headers=headers)
        response = connection.getresponse()
        response.read()
        jar: SimpleCookie = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        return response.status, {name: morsel.value for name, morsel in jar.items()}
    finally:
        connection.close()


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


@dataclass
class Plan:
    """What every session shares: where, how long, how often, and the clock."""

    url: str
    sessions: int
    seconds: float
    interval: float
    start: float = 0.0  # time.monotonic() of t = 0, set before `go`
    go: threading.Event = field(default_factory=threading.Event)
    killed_at: float | None = None  # time.monotonic() of the kill


@dataclass
class Rerun:
    sent: float  # seconds after t = 0
    replica: str
    seconds: float | None  # None: no final script_finished (lost or failed)


@dataclass
class Reset:
    lost: float  # seconds after t = 0 when the session saw its connection go
    before: str
    after: str = ""  # the replica it came back on ("" if it did not)
    back_after: float | None = None  # from the kill (or the loss) to its first run
    in_flight: bool = False  # a rerun was running when the connection went
    attempts: int = 0
    failures: list[str] = field(default_factory=list)  # why attempts failed


@dataclass
class Client:
    """One protocol-level browser tab."""

    index: int
    plan: Plan
    replica: str = ""  # where its cookie pins it now
    first_replica: str = ""
    cookies: dict[str, str] = field(default_factory=dict)
    session: Session | None = None
    reruns: list[Rerun] = field(default_factory=list)
    resets: list[Reset] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    missed: int = 0
    unconfirmed: int = 0
    opened: bool = False
    ready: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        try:
            self.pin()
            self.open_page()
            self.opened = True
        except (BenchError, *LOST) as exc:
            self.errors.append(f"open: {exc}")
        finally:
            self.ready.set()
        try:
            if self.opened and self.plan.go.wait(OPEN_TIMEOUT + 30):
                self.drive()
        except Exception as exc:  # a bug in this client: report it, never hang
            self.errors.append(f"client: {type(exc).__name__}: {exc}")
        finally:
            self.close()

    def pin(self) -> None:
        status, self.cookies = http_get(self.plan.url, f"/{PAGE}", {})
        if status != 200 or COOKIE not in self.cookies:
            raise BenchError(f"GET /{PAGE}: status {status}, cookies {sorted(self.cookies)}")
        self.replica = self.first_replica = self.cookies[COOKIE]

    def open_page(self, query_string: str = "") -> None:
        """A new websocket with the cookies, and a first run of the playground."""
        self.close()
        self.session = Session(self.plan.url, query_string=query_string, connect_options={
            "additional_headers": {"Cookie": cookie_header(self.cookies)},
            "ping_interval": None})  # a browser sends no websocket pings either
        self.session.__enter__()
        run = self.session.rerun(page_name=PAGE)
        if run.page_not_found or self.session.page_url_path != PAGE:
            raise BenchError(f"page {PAGE!r} not run (page_not_found={run.page_not_found})")
        if run.exceptions:
            raise BenchError(f"exception on load: {run.exceptions[0]}")
        if SLIDER not in self.session.sliders:
            raise BenchError(f"no slider {SLIDER!r}")

    def close(self) -> None:
        if self.session is not None:
            try:
                self.session.__exit__()
            except Exception:  # already broken: nothing to close politely
                self.session.ws = None
            self.session = None

    def drive(self) -> None:
        plan = self.plan
        count = int(plan.seconds / plan.interval) + 2
        values, _ = slider_values(self.session.sliders[SLIDER],
                                  self.session.slider_now[SLIDER], count)
        shift = self.index % len(values)  # sessions do not all send the same value at once
        values = values[shift:] + values[:shift]
        end = plan.start + plan.seconds
        tick = plan.start + self.index / plan.sessions * plan.interval
        sent = 0
        while True:
            behind = time.monotonic() - tick
            if behind > 0:  # the previous rerun ran past this tick: skip to the next one
                skipped = math.ceil(behind / plan.interval)
                self.missed += skipped
                tick += skipped * plan.interval
            if tick >= end:
                return
            if not self.listen(until=tick):
                if not self.recover():
                    return
                continue
            slider = self.session.sliders[SLIDER]
            value = values[sent % len(values)]
            sent += 1
            before = self.session.query_string
            t_sent = time.monotonic()
            rerun = Rerun(t_sent - plan.start, self.replica, None)
            self.reruns.append(rerun)
            tick += plan.interval
            try:
                run = self.session.rerun(widget_states=[widget_state(slider, value)])
            except LOST:  # its replica went away with the rerun in flight
                if not self.recover(in_flight=True):
                    return
                continue
            except BenchError as exc:  # too slow: start afresh, as a reload would
                self.errors.append(f"rerun: {exc}")
                if not self.recover():
                    return
                continue
            rerun.seconds = time.monotonic() - t_sent
            self.errors.extend(f"rerun exception: {e}" for e in run.exceptions)
            self.unconfirmed += not _applied(self.session, slider, before, value)
            self.session.slider_now[SLIDER] = value

    def listen(self, until: float) -> bool:
        """Wait until `until` on the open websocket; False if it closed meanwhile."""
        while (remaining := until - time.monotonic()) > 0:
            try:
                self.session.ws.recv(timeout=remaining)  # a stray frame: nothing to do
            except TimeoutError:
                return True
            except LOST:
                return False
        return True

    def recover(self, in_flight: bool = False) -> bool:
        """Reconnect through the proxy as the frontend does; False if it never came back."""
        plan, lost_at = self.plan, time.monotonic()
        query_string = self.session.query_string if self.session else ""
        reset = Reset(lost_at - plan.start, self.replica, in_flight=in_flight)
        self.resets.append(reset)
        self.close()
        error = ""
        while time.monotonic() < lost_at + RECONNECT_TIMEOUT:
            reset.attempts += 1
            try:
                status, new = http_get(plan.url, "/_stcore/health", self.cookies)
                self.cookies.update(new)
                if status != 200:
                    raise BenchError(f"health check through the proxy: status {status}")
                self.replica = self.cookies[COOKIE]
                self.open_page(query_string)
            except (BenchError, *LOST) as exc:
                error = f"{type(exc).__name__}: {exc}"
                reset.failures.append(error)
                self.close()
                time.sleep(0.5)
                continue
            since = plan.killed_at if plan.killed_at is not None else lost_at
            reset.after, reset.back_after = self.replica, time.monotonic() - since
            return True
        self.errors.append(f"did not come back within {RECONNECT_TIMEOUT:g} s: {error}")
        return False


def busy_processes() -> list[str]:
    """Other developers' chromium or pytest processes (zombies left out: they use no CPU)."""
    found = subprocess.run(["pgrep", "-af", "chromium|pytest"], capture_output=True,
                           text=True, check=False).stdout.splitlines()
    busy = []
    for line in found:
        pid, _, command = line.partition(" ")
        try:
            with open(f"/proc/{pid}/stat") as stat:
                state = stat.read().rpartition(")")[2].split()[0]
        except OSError:  # gone meanwhile
            continue
        if int(pid) != os.getpid() and state != "Z":
            busy.append(f"{pid} {command[:60]}")
    return busy


def wait_quiet() -> str:
    started = time.monotonic()
    while busy := busy_processes():
        if time.monotonic() - started >= QUIET_MAX:
            return (f"BUSY: ran anyway after waiting {QUIET_MAX / 60:.0f} min; still running: "
                    + "; ".join(busy[:3]))
        time.sleep(QUIET_POLL)
    return f"quiet (no chromium or pytest running; waited {time.monotonic() - started:.0f} s)"


class BusyWatch(threading.Thread):
    """Polls for other developers' chromium/pytest while the measurement runs."""

    def __init__(self) -> None:
        super().__init__(name="busy-watch", daemon=True)
        self.seen: set[str] = set()
        self.polls = self.busy = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(5.0):
            found = busy_processes()
            self.polls += 1
            self.busy += bool(found)
            self.seen.update(line.split(" ", 1)[1][:40] for line in found)

    def note(self) -> str:
        if not self.seen:
            return f"none seen ({self.polls} polls, 5 s apart)"
        return (f"DISTURBED: busy in {self.busy} of {self.polls} polls (5 s apart), e.g. "
                + "; ".join(sorted(self.seen)[:2]))


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU time of one process, from /proc (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
    except (OSError, TypeError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU seconds per process since `start()` (a process first seen later counts fully)."""

    def __init__(self) -> None:
        self.first: dict[int, tuple[str, float]] = {}
        self.last: dict[int, float] = {}

    def sample(self, processes: dict[str, int | None], new: bool = False) -> None:
        for name, pid in processes.items():
            if pid is None:
                continue
            now = cpu_seconds(pid)
            if pid not in self.first:
                self.first[pid] = (name, 0.0 if new else now)
            if now:
                self.last[pid] = now

    def totals(self) -> dict[str, float]:
        out: dict[str, float] = collections.defaultdict(float)
        for pid, (name, first) in self.first.items():
            out[name] += self.last.get(pid, first) - first
        return dict(out)


def processes(cluster: Cluster) -> dict[str, int | None]:
    return {**{r.name: r.pid for r in cluster.replicas if r.alive}, "HAProxy": cluster.proxy.pid}


def sleep_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.monotonic()))


def proxy_events(log: Path) -> str:
    """What HAProxy's log says about its health checks: servers marked down, and why."""
    try:
        lines = log.read_text(errors="replace").splitlines()
    except OSError:
        return "no log"
    down: collections.Counter[str] = collections.Counter()
    for line in lines:  # "Server replicas/s1 is DOWN, reason: Layer7 timeout, check ..."
        if line.startswith("Server ") and " is DOWN, reason: " in line:
            server = line.split()[1].split("/")[-1]
            down[f"{server} ({line.split('reason: ')[1].split(',')[0]})"] += 1
    empty = sum(line.startswith("backend ") and "no server available" in line for line in lines)
    refused = sum(" 503 " in line for line in lines if line.startswith("127.0.0.1:"))
    marked = ", ".join(f"{k} {v}×" for k, v in sorted(down.items())) or "none"
    return (f"servers marked DOWN: {marked}; no server available {empty}×; "
            f"requests answered 503 {refused}")


def latency(runs: list[Rerun]) -> str:
    done = [r.seconds for r in runs if r.seconds is not None]
    if not done:
        return "n/a"
    p50, p95 = np.percentile(done, [50, 95])
    return f"p50 {p50:.2f} s, p95 {p95:.2f} s, max {max(done):.2f} s (n={len(done)})"


def stats(values: list[float]) -> str:
    if not values:
        return "n/a"
    return (f"min {min(values):.2f} s, median {float(np.median(values)):.2f} s, "
            f"max {max(values):.2f} s")


def report(args, clients: list[Client], events: dict, quiet: str, cpu: dict) -> None:
    opened = [c for c in clients if c.opened]
    reruns = [r for c in opened for r in c.reruns]
    done = [r for r in reruns if r.seconds is not None]
    kill = f"; kill {args.kill} at {args.seconds / 2:g} s" if args.kill_halfway else ""
    print(f"Load through HAProxy, {datetime.datetime.now():%Y-%m-%d %H:%M}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, "
          f"streamlit {streamlit.__version__}")
    print(f"{args.sessions} sessions, {args.replicas} replicas, {PAGE} {SLIDER} changed every "
          f"{args.interval:g} s for {args.seconds:g} s{kill}")
    print(f"machine before the run: {quiet}; other chromium/pytest during it: "
          f"{events['watch']}")
    pinned = collections.Counter(c.first_replica for c in opened)
    print(f"opened {len(opened)}/{len(clients)} sessions in {events['opened_in']:.1f} s; "
          f"pinned: " + ", ".join(f"{k} {v}" for k, v in sorted(pinned.items())))
    share = 100 * len(done) / len(reruns) if reruns else 0.0
    print(f"reruns sent {len(reruns)}, completed {len(done)} ({share:.1f} %); ticks missed "
          f"(previous rerun still running) {sum(c.missed for c in opened)}; changes not "
          f"shown in the URL {sum(c.unconfirmed for c in opened)}; sessions reset "
          f"(websocket closed) {sum(bool(c.resets) for c in opened)}")
    print("latency, BackMsg sent -> final script_finished, by the replica that ran it:")
    print(f"  {'replica':<8} {'sent':>6} {'done':>6}  latency")
    for name in sorted({r.replica for r in reruns}):
        mine = [r for r in reruns if r.replica == name]
        print(f"  {name:<8} {len(mine):>6} {sum(r.seconds is not None for r in mine):>6}  "
              f"{latency(mine)}")
    print(f"  {'all':<8} {len(reruns):>6} {len(done):>6}  {latency(reruns)}")
    errors = collections.Counter(e for c in clients for e in c.errors)
    print(f"errors: {sum(errors.values())}" + "".join(
        f"\n  {n} × {message[:150]}" for message, n in errors.most_common(5)))
    window = args.seconds + 1
    print(f"CPU seconds while measuring (2 cores × {window:g} s = {2 * window:g} available): "
          + ", ".join(f"{k} {v:.1f}" for k, v in sorted(cpu.items())))
    print(f"HAProxy's log: {events['proxy']}")
    if args.kill_halfway:
        report_kill(args, opened, events)


def report_kill(args, opened: list[Client], events: dict) -> None:
    victim, kill_t = args.kill, events["kill_t"]
    on_victim = [c for c in opened if c.first_replica == victim]
    survivors = [c for c in opened if c.first_replica != victim]
    reset = [c for c in opened if c.resets]
    back = [c.resets[0].back_after for c in reset if c.resets[0].back_after is not None]
    repinned = collections.Counter(c.resets[0].after or "nowhere" for c in reset)
    lost = sum(c.resets[0].in_flight for c in reset)
    print(f"kill: SIGKILL {victim} at t={events['kill_t']:.1f} s; it had {len(on_victim)} "
          f"sessions; reset (websocket closed) {len(reset)}, of which on {victim} "
          f"{sum(c in on_victim for c in reset)}; re-pinned to "
          + ", ".join(f"{k} {v}" for k, v in sorted(repinned.items())))
    seen = [c.resets[0].lost - kill_t for c in reset]
    failures = collections.Counter(f[:100] for c in reset for f in c.resets[0].failures)
    print(f"  saw the close after: {stats(seen)}; back after (kill -> first script_finished "
          f"on the new replica): {stats(back)}; reruns in flight lost at the kill {lost}")
    print(f"  reconnect attempts {sum(c.resets[0].attempts for c in reset)}, failed ones: "
          + ("none" if not failures else "; ".join(
              f"{n} × {message}" for message, n in failures.most_common(3))))
    restart = events.get("restart_t")
    phases = [("before the kill", 0, kill_t), ("after the kill", kill_t, restart or math.inf)]
    if restart is not None:
        phases.append((f"after {victim}'s restart", restart, math.inf))
    for label, group in (("survivors", survivors), (f"{victim}'s sessions", on_victim)):
        runs = [r for c in group for r in c.reruns]
        print(f"  {label} ({len(group)} sessions): resets {sum(len(c.resets) for c in group)}, "
              f"errors {sum(len(c.errors) for c in group)}, reruns completed "
              f"{sum(r.seconds is not None for r in runs)}/{len(runs)}")
        for phase, low, high in phases:
            print(f"    {phase}: {latency([r for r in runs if low <= r.sent < high])}")
    if restart is not None:
        after = collections.Counter(r.replica for c in reset for r in c.reruns if r.sent >= restart)
        print(f"restart: {victim} started again at t={restart:.1f} s (cluster.restart took "
              f"{events['restart_took']:.1f} s)")
        print(f"  re-pinned sessions whose cookie still leads to their new replica at the end: "
              f"{events['sticky']}/{len(reset)}; their reruns after the restart ran on: "
              + ", ".join(f"{k} {v}" for k, v in sorted(after.items())))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--interval", type=float, default=2.0)
    parser.add_argument("--kill-halfway", action="store_true",
                        help="SIGKILL one replica at half time")
    parser.add_argument("--kill", default="s1", help="the replica to kill (default s1)")
    parser.add_argument("--no-restart", action="store_true",
                        help="with --kill-halfway: do not start it again at three quarters")
    parser.add_argument("--no-wait", action="store_true",
                        help="do not wait for other developers' chromium/pytest to finish")
    args = parser.parse_args(argv)
    # SIGTERM ends the run through `with Cluster`, which stops what it started
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))
    quiet = "not checked (--no-wait)" if args.no_wait else wait_quiet()
    events: dict = {}
    with Cluster(replicas=args.replicas) as cluster:
        if not cluster.url.startswith("http://127.0.0.1:"):
            raise BenchError(f"the cluster is not on 127.0.0.1: {cluster.url}")
        for replica in cluster.replicas:  # a fresh server's first deep link can miss
            with Session(cluster.replica_url(replica.name)) as session:
                run = session.rerun(page_name=PAGE)
                if run.exceptions or run.page_not_found:
                    raise BenchError(f"warming {replica.name}: the {PAGE} page fails "
                                     f"({run.exceptions or 'page not found'}); see "
                                     f"{replica.log}")
        plan = Plan(cluster.url, args.sessions, args.seconds, args.interval)
        clients = [Client(i, plan) for i in range(args.sessions)]
        threads = [threading.Thread(target=c.run, name=f"session-{c.index}", daemon=True)
                   for c in clients]
        opening = time.monotonic()
        for thread in threads:
            thread.start()
            time.sleep(0.02)
        for client in clients:
            client.ready.wait(max(0.0, opening + OPEN_TIMEOUT - time.monotonic()))
        events["opened_in"] = time.monotonic() - opening
        meter, client_cpu = CpuMeter(), time.process_time()
        meter.sample(processes(cluster))
        plan.start = time.monotonic() + 1.0
        plan.go.set()
        watch = BusyWatch()
        watch.start()
        if args.kill_halfway:
            sleep_until(plan.start + args.seconds / 2)
            meter.sample(processes(cluster))
            plan.killed_at = time.monotonic()
            events["kill_t"] = plan.killed_at - plan.start
            cluster.kill(args.kill)
            if not args.no_restart:
                sleep_until(plan.start + args.seconds * 3 / 4)
                began = time.monotonic()
                cluster.restart(args.kill)
                events["restart_t"] = began - plan.start
                events["restart_took"] = time.monotonic() - began
                meter.sample(processes(cluster), new=True)
        sleep_until(plan.start + args.seconds)
        meter.sample(processes(cluster))
        cpu = {**meter.totals(), "this client": time.process_time() - client_cpu}
        watch.stop.set()
        events["watch"] = watch.note()
        for thread in threads:
            thread.join(max(0.0, plan.start + args.seconds + DRAIN_TIMEOUT - time.monotonic()))
        if "restart_t" in events:  # does a reload of a re-pinned tab stay where it is now?
            sticky = 0
            for client in (c for c in clients if c.resets):
                status, new = http_get(cluster.url, "/_stcore/health", client.cookies)
                sticky += status == 200 and COOKIE not in new
            events["sticky"] = sticky
    events["proxy"] = proxy_events(cluster.log_dir / "haproxy.log")
    report(args, clients, events, quiet, cpu)
    return 0 if all(c.opened and not c.errors for c in clients) else 1


if __name__ == "__main__":
    sys.exit(main())
