"""Helpers for driving a Streamlit app in a real browser (Playwright, sync API).

Streamlit facts these rely on (Streamlit 1.67, Plotly 7):
- `[data-testid="stApp"]` carries `data-test-script-state` ("running" / "notRunning").
  "notRunning" is also what it says *before* a rerun starts, so waiting for it alone
  proves nothing: `open_page` counts finished runs, and after an action
  `wait_for_rerun` waits for the change the action should cause.
- An uncaught exception renders as `[data-testid="stException"]`.
- Sliders and select sliders render as `[data-testid="stSlider"]` holding a visually
  hidden `<input type="range" aria-label=LABEL>` (role "slider"); arrow keys move it
  and every key press sends a rerun. Its accessible name repeats the label, so find
  it by `aria-label`, not by role and exact name. The value shown is
  `[data-testid="stSliderThumbValue"]`.
- A Plotly chart is `[data-testid="stPlotlyChart"] .js-plotly-plot`; that graph div has
  `.data`, `.layout`, `._fullData`, `._fullLayout` and `._transitionData` (animation).
  Charts are numbered by `index` in document order (hidden tabs included).
- The page scrolls inside `[data-testid="stMain"]`, not the document, so a full-page
  screenshot needs a viewport as tall as that content (`save_screenshot` does it).
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"  # tests/artifacts, git-ignored
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
EXCEPTION = '[data-testid="stException"]'
CHART = '[data-testid="stPlotlyChart"] .js-plotly-plot'

# Counts the script runs that finished (running -> notRunning) since the page loaded.
_RUN_COUNTER = """
if (!window.__streamlitRuns) {
  window.__streamlitRuns = {finished: 0};
  new MutationObserver(records => {
    for (const r of records) {
      if (r.oldValue === 'running' && r.target.getAttribute(r.attributeName) === 'notRunning')
        window.__streamlitRuns.finished += 1;
    }
  }).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                        attributeFilter: ['data-test-script-state']});
}
"""

# A short hash of every trace's coordinates, computed in the page; null while the
# chart is not drawn (e.g. being replaced by a rerun).
_SIGNATURE = """(gd) => {
  if (!gd.data || !gd._fullLayout) return null;
  const text = JSON.stringify(gd.data.map(t => [t.x, t.y, t.z]));
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) { h ^= text.charCodeAt(i); h = Math.imul(h, 0x01000193); }
  return gd.data.length + ':' + text.length + ':' + (h >>> 0).toString(16);
}"""


# ---------------------------------------------------------------- the app


def open_page(page: Page, base_url: str, path: str = "", timeout: float = 60,
              settle: float = 0.5) -> None:
    """Load `base_url/path` and wait until a script run has finished and the app has
    stayed idle for `settle` seconds (a first run may call st.rerun()); no exception."""
    page.add_init_script(_RUN_COUNTER)
    page.goto(f"{base_url.rstrip('/')}/{path.lstrip('/')}")
    page.wait_for_function(
        "() => window.__streamlitRuns && window.__streamlitRuns.finished >= 1",
        timeout=timeout * 1000)
    wait_for_rerun(page, lambda: True, timeout=timeout, settle=settle, what="an idle app")


def address(page: Page) -> str:
    """The page's current URL as the page itself sees it: Playwright's page.url can lag
    behind the history.pushState that Streamlit uses for navigation and query strings."""
    return page.evaluate("() => location.href")


def runs_finished(page: Page) -> int:
    """How many script runs have finished since `open_page` (needs `open_page`)."""
    return page.evaluate("() => window.__streamlitRuns ? window.__streamlitRuns.finished : 0")


def is_idle(page: Page) -> bool:
    return page.locator(IDLE).count() == 1


def assert_no_exception(page: Page) -> None:
    """The page shows only an exception's type (client.showErrorDetails = "type"); the
    server's log has its message and traceback."""
    errors = page.locator(EXCEPTION)
    if errors.count():
        raise AssertionError("Streamlit shows an exception (its traceback is in "
                             "tests/artifacts/streamlit-server.log):\n"
                             + errors.first.inner_text())


def wait_for_rerun(page: Page, predicate: Callable[[], bool], *, timeout: float = 30,
                   settle: float = 0.3, what: str = "the expected change") -> None:
    """After an action: wait until `predicate()` holds and the app has been idle for
    `settle` seconds (queued reruns have run), then check there is no exception.

    The predicate must test the effect of the action (a chart signature that differs,
    an input that shows the new value), not merely "idle". While a rerun replaces
    elements, a Playwright error from the predicate counts as "not yet"."""
    deadline = time.monotonic() + timeout
    idle_since, error = None, None
    while time.monotonic() < deadline:
        try:
            done = predicate() and is_idle(page)
        except PlaywrightError as exc:  # e.g. an element detached mid-rerun
            done, error = False, exc
        if done:
            idle_since = idle_since or time.monotonic()
            if time.monotonic() - idle_since >= settle:
                assert_no_exception(page)
                return
        else:
            idle_since = None
        time.sleep(0.1)
    assert_no_exception(page)
    raise AssertionError(f"no rerun showed {what} within {timeout:g} s"
                         + (f" (last error: {error})" if error else ""))


def _slider(page: Page, label: str, within: Page | Locator | None) -> tuple[Locator, str]:
    thumb = f'input[type="range"][aria-label="{label}"]'
    widget = (within or page).locator('[data-testid="stSlider"]').filter(
        has=page.locator(thumb))
    return widget, thumb


def slider_value(page: Page, label: str, within: Page | Locator | None = None) -> str:
    """The value the slider (or select slider) labelled `label` shows, as text."""
    widget, _ = _slider(page, label, within)
    return widget.locator('[data-testid="stSliderThumbValue"]').inner_text()


def move_slider(page: Page, label: str, key: str = "ArrowRight", times: int = 1,
                within: Page | Locator | None = None) -> str:
    """Focus the slider labelled `label` (inside `within`, e.g. an expander) and press
    `key` `times` times; returns the value the slider now shows. Each key is a rerun."""
    widget, thumb = _slider(page, label, within)
    widget.locator(thumb).focus()
    for _ in range(times):
        page.keyboard.press(key)
    return slider_value(page, label, within)


def open_expander(page: Page, title: str) -> Locator:
    """Open the sidebar/body expander whose summary reads `title`; returns the expander."""
    expander = page.locator('[data-testid="stExpander"]').filter(
        has=page.locator("summary", has_text=title))
    if expander.locator("details").get_attribute("open") is None:
        expander.locator("summary").click()
    expander.locator('[data-testid="stExpanderDetails"]').wait_for(state="visible")
    return expander


# ---------------------------------------------------------------- Plotly charts


def chart(page: Page, index: int = 0) -> Locator:
    """The Plotly graph div of the `index`-th chart on the page."""
    return page.locator(CHART).nth(index)


def wait_for_charts(page: Page, count: int | None = None, timeout: float = 60) -> int:
    """Wait until every Plotly chart (at least `count` of them) has drawn its main SVG;
    returns how many there are."""
    page.wait_for_function(
        """([selector, count]) => {
             const charts = document.querySelectorAll(selector);
             return charts.length >= Math.max(count, 1) && Array.from(charts).every(
               gd => gd._fullLayout && gd.querySelector('.main-svg') !== null);
           }""", arg=[CHART, count or 0], timeout=timeout * 1000)
    return page.locator(CHART).count()


def chart_signature(page: Page, index: int = 0) -> str | None:
    """Changes whenever the chart's trace data change (new figure, or animation frames,
    which rewrite the moving traces' x/y in place); None while the chart is not drawn."""
    return chart(page, index).evaluate(_SIGNATURE)


def animation_state(page: Page, index: int = 0) -> dict:
    """{playing, active, last, label} of a chart with frames and one layout slider:
    `active` is the slider's current step index, `label` its shown text (e.g. "step 300")."""
    return chart(page, index).evaluate("""(gd) => {
        const t = gd._transitionData || {};
        const slider = (gd.layout.sliders || [])[0];
        const label = gd.querySelector('.slider-group > text.slider-label');
        return {playing: Boolean(t._animationRaf) || (t._frameQueue || []).length > 0,
                active: slider ? slider.active : null,
                last: slider ? slider.steps.length - 1 : null,
                label: label ? label.textContent : null};
      }""")


def plot_area(page: Page, index: int = 0) -> dict:
    """Page-pixel box {x, y, width, height} of the chart's x/y plot area."""
    return chart(page, index).evaluate("""(gd) => {
        const r = gd.getBoundingClientRect(), xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
        return {x: r.left + xa._offset, y: r.top + ya._offset, width: xa._length,
                height: ya._length};
      }""")


def data_to_page(page: Page, x: float, y: float, index: int = 0) -> tuple[float, float]:
    """Page pixel of the data point (x, y) on the chart's x/y axes."""
    return tuple(chart(page, index).evaluate("""(gd, [x, y]) => {
        const r = gd.getBoundingClientRect(), xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
        return [r.left + xa._offset + xa.l2p(x), r.top + ya._offset + ya.l2p(y)];
      }""", [x, y]))


# ---------------------------------------------------------------- pixels and artifacts


def pixel_stats(png: bytes) -> dict:
    """{colours: distinct RGB colours, white: share of near-white pixels} of a PNG.
    A plot area showing a coloured surface has many colours and little white; a blank
    one is mostly white."""
    from PIL import Image  # Pillow is a dependency of streamlit

    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.uint32).reshape(-1, 3)
    packed = (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]
    return {"colours": len(np.unique(packed)), "white": float(np.mean(rgb.min(axis=1) >= 235))}


def save_screenshot(page: Page, name: str, element: Locator | None = None) -> Path:
    """Write tests/artifacts/<name>.png: the element, or the whole app (sidebar and all
    of the scrolled main area) by making the viewport as tall as the content."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    if element is not None:
        element.screenshot(path=str(path))
        return path
    size = page.viewport_size
    height = page.evaluate("""() => Math.max(window.innerHeight, ...Array.from(
        document.querySelectorAll('[data-testid="stMain"], [data-testid="stSidebarContent"]'),
        e => e.scrollHeight))""")
    page.set_viewport_size({"width": size["width"], "height": int(height) + 20})
    try:
        page.evaluate("() => new Promise(done => requestAnimationFrame("
                      "() => requestAnimationFrame(done)))")  # let the page lay out anew
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(size)
    return path
