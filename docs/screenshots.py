"""Screenshots of Descent's pages in headless Chromium, for the README and for looking.

    python -m docs.screenshots                # docs/playground.png and docs/lab.png
    python -m docs.screenshots --all DIR      # every page at 1400 px and at 390 px, in DIR

Starts its own `streamlit run app.py` on a free loopback port (bench/_server.py) and
drives Debian's Chromium (/usr/bin/chromium; never `playwright install`). For the README
the lab is trained for a few seconds first, so its picture shows a learned boundary;
`--all` shows every page as it opens, so two runs can be compared pixel by pixel.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._server import running_server  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.browser.helpers import IDLE, open_page, wait_for_charts  # noqa: E402

PAGES = {"home": "", "playground": "playground", "lab": "lab", "losses": "losses",
         "gradients": "gradients"}
WIDTHS = {"wide": 1400, "phone": 390}


def _settle(page: Page) -> None:
    if page.locator('[data-testid="stPlotlyChart"]').count():
        wait_for_charts(page)
    page.wait_for_selector(IDLE, state="attached")
    time.sleep(1.0)  # plotly.js's last relayout


def _train(page: Page, seconds: float = 6.0) -> None:
    """Press Start, let it train, then pause, so the picture holds still."""
    page.get_by_role("button", name="▶ Start training").click()
    time.sleep(seconds)
    pause = page.get_by_role("button", name="❚❚ Pause")
    if pause.count():
        pause.click()
    _settle(page)


def shoot(url: str, out: Path, name: str, path: str, width: int, full: bool) -> Path:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": 1000 if full else 1250})
        open_page(page, url, path)
        _settle(page)
        if name == "lab" and not full:  # trained: its boundary learned (not repeatable)
            _train(page)
        target = out / f"{name}.png" if not full else out / f"{name}-{width}.png"
        if full:
            from tests.browser.helpers import save_screenshot
            saved = save_screenshot(page, target.stem)
            target.write_bytes(saved.read_bytes())
        else:
            page.screenshot(path=str(target))
        browser.close()
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", metavar="DIR", type=Path,
                        help="every page at 1400 and 390 px, full length, into DIR")
    args = parser.parse_args()
    with running_server() as url:
        with sync_playwright() as playwright:  # warm the server: it learns its pages
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            open_page(browser.new_page(), url)
            browser.close()
        if args.all:
            args.all.mkdir(parents=True, exist_ok=True)
            for name, path in PAGES.items():
                for width in WIDTHS.values():
                    print(shoot(url, args.all, name, path, width, full=True))
        else:
            for name in ("playground", "lab"):
                print(shoot(url, ROOT / "docs", name, PAGES[name], 1400, full=False))


if __name__ == "__main__":
    main()
