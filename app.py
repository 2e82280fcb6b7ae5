"""Descent: entry point and router.

Run with `streamlit run app.py`. Every page is a thin script in `pages/`, registered
here with `st.navigation`; the home page lives at `/`, the others at their url_path.
"""

from __future__ import annotations

import streamlit as st

from ui.collector import freeze_startup_objects_once
from ui.memory import keep_freed_memory_once
from ui.tcp import disable_nagle_once

# What the pages import beyond app.py's own imports, frozen with them (ui/collector.py).
PAGE_MODULES = ("ui.cache", "ui.charts", "ui.concepts", "ui.gradients_page", "ui.lab",
                "ui.lab_controls", "ui.loss_page", "ui.playground", "ui.router",
                "viz.concept_charts", "viz.race_charts", "viz.race_map", "viz.surface_3d")


def run() -> None:
    """Configure the page and route to the selected page."""
    disable_nagle_once()  # ~40 ms less per rerun; see ui/tcp.py
    keep_freed_memory_once()  # no page faults for the next rerun's arrays; see ui/memory.py
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
    st.navigation(pages).run()
    freeze_startup_objects_once(PAGE_MODULES)  # after the first run; see ui/collector.py


run()
