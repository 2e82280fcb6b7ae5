"""engine.lab_run: the lab's run model, driven without a page, as the lab drives it."""

import dataclasses

import numpy as np

from engine.lab_run import (
    BAGGING,
    COMPARE,
    SINGLE,
    Architecture,
    Knobs,
    advance,
    apply_knobs,
    can_continue,
    history_rows,
    kept_epochs,
    losses_on_test_set,
    new_run,
    synthetic_data,
)
from engine.training import Trainer

DATA = synthetic_data("moons", 200, 0.2, 0, arms=2, blobs=3, val=0.2, test=0.2)
ARCH = Architecture(hidden_layers=1, width=8, activation="relu", init="normalized",
                    loss="cross_entropy", seed=0)
KNOBS = Knobs("momentum", (("lr", 0.05), ("momentum", 0.9)), 32, 0.0, 0.0, 0.0, None, 6)


def finished(mode, members=3, knobs=KNOBS):
    run = new_run(("key",), mode, DATA, ARCH, knobs, members)
    while run.status != "finished":
        advance(run, knobs.epochs, seconds=10.0)
    return run


def test_a_single_run_trains_its_epochs_like_a_trainer_of_its_own():
    run = finished(SINGLE)
    (label,) = run.trainers
    assert run.epoch == 6 and len(run.histories[label]) == 6
    # the same network, optimizer and batches trained directly give the same losses
    from engine.network import MLP
    net = MLP([2, 8, 2], activation="relu", loss="cross_entropy", init="normalized", seed=0)
    alone = Trainer(net, KNOBS.make_optimizer(), DATA.X_tr, DATA.y_tr, batch_size=32, seed=1,
                    X_val=DATA.X_va, y_val=DATA.y_va, l1=0.0, l2=0.0, patience=None)
    losses = [alone.run_epoch().train_loss for _ in range(6)]
    np.testing.assert_allclose([r.train_loss for r in run.histories[label]], losses)
    assert not can_continue(run, 6) and can_continue(run, 8)
    assert kept_epochs(run) == {label: 6}
    assert set(losses_on_test_set(run)) == {label}


def test_compare_mode_trains_a_sigmoid_and_a_relu_twin_from_the_same_weights():
    run = new_run(("key",), COMPARE, DATA, ARCH, KNOBS, 3)
    assert set(run.trainers) == {"sigmoid", "ReLU"}
    first, second = (t.net.params for t in run.trainers.values())
    np.testing.assert_array_equal(first, second)


def test_bagging_keeps_its_samples_and_its_ensemble():
    run = finished(BAGGING, members=3)
    assert len(run.trainers) == 3 and run.samples.shape[0] == 3
    assert 0.0 <= run.ensemble().accuracy(DATA.X_te, DATA.y_te) <= 1.0


def test_history_rows_hold_one_row_per_network_and_epoch():
    run = finished(COMPARE)
    rows = history_rows(run)
    assert len(rows) == 12 and {row["run"] for row in rows} == {"sigmoid", "ReLU"}
    assert [row["epoch"] for row in rows[:6]] == [1, 2, 3, 4, 5, 6]
    assert {"grad_norm_layer_1", "grad_norm_layer_2"} <= set(rows[0])


def test_new_knobs_reach_the_running_trainers():
    run = new_run(("key",), SINGLE, DATA, ARCH, KNOBS, 3)
    apply_knobs(run, Knobs("sgd", (("lr", 0.1),), None, 0.0, 1e-3, 0.2, 5, 6))
    (trainer,) = run.trainers.values()
    assert trainer.optimizer.lr == 0.1 and trainer.l2 == 1e-3 and trainer.patience == 5
    assert trainer.batch_size == len(DATA.X_tr)


# ---------------------------------------------------------------- issue 21


def test_changes_made_while_training_are_recorded_at_the_epoch_they_came_after():
    from engine.lab_run import KnobChange

    run = new_run(("key",), SINGLE, DATA, ARCH, KNOBS, 3)
    slower = Knobs("momentum", (("lr", 0.01), ("momentum", 0.9)), 32, 0.0, 0.0, 0.0, None, 6)
    apply_knobs(run, slower)  # before training: the run's starting settings, not a change
    assert run.changes == []
    advance(run, 6, seconds=10.0)
    epoch = run.epoch
    assert epoch >= 1
    dropout = Knobs("momentum", (("lr", 0.05), ("momentum", 0.9)), 32, 0.0, 1e-3, 0.3, None, 6)
    apply_knobs(run, dropout)
    assert sorted(run.changes, key=lambda c: c.knob) == [
        KnobChange(epoch, "dropout", 0.0, 0.3), KnobChange(epoch, "l2", 0.0, 1e-3),
        KnobChange(epoch, "lr", 0.01, 0.05)]
    # moved again before the next epoch: still one change each; moved back: none
    again = Knobs("momentum", (("lr", 0.01), ("momentum", 0.9)), 32, 0.0, 3e-3, 0.3, None, 6)
    apply_knobs(run, again)
    assert sorted(run.changes, key=lambda c: c.knob) == [
        KnobChange(epoch, "dropout", 0.0, 0.3), KnobChange(epoch, "l2", 0.0, 3e-3)]
    apply_knobs(run, again)  # the same settings: nothing new
    assert len(run.changes) == 2
    (trainer,) = run.trainers.values()
    assert trainer.l2 == 3e-3 and trainer.net.p_hidden == 0.3  # and they reached training


def test_a_chosen_speed_trains_that_many_epochs_a_second():
    run = new_run(("key",), SINGLE, DATA, ARCH, dataclasses.replace(KNOBS, epochs=50), 3)
    done = []
    for now in (100.0, 100.2, 100.4, 100.5, 100.9, 101.6):
        advance(run, 50, seconds=10.0, per_second=2, now=now)
        done.append(run.epoch)
    # the first epoch at once, then one every half second
    assert done == [1, 1, 1, 2, 2, 4]
    # after a pause (no call for a while) it goes on at the same pace, with no burst
    advance(run, 50, seconds=10.0, per_second=2, now=130.0)
    assert run.epoch == 5
    # at full speed it trains as before: up to epochs / TICKS_PER_RUN epochs a call
    advance(run, 50, seconds=10.0)
    assert run.epoch == 5 + 5


def test_a_run_whose_networks_diverged_says_where():
    knobs = Knobs("sgd", (("lr", 10.0),), 32, 0.0, 0.0, 0.0, None, 6)
    run = finished(COMPARE, knobs=knobs)
    diverged = run.diverged_at()
    assert diverged == {label: len(h) for label, h in run.histories.items()
                        if h[-1].diverged}
    assert "ReLU" in diverged and run.all_diverged == (len(diverged) == 2)
