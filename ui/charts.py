"""st.plotly_chart for the figure dicts that viz/ builds, without validating them again.

For a plain dict, st.plotly_chart first builds a go.Figure from it (plotly.py then
validates every property: ~110 ms for the playground's animated map), while for a
go.Figure it only calls `to_dict()`. `Prebuilt` is a go.Figure that holds a
finished spec and returns it from `to_dict()`, so Streamlit serialises the dict as
it is. The specs are validated once, by plotly.py itself, in
tests/test_figure_specs.py.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st


class Prebuilt(go.Figure):
    """A finished figure dict that st.plotly_chart takes as an already validated figure."""

    def __init__(self, spec: dict):  # no super().__init__(): that is the validation we skip
        self._spec = spec

    def to_dict(self) -> dict:
        return self._spec


def plotly_chart(spec: dict, *, where=st, **kwargs):
    """Show a viz/ figure dict in `where` (st, a column, a tab...); kwargs as st.plotly_chart."""
    return where.plotly_chart(Prebuilt(spec), **kwargs)
