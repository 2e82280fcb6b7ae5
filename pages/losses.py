"""Loss functions: softmax, entropy, cross-entropy and MSE, live; the course text's cat and
dog."""

import streamlit as st

from ui.charts import plotly_chart
from ui.concepts import losses as loss_page
from ui.router import use_app_router
from ui.share import share_controls
from viz.concept_charts import softmax_bars

use_app_router()
st.title("Loss functions")
st.markdown("A classifier's last layer outputs one score cᵢ per class. The softmax turns "
            "the scores into probabilities, and the loss compares them with the one-hot "
            "label y.")

st.subheader("Softmax explorer")
explorer = loss_page.explorer()
share_controls("Loss functions")
left, right = st.columns([3, 2], gap="large")
plotly_chart(softmax_bars(explorer.probabilities, explorer.true_class, explorer.names),
             where=left)
with right:
    loss_page.formulas(explorer)

st.subheader("The course text's cat and dog")
loss_page.cat_and_dog()

st.subheader("Why cross-entropy?")
loss_fig, grad_fig = loss_page.why_cross_entropy()
left, right = st.columns(2)
plotly_chart(loss_fig, where=left)
plotly_chart(grad_fig, where=right)
st.markdown(
    "For a sample whose true class gets probability p, the cross-entropy's push on that "
    "class's score is |p − 1|: largest when the network is confidently wrong (p near 0). "
    "The mean squared error's push is 2p(1 − p)², which **fades to zero** as p goes to 0, "
    "because the softmax is saturated there. So a confident mistake teaches fast under "
    "cross-entropy and barely at all under MSE.")
