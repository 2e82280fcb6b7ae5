"""Optimizer playground: race the optimizers over a 2D loss surface."""

import streamlit as st

from ui.charts import plotly_chart
from ui.playground import charts, exports, messages, race, results, rules, sidebar
from ui.router import use_app_router
from ui.share import share_controls
from viz.race_charts import race_curves
from viz.race_map import race_map
from viz.surface_3d import surface_3d

use_app_router()
settings, notices = sidebar.controls()
share_controls("Optimizer playground")
surface = settings.surface
st.title("Optimizer playground")
st.markdown(f"**{sidebar.surface_title(settings.surface_name)}.** {surface.description}")
st.latex(surface.latex)
if curvature := charts.curvature_caption(surface):
    st.caption(curvature)
for notice in notices:
    st.info(notice, icon=":material/info:")
if not settings.optimizers:
    st.warning("Choose at least one optimizer in the sidebar to start the race.")
    st.stop()

lanes = race.race(settings.surface_name, settings.formula, settings.race_key(),
                  settings.start, settings.steps)
grid, picture = race.surface_picture(settings.surface_name, settings.formula)
for message in messages.divergence_messages(surface, lanes, settings):
    st.warning(message, icon=":material/warning:")
shown = [lane for lane in lanes if lane.last_step >= 0]

sidebar.step_slider(settings.steps)
# on_change="rerun": the 3D view is only computed and drawn while its tab is open
race_tab, view_3d = st.tabs(list(sidebar.VIEWS.values()), key="view", on_change="rerun")
map_spec = race_map(picture, surface.bounds, shown, surface.critical_points, settings.start,
                    settings.show_look_ahead, focus=settings.step)
with race_tab:
    plotly_chart(map_spec, key=st.session_state["race_map_key"], on_select="rerun",
                 selection_mode="points", png_name=f"race-{settings.surface_name}",
                 config={"modeBarButtons": [["toImage"]]})
    st.caption(charts.map_caption(grid))
if view_3d.open:
    with view_3d:
        plotly_chart(surface_3d(grid, [(lane.name, lane.positions, lane.losses, lane.last_step)
                                       for lane in shown], surface.f, surface.critical_points,
                                settings.start, settings.step),
                     png_name=f"race-3d-{settings.surface_name}",
                     config={"modeBarButtons": [["toImage"]]})
        st.caption(f"Height: {grid.height_label}. Drag to rotate.")

if shown:
    plotly_chart(race_curves(charts.curve_panels(surface, shown)),
                 png_name=f"race-curves-{settings.surface_name}")
else:  # every path stopped at its start: no curve to draw, and no bare axes
    st.info("No curves to draw: every optimizer stopped at its start point (see above).",
            icon=":material/info:")

st.subheader("Results")
st.markdown(results.results_table(surface, lanes))
st.caption(results.tolerance_caption(surface))
exports.export_buttons(shown, map_spec, settings.surface_name,
                       sidebar.surface_title(settings.surface_name))
st.subheader("The update rules, with your settings")
rules.rule_panels(settings)
