"""What the lab draws while it trains: progress, curves, and the decision boundary."""

from __future__ import annotations

import numpy as np
import streamlit as st

from engine.lab_run import BAGGING, COMPARE, LabRun, kept_epochs, losses_on_test_set
from ui.charts import plotly_chart
from ui.lab.sidebar import LabSettings
from viz.lab_charts import (
    accuracy_panel,
    decision_boundary,
    empty_panels,
    gradient_panel,
    loss_panel,
    member_panels,
    plottable,
    training_curves,
)


def _progress(run: LabRun, epochs: int) -> None:
    done = min(run.epoch, epochs)
    label = {"ready": "ready", "running": "training…", "paused": "paused",
             "finished": "finished"}[run.status]
    st.progress(done / epochs, text=f"Epoch {done} of {epochs} · {label}")
    for message in run.messages:
        kind = st.error if "diverged" in message else st.success
        kind(message)


def axis_titles(run: LabRun) -> list[str]:
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


def draw(run: LabRun, settings: LabSettings) -> None:
    _progress(run, settings.knobs.epochs)
    data = run.data
    if run.mode == BAGGING:
        plotly_chart(training_curves(_waiting(run, member_panels(run.histories), settings)))
        return
    best = ({label: t.best_epoch for label, t in run.trainers.items() if t.best_epoch}
            if settings.knobs.patience is not None else {})
    plotly_chart(training_curves(_waiting(run, [
        loss_panel(run.histories, best_epochs=best, test_losses=losses_on_test_set(run),
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
            X_other=data.X_va, y_other=data.y_va, axis_titles=axis_titles(run)),
            where=column, png_name="decision-boundary")
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
