"""AppTest: the training lab page (AppTest runs the timed fragment once per run())."""

import base64
import json
import time
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "lab.py")


def open_lab(**query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def button(at: AppTest, text: str):
    return next(b for b in at.button if text in b.label)


def train(at: AppTest, runs: int = 3) -> AppTest:
    button(at, "Start").click().run()
    for _ in range(runs):
        at.run()
    return at


def lab_run(at: AppTest):
    return at.session_state["lab_run"]


def charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def numbers(node):
    """Every number in a figure spec, including base64-packed arrays."""
    if isinstance(node, dict):
        if "bdata" in node and "dtype" in node:
            yield from np.frombuffer(base64.b64decode(node["bdata"]), node["dtype"]).tolist()
        else:
            for value in node.values():
                yield from numbers(value)
    elif isinstance(node, list):
        for value in node:
            yield from numbers(value)
    elif isinstance(node, float):
        yield node


def assert_no_nan(at: AppTest) -> None:
    for spec in charts(at):
        assert all(np.isfinite(v) for v in numbers(spec["data"]))


def test_the_default_run_trains_and_records_validation_loss():
    at = open_lab()
    assert not at.exception
    assert lab_run(at).status == "ready"
    train(at)
    run = lab_run(at)
    history = run.histories["relu"]
    assert run.epoch == len(history) >= 3
    assert all(r.val_loss is not None and np.isfinite(r.val_loss) for r in history)
    curves, boundary = charts(at)[:2]  # (+ W¹ in its expander)
    titles = [a["text"] for a in curves["layout"]["annotations"]]
    assert titles[:2] == ["Loss per epoch", "Accuracy per epoch"] and "Gradient" in titles[2]
    assert boundary["layout"]["title"]["text"] == "Decision boundary"
    assert "Epoch" in at.get("progress")[0].proto.text
    assert not at.exception


def test_the_default_run_finishes_and_reports_the_test_set():
    at = train(open_lab(), runs=20)
    run = lab_run(at)
    assert run.status == "finished" and run.epoch == 100
    metrics = {m.label: m.value for m in at.metric}
    assert float(metrics["test accuracy"].rstrip("%")) > 85
    assert at.get("download_button")


@pytest.mark.parametrize("query", [
    {"data": "moons"}, {"data": "circles"}, {"data": "xor"}, {"data": "spirals", "arms": "3"},
    {"data": "blobs", "blobs": "4"},
    {"act": "sigmoid"}, {"act": "tanh"}, {"act": "leaky_relu"},
    {"init": "he"}, {"init": "small"}, {"init": "zeros"}, {"init": "large"},
    {"loss": "mse"},
    {"opt": "sgd", "lr": "0.1"}, {"opt": "nesterov"}, {"opt": "adagrad", "lr": "0.1"},
    {"opt": "rmsprop", "lr": "0.005"}, {"opt": "adam", "lr": "0.01"},
    {"batch": "1"}, {"batch": "0"}, {"dropout": "0.3"}, {"l1": "0.001", "l2": "0.01"},
    {"layers": "8", "width": "4"},
])
def test_every_choice_trains_without_an_exception(query):
    at = train(open_lab(**query), runs=2)
    assert not at.exception
    assert lab_run(at).epoch >= 1
    assert_no_nan(at)


def test_changing_alpha_mid_training_continues_the_same_run():
    at = train(open_lab(), runs=1)
    run, epoch = lab_run(at), lab_run(at).epoch
    assert 0 < epoch < 100
    next(s for s in at.sidebar.select_slider if s.key == "lab_lr").set_value(0.01).run()
    assert not at.exception
    assert lab_run(at) is run and run.epoch >= epoch  # nothing was lost
    assert run.trainers["relu"].optimizer.lr == 0.01
    assert at.query_params["lr"] == "0.01"


def test_changing_the_architecture_starts_afresh():
    at = train(open_lab(), runs=1)
    old = lab_run(at)
    next(s for s in at.sidebar.slider if s.key == "lab_width").set_value(8).run()
    assert not at.exception
    assert lab_run(at) is not old and lab_run(at).epoch == 0
    assert lab_run(at).status == "ready"


def test_pause_and_resume():
    at = train(open_lab(), runs=0)
    button(at, "Pause").click().run()
    epoch = lab_run(at).epoch
    at.run()
    assert lab_run(at).status == "paused" and lab_run(at).epoch == epoch
    button(at, "Resume").click().run()
    assert lab_run(at).epoch > epoch


def test_comparison_mode_trains_identical_twins_but_for_the_activation():
    at = open_lab(mode="compare", layers="5", width="8")
    run = lab_run(at)
    assert set(run.trainers) == {"sigmoid", "ReLU"}
    np.testing.assert_array_equal(run.initial_params["sigmoid"], run.initial_params["ReLU"])
    sig, relu = run.trainers["sigmoid"], run.trainers["ReLU"]
    assert sig.net.activation.name == "sigmoid" and relu.net.activation.name == "relu"
    # same batches: both trainers' shuffling generators are in the same state
    assert sig.rng.bit_generator.state == relu.rng.bit_generator.state
    train(at, runs=2)
    assert not at.exception
    assert len(run.histories["sigmoid"]) == len(run.histories["ReLU"]) >= 2
    # a deep sigmoid net's first layer gets a far smaller gradient than ReLU's
    first = {label: np.mean([r.grad_norms[0] for r in h]) for label, h in run.histories.items()}
    assert first["sigmoid"] < 0.1 * first["ReLU"]


def test_bagging_trains_every_member_and_compares_them_with_the_ensemble():
    at = train(open_lab(mode="bagging", members="3", epochs="30"), runs=15)
    run = lab_run(at)
    assert run.status == "finished" and len(run.trainers) == 3
    table = at.dataframe[0].value
    assert len(table) == 4 and table["model"].iloc[-1].startswith("ensemble")
    assert not at.exception


def test_a_diverging_run_stops_and_names_the_cause():
    at = train(open_lab(opt="sgd", lr="10"), runs=10)
    run = lab_run(at)
    assert run.status == "finished" and run.histories["relu"][-1].diverged
    assert "learning rate α = 10" in " ".join(e.value for e in at.error)
    assert_no_nan(at)


def test_zero_initialization_says_the_units_stay_identical():
    at = train(open_lab(init="zeros", act="sigmoid"), runs=2)
    assert "symmetry problem" in " ".join(w.value for w in at.warning)


@pytest.mark.parametrize(("act", "label"), [("relu", "ReLU"), ("tanh", "tanh"),
                                            ("leaky_relu", "leaky ReLU")])
def test_zero_initialization_where_f_of_0_is_0_says_no_gradient_flows(act, label):
    """f(0) = 0: zero weights make every hidden output 0, so no weight gets a gradient
    (aᵀδ = 0) and nothing gets back (W = 0): every weight stays 0, only the output biases
    learn. That, not the symmetry problem, is what happens (tanh too, though f'(0) = 1)."""
    at = train(open_lab(init="zeros", act=act), runs=2)
    net = lab_run(at).trainers[next(iter(lab_run(at).trainers))].net
    assert net.activation.name == act and lab_run(at).epoch >= 1
    weights = np.concatenate([layer.W.ravel() for layer in net.layers])
    hidden_biases = np.concatenate([layer.b for layer in net.layers[:-1]])
    assert np.all(weights == 0) and np.all(hidden_biases == 0)
    assert np.any(net.layers[-1].b != 0)  # the class shares
    text = " ".join(w.value for w in at.warning)
    assert f"With zero initialization and {label}, f(0) = 0" in text
    assert "only the output biases learn" in text


def test_early_stopping_marks_the_best_epoch():
    at = train(open_lab(early="1", patience="3", epochs="300", noise="0.5", n="100"), runs=25)
    run = lab_run(at)
    assert run.status == "finished"
    assert run.epoch < 300 and any("Early stopping" in m for m in run.messages)
    loss = charts(at)[0]
    assert any("best epoch" in a.get("text", "") for a in loss["layout"].get("annotations", []))


def test_compare_mode_marks_each_networks_best_epoch():
    at = train(open_lab(mode="compare", early="1", patience="3", epochs="300", noise="0.5",
                        n="100"), runs=25)
    best = {label: t.best_epoch for label, t in lab_run(at).trainers.items()}
    assert len(best) == 2 and all(best.values())
    assert len(set(best.values())) == 2  # else one network's line drawn twice would pass
    layout = charts(at)[0]["layout"]
    notes = sorted(a["text"] for a in layout["annotations"] if "best epoch" in a["text"])
    assert notes == sorted(f"{label}: best epoch {epoch}" for label, epoch in best.items())
    lines = sorted(s["x0"] for s in layout["shapes"] if s["xref"] == "x")
    assert lines == sorted(best.values())


GOOD_CSV = "a,b,label\n" + "\n".join(f"{i},{(i * 7) % 11},{'yes' if i % 3 else 'no'}"
                                     for i in range(40))


def test_a_pasted_csv_trains_and_a_broken_one_keeps_it():
    at = open_lab(data="csv")
    at.sidebar.text_area[0].set_value(GOOD_CSV).run()
    assert not at.exception
    assert lab_run(at).data.classes == ["no", "yes"]
    good = lab_run(at).data
    at.sidebar.text_area[0].set_value("a,b,label\n1,2,x\n1,oops").run()
    assert not at.exception
    assert "can't be used" in at.sidebar.error[0].value
    assert lab_run(at).data is good  # the previous dataset stays


@pytest.mark.parametrize("text", ["", "just one column\n1\n2", "a,b,label\n" + "1,2,x\n" * 20,
                                  "a,b,label\n" + "1,nan,x\n2,3,y\n" * 10])
def test_broken_csv_text_gives_a_message_not_a_traceback(text):
    at = open_lab(data="csv")
    at.sidebar.text_area[0].set_value(text).run()
    assert not at.exception
    assert at.info or at.sidebar.error


@pytest.mark.parametrize("query", [{"lr": "7"}, {"layers": "99"}, {"data": "mnist"},
                                   {"batch": "-3"}, {"what": "ever"}])
def test_a_tampered_link_gives_a_notice(query):
    at = open_lab(**query)
    assert not at.exception and at.info


def test_the_progress_follows_the_networks_still_training():
    # compare mode, α = 10: ReLU diverges in its first epoch, sigmoid trains on
    at = train(open_lab(mode="compare", opt="sgd", lr="10", epochs="20"), runs=12)
    run = lab_run(at)
    assert run.histories["ReLU"][-1].diverged and len(run.histories["ReLU"]) == 1
    assert len(run.histories["sigmoid"]) == 20 and run.status == "finished"
    assert run.epoch == 20  # not the diverged network's 1
    assert "Epoch 20 of 20" in at.get("progress")[0].proto.text


def test_a_dead_relu_network_is_explained_and_its_zero_gradients_are_gaps():
    # online SGD with momentum (batch 1, α 0.05, λ 0.9) kills every ReLU unit of some
    # layer on the circles within a few epochs: every weight gradient is then exactly 0
    at = train(open_lab(batch="1", data="circles", epochs="10"), runs=10)
    history = lab_run(at).histories["relu"]
    dead = [r.epoch for r in history if not np.any(r.grad_norms)]
    assert dead and dead[-1] == history[-1].epoch
    (warning,) = [w.value for w in at.warning if "exactly 0" in w.value]
    assert f"since epoch {dead[0]}" in warning and "dead" in warning
    curves = charts(at)[0]
    assert "gaps: exactly 0" in [a["text"] for a in curves["layout"]["annotations"]]
    layers = [t for t in curves["data"] if t["name"].startswith("layer")]
    assert layers and all(t["y"][-1] is None for t in layers)
    # a healthy run has neither
    at = train(open_lab(epochs="10"), runs=5)
    assert not [w for w in at.warning if "exactly 0" in w.value]
    assert "gaps: exactly 0" not in [a["text"] for a in charts(at)[0]["layout"]["annotations"]]


def test_the_test_loss_sits_at_the_epoch_whose_weights_it_tested():
    # early stopping on, and the epochs run out first: the best weights are restored
    at = train(open_lab(early="1", patience="50", epochs="30"), runs=15)
    run = lab_run(at)
    trainer = run.trainers["relu"]
    assert run.status == "finished" and not trainer.finished
    best = trainer.best_epoch
    assert f"restored the weights of epoch {best}, the best" in " ".join(
        s.value for s in at.success)
    (test,) = [t for t in charts(at)[0]["data"] if t.get("name") == "test (the weights kept)"]
    assert test["x"] == [best]
    # and without early stopping, the last epoch's
    at = train(open_lab(epochs="10"), runs=15)
    assert lab_run(at).status == "finished"
    (test,) = [t for t in charts(at)[0]["data"] if t.get("name") == "test (the weights kept)"]
    assert test["x"] == [10]


def test_with_a_penalty_the_page_says_the_curves_show_the_data_loss_alone():
    caption = "The losses drawn are the data loss J alone"
    assert any(caption in c.value for c in open_lab(l2="0.01").caption)
    assert not any(caption in c.value for c in open_lab().caption)


@pytest.mark.parametrize("query", [{}, {"mode": "compare"}, {"mode": "bagging"}])
def test_before_training_the_curves_say_how_to_start(query):
    """No meaningless axes before the first epoch: each curve panel spans the epochs to
    come and says to press Start; once an epoch has run, the curves take over."""
    at = open_lab(epochs="40", **query)
    curves = charts(at)[0]
    starts = [a for a in curves["layout"]["annotations"] if "Start training" in a["text"]]
    panels = [key for key in curves["layout"] if key.startswith("xaxis")]
    assert len(starts) == len(panels) >= 2
    assert all(curves["layout"][key]["range"] == [0, 40] for key in panels)
    train(at, runs=1)
    curves = charts(at)[0]
    assert not [a for a in curves["layout"].get("annotations", [])
                if "Start training" in a["text"]]
    assert any(len(trace["x"]) for trace in curves["data"])


def test_a_csv_names_the_numeric_columns_it_leaves_out():
    text = "a,b,c,label\n" + "\n".join(f"{i},{(i * 7) % 11},{i % 5},{'yes' if i % 3 else 'no'}"
                                       for i in range(40))
    at = open_lab(data="csv")
    at.sidebar.text_area[0].set_value(text).run()
    assert lab_run(at).data.features == ["a", "b"]  # two, for the decision boundary
    assert any(c.value.startswith("Not used: c. Two features") for c in at.sidebar.caption)
    at.sidebar.multiselect[0].set_value(["a", "b", "c"]).run()
    assert not at.exception
    assert lab_run(at).data.features == ["a", "b", "c"]
    assert not [c for c in at.sidebar.caption if c.value.startswith("Not used")]


def test_csv_column_names_are_shown_as_written():
    text = "x_1,x_2,$cost*,label\n" + "\n".join(f"{i},{(i * 7) % 11},{i % 5},{i % 2}"
                                                for i in range(40))
    at = open_lab(data="csv")
    at.sidebar.text_area[0].set_value(text).run()
    (caption,) = [c.value for c in at.sidebar.caption if c.value.startswith("Not used")]
    assert caption.startswith(r"Not used: \$cost\*.")  # not LaTeX, not emphasis


def test_a_divergence_in_the_first_epoch_leaves_no_bare_axes():
    at = train(open_lab(opt="sgd", lr="10", epochs="50"), runs=1)
    assert lab_run(at).histories[next(iter(lab_run(at).histories))][0].diverged
    curves = charts(at)[0]
    notes = [a["text"] for a in curves["layout"]["annotations"] if "diverged" in a["text"]]
    assert len(notes) == 3 and notes[0].startswith("Training diverged in its first epoch")


def test_zero_relu_gradients_say_so_in_the_panel():
    at = train(open_lab(init="zeros", epochs="5"), runs=5)
    curves = charts(at)[0]
    texts = [a["text"] for a in curves["layout"]["annotations"]]
    assert any(t.startswith("Every ‖∂J/∂Wᵐ‖ is exactly 0") for t in texts)
    assert "gaps: exactly 0" not in texts  # nothing drawn, so no gaps to point at
    assert curves["layout"]["yaxis3"]["showticklabels"] is False


def test_compare_mode_tells_the_two_test_losses_apart():
    at = train(open_lab(mode="compare", epochs="10"), runs=15)
    assert lab_run(at).status == "finished"
    tests = [t for t in charts(at)[0]["data"] if "test" in t["name"]]
    assert sorted(t["name"].split(":")[0] for t in tests) == ["ReLU", "sigmoid"]
    assert len({t["marker"]["symbol"] for t in tests}) == 2


def test_the_boundary_axes_name_the_features():
    at = open_lab()
    boundary = next(c for c in charts(at) if c["layout"].get("images"))
    assert [boundary["layout"][a]["title"]["text"] for a in ("xaxis", "yaxis")] == ["x₁", "x₂"]
    at = train(open_lab(mode="bagging", members="3", epochs="10"), runs=12)
    assert lab_run(at).status == "finished"
    maps = [c for c in charts(at) if c["layout"].get("images")
            or "disagree" in str(c["layout"].get("title", {}).get("text", ""))]
    assert len(maps) == 2  # the ensemble's boundary and the disagreement map
    for spec in maps:
        assert spec["layout"]["xaxis"]["title"]["text"] == "x₁"
    at = open_lab(data="csv")
    at.sidebar.text_area[0].set_value(GOOD_CSV).run()
    boundary = next(c for c in charts(at) if c["layout"].get("images"))
    assert boundary["layout"]["xaxis"]["title"]["text"] == "a (standardized)"


def test_a_csv_with_decimal_commas_is_explained():
    text = "x1;x2;label\n" + "\n".join(f"{i},5;0,{i};{'ab'[i % 2]}" for i in range(12))
    at = open_lab(data="csv")
    at.sidebar.text_area[0].set_value(text).run()
    assert not at.exception
    (error,) = [e.value for e in at.sidebar.error]
    assert "'x1' reads '0,5' on line 2. A decimal comma?" in error
    notices = " ".join(i.value for i in at.info)
    assert "Until a CSV file can be used, the lab trains on two moons." in notices
    assert "Upload or paste" not in notices  # one was pasted


def test_spirals_start_at_a_noise_their_arms_survive():
    """At the other datasets' noise (0.2) spirals' arms blur into a cloud. A link to spirals
    and a switch to spirals both start at their own noise, and a link leaves it out."""
    at = open_lab(data="spirals")
    assert next(s for s in at.sidebar.slider if s.label == "Noise").value == 0.05
    assert "noise" not in at.query_params
    at = open_lab()
    next(s for s in at.sidebar.selectbox if s.label == "Dataset").set_value("spirals").run()
    assert next(s for s in at.sidebar.slider if s.label == "Noise").value == 0.05
    next(s for s in at.sidebar.selectbox if s.label == "Dataset").set_value("circles").run()
    assert next(s for s in at.sidebar.slider if s.label == "Noise").value == 0.2
    at = open_lab(data="spirals", noise="0.3")  # a link's own noise is kept
    assert next(s for s in at.sidebar.slider if s.label == "Noise").value == 0.3
    next(s for s in at.sidebar.selectbox if s.label == "Dataset").set_value("moons").run()
    assert next(s for s in at.sidebar.slider if s.label == "Noise").value == 0.3  # chosen


def test_a_csv_column_that_is_not_all_numbers_is_said_why_it_is_not_offered():
    text = "x,y,z,label\n" + "\n".join(f'{i},"-0,{i}",{i % 5},{i % 2}' for i in range(12))
    at = open_lab(data="csv")
    at.sidebar.text_area[0].set_value(text).run()
    assert not at.exception
    assert lab_run(at).data.features == ["x", "z"]
    (caption,) = [c.value for c in at.sidebar.caption if c.value.startswith("Not offered")]
    assert "'y' reads '-0,0' on line 2. A decimal comma?" in caption.replace("\\", "")


# ---------------------------------------------------------------- issue 21


def panel_traces(spec: dict, axis: str) -> list[dict]:
    """The traces drawn on the panel whose y axis is `axis` ("y", "y2", …)."""
    return [t for t in spec["data"] if t.get("yaxis") == axis]


def panel_titles(spec: dict) -> list[str]:
    return [a["text"] for a in spec["layout"]["annotations"] if a.get("yref") == "paper"]


def test_compare_mode_gives_each_twin_its_own_gradient_panel_on_one_scale():
    """Sigmoid vs ReLU's gradients were 14 lines and 19 legend entries in one panel."""
    at = train(open_lab(mode="compare", layers="5", width="8"), runs=2)
    run = lab_run(at)
    curves = charts(at)[0]
    titles = panel_titles(curves)
    assert titles[2:] == ["sigmoid: ‖∂J/∂Wᵐ‖ per layer (log)", "ReLU: ‖∂J/∂Wᵐ‖ per layer (log)"]
    layers = 6  # five hidden layers and the output layer
    for axis, label in (("y3", "sigmoid"), ("y4", "ReLU")):
        traces = panel_traces(curves, axis)
        assert [t["name"] for t in traces] == [f"layer {m}" for m in range(1, layers + 1)]
        norms = np.array([r.grad_norms for r in run.histories[label]])
        for m, trace in enumerate(traces):
            np.testing.assert_allclose(trace["y"], norms[:, m], rtol=1e-12)
        assert len({t["line"]["color"] for t in traces}) == layers  # a colour per layer
    sigmoid, relu = panel_traces(curves, "y3"), panel_traces(curves, "y4")
    assert [t["line"]["color"] for t in sigmoid] == [t["line"]["color"] for t in relu]
    # one scale: both axes span every norm of both networks
    y3, y4 = curves["layout"]["yaxis3"], curves["layout"]["yaxis4"]
    assert y3["type"] == y4["type"] == "log" and y3["range"] == y4["range"]
    every = np.concatenate([np.ravel([r.grad_norms for r in h]) for h in run.histories.values()])
    low, high = y3["range"]
    assert low < np.log10(every.min()) and np.log10(every.max()) < high
    # one legend entry per layer, not per layer and network
    shown = [t["name"] for t in curves["data"] if t.get("showlegend", True) and t.get("name")]
    assert sum(name.startswith("layer") for name in shown) == layers
    assert len(shown) <= 4 + layers  # training and validation of each twin, and the layers


def test_changes_made_while_training_are_marked_on_the_loss_curve():
    at = train(open_lab(), runs=1)
    epoch = lab_run(at).epoch
    assert 0 < epoch < 100
    button(at, "Pause").click().run()
    epoch = lab_run(at).epoch
    next(s for s in at.sidebar.select_slider if s.key == "lab_lr").set_value(0.01).run()
    next(s for s in at.sidebar.slider if s.key == "lab_dropout").set_value(0.3).run()
    assert not at.exception
    changes = sorted((c.epoch, c.knob, c.before, c.after) for c in lab_run(at).changes)
    assert changes == [(epoch, "dropout", 0.0, 0.3), (epoch, "lr", 0.05, 0.01)]
    curves = charts(at)[0]
    marks = [s for s in curves["layout"]["shapes"] if s["xref"] == "x"
             and s["line"]["dash"] == "dash"]
    assert [s["x0"] for s in marks] == [epoch + 0.5]  # between the epochs before and after
    (note,) = [a["text"] for a in curves["layout"]["annotations"] if "→" in a["text"]]
    assert sorted(note.split(", ")) == ["p 0 → 0.3", "α 0.05 → 0.01"]
    assert any(f"after epoch {epoch}," in c.value for c in at.caption)
    # training goes on with them
    button(at, "Resume").click().run()
    assert lab_run(at).epoch > epoch and lab_run(at).trainers["relu"].optimizer.lr == 0.01


def test_a_training_speed_is_chosen_shown_and_kept_in_the_url():
    at = open_lab(speed="1")
    (speed,) = [s for s in at.select_slider if s.key == "lab_speed"]
    assert speed.value == 1 and at.query_params["speed"] == "1"
    started = time.perf_counter()
    button(at, "Start").click().run()
    for _ in range(3):
        at.run()
    elapsed = time.perf_counter() - started
    assert 1 <= lab_run(at).epoch <= 1 + elapsed * 1 + 1  # one a second, the first at once
    speed.set_value(0).run()
    assert "speed" not in at.query_params  # full speed is the default
    at = open_lab(speed="3")  # not one of the choices
    assert any("speed=3" in i.value for i in at.info)


def test_after_a_divergence_the_status_says_so_and_the_downloads_say_what_they_hold():
    at = train(open_lab(opt="sgd", lr="10"), runs=5)
    run = lab_run(at)
    assert run.status == "finished" and run.histories["relu"][-1].diverged
    assert at.get("progress")[0].proto.text == "Epoch 1 of 100 · diverged in epoch 1"
    assert next(b.label for b in at.button) == "✗ Diverged"
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["⬇ Download the starting weights (JSON), given back after the divergence"]
    assert any("diverged in epoch 1, before any epoch ended with a finite loss" in c.value
               for c in at.caption)
    # diverging later: the history holds the epochs before it
    at = train(open_lab(epochs="50"), runs=1)
    button(at, "Pause").click().run()
    before = lab_run(at).epoch
    next(s for s in at.sidebar.select_slider if s.key == "lab_lr").set_value(10.0).run()
    button(at, "Resume").click().run()
    for _ in range(5):
        at.run()
    run = lab_run(at)
    assert run.diverged_at() == {"relu": before + 1}
    assert at.get("progress")[0].proto.text.endswith(f"diverged in epoch {before + 1}")
    labels = [b.label for b in at.get("download_button")]
    assert "⬇ Download the history (CSV)" in labels
    assert any(f"the {before} epochs with losses and the diverged one" in c.value
               for c in at.caption)
    # compare mode: one twin diverged, the other finished
    at = train(open_lab(mode="compare", opt="sgd", lr="10", epochs="10"), runs=12)
    assert at.get("progress")[0].proto.text == (
        "Epoch 10 of 10 · finished (ReLU diverged in epoch 1)")


def test_the_boundary_shows_the_test_points_when_asked_and_the_loss_axis_starts_at_0():
    at = train(open_lab(epochs="20"), runs=1)
    boundary = next(c for c in charts(at) if c["layout"].get("images"))
    assert not [t for t in boundary["data"] if "(test)" in t.get("name", "")]
    assert charts(at)[0]["layout"]["yaxis"]["rangemode"] == "tozero"  # the loss panel
    next(t for t in at.sidebar.toggle if t.key == "lab_test_points").set_value(True).run()
    assert at.query_params["test_points"] == "1"
    data = lab_run(at).data
    boundary = next(c for c in charts(at) if c["layout"].get("images"))
    tests = [t for t in boundary["data"] if "(test)" in t.get("name", "")]
    assert [t["name"] for t in tests] == ["0 (test)", "1 (test)"]
    for k, trace in enumerate(tests):
        np.testing.assert_allclose(trace["x"], data.X_te[data.y_te == k, 0], rtol=1e-6)
    # the boundary takes three fifths of the width (not half beside a caption), the
    # mini-batch losses the rest
    (wide,) = [c for c in at.columns if abs(c.weight - 0.6) < 1e-9]
    (narrow,) = [c for c in at.columns if abs(c.weight - 0.4) < 1e-9]
    (picture,) = [json.loads(c.proto.spec) for c in wide.get("plotly_chart")]
    (beside,) = [json.loads(c.proto.spec) for c in narrow.get("plotly_chart")]
    assert picture["layout"].get("images") and picture["layout"]["height"] > 420
    assert "Loss of each mini-batch" in str(beside["layout"])


def test_a_penalty_shows_its_formula_with_the_live_strengths_and_the_weights_size():
    at = train(open_lab(l2="0.01", l1="0.001", epochs="30"), runs=2)
    run = lab_run(at)
    net = run.trainers["relu"].net
    last = run.histories["relu"][-1]
    weights = np.concatenate([layer.W.ravel() for layer in net.layers])
    l2, l1 = np.sqrt(np.sum(weights ** 2)), np.sum(np.abs(weights))
    latex = " ".join(e.value for e in at.get("latex"))
    assert r"\lambda_2 = 0.01" in latex and r"\lambda_1 = 0.001" in latex
    total = last.train_loss + 0.5 * 0.01 * l2 ** 2 + 0.5 * 0.001 * l1
    assert f"epoch {last.epoch}: " in latex and f"= {total:.3f}" in latex
    curves = charts(at)[0]
    assert "Size of the weights per epoch" in panel_titles(curves)
    sizes = {t["name"]: t["y"] for t in curves["data"] if t["name"] in ("‖w‖₂", "‖w‖₁")}
    assert sizes["‖w‖₂"][-1] == pytest.approx(l2, rel=1e-6)
    assert sizes["‖w‖₁"][-1] == pytest.approx(l1, rel=1e-6)
    assert "Size of the weights per epoch" not in panel_titles(charts(train(open_lab(),
                                                                            runs=1))[0])


@pytest.mark.parametrize(("batch", "steps"), [("1", 180), ("32", 6), ("0", 1)])
def test_each_mini_batchs_loss_is_drawn_to_compare_online_mini_batch_and_batch(batch, steps):
    at = train(open_lab(batch=batch, epochs="10"), runs=1)
    history = lab_run(at).histories["relu"]
    chart = next(c for c in charts(at) if "Loss of each mini-batch" in str(c["layout"]))
    (each,) = [t for t in chart["data"] if t["name"] == "each mini-batch"]
    losses = np.concatenate([r.batch_losses for r in history])[-1500:]
    assert len(history[0].batch_losses) == steps
    np.testing.assert_allclose(each["y"], losses, rtol=1e-6)
    # x in epochs: an epoch's last batch at the epoch's number, its batches 1/steps apart
    assert each["x"][-1] == pytest.approx(history[-1].epoch)
    if steps > 1:
        assert each["x"][-1] - each["x"][-2] == pytest.approx(1 / steps, rel=1e-5)


def test_bagging_shows_a_members_bootstrap_sample_with_its_repeats_and_missing_points():
    at = open_lab(mode="bagging", members="3")
    run = lab_run(at)
    counts = np.bincount(run.samples[0], minlength=len(run.data.X_tr))
    sample = next(c for c in charts(at) if "bootstrap sample" in str(c["layout"]["title"]))
    (missing,) = [t for t in sample["data"] if t["name"] == "never drawn (missing)"]
    np.testing.assert_allclose(missing["x"], run.data.X_tr[counts == 0, 0], rtol=1e-6)
    drawn = [t for t in sample["data"] if "drawn (larger" in t["name"]]
    assert sum(len(t["x"]) for t in drawn) == np.count_nonzero(counts)
    text = " ".join(m.value for m in at.markdown)
    assert f"{np.count_nonzero(counts > 1)} points were drawn twice or more" in text
    assert f"so {np.count_nonzero(counts == 0)} points" in text


def _upload(at: AppTest, name: str, text: str) -> AppTest:
    at.sidebar.get("file_uploader")[0].set_value((name, text.encode(), "text/csv")).run()
    return at


def test_a_new_csv_file_chooses_its_features_afresh_and_a_rejected_one_leaves_no_trace():
    """Issue 21: a file with a NaN column, then a clean file with the same columns, kept
    only one feature and drew no boundary; a rejected file stayed listed in the uploader."""
    nan_file = "a,b,c,label\n" + "\n".join(
        f"{i},{'nan' if i == 3 else (i * 7) % 11},{i % 5},{i % 2}" for i in range(40))
    clean = "a,b,c,label\n" + "\n".join(f"{i},{(i * 7) % 11},{i % 5},{i % 2}"
                                        for i in range(40))
    at = _upload(open_lab(data="csv"), "nan.csv", nan_file)
    at.sidebar.multiselect[0].set_value(["b"]).run()  # what a student might have left
    assert lab_run(at).data.features == ["b"]
    _upload(at, "clean.csv", clean)
    assert not at.exception
    assert lab_run(at).data.features == ["a", "b"]  # two: the boundary is drawn
    assert any(c["layout"].get("images") for c in charts(at))
    # a file that can't be used: said so, not listed, and the clean one stays in use
    _upload(at, "broken.csv", "a,b\n1,2\n")
    (uploader,) = at.sidebar.get("file_uploader")
    assert uploader.value is None  # a fresh uploader: the broken file is not listed
    assert "broken.csv can't be used" in at.sidebar.error[0].value
    assert any("The previous file is still in use: clean.csv" in i.value for i in at.info)
    assert any(c.value.startswith("In use: clean.csv") for c in at.sidebar.caption)
    assert lab_run(at).data.features == ["a", "b"]
    # another file taken: the rejection is no longer news
    at.sidebar.text_area[0].set_value(GOOD_CSV).run()
    assert not at.sidebar.error and lab_run(at).data.classes == ["no", "yes"]


def test_a_nan_in_a_csv_leaves_out_its_row_and_says_so():
    text = "a,b,label\n" + "\n".join(
        f"{i},{'NaN' if i in (3, 17) else (i * 7) % 11},{'yes' if i % 3 else 'no'}"
        for i in range(40))
    at = open_lab(data="csv")
    at.sidebar.text_area[0].set_value(text).run()
    assert not at.exception
    data = lab_run(at).data
    assert data.features == ["a", "b"]  # b is offered, not dropped
    assert len(data.X_tr) + len(data.X_va) + len(data.X_te) == 38
    notes = " ".join(i.value for i in at.info)
    assert "2 rows with a missing value (NaN or empty) in a feature column left out " \
           "(lines 5, 19); 38 rows used." in notes


def test_a_number_too_large_in_a_link_is_said_to_be_too_large():
    at = open_lab(epochs="1e308", layers="2.5")
    notices = " ".join(i.value for i in at.info)
    assert "1e308 is too large: the largest is 1000" in notices
    assert "'2.5' is not a whole number" in notices
    assert "'1e308' is not a whole number" not in notices


def test_the_course_texts_errata_are_flagged_in_the_lab():
    at = open_lab()
    init = next(s for s in at.sidebar.selectbox if s.key == "lab_init")
    assert "6/(m+n)" in init.help and "correct bound is √6/√(m+n)" in init.help
    early = next(t for t in at.sidebar.toggle if t.key == "lab_early")
    assert "minimize the validation *loss*" in early.help
    at = train(open_lab(early="1", patience="3", epochs="300", noise="0.5", n="100"), runs=25)
    (stopped,) = [s.value for s in at.success if "Early stopping" in s.value]
    assert "the correct goal is to minimize the validation *loss*" in stopped
