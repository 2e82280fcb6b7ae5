"""Every figure viz/ builds is a dict that plotly.py itself accepts, property by property.

The app hands these dicts to Streamlit without plotly.py's validation (ui/charts.py),
so this is where a misspelt property or a wrong value type must fail.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from plotly.tools import return_figure_from_figure_or_data

from engine import MLP, Momentum, fit, make_moons
from engine.ensembles import fit_bagging
from engine.optimizers import OPTIMIZERS, make_optimizer
from engine.race import effective_steps, run_race, velocity_norms
from engine.training import Trainer
from surfaces import SURFACES
from ui.charts import Prebuilt, data_revision, ready
from viz import concept_charts, lab_charts, race_charts
from viz import figure as viz_figure
from viz.figure import APP_LOOK, X_LOOK, Y_LOOK, log_ticks, numbers, with_app_look
from viz.race_map import race_map
from viz.surface_3d import surface_3d
from viz.surface_image import sample_surface, surface_data_uri


def race_figures() -> dict[str, dict]:
    surface = SURFACES["two_minima"]
    optimizers = {name: make_optimizer(name, **cls.defaults["playground"])
                  for name, cls in OPTIMIZERS.items()}
    optimizers["sgd"] = make_optimizer("sgd", lr=30.0)  # diverges: an "x" head, a short path
    lanes = run_race(surface, optimizers, surface.start, 120)
    assert lanes[0].diverged_at > 0
    grid = sample_surface(surface.f, surface.bounds)
    return {
        "race map": race_map(surface_data_uri(grid), surface.bounds, lanes,
                             surface.critical_points, surface.start, show_look_ahead=True),
        "race map, opened at step 37": race_map(
            surface_data_uri(grid), surface.bounds, lanes, surface.critical_points,
            surface.start, show_look_ahead=True, focus=37),
        "3D view": surface_3d(grid, [(lane.name, lane.positions, lane.losses, lane.last_step)
                                     for lane in lanes]),
        "3D view at step 40, with the start and critical points": surface_3d(
            grid, [(lane.name, lane.positions, lane.losses, lane.last_step) for lane in lanes],
            surface.f, surface.critical_points, surface.start, step=40),
        "curves, four panels": race_charts.race_curves([
            race_charts.loss_panel([(lane.name, lane.losses) for lane in lanes], -2.0),
            race_charts.grad_norm_panel([(lane.name, lane.trajectory.grad_norms[:, 0])
                                         for lane in lanes]),
            race_charts.velocity_panel([(lane.name, v) for lane in lanes
                                        if (v := velocity_norms(lane)) is not None]),
            race_charts.effective_step_panel([(lane.name, r) for lane in lanes
                                              if (r := effective_steps(lane)) is not None])]),
        "curves, three panels, no known minimum": race_charts.race_curves([
            race_charts.loss_panel([(lane.name, lane.losses) for lane in lanes], None),
            race_charts.grad_norm_panel([(lane.name, lane.trajectory.grad_norms[:, 0])
                                         for lane in lanes]),
            race_charts.velocity_panel([(lane.name, v) for lane in lanes
                                        if (v := velocity_norms(lane)) is not None])]),
    }


def lab_figures() -> dict[str, dict]:
    X, y = make_moons(120, noise=0.2, seed=0)
    X_va, y_va = make_moons(40, noise=0.2, seed=1)
    histories = {}
    for activation in ("relu", "sigmoid"):
        net = MLP([2, 8, 2], activation=activation, seed=0)
        histories[activation] = list(fit(net, Momentum(lr=0.1, momentum=0.9), X, y, epochs=4,
                                         batch_size=16, seed=0, X_val=X_va, y_val=y_va))
    bagging = fit_bagging([2, 6, 2], lambda: Momentum(lr=0.1, momentum=0.9), X, y, k=3,
                          epochs=3, batch_size=16, seed=0)
    members = {f"member {i + 1}": histories["relu"] for i in range(3)}
    classes = ["class 0", "class 1"]
    stepper = Trainer(MLP([2, 8, 2], seed=0), Momentum(lr=0.1, momentum=0.9), X, y,
                      batch_size=16, seed=0, record_batches=True)
    batched = {"relu": [stepper.run_epoch() for _ in range(3)]}
    return {
        "training curves: twins' gradients, weights, changes marked": lab_charts.training_curves(
            [lab_charts.loss_panel(histories, marks=[(2, "α 0.1 → 0.05, p 0 → 0.3")]),
             lab_charts.accuracy_panel(histories), *lab_charts.gradient_panels(histories),
             lab_charts.weight_panel(histories, l1=True, l2=True)]),
        "members' curves, a change marked": lab_charts.training_curves(
            lab_charts.member_panels(members, marks=[(1, "λ₂ 0 → 0.01")])),
        "loss of each mini-batch": lab_charts.batch_loss_figure(batched, "Loss of each batch"),
        "decision boundary with test points": lab_charts.decision_boundary(
            net.predict_proba, X, y, classes, X_other=X_va, y_other=y_va, X_test=X_va[:9],
            y_test=y_va[:9]),
        "a member's bootstrap sample": lab_charts.resample_map(
            X, y, np.bincount(bagging.samples[0], minlength=len(X)), classes, "Member 1"),
        "training curves, two runs": lab_charts.training_curves([
            lab_charts.loss_panel(histories, best_epochs={"relu": 2},
                                  test_losses={"relu": 0.4, "sigmoid": 0.6}),
            lab_charts.accuracy_panel(histories), lab_charts.gradient_panel(histories)]),
        "training curves, one run": lab_charts.training_curves([
            lab_charts.loss_panel({"relu": histories["relu"]}),
            lab_charts.accuracy_panel({"relu": histories["relu"]}),
            lab_charts.gradient_panel({"relu": histories["relu"]})]),
        "gradients of exactly 0": lab_charts.training_curves([lab_charts.gradient_panel(
            {"relu": [dataclasses.replace(r, grad_norms=np.zeros_like(r.grad_norms))
                      for r in histories["relu"]]})]),
        "training curves, before training": lab_charts.training_curves(
            lab_charts.empty_panels([
                lab_charts.loss_panel({"relu": []}), lab_charts.accuracy_panel({"relu": []}),
                lab_charts.gradient_panel({"relu": []})], epochs=100)),
        "members' curves": lab_charts.training_curves(lab_charts.member_panels(members)),
        "decision boundary": lab_charts.decision_boundary(
            net.predict_proba, X, y, classes, X_other=X_va, y_other=y_va),
        "ensemble": lab_charts.ensemble_boundaries(
            [m.predict_proba for m in bagging.members], bagging.predict_proba, X, y, classes),
        "disagreement": lab_charts.disagreement_map(bagging.disagreement, X),
        "hidden weights": lab_charts.hidden_weights(net.layers[0].W, ["x₁", "x₂"]),
    }


def concept_figures() -> dict[str, dict]:
    loss, grad = concept_charts.why_cross_entropy()
    return {
        "softmax": concept_charts.softmax_bars(np.array([0.2, 0.7, 0.1]), 1, "abc"),
        "loss vs p": loss, "gradient vs p": grad,
        "layer profiles": concept_charts.layer_profiles(
            {init: {"sigmoid": np.geomspace(1e-60, 1, 20),
                    "relu": np.zeros(20) if init == "small" else np.ones(20)}
             for init in ("normalized", "small", "large")}, "norm"),  # a 0 gets a note
        "activations": concept_charts.activation_and_slope(),
    }


FIGURES = {**race_figures(), **lab_figures(), **concept_figures()}


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_plotly_accepts_every_property(name):
    spec = FIGURES[name]
    validated = go.Figure(spec)  # raises ValueError on any invalid property or value
    assert len(validated.data) == len(spec["data"]) > 0
    if "frames" in spec:
        assert len(validated.frames) == len(spec["frames"])


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_the_spec_is_plain_finite_json(name):
    text = pio.to_json(FIGURES[name], validate=False)
    assert "NaN" not in text and "Infinity" not in text
    assert json.loads(text)["data"]


# Axes whose tick labels are category names of any length: plotly.js may widen the margins.
CATEGORY_AXES = {("softmax", "xaxis"), ("hidden weights", "xaxis"), ("hidden weights", "yaxis")}


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_numeric_axes_keep_the_figures_margins(name):
    """Streamlit's chart theme turns automargin on for every axis, and plotly.js then draws
    a chart twice; every numeric axis a trace uses turns it off (viz.figure.PLAIN_AXIS)."""
    spec = FIGURES[name]
    used = {(f"{letter}axis{trace.get(f'{letter}axis', letter)[1:]}")
            for trace in spec["data"] if trace.get("type") not in ("surface", "scatter3d")
            for letter in "xy"}
    for key in sorted(used - {axis for figure, axis in CATEGORY_AXES if figure == name}):
        axis = spec["layout"].get(key, {})
        assert axis.get("automargin") is False, (key, axis)
        assert axis.get("ticklabeloverflow") == "allow", (key, axis)


def test_curve_panels_share_one_legend_and_do_not_overlap():
    spec = FIGURES["curves, four panels"]
    layout = spec["layout"]
    in_legend = [t["legendgroup"] for t in spec["data"] if t["showlegend"]]
    assert sorted(in_legend) == sorted(OPTIMIZERS)  # each optimizer once
    boxes = [(layout[f"xaxis{s}"]["domain"], layout[f"yaxis{s}"]["domain"])
             for s in ("", "2", "3", "4")]
    for i, (xa, ya) in enumerate(boxes):
        assert 0 <= xa[0] < xa[1] <= 1 and 0 <= ya[0] < ya[1] <= 1
        for xb, yb in boxes[i + 1:]:
            apart = xa[1] <= xb[0] or xb[1] <= xa[0] or ya[1] <= yb[0] or yb[1] <= ya[0]
            assert apart, (xa, ya, xb, yb)
    # every trace sits on its own panel's axes
    panels = {(t["xaxis"], t["yaxis"]) for t in spec["data"]}
    assert panels == {("x", "y"), ("x2", "y2"), ("x3", "y3"), ("x4", "y4")}


def test_the_best_epoch_line_sits_on_the_loss_panel():
    layout = FIGURES["training curves, two runs"]["layout"]
    (shape,), notes = layout["shapes"], layout["annotations"]
    assert shape["xref"] == "x" and shape["x0"] == shape["x1"] == 2
    assert [n["text"] for n in notes if n["xref"] == "x"] == ["relu: best epoch 2"]
    assert layout["yaxis2"]["tickformat"] == ".0%"  # accuracy
    assert layout["yaxis3"]["type"] == "log"  # gradient magnitudes


def test_a_panel_without_data_still_has_its_axes():
    spec = FIGURES["training curves, before training"]
    assert {t["xaxis"] for t in spec["data"]} == {"x", "x2", "x3"}  # every panel is drawn


def test_streamlit_receives_the_spec_as_it_is():
    spec = FIGURES["race map"]
    assert return_figure_from_figure_or_data(Prebuilt(spec), validate_figure=True) is spec


def test_numbers_are_float32_written_short_and_widened_where_float32_loses_them():
    values = numbers(np.array([0.1, -3.25, 1e6]))
    assert values.dtype == np.dtype("<f4") and values.flags.c_contiguous
    text = pio.to_json({"data": [{"type": "scatter", "y": values}]}, validate=False)
    assert '"y":[0.1,-3.25,1000000.0]' in text  # float32's shortest digits, not 0.10000000149
    huge, tiny = numbers(np.array([1.0, 1e50])), numbers(np.array([1.0, 1e-60]))
    assert huge.dtype == tiny.dtype == np.dtype("<f8")
    assert huge[1] == 1e50 and tiny[1] == 1e-60
    assert numbers(np.array([0.0, 1.0])).dtype == np.dtype("<f4")  # a true zero is no loss
    grid = numbers(np.arange(6).reshape(2, 3), "i4")
    assert grid.dtype == np.dtype("<i4") and grid.shape == (2, 3)


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_figures_send_no_typed_arrays_in_their_data(name):
    """plotly.js counts a base64 typed array as new data each time it is handed the figure,
    and then draws the whole chart again (ui/charts.py); frames may keep them."""
    text = pio.to_json({"data": FIGURES[name]["data"]}, validate=False)
    assert "bdata" not in text


def test_the_app_look_is_under_each_figures_own_layout():
    layout = {"font": {"size": 9}, "xaxis": {"showgrid": True, "title": {"text": "t"}},
              "yaxis3": {"type": "log"}, "height": 300}
    styled = with_app_look(layout)
    assert styled["font"] == {**APP_LOOK["font"], "size": 9}  # the figure's own size wins
    assert styled["height"] == 300 and styled["hoverlabel"] == APP_LOOK["hoverlabel"]
    assert styled["xaxis"]["showgrid"] is True  # X_LOOK hides x grids, but the figure asked
    assert styled["xaxis"]["title"] == {**X_LOOK["title"], "text": "t"}
    assert styled["yaxis3"] == {**Y_LOOK, "type": "log"}
    assert styled["yaxis"] == Y_LOOK  # a chart's default axes are styled too
    assert styled["yaxis"]["ticks"] == ""  # no tick marks unless a figure asks for them
    assert with_app_look({"xaxis": {"ticks": "outside"}})["xaxis"]["ticks"] == "outside"
    assert layout == {"font": {"size": 9}, "xaxis": {"showgrid": True, "title": {"text": "t"}},
                      "yaxis3": {"type": "log"}, "height": 300}  # the input is unchanged
    scene = with_app_look({"scene": {"xaxis": {}}})
    assert "xaxis" not in scene and "yaxis" not in scene  # no 2D axes behind a 3D view


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_what_streamlit_receives_is_valid_and_has_no_template_object(name):
    sent = ready(FIGURES[name])
    go.Figure(sent)  # the look's properties are valid too
    assert not isinstance(sent["layout"].get("template"), dict)  # see ui/charts.py
    assert sent["layout"]["datarevision"] == data_revision(FIGURES[name]["data"])
    assert sent["data"] is FIGURES[name]["data"]


def test_the_data_revision_changes_with_the_data_and_only_then():
    spec = FIGURES["curves, four panels"]
    again = race_figures()["curves, four panels"]  # equal data, new arrays
    assert again["data"][0]["y"] is not spec["data"][0]["y"]
    assert data_revision(again["data"]) == data_revision(spec["data"])
    moved = [{**trace, "y": numbers(np.asarray(trace["y"]) * 1.001)} for trace in spec["data"]]
    assert data_revision(moved) != data_revision(spec["data"])
    restyled = [{**trace, "line": {"color": "red"}} for trace in spec["data"]]
    assert data_revision(restyled) != data_revision(spec["data"])  # any change counts
    strided = [{"type": "scatter", "y": np.arange(10.0)[::2]}]
    assert data_revision(strided) == data_revision([{"type": "scatter",
                                                     "y": [0.0, 2.0, 4.0, 6.0, 8.0]}])


def test_log_axes_label_values_not_bare_digits():
    # plotly.js writes a bare "2" for 0.2 between powers of ten unless told otherwise
    assert viz_figure.axis("norm", log=True)["minorloglabels"] == "complete"
    # under two decades: 1, 2, 5 per decade written out, or the complete labels overlap
    assert log_ticks([{"y": np.array([0.04, 0.42])}]) == {
        "tickmode": "array", "tickvals": [0.05, 0.1, 0.2], "ticktext": ["0.05", "0.1", "0.2"]}
    assert log_ticks([{"y": [1e-30, 1.0]}, {"y": [np.nan, 0.0]}]) == {}
    # within 0.001 … 10 000 decimals (20, not 2×10); beyond, powers of ten
    assert log_ticks([{"y": [0.05, 80.0]}]) == {"exponentformat": "none"}
    assert log_ticks([{"y": [0.0009, 80.0]}]) == {}
    assert log_ticks([{"y": [5e-6, 2e-5]}])["ticktext"] == ["5×10⁻⁶", "10⁻⁵", "2×10⁻⁵"]
    assert log_ticks([{"y": [0.0, np.nan]}]) == {}  # nothing to draw: plotly.js decides
    assert log_ticks([]) == {}


@pytest.mark.parametrize(("low", "high", "ticks"), [
    (24.0, 47.4, [25, 30, 35, 40, 45]),  # Rastrigin's gap: no 1, 2 or 5 × 10ᵏ inside
    (0.15, 0.45, [0.2, 0.3, 0.4]),  # 1, 2, 5 would give 0.2 alone
    (0.8, 3.0, [1, 2, 3]),
    (1.1, 9.9, [2, 4, 6, 8]),
    (0.011, 0.9, [0.02, 0.05, 0.1, 0.2, 0.5]),
])
def test_a_log_axis_under_two_decades_gets_at_least_three_round_labels(low, high, ticks):
    spec = log_ticks([{"y": np.geomspace(low, high, 7)}])
    np.testing.assert_allclose(spec["tickvals"], ticks)
    assert spec["ticktext"] == [f"{t:g}" for t in ticks]


def test_a_log_axis_of_one_value_is_widened_around_it_and_labelled():
    spec = log_ticks([{"y": np.full(5, 3.0)}])
    low, high = 10.0 ** np.array(spec["range"])
    assert low < 3.0 < high
    assert len([v for v in spec["tickvals"] if low <= v <= high]) >= 2


def _log_axes(spec):
    """(axis, the positive values of the traces on it) for each log y axis of a figure."""
    layout = spec["layout"]
    for key, axis in layout.items():
        if key.startswith("yaxis") and isinstance(axis, dict) and axis.get("type") == "log":
            ref = "y" + key[len("yaxis"):]
            values = np.concatenate([np.asarray(t["y"], dtype=float).ravel() for t in spec["data"]
                                     if t.get("yaxis", "y") == ref and len(t.get("y", ()))]
                                    or [np.empty(0)])
            yield key, axis, values[np.isfinite(values) & (values > 0)]


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_every_log_axis_has_at_least_two_labelled_ticks(name):
    for key, axis, values in _log_axes(FIGURES[name]):
        if not len(values):
            continue
        low, high = ((10.0 ** np.array(axis["range"])) if "range" in axis
                     else (values.min(), values.max()))
        if "tickvals" in axis:  # written out: count those inside the axis
            inside = [v for v in axis["tickvals"] if low * (1 - 1e-9) <= v <= high * (1 + 1e-9)]
            assert len(inside) >= 2 and len(axis["ticktext"]) == len(axis["tickvals"]), key
        else:  # plotly.js labels the powers of ten: two of them must lie inside
            powers = np.floor(np.log10(high)) - np.ceil(np.log10(low)) + 1
            assert powers >= 2, (key, low, high)


def test_members_borders_are_one_line_however_far_apart_the_classes_numbers_are():
    """Classes 0 and 5 side by side: one border segment per pair of neighbouring cells that
    vote differently (a contour of the class index drew five lines there)."""
    rng = np.random.default_rng(0)
    vote = np.where(rng.random((12, 12)) < 0.5, 0, 5)
    vote[:, :3] = 2
    xs, ys = np.linspace(-1, 1, 12), np.linspace(0, 3, 12)
    x, y = lab_charts.vote_borders(vote, xs, ys)
    segments = {(round(a, 9), round(b, 9), round(c, 9), round(d, 9))
                for a, b, c, d in zip(x[0::3], y[0::3], x[1::3], y[1::3], strict=True)}
    pairs = sum(vote[r, c] != vote[r, c + 1] for r in range(12) for c in range(11))
    pairs += sum(vote[r, c] != vote[r + 1, c] for r in range(11) for c in range(12))
    assert len(x) == 3 * pairs and len(segments) == pairs  # each once
    assert np.all(np.isnan(x[2::3])) and np.all(np.isnan(y[2::3]))
    # each segment is the edge between its two cells: half a cell from both centres
    dx, dy = xs[1] - xs[0], ys[1] - ys[0]
    lengths = np.hypot(x[1::3] - x[0::3], y[1::3] - y[0::3])
    assert np.all(np.isclose(lengths, dx) | np.isclose(lengths, dy))
