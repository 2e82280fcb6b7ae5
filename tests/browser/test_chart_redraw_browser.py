"""Each chart is computed once per change, in a real browser.

Streamlit mounts a new chart for every changed figure and hands it to plotly.js twice
(ui/charts.py). plotly.js keeps the chart's computed data, `gd.calcdata`, when the
second pass finds nothing changed, and computes (and draws) everything again
otherwise. A script watches every chart the app mounts and notes each new
`gd.calcdata` after each of plotly.js's passes: one per chart means one computation.
"""

from __future__ import annotations

import pytest

from tests.browser.helpers import (
    chart_signature,
    move_slider,
    open_page,
    wait_for_charts,
    wait_for_rerun,
)

# window.__charts: per mounted chart, the distinct gd.calcdata arrays it has had. The
# class js-plotly-plot is set by plotly.js's first pass, which has registered gd.on.
_WATCH = """
window.__charts = [];
const watch = gd => {
  if (gd.__calcWatch || !gd.on) return;
  const entry = {calcs: [], connected: () => gd.isConnected};
  gd.__calcWatch = entry;
  window.__charts.push(entry);
  const note = () => {
    const last = entry.calcs[entry.calcs.length - 1];
    if (gd.calcdata && gd.calcdata !== last) entry.calcs.push(gd.calcdata);
  };
  note();
  gd.on('plotly_afterplot', note);
};
new MutationObserver(() => document.querySelectorAll('.js-plotly-plot').forEach(watch))
  .observe(document, {subtree: true, childList: true, attributes: true,
                      attributeFilter: ['class']});
"""

# (page, slider, key, charts on the page, the chart the slider changes)
PAGES = [
    ("playground", "Steps", "ArrowLeft", 2, 0),
    ("lab", "Points", "ArrowLeft", 2, 1),  # the decision boundary (no curves yet)
    ("losses", "c₂ (dog)", "ArrowRight", 3, 0),
    ("gradients", "Hidden layers (depth)", "ArrowLeft", 2, 0),
]


@pytest.mark.parametrize(("path", "slider", "key", "charts", "changed"), PAGES)
def test_each_chart_is_computed_once_per_change(page, server, browser_errors, path,
                                                slider, key, charts, changed):
    page.add_init_script(_WATCH)
    open_page(page, server, path)
    wait_for_charts(page, count=charts)
    before = chart_signature(page, changed)
    move_slider(page, slider, key)
    wait_for_rerun(page, lambda: chart_signature(page, changed) not in (None, before),
                   what=f"charts redrawn after {slider}", settle=1.0)
    shown = page.evaluate("() => window.__charts.filter(c => c.connected())"
                          ".map(c => c.calcs.length)")
    assert len(shown) >= charts and 0 not in shown, shown
    assert shown == [1] * len(shown), f"computations per chart on screen: {shown}"
    assert not browser_errors
