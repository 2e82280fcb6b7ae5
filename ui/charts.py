"""st.plotly_chart for the figure dicts that viz/ builds: not validated again, drawn once.

Not validated again: for a plain dict, st.plotly_chart first builds a go.Figure from it
(plotly.py then validates every property: ~110 ms for the playground's animated map),
while for a go.Figure it only calls `to_dict()`. `Prebuilt` is a go.Figure that holds a
finished spec and returns it from `to_dict()`, so Streamlit serialises the dict as it
is. The specs are validated once, by plotly.py itself, in tests/test_figure_specs.py.

Drawn once: Streamlit mounts a new chart whenever a figure changes, and on mounting it
hands plotly.js the figure twice, the second time as a re-themed copy made through
JSON. `Plotly.react` redraws only what differs between the two, but three things made
it redraw the whole chart a second time: the theme's template, an object, counts as
changed whenever it is a new object; without `layout.datarevision`, so does every data
array; and base64 typed arrays always count as changed. So charts go out with
theme=None and the theme's look written into the layout (viz.figure.with_app_look),
data as plain arrays (viz.figure.numbers) and a datarevision that is a digest of the
data: it changes exactly when the data change. In Chromium the second pass went from
a full redraw (70–100 ms per chart) to ~15 ms, and a Steps press on the playground
from 756 to 629 ms (median of 20, variants alternated in blocks).
"""

from __future__ import annotations

import hashlib

import numpy as np
import orjson
import plotly.graph_objects as go
import streamlit as st

from viz.figure import with_app_look


class Prebuilt(go.Figure):
    """A finished figure dict that st.plotly_chart takes as an already validated figure."""

    def __init__(self, spec: dict):  # no super().__init__(): that is the validation we skip
        self._spec = spec

    def to_dict(self) -> dict:
        return self._spec


def data_revision(data: list[dict]) -> str:
    """A digest of the traces' data, for `layout.datarevision`."""
    text = orjson.dumps(data, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_SORT_KEYS,
                        default=np.ascontiguousarray)  # strided arrays, in their own dtype
    return hashlib.blake2b(text, digest_size=8).hexdigest()


def ready(spec: dict) -> dict:
    """The figure as it goes to the browser: in the app's look, with its datarevision."""
    layout = with_app_look(spec["layout"])
    layout["datarevision"] = data_revision(spec["data"])
    return {**spec, "layout": layout}


PNG_SCALE = 2  # a saved PNG at twice the size on screen: sharp on slides and in print


def png_config(name: str, config: dict | None = None) -> dict:
    """Plotly's toolbar, saving the chart as `descent-<name>.png` from its camera button."""
    return {**(config or {}), "displaylogo": False, "toImageButtonOptions": {
        "format": "png", "filename": f"descent-{name}", "scale": PNG_SCALE}}


def plotly_chart(spec: dict, *, where=st, png_name: str | None = None, **kwargs):
    """Show a viz/ figure dict in `where` (st, a column, a tab...); kwargs as st.plotly_chart.
    With `png_name`, the toolbar's camera saves it as descent-<png_name>.png."""
    if png_name is not None:
        kwargs["config"] = png_config(png_name, kwargs.get("config"))
    return where.plotly_chart(Prebuilt(ready(spec)), theme=None, **kwargs)
