"""The race to take away: its numbers as CSV and its animation as a standalone HTML file.

Both are made only when their button is pressed (Streamlit runs the callable then), so
a rerun pays nothing for them.
"""

from __future__ import annotations

import csv
import io

import plotly.io as pio
import streamlit as st

from engine.race import Lane
from engine.race_table import race_table
from ui.charts import ready


def race_csv(lanes: list[Lane]) -> str:
    header, rows = race_table(lanes)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue()


def race_html(map_spec: dict, title: str) -> str:
    """The animated map as one HTML file that plays offline: plotly.js inlined (~4.8 MB),
    the surface a PNG inside the figure, frames that move only the paths."""
    return pio.to_html(ready(map_spec), include_plotlyjs=True, full_html=True,
                       config={"displaylogo": False, "modeBarButtons": [
                           ["toImage", "zoom2d", "pan2d", "resetScale2d"]]}, auto_play=False,
                       default_width="100%", default_height="720px",
                       div_id="descent-race").replace(
        "<head>", f"<head><title>{title} · Descent race</title>", 1)


def export_buttons(lanes: list[Lane], map_spec: dict, name: str, title: str) -> None:
    left, right = st.columns(2)
    left.download_button("⬇ The race as CSV (every step, every optimizer)",
                         lambda: race_csv(lanes), file_name=f"descent-race-{name}.csv",
                         mime="text/csv", on_click="ignore", use_container_width=True)
    right.download_button("⬇ The animation as HTML (plays offline, ~5 MB)",
                          lambda: race_html(map_spec, title),
                          file_name=f"descent-race-{name}.html", mime="text/html",
                          on_click="ignore", use_container_width=True)
