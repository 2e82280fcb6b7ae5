"""The loss functions page: the softmax explorer's widgets, its formulas with the live
numbers, and the course text's cat and dog."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from engine import losses
from engine.losses import cross_entropy, entropy, mse, one_hot, softmax
from ui import url_state
from viz import concept_charts
from viz.number_text import number_tex, number_text

PAGE = "losses"
MAX_CLASSES = 5
CLASS_NAMES = ("cat", "dog", "bird", "fish", "frog")
DEFAULT_SCORES = (2.0, 1.0, 0.1, -1.0, 0.5)
SCORE_RANGE = (-8.0, 8.0)

FIELDS = [
    url_state.Field("k", url_state.number_between(2, MAX_CLASSES, integer=True)),
    url_state.Field("true", url_state.one_of(CLASS_NAMES)),
    *[url_state.Field(f"c{i + 1}", url_state.number_between(*SCORE_RANGE),
                      url_state.format_number) for i in range(MAX_CLASSES)],
]
DEFAULTS = {"k": 3, "true": "cat", **{f"c{i + 1}": v for i, v in enumerate(DEFAULT_SCORES)}}


@dataclass(frozen=True)
class Explorer:
    names: tuple[str, ...]
    scores: np.ndarray
    true_class: int

    @property
    def y(self) -> np.ndarray:
        return one_hot(np.array([self.true_class]), len(self.names))[0]

    @property
    def probabilities(self) -> np.ndarray:
        return softmax(self.scores)


def explorer() -> Explorer:
    notices = url_state.load(PAGE, FIELDS)
    for notice in notices:
        st.info(notice, icon=":material/info:")
    state = st.session_state
    for key, value in DEFAULTS.items():
        state.setdefault(key, value)
    top = st.columns([1, 2])
    k = top[0].slider("Classes", 2, MAX_CLASSES, key="k")
    names = CLASS_NAMES[:k]
    if state["true"] not in names:  # a link's, or fewer classes than before
        needed = CLASS_NAMES.index(state["true"]) + 1
        st.info(f"The true class {state['true']} needs at least {needed} classes; with {k}, "
                f"the true class is {names[0]}.", icon=":material/info:")
        state["true"] = names[0]
    top[1].radio("True class (the label y)", names, key="true", horizontal=True)
    columns = st.columns(k)
    for i, column in enumerate(columns):
        column.slider(f"c{_sub(i + 1)} ({names[i]})", *SCORE_RANGE, key=f"c{i + 1}", step=0.1,
                      help="The network's raw output (score) for this class.")
    url_state.save(PAGE, FIELDS, {key: state[key] for key in DEFAULTS}, DEFAULTS)
    scores = np.array([state[f"c{i + 1}"] for i in range(k)], dtype=float)
    return Explorer(names, scores, names.index(state["true"]))


def _sub(n: int) -> str:
    return "".join("₀₁₂₃₄₅₆₇₈₉"[int(d)] for d in str(n))


def formulas(ex: Explorer) -> None:
    """The course text's formulas with this sample's numbers in them, computed by the engine."""
    p, y, t = ex.probabilities, ex.y, ex.true_class
    exps = " + ".join(f"e^{{{c:.1f}}}" for c in ex.scores)
    # the value on a line of its own: with five classes the fraction fills the column
    st.latex(rf"\begin{{aligned}} y'_{{{ex.names[t]}}} &= \frac{{e^{{{ex.scores[t]:.1f}}}}}"
             rf"{{{exps}}} \\ &= {number_tex(p[t])} \end{{aligned}}")
    h_true = abs(float(entropy(y)))  # 0, shown without a minus sign
    st.latex(rf"H(y) = -\sum_i y_i \log y_i = {h_true:.2f}")
    st.caption("A one-hot label is certain: its entropy is 0.")
    st.latex(rf"H(y') = -\sum_i y'_i \log y'_i = {number_tex(float(entropy(p)))}")
    st.caption(f"How unsure the prediction is (at most log {len(p)} = {np.log(len(p)):.3f}).")
    ce = cross_entropy(y[None], p[None])
    st.latex(rf"\begin{{aligned}} H(y, y') &= -\sum_i y_i \log y'_i \\ &= "
             rf"-\log {number_tex(p[t])} = {ce:.3f} \end{{aligned}}")
    st.latex(rf"\mathrm{{MSE}} = \frac{{1}}{{{len(p)}}}\sum_i (y_i - y'_i)^2 = "
             rf"{number_tex(mse(y[None], p[None]))}")
    st.markdown(verdict(ex))


def verdict(ex: Explorer) -> str:
    """Right, wrong, or a tie: several classes sharing the highest probability (equal
    scores, up to rounding) is no prediction of one class."""
    p = ex.probabilities
    top = np.flatnonzero(np.isclose(p, p.max(), rtol=1e-9, atol=0))  # a slider's 0.1 steps
    if len(top) > 1:
        names = [f"*{ex.names[k]}*" for k in top]
        shared = ", ".join(names[:-1]) + " and " + names[-1]
        truth = ("the true class is one of them" if ex.true_class in top
                 else f"the true class, *{ex.names[ex.true_class]}*, is not among them")
        return (f"The prediction is **a tie**: {shared} share the highest probability, "
                f"{number_text(p[top[0]])} each, so the network picks none of them "
                f"({truth}).")
    right = int(top[0]) == ex.true_class
    return (f"The prediction is **{'right' if right else 'wrong'}**: the highest "
            f"probability goes to *{ex.names[int(top[0])]}*.")


def cat_and_dog() -> None:
    st.markdown("Two inputs, two classes (cat, dog). In both cases the network is only just "
                "sure, but in the first it is right twice and in the second wrong twice. "
                "Accuracy only sees 100 % or 0 %; the mean cross-entropy sees how close it was.")
    columns = st.columns(2, gap="large")
    for column, case in zip(columns, losses.CAT_AND_DOG, strict=True):
        result = losses.cat_and_dog(case)
        with column.container(border=True):
            st.markdown(f"**Both predictions {case}**")
            st.table(pd.DataFrame({
                "input": ["x₁", "x₂"],
                "a = (cat, dog)": [f"({r[0]:.2f}, {r[1]:.2f})" for r in result["a"]],
                "label y": ["cat" if r[0] else "dog" for r in result["y"]],
                "p of the true class": [f"{p:.2f}" for p in result["true_p"]],
            }), hide_index=True)
            logs = " + ".join(rf"\log({q:.2f})" for q in result["true_p"])
            st.latex(rf"-\left({logs}\right)/2 = {result['cross_entropy']:.2f}")
            st.metric("accuracy", f"{result['accuracy']:.0%}")
            st.metric("mean cross-entropy", f"{result['cross_entropy']:.2f}")
    st.info("The course text prints 0.62 for the second case: it took log(0.59), the "
            "probability of the wrong class, where the true class of x₂ has 0.41. With the "
            "right probability the mean cross-entropy is 0.80, as computed above.",
            icon=":material/edit_note:")


@st.cache_data(max_entries=1, show_spinner=False)
def why_cross_entropy() -> tuple[dict, dict]:
    """Figures no widget changes: built once per server, not on every rerun."""
    return concept_charts.why_cross_entropy()
