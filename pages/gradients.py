"""Unstable gradients: how a deep network's error terms vanish or explode at initialization."""

import streamlit as st

from ui.charts import plotly_chart
from ui.concepts import gradients as gp
from ui.concepts.topics import LAB
from ui.router import use_app_router
from ui.share import share_controls
from viz.concept_charts import layer_profiles

use_app_router()
st.title("Unstable gradients")
st.markdown("Backpropagation multiplies one factor per layer, f'(zᵐ) times (Wᵐ⁺¹)ᵀ. Over "
            "many layers the product shrinks towards zero (vanishing gradients: the first "
            "layers hardly learn) or blows up (exploding gradients). Below: fresh, untrained "
            "networks on random inputs, measured layer by layer.")
settings = gp.controls()
every = gp.measured(settings)
panels, measure = gp.profile_panels(every, settings)
plotly_chart(layer_profiles(panels, measure))
st.caption("Log scale. Layer 1 is next to the input. A flat line means every layer learns "
           "at the same pace; a line falling to the left means the layers near the input get "
           "almost no gradient. "
           "W ~ " + "; ".join(f"{gp.INIT_NAMES[i]}: {gp.INIT_DISTRIBUTIONS[i]}"
                              for i in gp.INITS_COMPARED)
           + " (m inputs, n outputs; biases start at 0).")
st.markdown(gp.steadiness_note(every))
st.info(gp.NORMALIZED_ERRATUM, icon=":material/edit_note:")
if note := gp.zero_norms_note(panels):
    st.info(note, icon=":material/info:")

st.subheader("Why sigmoid vanishes, and what ReLU needs")
left, right = st.columns([3, 2], gap="large")
plotly_chart(gp.activation_and_slope(), where=left)
with right:
    st.markdown(gp.relu_note(every))

st.subheader("The chain, with this network's numbers")
activation, init = gp.chain_controls()
share_controls("Unstable gradients")
profile = gp.profile(activation, init, settings["depth"], settings["width"],
                           settings["net_seed"])
st.latex(gp.chain_latex(profile))
st.markdown(gp.chain_summary(profile))
st.caption("Under each factor: its typical size, the mean |f'(zᵐ)| over the batch and units, "
           "and the spectral norm ‖Wᵐ⁺¹‖₂ (the most a matrix can stretch a vector).")
st.info(gp.CHAIN_ERRATUM, icon=":material/edit_note:")
st.page_link(LAB, label="Train a deep sigmoid and a ReLU network side by side "
             "in the training lab", icon=":material/model_training:",
             query_params={"mode": "compare", "layers": str(min(settings["depth"], 8)),
                           "width": str(min(settings["width"], 64)),
                           "init": init})
