"""Sharing and taking away, in a real browser: each page's title, the link that reopens
exactly the view in a fresh browser, the embedded page, the race's offline HTML file and
CSV, and the lab's weights."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from tests.browser.conftest import VIEWPORT
from tests.browser.helpers import (
    ARTIFACTS,
    address,
    assert_no_exception,
    open_page,
    save_screenshot,
    slider_value,
    wait_for_charts,
    wait_for_rerun,
)

TITLES = {"": "Descent: see how neural networks learn",
          "playground": "Optimizer playground · Descent", "lab": "Training lab · Descent",
          "losses": "Loss functions · Descent", "gradients": "Unstable gradients · Descent"}


def shared_link(page) -> str:
    """Open the sidebar's Share popover and read the link it offers."""
    page.get_by_role("button", name=re.compile("Share this view")).click()
    code = page.locator('[data-testid="stPopoverBody"] [data-testid="stCode"] code').first
    code.wait_for(state="visible")
    text = code.inner_text().strip()
    page.keyboard.press("Escape")
    return text


@pytest.mark.parametrize("path", list(TITLES))
def test_each_page_names_itself_in_the_browser_tab(page, server, browser_errors, path):
    open_page(page, server, path)
    page.wait_for_function("title => document.title === title", arg=TITLES[path])
    assert not browser_errors


@pytest.mark.parametrize(("path", "slider"), [
    ("playground?surface=rosenbrock&steps=700", "Steps"),
    ("losses?k=4&c2=1.7", "c₂ (dog)"),
    ("gradients?depth=12&width=29", "Units per layer (width)"),
])
def test_the_shared_link_reopens_the_view_in_a_fresh_browser(browser, server, path, slider):
    first = browser.new_context(viewport=VIEWPORT)
    page = first.new_page()
    open_page(page, server, path)
    wait_for_charts(page)
    shown = slider_value(page, slider)
    link = shared_link(page)
    assert link.startswith(server) and link.split("?", 1)[1] == path.split("?", 1)[1]
    first.close()
    fresh = browser.new_context(viewport=VIEWPORT)  # no cookies, no session: only the link
    again = fresh.new_page()
    open_page(again, server, link[len(server):])
    wait_for_charts(again)
    assert slider_value(again, slider) == shown
    assert address(again).split("?", 1)[1] == path.split("?", 1)[1]
    assert_no_exception(again)
    fresh.close()


def test_an_embedded_page_has_no_toolbar_and_keeps_its_settings(page, server, browser_errors):
    open_page(page, server, "playground?surface=bowl&steps=200&embed=true")
    wait_for_charts(page)
    assert page.locator('[data-testid="stToolbar"]').count() == 0 \
        or not page.locator('[data-testid="stToolbar"]').is_visible()
    assert slider_value(page, "Steps") == "200"
    assert "surface=bowl" in address(page)
    save_screenshot(page, "embedded-playground")
    assert not browser_errors


def test_the_race_downloads_as_csv_and_as_html_that_plays_offline(browser, page, server,
                                                                  browser_errors):
    open_page(page, server, "playground?surface=bowl&steps=60&opts=sgd,momentum")
    wait_for_charts(page)
    with page.expect_download() as csv_download:
        page.get_by_role("button", name=re.compile("race as CSV")).click()
    rows = list(csv.reader(io.StringIO(csv_download.value.path().read_text())))
    assert rows[0][:6] == ["optimizer", "step", "x", "y", "f", "grad_norm"]
    assert {row[0] for row in rows[1:]} == {"sgd", "momentum"} and len(rows) == 1 + 2 * 61

    with page.expect_download(timeout=60_000) as html_download:
        page.get_by_role("button", name=re.compile("animation as HTML")).click()
    target = ARTIFACTS / "race-bowl.html"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    html_download.value.save_as(target)
    assert_no_exception(page)

    offline = browser.new_context(viewport=VIEWPORT, offline=True)
    fetched = []
    offline.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
        "file:") else (fetched.append(route.request.url), route.abort()))
    tab = offline.new_page()
    errors = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto(target.as_uri())
    graph = tab.locator("#descent-race")
    tab.wait_for_function("() => { const gd = document.getElementById('descent-race');"
                          " return gd && gd._fullLayout && gd.layout.sliders; }")
    heads = "gd => gd.data.filter(t => t.mode === 'markers').map(t => [t.x, t.y]).join(';')"
    before = graph.evaluate(heads)
    tab.locator("g.updatemenu-button", has_text="Replay").click()  # from step 0
    tab.wait_for_function("() => { const s = document.getElementById('descent-race')"
                          ".layout.sliders[0]; return s.active > 0 && s.active < s.steps"
                          ".length - 1; }", timeout=20_000)
    assert graph.evaluate(heads) != before  # the heads moved with the frames
    save_screenshot(tab, "race-html-offline", graph)
    assert not errors and not fetched, (errors, fetched)
    offline.close()
    assert not browser_errors


def test_the_lab_hands_out_its_trained_weights(page, server, browser_errors):
    open_page(page, server, "lab?epochs=20")
    page.get_by_role("button", name="▶ Start training").click()
    button = page.get_by_role("button", name=re.compile("trained weights"))
    wait_for_rerun(page, lambda: button.count() == 1, timeout=60, what="the weights button")
    with page.expect_download() as download:
        button.click()
    data = json.loads(download.value.path().read_text())
    (net,) = data["networks"].values()
    assert data["format"] == "descent-networks/1" and net["layer_sizes"] == [2, 16, 16, 2]
    assert len(net["layers"]) == 3 and len(net["layers"][0]["W"]) == 2
    assert not browser_errors
