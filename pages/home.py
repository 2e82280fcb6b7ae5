"""Home: what Descent is, a map of the course text's topics, and ready-made experiments."""

import streamlit as st

from ui.concepts.topics import EXPERIMENTS, TOPICS, link
from ui.share import share_controls

st.title("Descent")
share_controls("Home")
st.markdown(
    "**See how neural networks learn.** Race optimizers down loss surfaces, train small "
    "classifiers live and watch their gradients, and take the ideas behind them apart: "
    "softmax and cross-entropy, initialization, regularization, unstable gradients. "
    "Everything runs on plain NumPy, and every setting lives in the page's address, so "
    "the link you share shows exactly what you saw.")

left, right = st.columns([1, 1], gap="large")
with left:
    st.subheader("Try an experiment")
    for item in EXPERIMENTS:
        with st.container(border=True):
            link(item, icon=":material/science:")
            st.caption(item.what_to_see)
with right:
    st.subheader("Find a topic")
    st.caption("Each topic of the course text, and the page and settings that show it.")
    for item in TOPICS:
        link(item, icon=":material/arrow_forward:")
        st.caption(item.what_to_see)
