"""Home, loss functions and unstable gradients pages (AppTest through app.py's router),
the experiments' claims, and the unstable-gradient measurements."""

import dataclasses
import json
import re
import threading
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from engine.unstable import (
    deep_network,
    deep_network_factors,
    deep_network_norms,
    deep_network_norms_by_activation,
    deep_network_profile,
    hidden_pass,
    layer_norms,
    spectral_norms,
)
from tests.results_table import results
from ui.concepts import gradients as gp
from ui.concepts.topics import EXPERIMENTS, LAB, PLAYGROUND, TOPICS
from viz.concept_charts import layer_profiles, layer_ranges, true_class_curves

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


def app(page: str | None = None, **query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    if page:
        for key, value in query.items():
            at.query_params[key] = value
        at.switch_page(page).run()
    return at


def test_home_maps_every_topic_and_experiment_to_a_page():
    at = app()
    assert not at.exception
    assert at.title[0].value == "Descent"
    links = at.get("page_link")
    assert len(links) == len(TOPICS) + len(EXPERIMENTS)
    for item in [*TOPICS, *EXPERIMENTS]:
        assert (ROOT / item.page).exists()


@pytest.mark.parametrize("item", [*TOPICS, *EXPERIMENTS], ids=lambda i: i.label[:40])
def test_every_link_opens_its_page_with_its_settings(item):
    at = app(item.page, **item.query)
    assert not at.exception
    ignored = [i.value for i in at.info if "ignored" in i.value]
    assert not ignored  # every setting of the link was understood
    for key, value in item.query.items():
        assert at.query_params.get(key) in (value, None)  # None: equal to the default


def table(at: AppTest):
    return results(at).set_index("optimizer")


def experiment(start: str):
    return next(e for e in EXPERIMENTS if e.label.startswith(start))


def test_experiment_nesterov_brakes_earlier():
    e = experiment("Nesterov")
    results = table(app(e.page, **e.query))
    assert results.loc["Momentum", "ended at"].startswith("global minimum")
    assert results.loc["Nesterov", "ended at"].startswith("local minimum")


def test_experiment_adagrad_stalls_rmsprop_does_not():
    e = experiment("AdaGrad")
    results = table(app(e.page, **e.query))
    column = next(c for c in results.columns if c.startswith("steps to within"))
    assert results.loc["AdaGrad", column] == "never"
    # RMSProp gets there: within the tolerance from some step on, to the end of the race
    assert results.loc["RMSProp", column].isdigit()
    assert results.loc["RMSProp", "ended at"].startswith("global minimum")


def test_experiment_newton_falls_into_the_saddle():
    e = experiment("Newton")
    results = table(app(e.page, **e.query))
    assert results.loc["Newton", "ended at"].startswith("saddle")


def test_experiment_momentum_overshoots():
    e = experiment("Momentum overshoots")
    at = app(e.page, **e.query)
    assert at.session_state["momentum_momentum"] == 0.95  # the link set λ
    from engine.optimizers import Momentum
    from engine.race import run_race
    from surfaces import SURFACES

    surface = SURFACES["valley"]
    lr = at.session_state["momentum_lr"]
    lane = run_race(surface, {"momentum": Momentum(lr=lr, momentum=0.95)},
                    surface.start, 200)[0]
    x = lane.positions[:, 0]
    assert np.count_nonzero(np.diff(np.sign(x)) != 0) >= 3  # swings past the minimum


def train_lab(e) -> AppTest:
    at = app(e.page, **e.query)
    next(b for b in at.button if "Start" in b.label).click().run()
    for _ in range(40):
        if at.session_state["lab_run"].status == "finished":
            break
        at.run()
    return at


def test_experiment_a_deep_sigmoid_network_stops_learning():
    run = train_lab(experiment("A deep sigmoid")).session_state["lab_run"]
    sigmoid, relu = run.histories["sigmoid"][-1], run.histories["ReLU"][-1]
    assert sigmoid.val_acc < 0.7 and relu.val_acc > 0.85


def test_experiment_dropout_closes_the_gap():
    gaps = {}
    for e in EXPERIMENTS[-2:]:
        last = train_lab(e).session_state["lab_run"].histories["relu"][-1]
        gaps[e.label] = last.val_loss - last.train_loss
    without, with_dropout = gaps.values()
    assert without > 0.5 and with_dropout < 0.5 * without


def test_the_cat_and_dog_presets_show_059_and_080():
    at = app("pages/losses.py")
    assert not at.exception
    metrics = [m.value for m in at.metric]
    assert metrics == ["100%", "0.59", "0%", "0.80"]
    assert "0.62" in " ".join(i.value for i in at.info)  # the note on the course text's slip


def test_the_softmax_explorer_recomputes_from_the_sliders():
    at = app("pages/losses.py", k="2", true="dog", c1="1", c2="1")
    assert not at.exception
    latex = " ".join(e.value for e in at.get("latex"))
    assert "0.500" in latex and r"-\log 0.500 = 0.693" in latex
    next(s for s in at.slider if s.key == "c2").set_value(3.0).run()
    latex = " ".join(e.value for e in at.get("latex"))
    p = 1 / (1 + np.exp(-2.0))
    assert f"{p:.3f}" in latex


def test_why_cross_entropy_curves_match_their_formulas():
    p = np.linspace(0.01, 0.99, 50)
    curves = true_class_curves(p)
    np.testing.assert_allclose(curves["ce"], -np.log(p), rtol=1e-9)
    np.testing.assert_allclose(curves["ce_grad"], p - 1, atol=1e-12)
    np.testing.assert_allclose(curves["mse"], (1 - p) ** 2, rtol=1e-9)
    np.testing.assert_allclose(curves["mse_grad"], -2 * p * (1 - p) ** 2, atol=1e-12)


def test_the_unstable_gradients_page_runs_for_deep_and_shallow_networks():
    for depth in ("2", "40"):
        at = app("pages/gradients.py", depth=depth, measure="deltas")
        assert not at.exception
        profiles, _activations = (json.loads(c.proto.spec) for c in at.get("plotly_chart"))
        # three panels, one per initialization, each with one line per activation
        assert [a["text"] for a in profiles["layout"]["annotations"]] == [
            f"<b>{init} initialization</b>" for init in ("normalized", "He", "small", "large")]
        assert len(profiles["data"]) == 12
        assert {t["mode"] for t in profiles["data"]} == {"lines"}  # markers cost ~50 ms
        points = {len(t["y"]) for t in profiles["data"]}
        assert points == {int(depth) + 1}  # one value per layer, hidden and output
        assert profiles["layout"]["yaxis"]["title"]["text"] == "error term norm"
        # layer numbers on the x axis: every layer of a shallow network, every 5th of a deep one
        assert profiles["layout"]["xaxis"]["dtick"] == (1 if depth == "2" else 5)


def test_norms_of_exactly_zero_are_left_out_of_the_log_panels_and_named():
    # At width 5 and depth 40, every unit of some ReLU layer is off for every input
    # under the small and large initializations: every weight gradient is exactly 0.
    at = app("pages/gradients.py", depth="40", width="5")
    assert not at.exception
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    relu = [t for t in spec["data"] if t["name"] == "ReLU"]
    assert [all(v is None for v in t["y"]) for t in relu] == [False, True, True, True]
    assert all(v is None or v > 1e-200 for t in spec["data"] for v in t["y"])  # no floor
    notes = [a["text"] for a in spec["layout"]["annotations"]]
    assert notes.count("ReLU: exactly 0 in every layer") == 3
    assert {a["yref"] for a in spec["layout"]["annotations"] if "exactly" in a["text"]} == {
        "y2 domain", "y3 domain", "y4 domain"}  # on the He, small and large panels
    (info,) = [i for i in at.info if "exactly 0" in i.value]
    assert "ReLU with the He, small and large initializations" in info.value
    assert "dead" in info.value and "same layers at every scale" in info.value
    # the chain below, for the ReLU network of the small initialization
    at.selectbox(key="chain").set_value("relu").run()
    at.selectbox(key="chain_init").set_value("small").run()
    assert any("drops to exactly 0" in m.value for m in at.markdown)
    # the default network has no zero, so no note
    at = app("pages/gradients.py")
    assert not [i for i in at.info if "exactly 0" in i.value]
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert not any("exactly" in a["text"] for a in spec["layout"]["annotations"])


def test_error_terms_of_a_dead_relu_network_show_only_the_output_layer():
    at = app("pages/gradients.py", depth="40", width="5", measure="deltas")
    assert not at.exception
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    dead = [t for t in spec["data"] if t["name"] == "ReLU" and t["y"][0] is None]
    assert len(dead) == 3  # the He, small and large initializations
    for trace in dead:
        assert all(v is None for v in trace["y"][:-1]) and trace["y"][-1] > 0  # δ^41 ≠ 0
        assert trace["mode"] == "lines+markers" and trace["cliponaxis"] is False
    notes = [a["text"] for a in spec["layout"]["annotations"]]
    assert notes.count("ReLU: exactly 0 in layers 1–40") == 3


def test_a_zero_norm_is_a_gap_with_a_marked_neighbour_and_a_note():
    deltas = np.array([0.0, 0.0, 0.0, 2.0])  # a dead network's δ: only the output's is not 0
    spec = layer_profiles({"small initialization": {"relu": deltas, "tanh": np.ones(4)}},
                          "norm")
    relu, tanh = spec["data"]
    assert np.isnan(relu["y"][:3]).all() and relu["y"][3] == 2.0
    assert relu["mode"] == "lines+markers"  # a lone point between gaps is still seen
    assert tanh["mode"] == "lines" and "marker" not in tanh
    (note,) = [a for a in spec["layout"]["annotations"] if "exactly" in a["text"]]
    assert note["text"] == "ReLU: exactly 0 in layers 1–3"
    assert spec["layout"]["xaxis"]["range"] == [1, 4]  # markers do not widen the axis


def test_the_chain_summary_says_where_the_error_stops():
    profile = deep_network_profile("relu", "small", depth=40, width=5, seed=0)
    dead = np.flatnonzero(profile.slopes == 0) + 1
    assert len(dead) > 0 and profile.delta_norms[0] == 0
    summary = gp.chain_summary(profile)
    assert f"In {len(dead)} of the 40 hidden layers (layers {layer_ranges(dead)})" in summary
    assert "drops to exactly 0" in summary
    # δ¹ = 0 with no layer's slope 0: the product underflowed
    underflow = dataclasses.replace(profile, slopes=np.full(40, 1e-9))
    assert "falls below the smallest float" in gp.chain_summary(underflow)


@pytest.mark.parametrize(("layers", "text"), [
    ([3], "3"), ([1, 2, 3], "1–3"), ([1, 2, 3, 7, 9, 10], "1–3, 7, 9–10")])
def test_layer_ranges(layers, text):
    assert layer_ranges(layers) == text


def test_the_zero_note_names_each_activation_and_its_initializations():
    zero, ones = np.zeros(3), np.ones(3)
    panels = {"normalized initialization": {"relu": ones, "tanh": ones},
              "small initialization": {"relu": zero, "tanh": ones},
              "large initialization": {"relu": zero, "tanh": np.array([1.0, 0.0, 1.0])}}
    note = gp.zero_norms_note(panels)
    assert ("ReLU with the small and large initializations and tanh with the large "
            "initialization.") in note
    assert "dead" in note and "saturated" in note
    assert gp.zero_norms_note({"small initialization": {"relu": ones}}) is None


def test_the_gradients_page_keeps_the_hidden_layers_between_depths():
    for cached in (gp.norms, gp._factors, gp._hidden_passes):
        cached.clear()  # computed afresh, whatever other tests ran before
    at = app("pages/gradients.py", depth="10")
    first = gp._hidden_passes(32, 0)
    assert {p.depth for passes in first.values() for p in passes.values()} == {10}
    for depth, kept in ((14, 14), (12, 14)):
        at.slider(key="depth").set_value(depth).run()
        assert not at.exception
        now = gp._hidden_passes(32, 0)
        assert now is first and len(now) == 4 and all(len(p) == 3 for p in now.values())
        assert {p.depth for passes in now.values() for p in passes.values()} == {kept}


def test_a_deep_sigmoid_network_vanishes_and_relu_does_not():
    sigmoid = deep_network_profile("sigmoid", "normalized", depth=20, width=32, seed=0)
    relu = deep_network_profile("relu", "normalized", depth=20, width=32, seed=0)
    # from the last layer back to the first: many orders of magnitude for sigmoid
    assert sigmoid.delta_norms[0] < 1e-6 * sigmoid.delta_norms[-1]
    assert sigmoid.weight_grad_norms[0] < 1e-6 * sigmoid.weight_grad_norms[-1]
    # ReLU's weight gradients stay within an order of magnitude across all 21 layers
    w = relu.weight_grad_norms
    assert w.max() < 10 * w.min()
    # and the chain's factors explain it: sigmoid's |f'| is at most 0.25
    assert np.all(sigmoid.slopes <= 0.25)


def test_the_panels_norms_are_the_profiles_norms():
    network = {"depth": 6, "width": 8, "seed": 3}
    norms = deep_network_norms("tanh", "small", **network)
    profile = deep_network_profile("tanh", "small", **network)
    np.testing.assert_array_equal(norms.delta_norms, profile.delta_norms)
    np.testing.assert_array_equal(norms.weight_grad_norms, profile.weight_grad_norms)
    slopes, gains = deep_network_factors("tanh", "small", **network)
    np.testing.assert_array_equal(slopes, profile.slopes)
    np.testing.assert_array_equal(gains, profile.weight_gains)
    assert len(slopes) == len(gains) == 6  # one per hidden layer


def test_layer_norms_are_the_rms_of_each_rows_error_term():
    net, X, y = deep_network("tanh", "normalized", depth=4, width=6, seed=2, n_samples=9)
    result = net.backprop(X, y)
    expected = [np.sqrt(np.mean(np.linalg.norm(d, axis=1) ** 2)) for d in result.deltas]
    np.testing.assert_allclose(layer_norms(net, X, y).delta_norms, expected, rtol=1e-12)
    assert len(expected) == 5  # δ¹ … δ⁵: four hidden layers and the output


def test_norms_by_activation_are_each_activations_own_network():
    network = {"depth": 5, "width": 6, "seed": 4}
    shared = deep_network_norms_by_activation(("sigmoid", "tanh", "relu"), "large", **network)
    assert list(shared) == ["sigmoid", "tanh", "relu"]
    for activation, norms in shared.items():
        alone = deep_network_norms(activation, "large", **network)
        np.testing.assert_array_equal(norms.delta_norms, alone.delta_norms)
        np.testing.assert_array_equal(norms.weight_grad_norms, alone.weight_grad_norms)


@pytest.mark.parametrize(("activation", "init"), [("sigmoid", "normalized"), ("relu", "small"),
                                                  ("tanh", "large")])
def test_the_probe_rows_draw_the_curves_of_many_more_rows_up_to_a_shift(activation, init):
    """PROBE_ROWS random inputs give each layer's norms the shape that 512 give: the
    curves differ by a shift common to every layer (J averages over the rows)."""
    for seed in (0, 1):
        network = {"depth": 20, "width": 32, "seed": seed}
        few = deep_network_norms(activation, init, **network)
        many = deep_network_norms(activation, init, n_samples=512, **network)
        for measure in ("weight_grad_norms", "delta_norms"):
            gap = np.log10(getattr(few, measure)) - np.log10(getattr(many, measure))
            assert np.mean(np.abs(gap - gap.mean())) < 0.25, (measure, seed)


def test_a_depth_change_reuses_the_hidden_layers_and_gives_the_same_numbers():
    activations = ("sigmoid", "tanh", "relu")
    passes = {}
    for depth in (5, 9, 3, 9, 12):  # deeper, shallower, the same, deeper again
        network = {"depth": depth, "width": 8, "seed": 3}
        kept = dict(passes)
        reused = deep_network_norms_by_activation(activations, "small", passes, **network)
        fresh = deep_network_norms_by_activation(activations, "small", **network)
        for activation in activations:
            for measure in ("delta_norms", "weight_grad_norms"):
                np.testing.assert_array_equal(getattr(reused[activation], measure),
                                              getattr(fresh[activation], measure))
            deeper = max(depth, kept[activation].depth) if kept else depth
            assert passes[activation].depth == deeper
            if kept and kept[activation].depth >= depth:
                assert passes[activation] is kept[activation]  # nothing recomputed
            elif kept:  # only the new layers computed
                assert passes[activation].fz[0] is kept[activation].fz[0]
        slopes, gains = deep_network_factors("tanh", "small", passes, **network)
        expected = deep_network_factors("tanh", "small", **network)
        np.testing.assert_array_equal(slopes, expected[0])
        np.testing.assert_array_equal(gains, expected[1])


def test_sessions_sharing_the_passes_at_once_get_the_same_numbers():
    # the page's passes are shared by every session, and sessions run on their own threads
    activations = ("sigmoid", "tanh", "relu")
    network = {"width": 8, "seed": 3}
    depths = [3, 7, 5, 9, 2, 8, 4, 6]
    fresh = {d: deep_network_norms_by_activation(activations, "small", depth=d, **network)
             for d in depths}
    passes, wrong = {}, []

    def session(order):
        try:
            for depth in order:
                got = deep_network_norms_by_activation(activations, "small", passes,
                                                       depth=depth, **network)
                wrong.extend((depth, name) for name in activations
                             if not np.array_equal(got[name].delta_norms,
                                                   fresh[depth][name].delta_norms))
        except Exception as error:  # a thread's exception would not fail the test
            wrong.append(error)

    orders = [depths * 3, depths[::-1] * 3, depths[1::2] * 5, depths[::2] * 5]
    threads = [threading.Thread(target=session, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
    assert {p.depth for p in passes.values()} <= set(depths)


@pytest.mark.parametrize(("stale", "other"), [
    ({}, {"init": "large"}),  # other weights
    ({"depth": 9}, {"seed": 4}),  # other weights and inputs, a deeper stale pass
    ({}, {"activation": "relu"}),
    ({}, {"n_samples": 64}),  # other inputs
    ({"init": "zeros", "width": 8}, {"init": "zeros", "width": 4}),  # equal values, other shapes
])
def test_a_pass_of_another_network_is_not_reused(stale, other):
    def network(activation="tanh", init="small", **kw):
        return deep_network(activation, init, **{"depth": 6, "width": 8, "seed": 3, **kw})

    stale = hidden_pass(*network(**stale)[:2])
    net, X, _ = network(**other)
    mixed, fresh = hidden_pass(net, X, stale), hidden_pass(net, X)
    assert mixed is not stale
    for a, b in zip(mixed.fz, fresh.fz, strict=True):
        np.testing.assert_array_equal(a, b)


def test_spectral_norms_match_numpys_matrix_2_norm():
    rng = np.random.default_rng(1)
    matrices = [rng.normal(size=shape) for shape in ((2, 5), (5, 5), (5, 5), (5, 5), (5, 2))]
    expected = [np.linalg.norm(m, 2) for m in matrices]
    np.testing.assert_allclose(spectral_norms(matrices), expected, rtol=1e-12)


def test_large_initialization_explodes():
    profile = deep_network_profile("relu", "large", depth=20, width=32, seed=0)
    assert profile.delta_norms[0] > 1e6 * profile.delta_norms[-1]


def test_links_are_built_from_known_pages():
    assert {item.page for item in [*TOPICS, *EXPERIMENTS]} <= {
        PLAYGROUND, LAB, "pages/losses.py", "pages/gradients.py"}


def test_a_tiny_probability_is_never_shown_as_zero_inside_the_log():
    """c = (8, −8), true class dog: y'_dog = e⁻¹⁶/(1 + e⁻¹⁶) ≈ 1.13·10⁻⁷. Rounded to 0.000
    it read −log 0.000 = 16.000 (log 0 is infinite). Three digits: −log of the number
    shown gives the loss shown, to its last digit but one."""
    at = app("pages/losses.py", k="2", true="dog", c1="8", c2="-8")
    assert not at.exception
    latex = " ".join(e.value for e in at.get("latex"))
    p = np.exp(-16.0) / (1 + np.exp(-16.0))
    mantissa, exponent = f"{p:.2e}".split("e")
    shown = rf"{mantissa} \cdot 10^{{{int(exponent)}}}"
    assert rf"&= {shown}" in latex and rf"-\log {shown} = {-np.log(p):.3f}" in latex
    assert "0.000" not in latex
    assert abs(-np.log(float(mantissa) * 10.0 ** int(exponent)) - (-np.log(p))) < 0.01
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    bars = next(c for c in specs if c["data"][0]["type"] == "bar")["data"][0]
    power = str(-int(exponent)).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
    assert bars["text"][1] == f"{mantissa}·10⁻{power}"


def test_the_softmax_value_has_a_line_of_its_own():
    # five classes: the fraction fills the column, and "= 0.028" was cut off at "= 0"
    at = app("pages/losses.py", k="5", true="fish")
    first = at.get("latex")[0].value
    assert r"\begin{aligned}" in first and r"\\ &= 0.0" in first


def test_a_true_class_beyond_the_classes_is_explained():
    at = app("pages/losses.py", k="3", true="frog")
    assert not at.exception
    assert next(r for r in at.radio if r.key == "true").value == "cat"
    assert any("The true class frog needs at least 5 classes" in i.value for i in at.info)
    at.run()
    assert not any("needs at least" in i.value for i in at.info)  # said once


@pytest.mark.parametrize(("activation", "init", "depth"), [
    ("sigmoid", "normalized", 20), ("relu", "large", 20), ("tanh", "small", 40)])
def test_the_chain_summary_per_layer_factor_multiplies_out_to_its_total(activation, init,
                                                                         depth):
    """The per-layer number is the measured one: raised to the number of layers it gives
    the total the summary states; the factors' own mean is quoted beside it."""
    profile = deep_network_profile(activation, init, depth=depth, width=16, seed=0)
    total = profile.delta_norms[0] / profile.delta_norms[-1]
    summary = gp.chain_summary(profile)
    per_layer = float(re.search(r"multiplies it by about ([0-9.]+) on average", summary)[1])
    assert np.isclose(per_layer ** depth, total, rtol=0.05 * depth)  # 2 digits, ^depth
    mantissa, power = re.search(r"to ([0-9.]+)·10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)", summary).groups()
    power = int(power.translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")))
    assert np.isclose(float(mantissa) * 10.0**power, total, rtol=0.05)  # two digits
    shown = float(re.search(r"geometric mean of ([0-9.]+) a step", summary)[1])
    assert ("more than measured" in summary) == (shown > per_layer)
    assert "e-" not in summary and "e+" not in summary


@pytest.mark.parametrize("depth", [4, 6, 8])
def test_the_chain_summary_writes_hundreds_without_an_exponent_letter(depth):
    # tanh with large weights grows ~2× a layer: totals of 10²…10³, once printed "1e+02"
    summary = gp.chain_summary(deep_network_profile("tanh", "large", depth=depth, width=32,
                                                    seed=0))
    assert "e+" not in summary and "e-" not in summary


def test_the_weight_seed_from_a_link_is_shown_and_can_be_changed():
    at = app("pages/gradients.py", net_seed="7")
    assert not at.exception
    (seed,) = [n for n in at.number_input if n.key == "net_seed"]
    assert seed.value == 7
    before = json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
    seed.set_value(8).run()
    assert at.query_params["net_seed"] == "8"
    assert json.loads(at.get("plotly_chart")[0].proto.spec)["data"] != before


def _spread(values) -> float:
    values = np.asarray(values)
    return np.inf if values.min() <= 0 else values.max() / values.min()


def test_he_initialization_is_compared_and_the_steady_networks_are_named_from_the_norms():
    """Issue 21: the normalized initialization also shrinks ReLU's error terms (~2000× over
    20 layers), He initialization does not. The page compares four initializations and
    names, from the norms it measured, the networks whose every layer's weight gradient
    and error term stay within 10× of each other."""
    at = app("pages/gradients.py")
    assert not at.exception
    steady, weights_only = [], []
    for init in ("normalized", "he", "small", "large"):
        for activation in ("sigmoid", "tanh", "relu"):
            norms = deep_network_norms(activation, init, depth=20, width=32, seed=0)
            w, d = _spread(norms.weight_grad_norms), _spread(norms.delta_norms)
            name = f"{ {'sigmoid': 'sigmoid', 'tanh': 'tanh', 'relu': 'ReLU'}[activation]} with "
            name += {"normalized": "normalized", "he": "He"}.get(init, init)
            if max(w, d) <= 10:
                steady.append(name)
            elif w <= 10:
                weights_only.append(name)
    assert "ReLU with He" in steady and "ReLU with normalized" in weights_only  # the issue
    (note,) = [m.value for m in at.markdown if "within an order of magnitude" in m.value]
    named = re.findall(r"\*\*([^*]+)\*\*", note.split("Flat weight")[0])[1:]
    assert named == steady
    for name in weights_only:
        assert name in note.split("Flat weight")[1]
    # the chain offers He too, and its link to the lab carries it
    assert "He" in at.selectbox(key="chain_init").options
    at.selectbox(key="chain_init").set_value("he").run()
    assert not at.exception and at.query_params["chain_init"] == "he"


def test_a_deeper_network_still_starts_with_the_shallower_ones_layers_with_he():
    """The kept forward passes are keyed by initialization: He's are kept and reused too."""
    for cached in (gp.norms, gp._factors, gp._hidden_passes):
        cached.clear()
    at = app("pages/gradients.py", depth="6")
    kept = gp._hidden_passes(32, 0)["he"]
    assert {p.depth for p in kept.values()} == {6}
    before = {name: p.fz[0] for name, p in kept.items()}
    at.slider(key="depth").set_value(9).run()
    assert not at.exception
    assert all(p.depth == 9 and p.fz[0] is before[name] for name, p in kept.items())
    fresh = deep_network_norms_by_activation(("sigmoid", "tanh", "relu"), "he", depth=9,
                                             width=32, seed=0)
    for name, norms in fresh.items():
        np.testing.assert_array_equal(gp.norms(9, 32, 0)["he", name].delta_norms,
                                      norms.delta_norms)


def test_the_relu_note_quotes_the_measured_factor_per_layer():
    at = app("pages/gradients.py")
    every = gp.norms(20, 32, 0)
    text = " ".join(m.value for m in at.markdown)
    for init in ("normalized", "he"):
        d = every[init, "relu"].delta_norms
        assert f"{(d[0] / d[-1]) ** (1 / 20):.2f}" in text
    assert "Var(W) = 2/m" in text


@pytest.mark.parametrize(("depth", "dots", "written"), [
    (2, False, "writes them all out"), (3, False, "writes them all out"),
    (4, True, "writes out the first 3")])
def test_the_chain_leaves_out_factors_only_where_there_are_more(depth, dots, written):
    """Depth 2: both factors are written out, so no "⋯" and no "writes out the first"."""
    at = app("pages/gradients.py", depth=str(depth))
    latex = at.get("latex")[0].value
    assert (r"\cdots" in latex) == dots
    assert latex.count(r"\underbrace{f'") == min(depth, 3)
    assert any(written in m.value for m in at.markdown)


def test_the_course_texts_errata_are_flagged_on_the_gradients_page():
    at = app("pages/gradients.py")
    notes = " ".join(i.value for i in at.info)
    assert "6/(m+n)" in notes and "correct bound is √6/√(m+n)" in notes
    assert "∂J/∂n⁵" in notes and "∂J/∂z⁵" in notes


@pytest.mark.parametrize(("true", "truth"), [("cat", "the true class is one of them"),
                                             ("frog", "the true class, *frog*, is not")])
def test_tied_scores_are_a_tie_not_a_prediction_of_the_first_class(true, truth):
    """Scores (8, 8, 8, 8, −8): four classes share the highest probability; the page said
    the highest probability goes to cat (argmax takes the first)."""
    at = app("pages/losses.py", k="5", true=true, c1="8", c2="8", c3="8", c4="8", c5="-8")
    assert not at.exception
    (verdict,) = [m.value for m in at.markdown if m.value.startswith("The prediction is")]
    p = np.exp(8.0) / (4 * np.exp(8.0) + np.exp(-8.0))
    assert verdict.startswith("The prediction is **a tie**: *cat*, *dog*, *bird* and *fish* "
                              f"share the highest probability, {p:.3f} each")
    assert truth in verdict and "goes to" not in verdict
    # one class ahead by a slider step is a prediction again
    next(s for s in at.slider if s.key == "c2").set_value(8.0 - 0.1).run()
    next(s for s in at.slider if s.key == "c1").set_value(7.9).run()
    next(s for s in at.slider if s.key == "c4").set_value(7.9).run()
    (verdict,) = [m.value for m in at.markdown if m.value.startswith("The prediction is")]
    assert "highest probability goes to *bird*" in verdict
