"""What a user waits for: one slider key press to a redrawn chart, in a real browser.

Playwright drives Debian's Chromium (/usr/bin/chromium; never `playwright install`)
against a private Streamlit server on 127.0.0.1. For each page it focuses one slider's
visually hidden `input[type=range]` (found by its aria-label) and presses an arrow key
`presses` times, one at a time. Each press is timed in the page's own clock, from the
key's keydown event until the first animation frame at which the watched Plotly chart's
trace data have changed (a hash of every trace's x/y/z, as tests/browser/helpers.py
`chart_signature` computes it) and the app is idle
(`[data-testid="stApp"][data-test-script-state="notRunning"]`). The watched chart is
the page's first one, except on the lab page (see PAGES). "drawn" is the time to the
first frame showing the chart's new data, whether or not the run has finished. Between
presses the app must stay idle for a moment (not timed), so presses never overlap.

The time includes everything the user waits for: the frontend's handling of the key,
the websocket round trip, the server's rerun and Plotly drawing. Caveat: Plotly draws
each chart in one long main-thread task, so on a page with several large charts (the
playground has six) "idle" can flip before or after the other charts' drawing,
depending on when script_finished arrives: the times there are bimodal, and the page
may still be drawing its remaining charts after "idle".

The key goes in the direction with room for every press; where the range is too short
(lab "Points": 50..1000 in steps of 50 from 300), it turns at the end and comes back,
so some values repeat and may be cheaper (st.cache_data): the row counts them.

    python -m bench.browser_latency        # starts its own server, prints a table

Longer than 300 lines because the in-page timing script, the server set-up and the
report belong to one measurement.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

from bench._server import running_server
from tests.browser.helpers import _RUN_COUNTER, CHART, EXCEPTION, IDLE  # shared page probes

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 1000}
# (page URL path, slider label, chart): the slider each page's benchmark moves and the
# Plotly chart it watches: None for the page's first chart, else a text in the chart's
# title. The lab's first charts (loss and accuracy per epoch) stay empty until training
# starts, so there the watched chart is the decision boundary, which shows the data.
PAGES = (
    ("playground", "Steps", None),
    ("lab", "Points", "Decision boundary"),
    ("losses", "c₂ (dog)", None),
    ("gradients", "Hidden layers (depth)", None),
)
PRESSES = 20
PRESS_TIMEOUT = 10.0  # seconds from a key press to changed chart + idle app
LOAD_TIMEOUT = 60.0  # seconds for a page's first load and charts
SETTLE = 0.3  # seconds the app must stay idle after a press before the next one
SETTLE_TIMEOUT = 15.0
MAX_TIMEOUTS = 3  # a page is given up after this many presses without a change


# window.__benchSig(): the watched chart's signature (null while it is not drawn): the
# first chart, or the first whose title contains window.__benchTitle. The hash of
# gd.data is remembered per data array, so polling on every frame only hashes again
# when Plotly has put new data in place.
_SIGNATURE = """
window.__benchChart = () => {
  const charts = Array.from(document.querySelectorAll(CHART_SELECTOR));
  const want = window.__benchTitle;
  if (!want) return charts[0] || null;
  const title = gd => {
    const t = gd.layout && gd.layout.title;
    return String((t && (t.text !== undefined ? t.text : t)) || '');
  };
  return charts.find(gd => title(gd).includes(want)) || null;
};
window.__benchSig = () => {
  const gd = window.__benchChart();
  if (!gd || !gd.data || !gd._fullLayout || !gd.querySelector('.main-svg')) return null;
  const memo = window.__benchMemo;
  if (memo && memo.gd === gd && memo.data === gd.data && memo.n === gd.data.length)
    return memo.sig;
  const text = JSON.stringify(gd.data.map(t => [t.x, t.y, t.z]));
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) { h ^= text.charCodeAt(i); h = Math.imul(h, 0x01000193); }
  const sig = gd.data.length + ':' + text.length + ':' + (h >>> 0).toString(16);
  window.__benchMemo = {gd, data: gd.data, n: gd.data.length, sig};
  return sig;
};
""".replace("CHART_SELECTOR", json.dumps(CHART))

# Arms one measurement in the page: t0 = the key's keydown event time; on every
# animation frame after it, `changed` = first frame whose watched chart has new data,
# `done` = first frame with new data and an idle app. All in the page's clock.
_ARM = """(before) => {
  const rec = window.__benchPress = {before, t0: null, changed: null, done: null,
                                     cancelled: false};
  window.addEventListener('keydown', e => { rec.t0 = e.timeStamp; },
                          {capture: true, once: true});
  const poll = () => {
    if (rec.cancelled) return;
    const now = performance.now();
    if (rec.t0 !== null && rec.changed === null) {
      const sig = window.__benchSig();
      if (sig !== null && sig !== before) rec.changed = now;
    }
    if (rec.changed !== null && document.querySelector(IDLE_SELECTOR) !== null) {
      rec.done = now;
      return;
    }
    requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
}""".replace("IDLE_SELECTOR", json.dumps(IDLE))


def _wait_settled(page, timeout: float = SETTLE_TIMEOUT) -> None:
    """Wait until the app has been idle for SETTLE seconds (queued reruns have run) and
    the page has drawn two frames since (pending chart drawing is done)."""
    deadline = time.monotonic() + timeout
    idle_since = None
    while time.monotonic() < deadline:
        if page.locator(IDLE).count() == 1:
            idle_since = idle_since or time.monotonic()
            if time.monotonic() - idle_since >= SETTLE:
                page.evaluate("() => new Promise(done => requestAnimationFrame("
                              "() => requestAnimationFrame(done)))")
                if page.locator(IDLE).count() == 1:
                    return
                idle_since = None
        else:
            idle_since = None
        time.sleep(0.05)
    raise TimeoutError(f"the app did not settle within {timeout:g} s")


def _open(page, url: str) -> None:
    page.goto(url, timeout=LOAD_TIMEOUT * 1000)
    page.wait_for_function("() => window.__streamlitRuns && window.__streamlitRuns.finished >= 1",
                           timeout=LOAD_TIMEOUT * 1000)
    _wait_settled(page, LOAD_TIMEOUT)


def _exception(page) -> str | None:
    errors = page.locator(EXCEPTION)
    return errors.first.inner_text()[:200] if errors.count() else None


def _row(path: str, label: str, **fields) -> dict:
    row = {"page": path, "slider": label, "n": 0, "p50_s": None, "p95_s": None,
           "min_s": None, "max_s": None, "drawn_p50_s": None, "drawn_p95_s": None,
           "timeouts": 0, "repeats": 0, "values": "", "note": ""}
    row.update(fields)
    return row


def measure_page(browser, base_url: str, path: str, label: str, chart: str | None = None,
                 presses: int = PRESSES) -> dict:
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.set_default_timeout(PRESS_TIMEOUT * 1000)
        page.add_init_script(_RUN_COUNTER)
        page.add_init_script(f"window.__benchTitle = {json.dumps(chart)};")
        page.add_init_script(_SIGNATURE)
        watched = f"chart {chart!r}" if chart else "first chart"
        try:
            _open(page, f"{base_url}/{path}")
            page.wait_for_function("() => window.__benchSig() !== null",
                                   timeout=LOAD_TIMEOUT * 1000)
            _wait_settled(page, LOAD_TIMEOUT)
        except (PlaywrightError, TimeoutError) as exc:
            return _row(path, label, note=f"n/a: page or {watched} did not load: {exc}"[:300])
        if (error := _exception(page)):
            return _row(path, label, note=f"n/a: exception on load: {error}")
        thumb = page.locator(f'input[type="range"][aria-label="{label}"]')
        if thumb.count() != 1:
            return _row(path, label, note=f"n/a: {thumb.count()} sliders labelled {label!r}")
        low, high, step, value = thumb.evaluate(
            "e => [Number(e.min), Number(e.max), Number(e.step) || 1, Number(e.value)]")
        room_up, room_down = (high - value) / step, (value - low) / step
        direction = 1 if room_up >= presses or room_up >= room_down else -1

        times, first_drawn, runs = [], [], []
        timeouts, seen, repeats, errors = 0, {value}, 0, []
        shown = [value]
        for _ in range(presses):
            value = float(thumb.evaluate("e => Number(e.value)"))
            if not low - 1e-9 <= value + direction * step <= high + 1e-9:
                direction = -direction  # at the end of the range: come back
            before = page.evaluate("() => window.__benchSig()")
            if before is None:
                errors.append(f"the {watched} is not drawn")
                break
            thumb.focus()
            runs_before = page.evaluate("() => window.__streamlitRuns.finished")
            page.evaluate(_ARM, before)
            page.keyboard.press("ArrowRight" if direction > 0 else "ArrowLeft")
            try:
                page.wait_for_function("() => window.__benchPress.done !== null",
                                       polling=50, timeout=PRESS_TIMEOUT * 1000)
                t0, changed, done = page.evaluate(
                    "() => [window.__benchPress.t0, window.__benchPress.changed, "
                    "window.__benchPress.done]")
                times.append((done - t0) / 1000)
                first_drawn.append((changed - t0) / 1000)
            except PlaywrightTimeout:
                page.evaluate("() => { window.__benchPress.cancelled = true; }")
                timeouts += 1
                if timeouts >= MAX_TIMEOUTS:
                    errors.append(f"{timeouts} presses without a change of the {watched}")
                    break
            try:
                _wait_settled(page)
            except TimeoutError as exc:
                errors.append(str(exc))
                break
            if (error := _exception(page)):
                errors.append(error)
                break
            runs.append(page.evaluate("() => window.__streamlitRuns.finished") - runs_before)
            now = float(thumb.evaluate("e => Number(e.value)"))
            repeats += now in seen
            seen.add(now)
            shown.append(now)
        note = [] if chart is None else [f"watched {watched}"]
        if any(r != 1 for r in runs):
            note.append(f"script runs per press: {runs}")
        if repeats:
            note.append(f"{repeats} presses revisited a value (may hit caches)")
        if errors:
            note.append(f"stopped: {errors[0]}")
        stats = {}
        if times:
            t = np.array(times)
            stats = {"p50_s": float(np.median(t)), "p95_s": float(np.percentile(t, 95)),
                     "min_s": float(t.min()), "max_s": float(t.max()),
                     "drawn_p50_s": float(np.median(first_drawn)),
                     "drawn_p95_s": float(np.percentile(first_drawn, 95))}
        return _row(path, label, n=len(times), timeouts=timeouts, repeats=repeats,
                    times=[round(t, 3) for t in times],
                    drawn=[round(t, 3) for t in first_drawn], runs=runs,
                    values=f"{shown[0]:g}->{shown[-1]:g} (range {min(shown):g}..{max(shown):g})",
                    note="; ".join(note), **stats)
    finally:
        context.close()


def measure(pages: tuple[tuple[str, str, str | None], ...] = PAGES, presses: int = PRESSES,
            url: str | None = None) -> list[dict]:
    """Rows of per-page key-to-chart latency. Starts its own server unless `url` given."""
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium; "
                         "never `playwright install`)")
    if url is None:
        with running_server() as own:
            return measure(pages, presses, own)
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError(f"only a server on 127.0.0.1 may be measured, not {url}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # A fresh server can answer "Page not found" to a first deep link: load / once.
            context = browser.new_context(viewport=VIEWPORT)
            page = context.new_page()
            page.add_init_script(_RUN_COUNTER)
            _open(page, url)
            context.close()
            return [measure_page(browser, url, path, label, chart, presses)
                    for path, label, chart in pages]
        finally:
            browser.close()


def table(rows: list[dict]) -> str:
    def num(v):
        return "n/a" if v is None else f"{v:.3f}"

    lines = [f"{'page':<11} {'slider':<22} {'n':>3} {'p50 s':>6} {'p95 s':>6} {'min s':>6} "
             f"{'max s':>6} {'t/o':>4} {'drawn p50':>9} {'drawn p95':>9}  values / note"]
    for r in rows:
        extra = "; ".join(x for x in (r["values"], r["note"]) if x)
        lines.append(f"{r['page']:<11} {r['slider']:<22} {r['n']:>3} {num(r['p50_s']):>6} "
                     f"{num(r['p95_s']):>6} {num(r['min_s']):>6} {num(r['max_s']):>6} "
                     f"{r['timeouts']:>4} {num(r['drawn_p50_s']):>9} "
                     f"{num(r['drawn_p95_s']):>9}  {extra}")
    return "\n".join(lines)


def main() -> list[dict]:
    rows = measure()
    print(f"Browser latency: headless Chromium, one arrow key press ({PRESSES} per page, "
          f"one at a time) to the watched Plotly chart's data changed and the app idle "
          f"(p50/p95/min/max); 'drawn' = to the first frame showing the chart's new data.")
    print(table(rows))
    return rows


if __name__ == "__main__":
    main()
    sys.exit(0)
