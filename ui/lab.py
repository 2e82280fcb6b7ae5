"""The training lab's page sections: run control, the live view, and the results."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from ui.charts import plotly_chart
from ui.lab_controls import ACTIVATIONS, LabSettings
from ui.lab_session import (
    BAGGING,
    COMPARE,
    LabRun,
    advance,
    apply_knobs,
    can_continue,
    history_table,
    kept_epochs,
    new_run,
    test_losses,
)
from viz.lab_charts import (
    accuracy_panel,
    decision_boundary,
    disagreement_map,
    empty_panels,
    ensemble_boundaries,
    gradient_panel,
    hidden_weights,
    loss_panel,
    member_panels,
    plottable,
    training_curves,
)

REFRESH_SECONDS = 0.25
RUN = "lab_run"


def current_run(settings: LabSettings) -> LabRun:
    """The session's run; a new one when the data, architecture or mode changed."""
    run = st.session_state.get(RUN)
    if run is None or run.key != settings.run_key:
        started = run is not None and any(run.histories.values())
        run = new_run(settings.run_key, settings.mode, settings.data, settings.arch,
                      settings.knobs, settings.members)
        st.session_state[RUN] = run
        if started:
            st.toast("The data or the network changed, so training starts afresh.")
    else:
        apply_knobs(run, settings.knobs)
        if run.status == "finished" and can_continue(run, settings.knobs.epochs):
            run.status = "paused"  # more epochs were asked for
    return run


def _set_status(status: str) -> None:
    st.session_state[RUN].status = status


def _reset() -> None:
    st.session_state[RUN] = None


def buttons(run: LabRun, settings: LabSettings) -> None:
    start, reset, _ = st.columns([1, 1, 4])
    if run.status == "ready":
        start.button("▶ Start training", type="primary", on_click=_set_status,
                     args=("running",), use_container_width=True)
    elif run.status == "running":
        start.button("❚❚ Pause", on_click=_set_status, args=("paused",),
                     use_container_width=True)
    elif run.status == "paused":
        start.button("▶ Resume", type="primary", on_click=_set_status, args=("running",),
                     use_container_width=True)
    else:
        start.button("✓ Finished", disabled=True, use_container_width=True)
    reset.button("⟲ Reset", on_click=_reset, use_container_width=True,
                 help="Back to epoch 0 with fresh initial weights from the seed.")


def live_view(run: LabRun, settings: LabSettings) -> None:
    """Charts that redraw while training runs (a fragment that reruns on a timer)."""
    every = REFRESH_SECONDS if run.status == "running" else None

    @st.fragment(run_every=every)
    def view() -> None:
        current = st.session_state.get(RUN)
        if current is None:
            return
        if every is not None and current.status != "running":
            # A timer tick after the run finished: rerun the whole page, which draws the
            # results and defines this fragment again without a timer.
            st.rerun(scope="app")
        if current.status == "running":
            advance(current, settings.knobs.epochs)
        _draw(current, settings)

    view()


def _progress(run: LabRun, epochs: int) -> None:
    done = min(run.epoch, epochs)
    label = {"ready": "ready", "running": "training…", "paused": "paused",
             "finished": "finished"}[run.status]
    st.progress(done / epochs, text=f"Epoch {done} of {epochs} · {label}")
    for message in run.messages:
        kind = st.error if "diverged" in message else st.success
        kind(message)


def _axis_titles(run: LabRun) -> list[str]:
    """The boundary's axes: x₁, x₂, or a CSV file's columns, which the lab standardized
    (run.key starts with the data's key, whose first item names the dataset)."""
    features = run.data.features
    return [f"{f} (standardized)" for f in features] if run.key[0][0] == "csv" else features


def _waiting(run: LabRun, panels: list, settings: LabSettings) -> list:
    """The curve panels as they are, or, with nothing to draw, saying why."""
    if any(plottable(history) for history in run.histories.values()):
        return panels
    if not any(run.histories.values()):
        return empty_panels(panels, settings.knobs.epochs)
    return empty_panels(panels, settings.knobs.epochs,
                        "Training diverged in its first epoch:<br>nothing to draw "
                        "(see the message above)")


def _draw(run: LabRun, settings: LabSettings) -> None:
    _progress(run, settings.knobs.epochs)
    data = run.data
    if run.mode == BAGGING:
        plotly_chart(training_curves(_waiting(run, member_panels(run.histories), settings)))
        return
    best = ({label: t.best_epoch for label, t in run.trainers.items() if t.best_epoch}
            if settings.knobs.patience is not None else {})
    plotly_chart(training_curves(_waiting(run, [
        loss_panel(run.histories, best_epochs=best, test_losses=test_losses(run),
                   tested_epochs=kept_epochs(run)),
        accuracy_panel(run.histories), gradient_panel(run.histories)], settings)))
    if settings.knobs.l1 or settings.knobs.l2:
        st.caption("The losses drawn are the data loss J alone. With L1 or L2 on, training "
                   "minimizes J plus the penalty on the weights, so J itself can rise while "
                   "the penalty pulls the weights towards 0.")
    _dead_units_note(run, settings)
    columns = st.columns(2)
    if data.X_tr.shape[1] != 2:
        columns[0].info("The decision boundary is drawn for exactly two features.")
        return
    nets = run.nets()
    for column, (label, net) in zip(columns, nets.items(), strict=False):
        title = "Decision boundary" + (f": {label}" if run.mode == COMPARE else "")
        plotly_chart(decision_boundary(
            net.predict_proba, data.X_tr, data.y_tr, data.classes, title=title,
            X_other=data.X_va, y_other=data.y_va, axis_titles=_axis_titles(run)),
            where=column)
    if len(nets) == 1:
        columns[1].caption(
            "**Reading the boundary.** Each point of the plane is coloured by the class the "
            "network predicts there, paler where it is less sure. Filled dots are the "
            "training data, rings the validation data.")


def _dead_units_note(run: LabRun, settings: LabSettings) -> None:
    """Say why a ReLU network whose every weight gradient is exactly 0 has stopped."""
    if settings.arch.init == "zeros":
        return  # the symmetry note explains that one
    for label, trainer in run.trainers.items():
        records = plottable(run.histories[label])
        if trainer.net.activation.name != "relu" or not records or np.any(records[-1].grad_norms):
            continue
        since = records[-1].epoch
        for record in reversed(records):  # the first epoch of the run of zeros
            if np.any(record.grad_norms):
                break
            since = record.epoch
        prefix = f"{label}: every" if len(run.trainers) > 1 else "Every"
        st.warning(
            f"{prefix} weight gradient has been exactly 0 since epoch {since}. Every "
            "ReLU unit of some layer is off (z ≤ 0) for every training point, so the layer "
            "passes on only zeros and no error gets back through it (f'(z) = 0). These units "
            "are *dead*: with no gradient, training cannot bring them back. A smaller α, a "
            "larger mini-batch or less dropout make this less likely, and leaky ReLU cannot "
            "die this way.", icon=":material/warning:")


def after_training(run: LabRun, settings: LabSettings) -> None:
    _symmetry_note(run, settings)
    if run.status == "finished":
        if run.mode == BAGGING:
            _bagging_results(run)
        else:
            _test_results(run)
    table = history_table(run)
    if len(table):
        st.download_button("⬇ Download the history (CSV)", table.to_csv(index=False),
                           file_name="descent-training-history.csv", mime="text/csv")


def _symmetry_note(run: LabRun, settings: LabSettings) -> None:
    zeros = settings.arch.init == "zeros"
    if zeros:
        _zero_init_warnings(run)
    net = next(iter(run.trainers.values())).net
    with st.expander("First layer's weights W¹ (one column per hidden unit)", expanded=zeros):
        plotly_chart(hidden_weights(net.layers[0].W, run.data.features), key="lab_w1")


def _zero_init_warnings(run: LabRun) -> None:
    """Zero initialization: no gradient at all where f(0) = 0, else the symmetry problem."""
    for label, trainer in run.trainers.items():
        prefix = f"{label}: " if len(run.trainers) > 1 else ""
        f = trainer.net.activation
        if f.f(np.zeros(1))[0] == 0:  # ReLU, tanh, leaky ReLU
            st.warning(
                f"{prefix}With zero initialization and {ACTIVATIONS.get(f.name, f.name)}, "
                "f(0) = 0: every hidden unit outputs 0 and every W is 0, so no error gets "
                "back through a layer (δ = 0 below the output) and no weight gets a gradient "
                "(∂J/∂W = aᵀδ: a = 0 above the first layer, δ = 0 below the output). Every "
                "weight stays 0: only the output biases learn, and the network "
                "predicts the same class shares everywhere. (With sigmoid, f(0) = 0.5, the "
                "weights do learn, but all units of a layer stay identical: the symmetry "
                "problem.) Choose another initialization.", icon=":material/block:")
        elif any(trainer.net.identical_hidden_units()):
            st.warning(
                f"{prefix}All hidden units of each layer still have exactly the same weights. "
                "With zero initialization every unit computes the same output and receives "
                "the same gradient, so training can never make them different: the layer "
                "behaves like a single unit (the symmetry problem). Choose another "
                "initialization to break the symmetry.", icon=":material/content_copy:")


def _test_results(run: LabRun) -> None:
    tests = test_losses(run)
    if not tests:
        return
    columns = st.columns(len(tests))
    for column, (label, loss) in zip(columns, tests.items(), strict=True):
        net = run.trainers[label].net
        accuracy = float(np.mean(net.predict(run.data.X_te) == run.data.y_te))
        prefix = f"{label}: " if run.mode == COMPARE else ""
        column.metric(f"{prefix}test loss", f"{loss:.3f}")
        column.metric(f"{prefix}test accuracy", f"{accuracy:.1%}")


def _bagging_results(run: LabRun) -> None:
    ensemble = run.ensemble()
    data = run.data
    st.subheader("The ensemble")
    rows = []
    for label, net in run.nets().items():
        rows.append({"model": label,
                     "validation accuracy": float(np.mean(net.predict(data.X_va) == data.y_va)),
                     "test accuracy": float(np.mean(net.predict(data.X_te) == data.y_te))})
    rows.append({"model": "ensemble (averaged probabilities)",
                 "validation accuracy": ensemble.accuracy(data.X_va, data.y_va),
                 "test accuracy": ensemble.accuracy(data.X_te, data.y_te)})
    # height "content": with 10 members the ensemble's row (the point of the table)
    # fell below the default ten visible rows
    st.dataframe(pd.DataFrame(rows), hide_index=True, height="content",
                 column_config={c: st.column_config.NumberColumn(format="percent")
                                for c in ("validation accuracy", "test accuracy")})
    if data.X_tr.shape[1] != 2:
        return
    left, right = st.columns(2)
    plotly_chart(ensemble_boundaries([net.predict_proba for net in ensemble.members],
                                     ensemble.predict_proba, data.X_tr, data.y_tr,
                                     data.classes, axis_titles=_axis_titles(run)),
                 key="lab_ensemble", where=left)
    plotly_chart(disagreement_map(ensemble.disagreement, data.X_tr,
                                  axis_titles=_axis_titles(run)),
                 key="lab_disagreement", where=right)
