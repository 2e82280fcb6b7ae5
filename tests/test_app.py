"""Smoke test: the app script runs headlessly and shows its landing page."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parent.parent / "app.py"


def test_app_runs_and_shows_title() -> None:
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Descent"]
    assert any("neural networks learn" in m.value for m in at.markdown)
