"""Home, loss functions and unstable gradients in a real browser."""

from __future__ import annotations

from tests.browser.helpers import (
    address,
    assert_no_exception,
    chart_signature,
    move_slider,
    open_page,
    save_screenshot,
    wait_for_charts,
    wait_for_rerun,
)


def test_home_links_open_an_experiment(page, server, browser_errors):
    open_page(page, server)
    assert page.locator("h1").first.inner_text() == "Descent"
    save_screenshot(page, "home")
    page.get_by_text("Newton falls into the saddle").click()
    # all_inner_texts does not wait while the pages switch
    wait_for_rerun(page, lambda: "surface=saddle" in address(page)
                   and "Optimizer playground" in page.locator("h1").all_inner_texts(),
                   timeout=60, what="the playground with the experiment's settings")
    wait_for_charts(page, count=2)  # the race map and the curves
    assert "opts=sgd%2Cnewton" in address(page) or "opts=sgd,newton" in address(page)
    assert_no_exception(page)
    assert not browser_errors


def test_loss_functions_page(page, server, browser_errors):
    open_page(page, server, "losses")
    wait_for_charts(page, count=3)
    wait_for_rerun(page, lambda: all(page.get_by_text(value, exact=True).count() >= 1
                                     for value in ("0.59", "0.80", "100%", "0%")),
                   what="the cat-and-dog numbers")
    before = chart_signature(page, 0)
    move_slider(page, "c₂ (dog)", "ArrowRight", times=5)
    wait_for_rerun(page, lambda: chart_signature(page, 0) not in (None, before),
                   what="new softmax bars")
    assert "c2=" in address(page)
    save_screenshot(page, "losses")
    assert_no_exception(page)
    assert not browser_errors


def test_unstable_gradients_page(page, server, browser_errors):
    open_page(page, server, "gradients")
    wait_for_charts(page, count=2)  # the three initializations' panels, the activations
    before = chart_signature(page, 0)
    move_slider(page, "Hidden layers (depth)", "ArrowLeft", times=3)
    wait_for_rerun(page, lambda: chart_signature(page, 0) not in (None, before),
                   what="profiles of a shallower network")
    assert "depth=17" in address(page)
    save_screenshot(page, "gradients")
    assert_no_exception(page)
    assert not browser_errors
