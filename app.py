"""Descent: entry point and router.

Run with `streamlit run app.py`. Pages are registered with `st.navigation`;
each later page is a thin script in `pages/` added by its own issue.
"""

from __future__ import annotations

import streamlit as st

PITCH = (
    "See how neural networks learn: watch optimizers race each other down loss "
    "surfaces, and train small classifiers live on toy datasets while their "
    "decision boundaries take shape, step by step."
)


def home() -> None:
    """Landing page: title and pitch."""
    st.title("Descent")
    st.markdown(PITCH)


def run() -> None:
    """Configure the page and route to the selected page."""
    st.set_page_config(page_title="Descent", page_icon="📉", layout="wide")
    pages = [
        st.Page(home, title="Home", icon=":material/home:", default=True),
        st.Page("pages/playground.py", title="Optimizer playground", icon=":material/route:",
                url_path="playground"),
        st.Page("pages/lab.py", title="Training lab", icon=":material/model_training:",
                url_path="lab"),
    ]
    st.navigation(pages).run()


run()
