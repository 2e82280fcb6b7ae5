"""Every chart on every page goes out through ui.charts: so that the browser computes it
once per change (ui/charts.py), without Streamlit's theme, with a datarevision and with
its data as plain arrays."""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent

# page, query: the pages' charts before any training (the 3D view and the trained lab's
# maps go through the same ui.charts.plotly_chart; tests/test_figure_specs.py checks them)
PAGES = [
    ("pages/playground.py", {}),
    ("pages/lab.py", {}),
    ("pages/lab.py", {"mode": "bagging"}),
    ("pages/losses.py", {}),
    ("pages/gradients.py", {}),
]


@pytest.mark.parametrize(("page", "query"), PAGES)
def test_each_chart_is_sent_ready_for_a_single_computation(page, query):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(page).run()
    assert not at.exception
    charts = at.get("plotly_chart")
    assert charts
    for chart in charts:
        assert chart.proto.theme == ""  # theme=None
        spec = json.loads(chart.proto.spec)
        assert isinstance(spec["layout"]["datarevision"], str)
        assert not isinstance(spec["layout"].get("template"), dict)
        assert "bdata" not in json.dumps(spec["data"])
