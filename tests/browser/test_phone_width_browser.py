"""Every page on a phone-width screen (390 × 844): no exception, its charts drawn, no
sideways scrolling, and no Plotly legend over a plot area or an x-axis title, nor one
chart over another. Full-page screenshots go to tests/artifacts/phone-<page>.png."""

from __future__ import annotations

import pytest

from tests.browser.helpers import (
    CHART,
    assert_no_exception,
    open_page,
    save_screenshot,
    wait_for_charts,
    wait_for_rerun,
)

PHONE = {"width": 390, "height": 844}

# (name, path, charts at least); "/" is the home page, which has no chart
PAGES = [
    ("home", "", 0),
    ("playground", "playground", 2),
    ("lab", "lab", 2),
    ("lab-compare", "lab?mode=compare", 2),
    ("lab-bagging", "lab?mode=bagging", 1),
    ("losses", "losses", 1),
    ("gradients", "gradients", 1),
]

# Boxes (page pixels) of each chart's legend, plot areas, x-axis titles and the chart
# itself. A box of no size (a hidden tab's chart, an empty legend) is left out. Plot
# areas come from the subplots' axes: plotly.js 3 draws no `.subplot .bg` rectangle
# when the plot's background is the paper's.
_BOXES = """(selector) => {
  const box = e => { const r = e.getBoundingClientRect();
                     return {x: r.left, y: r.top, width: r.width, height: r.height}; };
  const sized = b => b.width > 0.5 && b.height > 0.5;
  const plots = gd => { const r = gd.getBoundingClientRect();
    return Object.values(gd._fullLayout._plots || {}).map(p => ({
      x: r.left + p.xaxis._offset, y: r.top + p.yaxis._offset,
      width: p.xaxis._length, height: p.yaxis._length})); };
  // every axis's title: <text class="xtitle">, "x2title", …, "ytitle", "y2title", …
  const titles = (gd, pattern) => Array.from(gd.querySelectorAll('.infolayer text'))
    .filter(e => pattern.test(e.getAttribute('class') || '')).map(box).filter(sized);
  return Array.from(document.querySelectorAll(selector)).map((gd, index) => ({
    index,
    chart: box(gd),
    legend: Array.from(gd.querySelectorAll('.legend')).map(box).filter(sized),
    plots: plots(gd).filter(sized),
    xtitles: titles(gd, /^x\\d*title$/), ytitles: titles(gd, /^y\\d*title$/),
  })).filter(c => sized(c.chart));
}"""

# How far the main area (and the document) can scroll sideways, in px
_SIDEWAYS = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const doc = document.documentElement;
  return {main: main.scrollWidth - main.clientWidth, doc: doc.scrollWidth - doc.clientWidth};
}"""


def overlap(a: dict, b: dict, slack: float = 1.0) -> bool:
    """Whether two boxes share more than `slack` px in both directions."""
    return (min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"]) > slack
            and min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"]) > slack)


def check_layout(page, charts: bool = True) -> list[dict]:
    """Assert the phone-width layout rules (`charts`: the page has some); returns the
    charts' boxes."""
    sideways = page.evaluate(_SIDEWAYS)
    assert sideways["main"] <= 0 and sideways["doc"] <= 0, f"scrolls sideways: {sideways}"
    drawn = page.evaluate(_BOXES, CHART)
    assert bool(drawn) == charts, f"{len(drawn)} charts drawn"
    for c in drawn:
        assert c["plots"], f"chart {c['index']} has no plot area"
        box = c["chart"]
        assert box["x"] >= -1 and box["x"] + box["width"] <= PHONE["width"] + 1, (
            f"chart {c['index']} does not fit the screen: {box}")
        for legend in c["legend"]:
            for kind in ("plots", "xtitles"):
                for part in c[kind]:
                    assert not overlap(legend, part), (
                        f"chart {c['index']}: its legend {legend} covers one of its "
                        f"{kind} {part}")
        for title in c["ytitles"]:  # a y-axis title in a panel beside its own
            for plot in c["plots"]:
                assert not overlap(title, plot), (
                    f"chart {c['index']}: a y-axis title {title} covers a plot area {plot}")
    for i, a in enumerate(drawn):
        for b in drawn[i + 1:]:
            assert not overlap(a["chart"], b["chart"]), (
                f"charts {a['index']} and {b['index']} overlap: {a['chart']} {b['chart']}")
    return drawn


@pytest.fixture
def phone(browser, browser_errors):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  device_scale_factor=2)
    tab = context.new_page()
    tab.on("pageerror", lambda error: browser_errors.append(f"page error: {error}"))
    yield tab
    context.close()


@pytest.mark.parametrize(("name", "path", "count"), PAGES,
                         ids=["home", "playground", "lab", "lab-compare", "lab-bagging",
                              "losses", "gradients"])
def test_page_is_usable_at_phone_width(phone, server, browser_errors, name, path, count):
    open_page(phone, server, path)
    if count:
        wait_for_charts(phone, count=count)
    assert_no_exception(phone)
    save_screenshot(phone, f"phone-{name}")
    check_layout(phone, charts=count > 0)
    assert not browser_errors


@pytest.mark.parametrize("mode", ["", "&mode=compare"], ids=["one", "compare"])
def test_trained_lab_is_usable_at_phone_width(phone, server, browser_errors, mode):
    """The lab's curves with data in them: the legend has all its entries (comparison
    mode's are long and wrap into many rows on a phone)."""
    open_page(phone, server, f"lab?epochs=20{mode}")
    phone.get_by_role("button", name="▶ Start training").click()
    wait_for_rerun(phone, lambda: "finished" in phone.locator(
        '[data-testid="stProgress"]').first.inner_text(), timeout=90,
        what="training to finish")
    wait_for_charts(phone, count=2)
    save_screenshot(phone, f"phone-lab-trained{mode.replace('&mode=', '-')}")
    check_layout(phone)
    assert not browser_errors
