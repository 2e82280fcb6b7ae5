"""Descent behind HAProxy with two replicas (deploy/cluster.py), in a real browser.

Sticky sessions (the lab's download is served by the process that made it), leastconn
spreading fresh visitors, failover when a replica is killed (the page comes back on the
survivor with its settings and stays there when the replica returns), a base path, and
`?embed=true`. Needs Debian's haproxy (.ci/run installs it).
"""

from __future__ import annotations

import time

import pytest

from deploy.cluster import COOKIE, Cluster
from engine.datasets import DATASETS
from surfaces import SURFACES
from tests.browser.conftest import VIEWPORT
from tests.browser.helpers import (
    ARTIFACTS,
    address,
    assert_no_exception,
    chart_signature,
    move_slider,
    open_page,
    runs_finished,
    slider_value,
    wait_for_charts,
    wait_for_rerun,
)

BASE_PATH = "/descent"
# path -> charts it draws (Home has none)
PAGES = {"": 0, "playground": 2, "lab": 2, "losses": 3, "gradients": 2}
# A link with settings for each page: (sliders, select boxes, charts) it must show.
LINKS = {
    "playground?surface=rosenbrock&steps=700":
        ({"Steps": 700}, {"Loss surface": SURFACES["rosenbrock"].title}, 2),
    "lab?data=circles&epochs=140": ({"Epochs": 140}, {"Dataset": DATASETS["circles"].label}, 2),
    "losses?k=4&c2=1.7": ({"Classes": 4, "c₂ (dog)": 1.7}, {}, 3),
    "gradients?depth=12&width=29":
        ({"Hidden layers (depth)": 12, "Units per layer (width)": 29}, {}, 2),
}
# A slider to move on each linked page: (label, key, what the address then says)
NUDGES = {
    "playground?surface=rosenbrock&steps=700": ("Steps", "ArrowLeft", "steps=690"),
    "lab?data=circles&epochs=140": ("Epochs", "ArrowLeft", "epochs=130"),
    "losses?k=4&c2=1.7": ("c₂ (dog)", "ArrowRight", "c2=1.8"),
    "gradients?depth=12&width=29": ("Hidden layers (depth)", "ArrowLeft", "depth=11"),
}
APP = '[data-testid="stApp"]'
FAILOVER_LIMIT = 15.0  # seconds from SIGKILL to the page working again on the survivor


def _start(**options) -> Cluster:
    try:
        return Cluster(replicas=2, **options).start()
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="module")
def cluster():
    cluster = _start(log_dir=ARTIFACTS / "cluster")
    yield cluster
    cluster.stop()


@pytest.fixture(scope="module")
def prefixed_cluster():
    cluster = _start(base_path=BASE_PATH, log_dir=ARTIFACTS / "cluster-base-path")
    yield cluster
    cluster.stop()


@pytest.fixture
def contexts(browser):
    """new() opens a fresh browser context (own cookies: a new visitor); all are closed
    after the test, so no websocket of this test counts in HAProxy's leastconn later."""
    opened = []

    def new():
        opened.append(browser.new_context(viewport=VIEWPORT, accept_downloads=True))
        return opened[-1]

    yield new
    for context in opened:
        context.close()


def replica_of(context) -> str | None:
    """The replica HAProxy pinned this visitor to: the value of its DESCENT cookie."""
    return next((c["value"] for c in context.cookies() if c["name"] == COOKIE), None)


def shows_link_settings(page, link: str) -> bool:
    """The widgets show the link's settings and the address still carries them."""
    sliders, selects, _ = LINKS[link]
    url = address(page)
    return (all(part in url for part in link.split("?")[1].split("&"))
            and all(float(slider_value(page, label)) == value
                    for label, value in sliders.items())
            and all(page.locator(f'[data-testid="stSelectbox"] input[aria-label="{label}"]')
                    .input_value() == text for label, text in selects.items()))


def open_link(page, base_url: str, link: str) -> None:
    open_page(page, base_url, link)
    wait_for_charts(page, count=LINKS[link][2])
    wait_for_rerun(page, lambda: shows_link_settings(page, link), timeout=10,
                   what=f"the settings of {link}")


# ---------------------------------------------------------------- through the proxy


def test_every_page_and_the_lab_download_through_the_proxy(cluster, contexts, tmp_path):
    page = contexts().new_page()
    for path, charts in PAGES.items():
        open_page(page, cluster.url, path)
        if charts:
            assert wait_for_charts(page, count=charts) >= charts
        assert_no_exception(page)
        assert address(page).startswith(f"{cluster.url}/{path}")
    pinned = replica_of(page.context)
    assert pinned in ("s1", "s2")

    # The CSV is a media file kept in memory by the process that ran the script: only a
    # sticky proxy sends its download request there.
    open_page(page, cluster.url, "lab?epochs=20")
    page.get_by_role("button", name="▶ Start training").click()
    button = page.get_by_role("button", name="⬇ Download the history (CSV)")
    button.wait_for(timeout=60_000)
    wait_for_rerun(page, lambda: "finished" in page.locator(
        '[data-testid="stProgress"]').first.inner_text(), timeout=60, what="training to end")
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert download.url.startswith(cluster.url)
    assert download.failure() is None
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    lines = saved.read_text().splitlines()
    assert lines[0].startswith("run,epoch,") and len(lines) >= 2, lines[:3]  # header, epochs
    assert replica_of(page.context) == pinned
    assert_no_exception(page)


def test_two_new_visitors_land_on_different_replicas(cluster, contexts):
    link = "gradients?depth=12&width=29"
    first, second = contexts(), contexts()
    pages = [first.new_page(), second.new_page()]
    for page in pages:  # the first stays open: its websocket counts for leastconn
        open_link(page, cluster.url, link)
    assert {replica_of(first), replica_of(second)} == {"s1", "s2"}


# ---------------------------------------------------------------- failover


def connected(page) -> bool:
    return page.locator(APP).get_attribute("data-test-connection-state") == "CONNECTED"


def rerun_key(page) -> None:
    """Press R, Streamlit's "rerun" key (outside any input), as a visitor may."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.keyboard.press("r")


@pytest.mark.parametrize("link", list(LINKS))
def test_a_killed_replica_costs_a_rerun_on_the_survivor(cluster, contexts, link):
    """Streamlit 1.67's frontend reconnects an idle page without asking for a rerun (it
    expects to resume its session); on the survivor that is a new, empty session, and the
    next rerun (any action) rebuilds the page from its URL."""
    context = contexts()
    page = context.new_page()
    open_link(page, cluster.url, link)
    victim = replica_of(context)
    survivor = next(r.name for r in cluster.replicas if r.name != victim)
    page.evaluate("() => { window.__sameDocument = true; }")  # gone if the page reloads
    before = runs_finished(page)

    started = time.monotonic()
    cluster.kill(victim)
    try:
        wait_for_rerun(page, lambda: replica_of(context) == survivor and connected(page),
                       timeout=FAILOVER_LIMIT, settle=0,
                       what=f"a reconnection to {survivor} after {victim} was killed")
        reconnected = time.monotonic() - started
        rerun_key(page)
        wait_for_rerun(page, lambda: runs_finished(page) > before
                       and shows_link_settings(page, link),
                       timeout=FAILOVER_LIMIT - reconnected, settle=0.5,
                       what=f"{link} run again on {survivor}")
        back = time.monotonic() - started
        wait_for_charts(page, count=LINKS[link][2], timeout=10)
        print(f"\nfailover {link}: {victim} killed; reconnected to {survivor} after "
              f"{reconnected:.1f} s, page run there after {back:.1f} s")
        assert page.evaluate("() => window.__sameDocument === true")  # no reload
        runs = runs_finished(page)
    finally:
        cluster.restart(victim)  # returns once HAProxy routes to it again

    # The moved session stays where it is: same replica, no new run, no reload ...
    time.sleep(2)
    assert replica_of(context) == survivor and connected(page)
    assert runs_finished(page) == runs
    assert page.evaluate("() => window.__sameDocument === true")
    assert shows_link_settings(page, link)
    assert_no_exception(page)
    # ... and goes on working there,
    label, key, part = NUDGES[link]
    move_slider(page, label, key)
    wait_for_rerun(page, lambda: part in address(page) and runs_finished(page) > runs,
                   what=f"a run with {part} after moving {label}")
    assert replica_of(context) == survivor
    # ... while a new visitor goes to the restarted replica, which has fewer connections.
    newcomer = contexts().new_page()
    open_page(newcomer, cluster.url, "losses")
    assert replica_of(newcomer.context) == victim


# ---------------------------------------------------------------- base path and embedding


def test_every_page_and_a_deep_link_under_a_base_path(prefixed_cluster, contexts):
    cluster = prefixed_cluster
    assert cluster.url.endswith(BASE_PATH)
    page = contexts().new_page()
    page.goto(f"http://127.0.0.1:{cluster.port}/")  # HAProxy sends the bare root to the app
    page.wait_for_url(f"{cluster.url}/")
    for path, charts in PAGES.items():
        open_page(page, cluster.url, path)
        if charts:
            wait_for_charts(page, count=charts)
        assert_no_exception(page)
        assert address(page).startswith(f"{cluster.url}/{path}")
    link = "playground?surface=rosenbrock&steps=700"
    fresh = contexts().new_page()
    open_link(fresh, cluster.url, link)
    assert address(fresh) == f"{cluster.url}/{link}"


def test_embedded_page_hides_the_toolbar_and_keeps_its_settings(cluster, contexts):
    page = contexts().new_page()
    link = "losses?k=4&c2=1.7"
    open_page(page, cluster.url, f"{link}&embed=true")  # embed is not a setting of the page
    wait_for_charts(page, count=LINKS[link][2])
    wait_for_rerun(page, lambda: shows_link_settings(page, link), timeout=10,
                   what=f"the settings of {link}")
    # Streamlit's embed mode: the app is marked embedded and has no toolbar or menu.
    assert "streamlit-embedded" in page.locator('[data-testid="stApp"]').get_attribute("class")
    for toolbar in ("stToolbar", "stMainMenu", "stToolbarActions", "stAppDeployButton"):
        assert page.locator(f'[data-testid="{toolbar}"]:visible').count() == 0, toolbar
    assert page.locator("header").first.inner_text().strip() == ""
    assert "embed=true" in address(page)

    before = chart_signature(page, 0)
    assert float(move_slider(page, "c₂ (dog)", "ArrowRight")) == 1.8
    wait_for_rerun(page, lambda: chart_signature(page, 0) not in (None, before)
                   and "c2=1.8" in address(page), what="new softmax bars and c2=1.8")
    assert "embed=true" in address(page) and "k=4" in address(page)
    assert_no_exception(page)
