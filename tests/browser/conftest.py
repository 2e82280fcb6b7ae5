"""Real-browser tests: a Streamlit server and Debian's Chromium, driven by Playwright.

Fixtures
- `browser` (session): headless Chromium from /usr/bin/chromium (never `playwright install`).
- `server` (session): `streamlit run app.py` on a free port; yields the base URL,
  e.g. "http://127.0.0.1:40123". Its log goes to tests/artifacts/streamlit-server.log.
- `page` (function): a fresh context (1400×1000) and page; closed afterwards.
- `browser_errors` (function): console errors and uncaught page errors of that page,
  minus known harmless noise (see IGNORED_ERRORS). Tests assert it is empty.

Every test in this folder is marked `browser`: `pytest -m "not browser"` skips them.
Run them one at a time (no xdist): two cores render one Chromium tab at a time well.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from bench._server import start, stop
from tests.browser.helpers import ARTIFACTS, open_page

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 1000}
SERVER_LOG = ARTIFACTS / "streamlit-server.log"
STARTUP_TIMEOUT = 30.0  # seconds until /_stcore/health must answer "ok"

# Console noise that is not a bug (regexes over "message @ url"):
IGNORED_ERRORS = [
    # The frontend probes <page>/_stcore/health and host-config on deep links; 404 there.
    r"status of 404 .*@ \S*/_stcore/(health|host-config)\b",
]


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "browser: drives a real Chromium against a live Streamlit server")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)
            # A real browser and a server share 2 cores here: a check can lose a race
            # with rendering now and then. A retry is reported in the summary; a real bug
            # fails all three times.
            item.add_marker(pytest.mark.flaky(reruns=2, reruns_delay=1))


# ---------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}. Run .ci/run (it installs Debian's "
                    "chromium), or `apt-get install -y chromium`. Never `playwright install`.",
                    pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def browser_errors() -> list[str]:
    """Filled by the `page` fixture; a test asserts `not browser_errors` when it is done."""
    return []


@pytest.fixture
def page(browser, browser_errors):
    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()

    def keep(text: str) -> None:
        if not any(re.search(pattern, text) for pattern in IGNORED_ERRORS):
            browser_errors.append(text)

    tab.on("console", lambda msg: msg.type == "error"
           and keep(f"console: {msg.text} @ {msg.location.get('url', '')}"))
    tab.on("pageerror", lambda error: keep(f"page error: {error}"))
    yield tab
    context.close()


# ---------------------------------------------------------------- server


def _start_server(log_path: Path = SERVER_LOG) -> tuple[subprocess.Popen, str]:
    """`streamlit run app.py` on a free port (bench/_server.py); fail with its log."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        process, url, _ = start(log_path)
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)
    return process, url


@pytest.fixture(scope="session")
def server(browser):
    process, url = _start_server()
    try:
        # A fresh server can answer "Page not found" to a first deep link: load / once.
        context = browser.new_context(viewport=VIEWPORT)
        open_page(context.new_page(), url)
        context.close()
        yield url
    finally:
        died = process.poll()
        stop(process)
        if died is not None:
            print(f"\nStreamlit server exited early (code {died}); log:\n"
                  f"{SERVER_LOG.read_text()}", file=sys.stderr)
