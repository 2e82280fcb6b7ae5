"""What a user takes away: the race as CSV and HTML, a network's weights as JSON, the link
to exactly what is on screen, and each page's title."""

import csv
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from engine import MLP
from engine.optimizers import make_optimizer
from engine.race import run_race
from engine.race_table import race_table
from engine.weights import network_from_dict, networks_from_json, networks_to_json, snapshot
from surfaces import SURFACES
from ui.playground.exports import race_csv, race_html
from ui.share import iframe_snippet, page_link
from viz.race_map import race_map
from viz.surface_image import sample_surface, surface_data_uri

ROOT = Path(__file__).resolve().parent.parent


def bowl_race(steps=20):
    bowl = SURFACES["bowl"]
    lanes = run_race(bowl, {"sgd": make_optimizer("sgd", lr=0.1),
                            "momentum": make_optimizer("momentum", lr=0.1, momentum=0.5)},
                     bowl.start, steps)
    return bowl, lanes


def test_the_race_table_has_every_step_with_its_state():
    _, lanes = bowl_race(20)
    header, rows = race_table(lanes)
    assert header == ["optimizer", "step", "x", "y", "f", "grad_norm", "v_x", "v_y"]
    sgd = [row for row in rows if row[0] == "sgd"]
    assert [row[1] for row in sgd] == list(range(21))
    # on f = x² + y², SGD with α = 0.1 is θ(k) = 0.8ᵏ θ(0); ∇f = 2θ
    start = np.array([-1.6, 1.2])
    for row in sgd:
        theta = 0.8 ** row[1] * start
        np.testing.assert_allclose(row[2:6], [*theta, theta @ theta,
                                              2 * np.linalg.norm(theta)], rtol=1e-12)
        assert row[6:] == ["", ""]  # SGD has no velocity
    momentum = [row for row in rows if row[0] == "momentum"]
    # v(1) = λ·0 − α∇f(θ(0)) = −0.2 θ(0)
    np.testing.assert_allclose(momentum[1][6:], -0.2 * start, rtol=1e-12)


def test_a_stopped_path_ends_its_rows_at_its_last_good_step():
    valley = SURFACES["valley"]
    (lane,) = run_race(valley, {"sgd": make_optimizer("sgd", lr=0.2)}, valley.start, 300)
    _, rows = race_table([lane])
    assert lane.diverged_at > 0 and rows[-1][1] == lane.last_step
    assert all(np.isfinite(row[2:6]).all() for row in rows)


def test_the_race_csv_reads_back_as_its_table():
    _, lanes = bowl_race(5)
    header, rows = race_table(lanes)
    read = list(csv.reader(io.StringIO(race_csv(lanes))))
    assert read[0] == header and len(read) == len(rows) + 1
    assert float(read[3][2]) == rows[2][2]  # shortest exact decimal: nothing lost


def test_the_race_html_carries_plotly_and_the_animation():
    bowl, lanes = bowl_race(30)
    grid = sample_surface(bowl.f, bowl.bounds)
    spec = race_map(surface_data_uri(grid), bowl.bounds, lanes, bowl.critical_points,
                    bowl.start)
    html = race_html(spec, "Round bowl")
    assert "<title>Round bowl · Descent race</title>" in html
    # plotly.js inlined, no script fetched from the network: it plays offline
    assert len(html) > 3_000_000 and not re.search(r"<script[^>]+src=", html)
    assert html.count("data:image/png;base64,") >= 1  # the surface travels with it
    frames = json.loads(re.search(r"\.then\(function\(\)\{\s*Plotly\.addFrames\('descent-race', "
                                  r"(\[.*?\])\);", html, re.DOTALL)[1])
    assert len(frames) == len(spec["frames"])


def test_weights_round_trip_and_predict_as_before():
    net = MLP([2, 6, 5, 3], activation="tanh", loss="cross_entropy", init="he",
              dropout=(0.1, 0.3), seed=4)
    net.params = np.random.default_rng(1).normal(size=net.params.shape)  # "trained"
    X = np.random.default_rng(2).normal(size=(50, 2))
    text = networks_to_json({"net": net}, features=["x₁", "x₂"], classes=["a", "b", "c"])
    back = networks_from_json(text)["net"]
    np.testing.assert_array_equal(back.params, net.params)
    np.testing.assert_array_equal(back.predict_proba(X), net.predict_proba(X))
    assert (back.layer_sizes, back.activation.name, back.p_input, back.p_hidden) == (
        (2, 6, 5, 3), "tanh", 0.1, 0.3)
    assert json.loads(text)["classes"] == ["a", "b", "c"]


def test_weights_that_do_not_fit_are_refused_with_a_reason():
    entry = json.loads(networks_to_json({"n": MLP([2, 3, 2])}))["networks"]["n"]
    entry["layers"][0]["W"] = [[1.0, 2.0]]
    with pytest.raises(ValueError, match="layer 1: W"):
        network_from_dict(entry)
    with pytest.raises(ValueError, match="format"):
        networks_from_json('{"format": "other", "networks": {}}')


def test_a_snapshot_keeps_the_weights_of_its_moment():
    net = MLP([2, 4, 2], seed=0)
    kept = snapshot(net)
    before = net.params.copy()
    net.params = net.params + 1.0  # training goes on
    np.testing.assert_array_equal(kept.params, before)


def test_the_share_link_and_embed_snippet_hold_the_settings():
    link = page_link({"surface": "rosenbrock", "steps": "700"}, "http://host/playground")
    assert link == "http://host/playground?surface=rosenbrock&steps=700"
    embedded = page_link({"steps": "700"}, "http://host/playground", embed=True)
    assert embedded == "http://host/playground?steps=700&embed=true"
    snippet = iframe_snippet("http://h/lab?a=1&b=2", "Training lab · Descent")
    assert 'src="http://h/lab?a=1&amp;b=2"' in snippet and 'title="Training lab' in snippet


def app_page(page: str, **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    for key, value in query.items():
        at.query_params[key] = value
    return at.switch_page(page).run()


@pytest.mark.parametrize(("page", "query"), [
    ("pages/home.py", {}),
    ("pages/playground.py", {"surface": "rosenbrock", "steps": "700"}),
    ("pages/lab.py", {"data": "circles", "epochs": "140"}),
    ("pages/losses.py", {"k": "4", "c2": "1.7"}),
    ("pages/gradients.py", {"depth": "12", "width": "29"}),
])
def test_every_page_offers_its_link_with_exactly_its_settings(page, query):
    at = app_page(page, **query)
    assert not at.exception
    link, snippet = (code.value for code in at.get("code")[-2:])
    got = dict(re.findall(r"[?&]([^=&]+)=([^&]*)", link))
    assert got == query  # in the link, and nothing else (defaults stay out)
    assert "embed=true" in snippet and snippet.startswith("<iframe")


def test_the_playground_and_lab_offer_their_downloads():
    at = app_page("pages/playground.py", surface="bowl")
    labels = [b.label for b in at.get("download_button")]
    assert any("CSV" in label for label in labels) and any("HTML" in label for label in labels)
    lab = app_page("pages/lab.py", epochs="10")
    lab.button[0].click().run()  # Start
    for _ in range(15):
        lab.run()
    labels = [b.label for b in lab.get("download_button")]
    assert "⬇ Download the trained weights (JSON)" in labels
