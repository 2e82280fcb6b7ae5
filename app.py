"""Descent: entry point and router.

Run with `streamlit run app.py`. Every page is a thin script in `pages/`, registered
here with `st.navigation`; the home page lives at `/`, the others at their url_path.
"""

from __future__ import annotations

import streamlit as st

from ui import url_state
from ui.page_style import page_style
from ui.server_tuning import tune_server_once

# What the pages import beyond app.py's own imports, frozen with them (ui/server_tuning.py).
PAGE_MODULES = ("ui.charts", "ui.concepts.gradients", "ui.concepts.losses",
                "ui.concepts.topics", "ui.lab.results", "ui.lab.sidebar", "ui.lab.training",
                "ui.playground.charts", "ui.playground.exports", "ui.playground.messages",
                "ui.playground.race", "ui.playground.results", "ui.playground.rules",
                "ui.playground.sidebar", "ui.router", "ui.share", "viz.concept_charts",
                "viz.race_charts", "viz.race_map", "viz.surface_3d")


def run() -> None:
    """Route to the selected page, titled after it (the browser tab reads "Optimizer
    playground · Descent", not "Streamlit")."""
    # the icon first: set after st.navigation, the page's material icon would be fetched
    # from Google's fonts as the favicon
    st.set_page_config(page_title="Descent", page_icon="📉", layout="wide")
    pages = [
        st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
        st.Page("pages/playground.py", title="Optimizer playground", icon=":material/route:",
                url_path="playground"),
        st.Page("pages/lab.py", title="Training lab", icon=":material/model_training:",
                url_path="lab"),
        st.Page("pages/losses.py", title="Loss functions", icon=":material/functions:",
                url_path="losses"),
        st.Page("pages/gradients.py", title="Unstable gradients", icon=":material/trending_down:",
                url_path="gradients"),
    ]
    page = st.navigation(pages)
    title = "Descent: see how neural networks learn" if page.title == "Home" \
        else f"{page.title} · Descent"
    st.set_page_config(page_title=title)
    url_state.note_page(page.url_path)  # a link from another page is never a late echo
    page_style()  # wide formulas and tables scroll in their own box on a phone
    page.run()
    tune_server_once(PAGE_MODULES)  # after the first run, with every page imported


run()
