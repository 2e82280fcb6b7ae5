"""Every topic link of the home page shows what its words say: each link's settings run
through the engine here (the playground's races, the lab's training, the gradients
page's network), and its claim is checked against what comes out. Expected numbers are
worked out by hand or with NumPy of their own."""

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from engine.lab_run import Architecture, Knobs, LabRun, new_run
from engine.optimizers import OPTIMIZERS, make_optimizer
from engine.race import Lane, run_race
from engine.unstable import deep_network_profile
from engine.verdicts import arrival, minima_of, race_results, tolerance
from surfaces import SURFACES
from ui.concepts import gradients
from ui.concepts import topics as t
from ui.playground.presets import PRESETS
from ui.playground.results import ending_text

ROOT = Path(__file__).resolve().parent.parent


def topic(query: dict) -> t.Link:
    return next(item for item in t.TOPICS if item.query is query)


# ---------------------------------------------------------------- the playground's links


def playground_settings(query: dict) -> tuple[str, list[str], dict, int]:
    """The surface, optimizers, hyperparameters and steps a playground link opens with:
    the surface's preset, then the link's own values (ui/playground/sidebar.py)."""
    name = query["surface"]
    preset = PRESETS[name]
    chosen = query["opts"].split(",") if "opts" in query else preset["optimizers"]
    hyper = {o: dict(preset["hyper"][o]) for o in chosen}
    for key, value in query.items():
        optimizer, _, param = key.partition("_")
        if optimizer in hyper and param:
            hyper[optimizer][param] = float(value)
    return name, chosen, hyper, int(query.get("steps", preset["steps"]))


def race_of(query: dict) -> dict[str, Lane]:
    name, chosen, hyper, steps = playground_settings(query)
    surface = SURFACES[name]
    lanes = run_race(surface, {o: make_optimizer(o, **hyper[o]) for o in chosen},
                     surface.start, steps)
    return {lane.name: lane for lane in lanes}


def path(lane: Lane) -> np.ndarray:
    return lane.positions[:lane.last_step + 1]


def arrived(lane: Lane, name: str) -> int | None:
    surface = SURFACES[name]
    return arrival(lane, minima_of(surface), tolerance(surface.bounds)).stayed_from


def ended(lanes: dict[str, Lane], name: str) -> dict[str, str]:
    _, rows = race_results(SURFACES[name], list(lanes.values()))
    return {row.lane.name: ending_text(row.ending) for row in rows}


PLAYGROUND_LINKS = [item for item in t.TOPICS if item.page == t.PLAYGROUND]


@pytest.mark.parametrize("item", PLAYGROUND_LINKS, ids=lambda i: i.label[:30])
def test_the_page_opens_a_playground_link_with_the_settings_raced_here(item):
    at = AppTest.from_file(str(ROOT / item.page), default_timeout=60)
    for key, value in item.query.items():
        at.query_params[key] = value
    at.run()
    name, chosen, hyper, steps = playground_settings(item.query)
    assert at.session_state["surface"] == name and list(at.session_state["opts"]) == chosen
    assert at.session_state["steps"] == steps
    for optimizer in chosen:
        for param in OPTIMIZERS[optimizer].hyperparameter_names():
            assert at.session_state[f"{optimizer}_{param}"] == hyper[optimizer][param]


def test_local_minima_gradient_descent_settles_in_the_nearest_momentum_rolls_on():
    lanes = race_of(t.LOCAL_MINIMA)
    ends = ended(lanes, "two_minima")
    surface = SURFACES["two_minima"]
    local = next(p for p in surface.critical_points if p.kind == "local minimum")
    assert ends["sgd"] == f"local minimum ({local.x:.3g}, {local.y:.3g})"
    # the nearest minimum to the start is that local one
    minima = minima_of(surface)
    nearest = minima[np.argmin(np.linalg.norm(minima - np.array(surface.start), axis=1))]
    assert tuple(nearest) == (local.x, local.y)
    assert ends["momentum"].startswith("global minimum")


def test_saddle_gradient_descent_slows_near_it_and_slides_off_newton_lands_on_it():
    lanes = race_of(t.SADDLE)
    sgd = path(lanes["sgd"])
    steps = np.linalg.norm(np.diff(sgd, axis=0), axis=1)
    slowest = int(np.argmin(steps[:lanes["sgd"].last_step]))
    assert steps[slowest] < steps[0] / 10 and np.linalg.norm(sgd[slowest]) < 0.2
    assert abs(sgd[-1][1]) > 2  # slid off the map along y, downhill
    assert ended(lanes, "saddle")["newton"] == "saddle (0, 0)"


def test_momentum_with_the_same_alpha_damps_the_zigzag_and_settles_in_half_the_steps():
    q = t.MOMENTUM
    assert q["sgd_lr"] == q["momentum_lr"]  # "same α"
    lanes = race_of(q)

    def crossings(name):  # across the valley floor y = 0
        y = path(lanes[name])[:, 1]
        return int(np.sum(np.sign(y[1:]) != np.sign(y[:-1])))

    sgd_steps = len(path(lanes["sgd"])) - 1
    assert crossings("sgd") == sgd_steps  # zig-zags at every step
    assert crossings("momentum") < crossings("sgd") / 2
    assert arrived(lanes["momentum"], "valley") < arrived(lanes["sgd"], "valley") / 2


def test_nesterov_with_the_same_alpha_and_lambda_overshoots_less_and_settles_sooner():
    q = t.NESTEROV
    assert q["momentum_lr"] == q["nesterov_lr"]
    assert q["momentum_momentum"] == q["nesterov_momentum"]
    lanes = race_of(q)
    # the minimum is at x = 0, approached from x = −3.5: how far past it each swings
    overshoot = {name: path(lane)[:, 0].max() for name, lane in lanes.items()}
    assert 0 < overshoot["nesterov"] < overshoot["momentum"]
    assert arrived(lanes["nesterov"], "valley") < arrived(lanes["momentum"], "valley")


def test_adagrad_stalls_with_the_same_alpha_rmsprop_gets_there():
    q = t.ADAGRAD
    assert q["adagrad_lr"] == q["rmsprop_lr"]
    lanes = race_of(q)
    ada = path(lanes["adagrad"])
    assert np.linalg.norm(ada[-1]) > 1  # far from the minimum at 0 after 500 steps
    steps = np.linalg.norm(np.diff(ada, axis=0), axis=1)
    assert steps[-1] < steps[0] / 20  # its step only shrank
    assert arrived(lanes["adagrad"], "valley") is None
    assert arrived(lanes["rmsprop"], "valley") is not None
    # the experiment of the same name says the same, with the same settings
    assert next(e for e in t.EXPERIMENTS if e.label.startswith("AdaGrad")).query is q


def test_rmsprop_crosses_the_plateau_where_sgd_with_the_same_alpha_barely_moves():
    q = t.RMSPROP
    assert q["sgd_lr"] == q["rmsprop_lr"]
    lanes = race_of(q)
    sgd = path(lanes["sgd"])
    assert np.linalg.norm(sgd[-1] - sgd[0]) < 0.5
    assert ended(lanes, "plateau")["rmsprop"].startswith("global minimum")
    # steps about α long however small ∇J: the first, with r = (1 − ρ)g², moves
    # α/√(1 − ρ) along each axis; none of its first twenty is shorter than α
    steps = np.linalg.norm(np.diff(path(lanes["rmsprop"])[:21], axis=0), axis=1)
    alpha, rho = float(q["rmsprop_lr"]), PRESETS["plateau"]["hyper"]["rmsprop"]["rho"]
    assert steps[0] == pytest.approx(alpha * np.sqrt(2 / (1 - rho)), rel=1e-4)
    assert np.all((alpha <= steps) & (steps <= steps[0]))


def test_newton_goes_to_the_maximum_gradient_descent_to_a_minimum():
    ends = ended(race_of(t.NEWTON), "himmelblau")
    assert ends["newton"].startswith("maximum")
    assert ends["sgd"].startswith("global minimum")


# ---------------------------------------------------------------- the lab's links


def train(query: dict, epochs: int | None = None) -> LabRun:
    """The lab's run with a link's settings, trained to its epochs or `epochs`
    (engine.lab_run)."""
    s = t.lab_settings(query)
    epochs = s["epochs"] if epochs is None else epochs
    hyper = {"lr": s["lr"]}
    if s["opt"] in ("momentum", "nesterov"):
        hyper["momentum"] = s["lam"]
    if s["opt"] == "rmsprop":
        hyper["rho"] = s["rho"]
    knobs = Knobs(s["opt"], tuple(sorted(hyper.items())), s["batch"] or None, s["l1"],
                  s["l2"], s["dropout"], s["patience"] if s["early"] else None, s["epochs"])
    arch = Architecture(s["layers"], s["width"], s["act"], s["init"], s["loss"], s["seed"])
    run = new_run(("test",), s["mode"], t.lab_data(query), arch, knobs, s["members"])
    for label, trainer in run.trainers.items():
        while trainer.epoch < epochs and not trainer.finished:
            run.histories[label].append(trainer.run_epoch())
    return run


def last(run: LabRun):
    (history,) = run.histories.values()
    return history[-1]


LAB_LINKS = [item for item in t.TOPICS if item.page == t.LAB]


@pytest.mark.parametrize("item", LAB_LINKS, ids=lambda i: i.label[:30])
def test_the_lab_opens_a_link_with_the_settings_trained_here(item):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    for key, value in item.query.items():
        at.query_params[key] = value
    at.switch_page(item.page).run()
    assert not at.exception
    for key, value in t.lab_settings(item.query).items():
        assert at.session_state[f"lab_{key}"] == value, key


def test_mini_batches_learn_the_moons():
    assert t.lab_settings(t.MINI_BATCH)["batch"] == 16
    assert last(train(t.MINI_BATCH)).val_acc > 0.9


def dead_layers(net, X) -> list[bool]:
    """Per hidden layer: is every ReLU unit 0 for every input? (a forward pass by hand)"""
    a, dead = X, []
    for layer in net.layers[:-1]:
        a = np.maximum(a @ layer.W + layer.b, 0.0)
        dead.append(bool(np.all(a == 0)))
    return dead


def train_epochs(query: dict, epochs: int):
    """The network of a link's run after `epochs` epochs."""
    (trainer,) = train(query, epochs).trainers.values()
    return trainer.net


def test_online_training_with_too_large_an_alpha_kills_every_relu_unit_of_a_layer():
    q = t.ONLINE_TOO_FAST
    s = t.lab_settings(q)
    assert (s["batch"], s["lr"], s["lam"], s["act"]) == (1, 0.05, 0.9, "relu")  # as said
    assert any(dead_layers(train_epochs(q, 5), t.lab_data(q).X_tr))  # within 5 epochs
    assert last(train(q)).val_acc == pytest.approx(0.5, abs=0.05)  # and for good: 50 %
    # the smaller α the words suggest trains online
    assert last(train(t.ONLINE_SLOWER)).val_acc > 0.9


def test_the_normalized_initialization_learns_and_zeros_never_does():
    assert last(train(t.NORMALIZED)).val_acc > 0.9
    run = train(t.ZEROS)
    (trainer,) = run.trainers.values()
    assert all(trainer.net.identical_hidden_units())  # still identical after training
    assert last(run).val_acc <= 0.55


def test_l2_keeps_the_weights_small_and_the_validation_loss_low():
    without, with_l2 = last(train(t.OVERFIT)), last(train(t.L2))
    assert with_l2.weight_l2 < without.weight_l2 / 2
    assert with_l2.val_loss < without.val_loss / 2


def test_early_stopping_stops_long_before_the_last_epoch_and_keeps_the_best_weights():
    run = train(t.EARLY)
    s = t.lab_settings(t.EARLY)
    history = next(iter(run.histories.values()))
    best = min(range(len(history)), key=lambda i: history[i].val_loss)
    assert history[-1].epoch == history[best].epoch + s["patience"]
    assert history[-1].epoch < s["epochs"] / 2
    (trainer,) = run.trainers.values()
    loss, _ = trainer.net.evaluate(run.data.X_va, run.data.y_va)
    assert loss == pytest.approx(history[best].val_loss)  # the best weights are back


def test_bagging_members_each_train_on_a_resample_and_their_vote_is_no_worse():
    run = train(t.BAGGING)
    data = run.data
    assert len(run.trainers) == t.lab_settings(t.BAGGING)["members"]
    for sample in run.samples:  # a resample of the training points: duplicates, gaps
        assert len(sample) == len(data.y_tr) and len(np.unique(sample)) < len(sample)
    members = [np.mean(tr.net.predict(data.X_va) == data.y_va) for tr in run.trainers.values()]
    assert np.mean(run.ensemble().predict(data.X_va) == data.y_va) >= np.mean(members)


def test_dropout_keeps_the_training_and_validation_losses_close():
    plain, dropped = last(train(t.OVERFIT)), last(train(t.DROPOUT))
    assert plain.val_loss - plain.train_loss > 0.5  # without it they part
    assert abs(dropped.val_loss - dropped.train_loss) < 0.2


def test_the_overfit_words_count_the_points_the_lab_trains_on():
    # n = 100 points, 30 % for validation and 10 % for testing: 100 − 30 − 10 = 60 to train
    words = t._overfit_words()
    assert "3 hidden layers of 64 units" in words
    assert "on 60 noisy training points (30 more held out for validation)" in words
    card = next(e for e in t.EXPERIMENTS if e.label.startswith("Without dropout"))
    assert "60 noisy training points" in card.what_to_see and "70" not in card.what_to_see


# ---------------------------------------------------------------- the concept pages' links


def test_the_loss_link_shows_the_cat_and_dog_cross_entropies():
    # −(log 0.55 + log 0.56)/2 and −(log 0.49 + log 0.41)/2, by hand
    first, second = -(np.log(0.55) + np.log(0.56)) / 2, -(np.log(0.49) + np.log(0.41)) / 2
    words = topic(next(i.query for i in t.TOPICS if i.page == t.LOSSES)).what_to_see
    assert f"{first:.2f}" in words and f"{second:.2f}" in words
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page(t.LOSSES).run()
    shown = [m.value for m in at.metric]
    assert f"{first:.2f}" in shown and f"{second:.2f}" in shown


def test_the_unstable_gradient_link_shows_sigmoid_error_terms_shrinking_by_orders():
    d = gradients.DEFAULTS
    profile = deep_network_profile("sigmoid", "normalized", depth=d["depth"], width=d["width"],
                                   seed=d["net_seed"])
    deltas = profile.delta_norms
    assert deltas[0] < 1e-3 * deltas[-1]  # orders of magnitude, output back to input
    assert np.all(np.diff(np.log10(deltas)) > 0)  # layer by layer


def test_every_topic_says_what_it_shows():
    assert all(item.what_to_see for item in t.TOPICS)
    assert {item.page for item in t.TOPICS} == {t.PLAYGROUND, t.LAB, t.LOSSES, t.GRADIENTS}
