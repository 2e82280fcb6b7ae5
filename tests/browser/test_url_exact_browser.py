"""A link shows exactly what was on screen: after fast key presses on a slider, once the
page is idle, the address holds the slider's value, and the link reopens it."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import VIEWPORT
from tests.browser.helpers import (
    IDLE,
    address,
    assert_no_exception,
    open_expander,
    open_page,
    slider_value,
)

# page, slider label, URL key, presses, an expander to open first (playground's λ)
CASES = [
    ("losses", "c₂ (dog)", "c2", 7, None),
    ("gradients", "Units per layer (width)", "width", 6, None),
    ("lab", "Epochs", "epochs", 5, None),
    ("playground", "λ, momentum", "momentum_momentum", 4, "Momentum settings"),
]


def press_fast(page, label: str, times: int, within=None) -> None:
    """Arrow-right `times` times, 50 ms apart: faster than a rerun comes back."""
    thumb = (within or page).locator(f'input[type="range"][aria-label="{label}"]')
    thumb.focus()
    for _ in range(times):
        page.keyboard.press("ArrowRight")
        time.sleep(0.05)


def settled(page, seconds: float = 1.5) -> None:
    """Idle for `seconds` without a break (queued reruns have all run)."""
    deadline = time.monotonic() + 30
    since = None
    while time.monotonic() < deadline:
        if page.locator(IDLE).count():
            since = since or time.monotonic()
            if time.monotonic() - since >= seconds:
                return
        else:
            since = None
        time.sleep(0.1)
    raise AssertionError("the page never settled")


def shown_number(text: str) -> float:
    return float(text)


@pytest.mark.parametrize(("path", "label", "key", "presses", "expander"), CASES,
                         ids=[case[0] for case in CASES])
def test_fast_presses_end_with_the_address_holding_the_slider(browser, server, path, label,
                                                               key, presses, expander):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    open_page(page, server, path)
    within = open_expander(page, expander) if expander else None
    before = shown_number(slider_value(page, label, within))
    press_fast(page, label, presses, within)
    settled(page)
    assert_no_exception(page)
    shown = slider_value(page, label, within)
    assert shown_number(shown) > before  # the presses arrived
    query = parse_qs(urlsplit(address(page)).query)
    assert key in query and shown_number(query[key][0]) == shown_number(shown), (
        shown, address(page))
    link = address(page)
    context.close()

    fresh = browser.new_context(viewport=VIEWPORT)  # the link, in a new browser
    again = fresh.new_page()
    open_page(again, server, link[len(server):])
    within = open_expander(again, expander) if expander else None
    assert slider_value(again, label, within) == shown
    assert_no_exception(again)
    fresh.close()
