"""Each page at its default settings: script run time in AppTest and figure payload."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from bench.timing import Row

ROOT = Path(__file__).resolve().parent.parent
PAGES = {"home": None, "playground": "pages/playground.py", "lab": "pages/lab.py",
         "losses": "pages/losses.py", "gradients": "pages/gradients.py"}


def measure(repeats: int = 5) -> list[Row]:
    from streamlit.testing.v1 import AppTest

    rows = []
    for name, page in PAGES.items():
        times, size = [], 0
        for i in range(repeats):
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
            start = time.perf_counter()
            at = at.switch_page(page).run() if page else at.run()
            times.append(time.perf_counter() - start)
            if i == 0:
                size = sum(len(c.proto.spec) for c in at.get("plotly_chart"))
        rows.append(Row(f"page '{name}': script run (AppTest, median of {repeats})",
                        statistics.median(times) * 1e3, None, "ms"))
        rows.append(Row(f"page '{name}': figure JSON sent", size / 1e3, None, "kB"))
    return rows


def race_payload() -> Row:
    """The animated race with all 7 optimizers × 1000 steps (the issue's ceiling case)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / "playground.py"), default_timeout=60)
    at.query_params.update({"surface": "rosenbrock", "steps": "1000",
                            "opts": "sgd,momentum,nesterov,adagrad,rmsprop,adam,newton"})
    at.run()
    size = len(at.get("plotly_chart")[0].proto.spec) / 1e6
    return Row("race figure JSON, 7 optimizers × 1000 steps", size, None, "MB", "≤ 1.5 MB",
               size <= 1.5)


def run() -> list[Row]:
    return [*measure(), race_payload()]
