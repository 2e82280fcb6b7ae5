"""Smoke test: the app script runs headlessly and shows its landing page."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parent.parent / "app.py"


def test_app_runs_and_shows_title() -> None:
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Descent"]
    assert any("neural networks learn" in m.value for m in at.markdown)


def in_the_project(script: str) -> str:
    """What `script` prints, run in a fresh process in the project root: it reads
    .streamlit/config.toml as the server does."""
    done = subprocess.run([sys.executable, "-c", script], cwd=APP.parent,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_crash_shows_visitors_no_traceback() -> None:
    """The deployed config hides an uncaught exception's message and stack trace (they go
    to the server's log); the page still shows that an error happened, and its type. A
    fresh process in the project root reads .streamlit/config.toml as the server does."""
    script = ("from streamlit.testing.v1 import AppTest\n"
              "at = AppTest.from_string('raise ValueError(\"/secret/path\")').run()\n"
              "error = at.exception[0]\n"
              "print(error.proto.type, '|', error.message, '|', list(error.stack_trace))\n")
    error_type, message, trace = (part.strip() for part in in_the_project(script).split("|"))
    assert error_type == "ValueError"
    assert "/secret/path" not in message and "error" in message
    assert trace == "[]"


def test_the_production_settings_stay_safe() -> None:
    """CORS and XSRF protection on, a small upload limit, error details hidden from
    visitors, as a fresh process in the project root reads them."""
    script = ("from streamlit import config\n"
              "print(config.get_option('server.enableCORS'),"
              " config.get_option('server.enableXsrfProtection'),"
              " config.get_option('server.maxUploadSize'),"
              " config.get_option('client.showErrorDetails'))\n")
    assert in_the_project(script).split() == ["True", "True", "1", "type"]
