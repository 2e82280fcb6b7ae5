"""Training lab: train small classifiers live and watch their gradients."""

import streamlit as st

from ui.lab import results, sidebar, training
from ui.router import use_app_router
from ui.share import share_controls

use_app_router()
st.title("Training lab")
st.caption("Train a small network on a 2D dataset and watch it learn. Change α, the "
           "penalties or dropout while it trains and it carries on; change the data or the "
           "network and it starts over.")
notices: list[str] = []
settings = sidebar.controls(notices)
share_controls("Training lab")
for notice in notices:
    st.info(notice, icon=":material/info:")
run = training.current_run(settings)
training.buttons(run, settings)
training.live_training(run, settings)
results.after_training(run, settings)
