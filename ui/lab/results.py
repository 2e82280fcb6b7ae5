"""The lab after training: test results, the ensemble, warnings about the initialization,
the first layer's weights, and the history to download."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from engine.lab_run import (
    BAGGING,
    COMPARE,
    LabRun,
    history_rows,
    kept_epochs,
    losses_on_test_set,
)
from engine.weights import networks_to_json, snapshot
from ui.charts import plotly_chart
from ui.lab.live_charts import axis_titles
from ui.lab.sidebar import LabSettings
from viz.lab_charts import disagreement_map, ensemble_boundaries, hidden_weights


def after_training(run: LabRun, settings: LabSettings) -> None:
    _symmetry_note(run, settings)
    if run.status == "finished":
        if run.mode == BAGGING:
            _bagging_results(run)
        else:
            _test_results(run)
    _downloads(run)


def _downloads(run: LabRun) -> None:
    """The history and the weights, saying what they hold: after a divergence, the epochs
    before it, and the weights the networks were given back."""
    rows = history_rows(run)
    if not rows:
        return
    kept = kept_epochs(run)
    diverged = run.diverged_at()
    finite = sum(not row["diverged"] for row in rows)
    left, right = st.columns(2)
    if finite:
        left.download_button("⬇ Download the history (CSV)",
                             pd.DataFrame(rows).to_csv(index=False),
                             file_name="descent-training-history.csv", mime="text/csv",
                             use_container_width=True,
                             help="One row per network and epoch; a diverged epoch is a row "
                                  "with diverged = True and no losses.")
        if diverged:
            left.caption(f"It holds the {finite} epoch{'s' * (finite != 1)} with losses "
                         "and the diverged one.")
    else:
        left.caption(f"No history of losses to download: training diverged in epoch "
                     f"{min(diverged.values())}, before any epoch ended with a finite loss.")
    nets = {label: snapshot(net) for label, net in run.nets().items()}
    epochs = sorted(set(kept.values()))
    about = {"features": run.data.features, "classes": run.data.classes,
             "epoch": epochs[-1] if epochs else 0}
    if diverged and not any(kept.values()):
        label = "⬇ Download the starting weights (JSON), given back after the divergence"
    elif diverged:
        label = "⬇ Download the weights kept (JSON): the best epoch's before the divergence"
    else:
        label = "⬇ Download the trained weights (JSON)"
    right.download_button(label, lambda: networks_to_json(nets, **about),
                          file_name="descent-network-weights.json",
                          mime="application/json", on_click="ignore",
                          use_container_width=True,
                          help="Every layer's W and b with the architecture: "
                               "engine.weights.networks_from_json loads them back.")


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
                f"{prefix}With zero initialization and {f.label}, "
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
    tests = losses_on_test_set(run)
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
                                     data.classes, axis_titles=axis_titles(run)),
                 key="lab_ensemble", where=left)
    plotly_chart(disagreement_map(ensemble.disagreement, data.X_tr,
                                  axis_titles=axis_titles(run)),
                 key="lab_disagreement", where=right)
