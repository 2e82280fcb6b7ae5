"""What the lab draws while it trains: progress, curves, and the decision boundary."""

from __future__ import annotations

import numpy as np
import streamlit as st

from engine.ensembles import resample
from engine.lab_run import (
    BAGGING,
    COMPARE,
    KnobChange,
    LabRun,
    kept_epochs,
    losses_on_test_set,
)
from engine.optimizers import OPTIMIZERS
from ui.charts import plotly_chart
from ui.lab.sidebar import VALIDATION_ERRATUM, LabSettings
from viz.lab_charts import (
    accuracy_panel,
    batch_loss_figure,
    decision_boundary,
    empty_panels,
    gradient_panels,
    loss_panel,
    member_panels,
    plottable,
    resample_map,
    training_curves,
    weight_panel,
)

# How a setting is named on the curves, in the course text's symbols where it has them
KNOB_NAMES = {"optimizer": "optimizer", "lr": "α", "momentum": "λ", "rho": "ρ",
              "batch_size": "Q", "l1": "λ₁", "l2": "λ₂", "dropout": "p",
              "patience": "patience"}


def _value_text(knob: str, value) -> str:
    if knob == "optimizer":
        return OPTIMIZERS[value].label
    if knob == "batch_size" and value is None:
        return "all"
    if knob == "patience" and value is None:
        return "off"
    return f"{value:g}"


def change_text(change: KnobChange) -> str:
    """'α 0.05 → 0.01'"""
    return (f"{KNOB_NAMES.get(change.knob, change.knob)} {_value_text(change.knob, change.before)}"
            f" → {_value_text(change.knob, change.after)}")


def change_marks(run: LabRun) -> list[tuple[int, str]]:
    """(epoch, text) for the loss curves: the changes made after each epoch, together."""
    by_epoch: dict[int, list[str]] = {}
    for change in run.changes:
        by_epoch.setdefault(change.epoch, []).append(change_text(change))
    return [(epoch, ", ".join(texts)) for epoch, texts in by_epoch.items()]


def status_text(run: LabRun) -> str:
    """Where the run stands, in words: a run whose networks all diverged did not finish."""
    diverged = run.diverged_at()
    if run.status != "finished" or not diverged:
        return {"ready": "ready", "running": "training…", "paused": "paused",
                "finished": "finished"}[run.status]
    if run.all_diverged:
        epochs = sorted(set(diverged.values()))
        if len(run.trainers) == 1:
            return f"diverged in epoch {epochs[0]}"
        return ("every network diverged, in epoch " + ", ".join(map(str, epochs))
                if len(epochs) > 1 else f"every network diverged in epoch {epochs[0]}")
    which = ", ".join(f"{label} diverged in epoch {epoch}" for label, epoch in diverged.items())
    return f"finished ({which})"


def _progress(run: LabRun, epochs: int) -> None:
    done = min(run.epoch, epochs)
    st.progress(done / epochs, text=f"Epoch {done} of {epochs} · {status_text(run)}")
    for message in run.messages:
        if "diverged" in message:
            st.error(message)
        elif "Early stopping" in message:
            st.success(f"{message} ({VALIDATION_ERRATUM})")
        else:
            st.success(message)


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


def _penalized(run: LabRun, settings: LabSettings) -> tuple[bool, bool]:
    """Whether L1 and L2 are on, or were on at some point of this run."""
    knobs = settings.knobs
    return (bool(knobs.l1) or any(c.knob == "l1" for c in run.changes),
            bool(knobs.l2) or any(c.knob == "l2" for c in run.changes))


def draw(run: LabRun, settings: LabSettings) -> None:
    _progress(run, settings.knobs.epochs)
    marks = change_marks(run)
    l1, l2 = _penalized(run, settings)
    weights = [weight_panel(run.histories, l1=l1, l2=l2)] if l1 or l2 else []
    if run.mode == BAGGING:
        plotly_chart(training_curves(_waiting(run, member_panels(run.histories, marks)
                                              + weights, settings)))
        _changes_note(run)
        _penalty_formula(run, settings)
        _bootstrap_sample(run)
        return
    best = ({label: t.best_epoch for label, t in run.trainers.items() if t.best_epoch}
            if settings.knobs.patience is not None else {})
    plotly_chart(training_curves(_waiting(run, [
        loss_panel(run.histories, best_epochs=best, test_losses=losses_on_test_set(run),
                   tested_epochs=kept_epochs(run), marks=marks),
        accuracy_panel(run.histories), *gradient_panels(run.histories), *weights],
        settings)))
    _changes_note(run)
    _penalty_formula(run, settings)
    _dead_units_note(run, settings)
    _boundaries(run, settings)


def _changes_note(run: LabRun) -> None:
    if run.changes:
        st.caption("Changed while training (the dashed lines on the loss curve): " + "; ".join(
            f"after epoch {epoch}, {text}" for epoch, text in change_marks(run)) + ".")


def _penalty_formula(run: LabRun, settings: LabSettings) -> None:
    """Ĵ with the live λ₁ and λ₂, and its terms' values at the last epoch."""
    knobs = settings.knobs
    if not (knobs.l1 or knobs.l2):
        return
    terms, values = [], []
    last = next((plottable(h)[-1] for h in run.histories.values() if plottable(h)), None)
    if knobs.l2:
        terms.append(r"\lambda_2 \cdot \tfrac{1}{2} \lVert \mathbf{w} \rVert_2^2")
        if last is not None:
            values.append(rf"{knobs.l2:g} \cdot \tfrac{{1}}{{2}} \cdot {last.weight_l2:.3g}^2")
    if knobs.l1:
        terms.append(r"\lambda_1 \cdot \tfrac{1}{2} \lVert \mathbf{w} \rVert_1")
        if last is not None:
            values.append(rf"{knobs.l1:g} \cdot \tfrac{{1}}{{2}} \cdot {last.weight_l1:.3g}")
    strengths = ", ".join(([rf"\lambda_2 = {knobs.l2:g}"] if knobs.l2 else [])
                          + ([rf"\lambda_1 = {knobs.l1:g}"] if knobs.l1 else []))
    latex = rf"\hat J(\theta) = J(\theta) + {' + '.join(terms)}, \quad {strengths}"
    st.latex(latex)
    if last is not None:
        penalty = (0.5 * knobs.l2 * last.weight_l2 ** 2 if knobs.l2 else 0.0) + \
                  (0.5 * knobs.l1 * last.weight_l1 if knobs.l1 else 0.0)
        prefix = f"{next(iter(run.histories))}, " if len(run.histories) > 1 else ""
        st.latex(rf"\text{{{prefix}epoch {last.epoch}: }} \hat J = {last.train_loss:.3f} + "
                 + " + ".join(values) + rf" = {last.train_loss + penalty:.3f}")
    st.caption("The losses drawn are the data loss J alone: training minimizes J plus the "
               "penalty on the weights w (not the biases), so J itself can rise while the "
               "penalty pulls the weights towards 0 (the “Size of the weights” panel). "
               "The course text's Ω(θ) is ½‖w‖₂² for L2 and ½‖w‖₁ for L1; it writes L2's "
               "strength as α in (α/2)wᵀw, here λ₂, since α is the learning rate.")


def _boundaries(run: LabRun, settings: LabSettings) -> None:
    """The decision boundary (one per network in comparison mode), with the loss of each
    mini-batch beside it or below."""
    data = run.data
    nets = run.nets()
    batch = _batch_chart(run, settings)
    if data.X_tr.shape[1] != 2:
        st.info("The decision boundary is drawn for exactly two features.")
        plotly_chart(batch)
        return
    single = len(nets) == 1
    columns = st.columns([3, 2] if single else [1, 1], gap="medium")
    test = {"X_test": data.X_te, "y_test": data.y_te} if settings.test_points else {}
    for column, (label, net) in zip(columns, nets.items(), strict=False):
        title = "Decision boundary" + (f": {label}" if run.mode == COMPARE else "")
        plotly_chart(decision_boundary(
            net.predict_proba, data.X_tr, data.y_tr, data.classes, title=title,
            X_other=data.X_va, y_other=data.y_va, axis_titles=axis_titles(run),
            height=480 if single else 420, **test),
            where=column, png_name="decision-boundary")
    reading = ("**Reading the boundary.** Each point of the plane is coloured by the class the "
               "network predicts there, paler where it is less sure. Filled dots are the "
               "training data, rings the validation data"
               + (", crosses the test data." if settings.test_points else
                  " (the test data: *Show the test points* in the sidebar)."))
    if single:
        plotly_chart(batch, where=columns[1])
        columns[1].caption(reading + " " + _batch_caption(run))
    else:
        st.caption(reading)
        plotly_chart(batch)
        st.caption(_batch_caption(run))


def _batch_chart(run: LabRun, settings: LabSettings) -> dict:
    batch = settings.knobs.batch_size
    steps = -(-len(run.data.X_tr) // batch) if batch else 1
    if batch == 1:
        kind = "online SGD, Q = 1"
    elif batch is None:
        kind = "batch gradient descent: the whole training set"
    else:
        kind = f"Q = {batch}"
    heading = f"Loss of each mini-batch ({kind}: {steps} step{'s' * (steps > 1)} an epoch)"
    return batch_loss_figure(run.histories, heading)


def _batch_caption(run: LabRun) -> str:
    return ("**Each mini-batch's loss** is the J its step computed, on its Q points (with "
            "dropout): a small Q gives a noisy estimate of the whole training set's loss, "
            "the whole set none. Compare online (Q = 1), mini-batch and batch training.")


def _bootstrap_sample(run: LabRun) -> None:
    """Member 1's bootstrap sample: which training points it got twice or more, and which
    it never sees."""
    data = run.data
    assert run.samples is not None  # every bagging run has them
    sample = resample(run.samples[0], len(data.X_tr))
    counts = sample.counts
    n = len(counts)
    text = (f"**Member 1's bootstrap sample**: {n} draws with replacement from the {n} "
            f"training points. {sample.repeated} points were drawn twice or more "
            f"({sample.extra_copies} extra copies), so {sample.missing} points "
            f"({sample.missing / n:.0%}) are missing: the member never sees them. Every "
            "member draws its own sample (the course text: “there will be duplicate and "
            "missing values”).")
    if data.X_tr.shape[1] != 2:
        st.markdown(text)
        return
    left, right = st.columns([3, 2], gap="medium")
    plotly_chart(resample_map(data.X_tr, data.y_tr, counts, data.classes,
                              "Member 1's training data: its bootstrap sample",
                              axis_titles=axis_titles(run)), where=left)
    right.markdown(text)


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
