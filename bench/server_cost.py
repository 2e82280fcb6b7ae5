"""What one rerun costs the server, per page: Streamlit's websocket protocol, no browser.

For each page one session connects to ws://127.0.0.1:PORT/_stcore/stream (subprotocol
"streamlit"), asks for the page (BackMsg.rerun_script), waits for the final
script_finished and notes the slider elements the server sent. Then it changes one
slider `repeats` times, each a rerun_script carrying the page's hash and
WidgetState{id, double_array_value=[v]} (a select slider would get
string_array_value=[option]), and times each rerun:

- ms: client wall time from sending the BackMsg to receiving the run's final
  script_finished, on loopback (so it is the server's time plus a few ms of local
  transport and protobuf parsing);
- KB: bytes of all websocket frames received in that interval (the server does not
  compress websocket frames by default).

The client behaves like the browser where it matters for cost: it sends back the query
string the app last wrote (page_info_changed), and lists the hashes of the large
("cacheable") messages it has received, so unchanged large elements come back as a short
ref_hash, just as they do for a browser tab. Unlike a browser it lists only the changed
widget's state (a browser lists every widget); the server keeps the others' values.
Each change is checked: this app writes every non-default setting to the URL, so the
query string must show the new value; a row notes changes that did not.

Slider values are never repeated: they zig-zag outwards from the default by one slider
step (default+1, default-1, default+2, ...), so every rerun really recomputes anything
that depends on that slider. Caches keyed on other inputs (e.g. a loss surface's grid)
are still warm after the first run, as they are for any real user; if a slider's range
has fewer distinct values than `repeats`, values repeat and the row says so (repeats
can hit st.cache_data and be cheaper). The home page has no slider: its row times a
plain rerun of the same state.

    python -m bench.server_cost            # starts its own server, prints a table

Longer than 300 lines because the protocol client (connect, rerun, collect deltas)
and its report live together: the load test builds on the same client.
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass, field

import numpy as np
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.Slider_pb2 import Slider
from websockets.sync.client import connect

from bench._server import running_server

PAGES = ("", "playground", "lab", "losses", "gradients")
# The sliders each page's benchmark moves, one row each: a label exactly as the app shows
# it, or "key:<widget key>" where labels repeat (every optimizer has an α). The
# playground's Steps reuses a race run to the next multiple of 50 steps; its α does not.
SLIDERS = {
    "playground": ("Steps", "key:sgd_lr"),
    "lab": ("Points",),
    "losses": ("c₂ (dog)",),
    "gradients": ("Hidden layers (depth)",),
}
SHOWN = {"key:sgd_lr": "SGD's α"}
RUN_TIMEOUT = 60.0  # seconds a single rerun may take before the page is given up
RECV_TIMEOUT = 30.0  # seconds of silence tolerated between two frames
MAX_MESSAGES = 20_000  # frames per rerun, a safety bound
DONE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR}


class BenchError(RuntimeError):
    pass


@dataclass
class Run:
    seconds: float
    nbytes: int
    messages: int
    status: int
    page_not_found: bool
    exceptions: list[str]


@dataclass
class Session:
    """One protocol-level client session (one browser tab's worth of state)."""

    url: str  # http://127.0.0.1:PORT
    ws: object = None
    page_hash: str = ""
    page_url_path: str = ""
    query_string: str = ""
    cached_hashes: set[str] = field(default_factory=set)
    sliders: dict[str, Slider] = field(default_factory=dict)  # label -> last proto seen
    slider_now: dict[str, float] = field(default_factory=dict)  # label -> current value
    # extra keyword arguments for websockets' connect(), e.g. additional_headers (a cookie)
    connect_options: dict = field(default_factory=dict)

    def __enter__(self) -> Session:
        if self.ws is not None:  # already connected: `with` on an open session
            return self
        ws_url = self.url.replace("http://", "ws://", 1).rstrip("/") + "/_stcore/stream"
        if not ws_url.startswith("ws://127.0.0.1:"):
            raise BenchError(f"refusing to connect anywhere but 127.0.0.1: {ws_url}")
        options = {"max_size": None, "compression": None, "open_timeout": 10,
                   "close_timeout": 2, **self.connect_options}
        self._connection = connect(ws_url, subprotocols=["streamlit"], **options)
        self.ws = self._connection.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self.ws is not None:
            self._connection.__exit__(None, None, None)
            self.ws = None

    def rerun(self, page_name: str = "", widget_states: list | None = None) -> Run:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query_string
        state.page_script_hash = self.page_hash
        state.page_name = page_name if not self.page_hash else ""
        for widget in widget_states or []:
            state.widget_states.widgets.append(widget)
        state.cached_message_hashes.extend(sorted(self.cached_hashes))
        payload = msg.SerializeToString()

        nbytes, count, not_found, exceptions = 0, 0, False, []
        start = time.perf_counter()
        deadline = start + RUN_TIMEOUT
        self.ws.send(payload)
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0 or count >= MAX_MESSAGES:
                raise BenchError(f"no final script_finished within {RUN_TIMEOUT:g} s "
                                 f"({count} frames)")
            try:
                data = self.ws.recv(timeout=min(remaining, RECV_TIMEOUT))
            except TimeoutError:
                raise BenchError(f"no frame for {min(remaining, RECV_TIMEOUT):g} s "
                                 f"({count} frames so far)") from None
            count += 1
            nbytes += len(data)
            fwd = ForwardMsg.FromString(data)
            kind = fwd.WhichOneof("type")
            if fwd.metadata.cacheable and fwd.hash:
                self.cached_hashes.add(fwd.hash)
            if kind == "script_finished":
                if fwd.script_finished in DONE:
                    return Run(time.perf_counter() - start, nbytes, count,
                               fwd.script_finished, not_found, exceptions)
            elif kind == "navigation":
                self.page_hash = fwd.navigation.page_script_hash
                for page in fwd.navigation.app_pages:
                    if page.page_script_hash == self.page_hash:
                        self.page_url_path = page.url_pathname
            elif kind == "page_info_changed":
                self.query_string = fwd.page_info_changed.query_string
            elif kind == "page_not_found":
                not_found = True
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                which = element.WhichOneof("type")
                if which == "slider":
                    slider = element.slider
                    now = _set_value(slider)
                    for name in _names(slider):
                        self.sliders[name] = slider
                        if now is not None:  # value set by the script or session state
                            self.slider_now[name] = now
                        elif name not in self.slider_now:
                            self.slider_now[name] = (slider.value or slider.default)[0]
                elif which == "exception":
                    exceptions.append(f"{element.exception.type}: {element.exception.message}")


def _set_value(slider: Slider) -> float | None:
    """The value the server set, if it did: a select slider sends its option's text
    (raw_value), as an index into its options here."""
    if not slider.set_value:
        return None
    if slider.value:
        return slider.value[0]
    if slider.raw_value and slider.raw_value[0] in slider.options:
        return float(list(slider.options).index(slider.raw_value[0]))
    return None


def _names(slider: Slider) -> list[str]:
    """A slider's label, and "key:<key>" if the app gave it a key (ids end in -<key>)."""
    names = [slider.label]
    if slider.id.startswith("$$ID-") and slider.id.count("-") >= 2:
        names.append("key:" + slider.id.split("-", 2)[2])
    return names


def slider_values(slider: Slider, current: float, count: int) -> tuple[list[float], bool]:
    """`count` values zig-zagging outwards from the slider's current value by one step,
    never the start value and without repeats while the range allows; (values, repeated)."""
    if slider.type == Slider.SELECT_SLIDER:
        low, high, step = 0.0, float(len(slider.options) - 1), 1.0
    else:
        low, high, step = slider.min, slider.max, slider.step or 1.0
    digits = max(0, -math.floor(math.log10(step))) + 2 if step < 1 else 0
    fresh, k = [], 1
    while len(fresh) < count and k <= (high - low) / step + 1:
        for v in (current + k * step, current - k * step):
            if low - 1e-9 <= v <= high + 1e-9 and len(fresh) < count:
                fresh.append(round(v, digits) if digits else float(round(v)))
        k += 1
    if not fresh:
        return [], False
    values = [fresh[i % len(fresh)] for i in range(count)]
    return values, len(fresh) < count


def widget_state(slider: Slider, value: float):
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    state = WidgetState(id=slider.id)
    if slider.type == Slider.SELECT_SLIDER:
        state.string_array_value.data.append(slider.options[int(value)])
    else:
        state.double_array_value.data.append(value)
    return state


def _first_run(url: str, page: str) -> tuple[Session, Run]:
    """Open a session on `page`; a fresh server may say "Page not found" once: retry."""
    for _attempt in range(2):
        session = Session(url).__enter__()
        try:
            run = session.rerun(page_name=page)
            if not run.page_not_found and session.page_url_path == page:
                return session, run
        except BaseException:
            session.__exit__()
            raise
        session.__exit__()
    raise BenchError(f"the server did not run page {page!r} "
                     f"(page_not_found={run.page_not_found}, ran {session.page_url_path!r})")


def _shown(slider: Slider, value: float) -> str:
    """The value as the app writes it to the URL (a select slider's formatted option)."""
    if slider.type == Slider.SELECT_SLIDER:
        return slider.options[int(value)]
    return f"{value:.12g}"


def _applied(session: Session, slider: Slider, before: str, value: float) -> bool:
    """Did the server use the new slider value? This app writes every non-default
    setting to the URL, so the query string must change and show the value."""
    return (session.query_string != before
            and f"={_shown(slider, value)}" in session.query_string)


def _summary(page: str, label: str, runs: list[Run], first: Run, note: str) -> dict:
    ms = np.array([r.seconds * 1000 for r in runs])
    kb = np.array([r.nbytes / 1000 for r in runs])
    return {"page": page or "(home)", "slider": label, "n": len(runs),
            "median_ms": float(np.median(ms)), "p95_ms": float(np.percentile(ms, 95)),
            "min_ms": float(ms.min()), "median_kb": float(np.median(kb)),
            "first_ms": first.seconds * 1000, "first_kb": first.nbytes / 1000, "note": note}


def _na(page: str, label: str, reason: str) -> dict:
    return {"page": page or "(home)", "slider": label, "n": 0, "median_ms": None,
            "p95_ms": None, "min_ms": None, "median_kb": None, "first_ms": None,
            "first_kb": None, "note": f"n/a: {reason}"}


def measure_page(url: str, page: str, repeats: int, label: str | None = None) -> dict:
    """One page's row: `label` is the slider to move (see SLIDERS), None for a plain rerun."""
    shown = SHOWN.get(label, label) or "(plain rerun)"
    try:
        session, first = _first_run(url, page)
    except (BenchError, OSError) as exc:
        return _na(page, shown, str(exc))
    with session:
        if first.exceptions:
            return _na(page, shown, f"exception on load: {first.exceptions[0]}")
        runs, notes = [], []
        try:
            if label is None:
                for _ in range(repeats):
                    runs.append(session.rerun())
                values_note = "same state each time"
            else:
                slider = session.sliders.get(label)
                if slider is None:
                    seen = ", ".join(session.sliders) or "none"
                    return _na(page, shown, f"slider not found (sliders seen: {seen})")
                values, repeated = slider_values(slider, session.slider_now[label], repeats)
                if not values:
                    return _na(page, shown, "slider has a single value")
                unconfirmed = 0
                for value in values:
                    before = session.query_string
                    runs.append(session.rerun(widget_states=[widget_state(slider, value)]))
                    # This app writes every non-default setting to the URL: a new value
                    # must change the query string, else the server ignored the change.
                    unconfirmed += not _applied(session, slider, before, value)
                    session.slider_now[label] = value
                    slider = session.sliders.get(label, slider)  # id can change with args
                if unconfirmed == len(values):
                    return _na(page, shown, "the server ignored every slider change (the "
                                            "query string never showed the new value)")
                if unconfirmed:
                    notes.append(f"{unconfirmed} changes did not show in the URL "
                                 "(value maybe ignored)")
                values_note = (f"{len(set(values))} distinct values "
                               f"{_shown(slider, min(values))}..{_shown(slider, max(values))}")
                if repeated:
                    values_note += " (values repeat: cache hits may make those cheaper)"
        except (BenchError, OSError) as exc:
            if not runs:
                return _na(page, shown, str(exc))
            notes.append(f"stopped after {len(runs)} reruns: {exc}")
        errors = [e for r in runs for e in r.exceptions]
        if errors:
            notes.append(f"{len(errors)} exceptions, e.g. {errors[0]}")
        return _summary(page, shown, runs, first, "; ".join([values_note, *notes]))


def warm(url: str) -> None:
    """One run of the default page, so the server knows its page list."""
    with Session(url) as session:
        session.rerun(page_name="")


def measure(pages: tuple[str, ...] = PAGES, repeats: int = 15, url: str | None = None
            ) -> list[dict]:
    """Rows of per-page rerun cost. Starts (and stops) its own server unless `url` given."""
    if url is None:
        with running_server() as own:
            return measure(pages, repeats, own)
    warm(url)
    return [measure_page(url, page, repeats, label)
            for page in pages for label in SLIDERS.get(page, (None,))]


def table(rows: list[dict]) -> str:
    def num(v, fmt):
        return "n/a" if v is None else format(v, fmt)

    lines = [f"{'page':<11} {'slider':<22} {'n':>3} {'median ms':>10} {'p95 ms':>8} "
             f"{'median KB':>10} {'first ms':>9} {'first KB':>9}  note"]
    for r in rows:
        lines.append(f"{r['page']:<11} {r['slider']:<22} {r['n']:>3} "
                     f"{num(r['median_ms'], '.0f'):>10} {num(r['p95_ms'], '.0f'):>8} "
                     f"{num(r['median_kb'], '.1f'):>10} {num(r['first_ms'], '.0f'):>9} "
                     f"{num(r['first_kb'], '.1f'):>9}  {r['note']}")
    return "\n".join(lines)


def main() -> list[dict]:
    rows = measure()
    print("Server cost per rerun: one protocol-level session per page, loopback, client "
          "wall time from BackMsg sent to final script_finished; KB = websocket bytes "
          "received per rerun; first = the page's initial load.")
    print(table(rows))
    return rows


if __name__ == "__main__":
    main()
    sys.exit(0)
