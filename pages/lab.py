"""Training lab: train small classifiers live and watch their gradients."""

import streamlit as st

from ui import lab
from ui.lab_controls import controls
from ui.router import use_app_router

use_app_router()
st.title("Training lab")
st.caption("Train a small network on a 2D dataset and watch it learn. Change α, the "
           "penalties or dropout while it trains and it carries on; change the data or the "
           "network and it starts over.")
notices: list[str] = []
settings = controls(notices)
for notice in notices:
    st.info(notice, icon=":material/info:")
run = lab.current_run(settings)
lab.buttons(run, settings)
lab.live_view(run, settings)
lab.after_training(run, settings)
