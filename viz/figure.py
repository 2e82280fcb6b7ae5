"""Plotly figures as the plain dicts that plotly.js reads.

plotly.py's `go.Figure` validates every property as it is set, and `st.plotly_chart`
validates a dict figure all over again (`go.Figure(**spec)`). For the playground
that was most of the server's time per rerun: about 150 ms for the animated map
alone. So Descent builds its figures as dicts from the start, `ui.charts` hands
them to Streamlit without another pass, and tests/test_figure_specs.py validates
every figure with plotly.py, so a misspelt property still fails a test.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

Figure = dict  # {"data": [trace, ...], "layout": {...}} and, if animated, "frames"

GRID_COLOR = "#e5e7eb"

# Numeric axes that plotly.js need not measure, inside the margins each figure sets.
# - Tick labels: by default plotly.js finds every label's bounding box on each redraw,
#   to hide those that stick out of the chart and to turn x labels that would overlap: a
#   profile of the gradients page in Chromium put that hiding alone at ~130 ms per
#   rerun. These labels are short numbers that fit as they are.
# - Margins: Streamlit's chart theme turns `automargin` on for every axis, and then
#   plotly.js measures labels and titles and draws the chart a second time whenever
#   they need more room. The playground's two charts took ~150 ms longer per rerun
#   with it (paired runs in Chromium). Axis titles stay inside the set margins.
PLAIN_AXIS = {"ticklabeloverflow": "allow", "tickangle": 0, "automargin": False}


def packed(values, dtype: str = "f4") -> dict:
    """An array as plotly.js's typed-array spec (base64 of its little-endian bytes).

    This is how plotly.py itself sends NumPy arrays: a tenth of the time of JSON
    numbers to write, and less to send. float32 is plenty for anything on screen,
    but a value beyond its range (a custom surface's 1e50) is sent as float64.
    """
    with np.errstate(over="ignore"):  # checked just below
        data = np.ascontiguousarray(values, dtype=np.dtype(dtype).newbyteorder("<"))
    if dtype == "f4" and np.isinf(data).any():
        wide = np.asarray(values, dtype=np.float64)
        if np.any(np.isinf(data) & np.isfinite(wide)):
            return packed(wide, "f8")
    spec = {"dtype": dtype, "bdata": base64.b64encode(data.tobytes()).decode("ascii")}
    if data.ndim > 1:
        spec["shape"] = ", ".join(map(str, data.shape))  # rows, columns, as plotly.py writes it
    return spec


def steps_axis(start: int = 0) -> dict:
    """x = start, start + 1, … with no gaps (steps, layers) as a line's x0 and dx:
    plotly.js counts them itself, so no array of x values is sent."""
    return {"x0": start, "dx": 1}


def title(text: str) -> dict:
    return {"text": text, "font": {"size": 14}, "x": 0, "xanchor": "left"}


def axis(label: str | None = None, *, log: bool = False, grid: bool = True, **more) -> dict:
    """A plain axis: its title, an optional log scale and light grid lines."""
    spec = {"type": "log" if log else "linear", **PLAIN_AXIS, **more}
    if label is not None:
        spec["title"] = {"text": label}
    if grid:
        spec["gridcolor"] = GRID_COLOR
    if log:
        spec["exponentformat"] = "power"
    return spec


def line(x, y, name: str, color: str, *, width: float = 2, dash: str | None = None,
         **more) -> dict:
    """A line trace; x and y are packed unless they are already typed-array specs. x may
    be None when `more` gives x0 and dx instead (see steps_axis)."""
    style = {"color": color, "width": width}
    if dash:
        style["dash"] = dash
    xs = {} if x is None else {"x": _array(x)}
    return {"type": "scatter", "mode": "lines", "name": name, **xs, "y": _array(y),
            "line": style, **more}


def _array(values):
    if isinstance(values, dict):  # already a typed-array spec
        return values
    return packed(values)


def hline(y: float, color: str, text: str) -> tuple[dict, dict]:
    """A dashed horizontal line across the plot and its label (shape, annotation)."""
    shape = {"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y", "y0": y,
             "y1": y, "line": {"color": color, "width": 1, "dash": "dash"}}
    note = {"text": text, "xref": "x domain", "x": 1, "xanchor": "right", "yref": "y", "y": y,
            "yanchor": "bottom", "showarrow": False, "font": {"size": 11}}
    return shape, note


def vline(x: float, color: str, text: str) -> tuple[dict, dict]:
    """A dotted vertical line from bottom to top and its label (shape, annotation)."""
    shape = {"type": "line", "xref": "x", "x0": x, "x1": x, "yref": "y domain", "y0": 0,
             "y1": 1, "line": {"color": color, "dash": "dot"}}
    note = {"text": text, "xref": "x", "x": x, "xanchor": "left", "yref": "y domain", "y": 1,
            "yanchor": "top", "showarrow": False, "font": {"size": 11}}
    return shape, note


def figure(data: Sequence[dict], layout: dict) -> Figure:
    return {"data": list(data), "layout": layout}


LEGEND_ENTRIES_PER_ROW = 6  # a full-width chart's horizontal legend, roughly


@dataclass(frozen=True)
class Panel:
    """One plot of a multi-panel figure: its traces on its own axes."""

    title: str
    y_title: str | None
    traces: list[dict]
    log_y: bool = False
    x_title: str = "step"
    x_axis: dict = field(default_factory=dict)  # more x-axis settings (dtick)
    y_axis: dict = field(default_factory=dict)  # more y-axis settings (range, tickformat)
    shapes: list[dict] = field(default_factory=list)  # drawn on this panel's axes
    notes: list[dict] = field(default_factory=list)  # annotations on this panel's axes


def panel_grid(panels: Sequence[Panel], *, columns: int = 2, row_height: int = 300,
               gap: int = 90, **layout) -> Figure:
    """The panels in a grid, `columns` to a row, each titled, with one legend below.

    One chart instead of one per panel: the browser draws each chart in tens of
    milliseconds whatever its size. Traces keep their own `showlegend`; traces that
    share a `legendgroup` are shown and hidden together from the legend.
    """
    rows = -(-len(panels) // columns)
    entries = sum(t.get("showlegend", True) for p in panels for t in p.traces)
    legend_rows = -(-entries // LEGEND_ENTRIES_PER_ROW)
    height = rows * row_height + 60 + 22 * max(legend_rows - 1, 0)  # + the legend below
    top_margin, bottom_margin = 36, 100 + 22 * max(legend_rows - 1, 0)
    plot = height - top_margin - bottom_margin
    row_share = (1 + gap / plot) / rows  # a row and the gap under it, as paper fractions
    width = (1 - 0.1 * (columns - 1)) / columns  # each panel's share, gaps of 0.1
    data, spec = [], {
        "template": "none", "height": height,
        "margin": {"l": 60, "r": 10, "t": top_margin, "b": bottom_margin},
        "legend": {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom",
                   "x": 0},
        "hovermode": "x unified", "annotations": [], "shapes": [], **layout}
    for i, panel in enumerate(panels):
        suffix = str(i + 1) if i else ""
        left = (i % columns) * (width + 0.1)
        top = 1 - (i // columns) * row_share
        bottom = max(top - row_share + gap / plot, 0.0)
        # an empty trace keeps the axes of a panel that has no data yet (before training)
        traces = panel.traces or [{"type": "scatter", "x": [], "y": [], "showlegend": False}]
        data += [{**trace, "xaxis": f"x{suffix}", "yaxis": f"y{suffix}"} for trace in traces]
        spec[f"xaxis{suffix}"] = axis(panel.x_title, domain=[left, left + width],
                                      anchor=f"y{suffix}", **panel.x_axis)
        spec[f"yaxis{suffix}"] = axis(panel.y_title, log=panel.log_y, domain=[bottom, top],
                                      anchor=f"x{suffix}", **panel.y_axis)
        spec["annotations"].append({
            "text": panel.title, "xref": "paper", "x": left, "xanchor": "left",
            "yref": "paper", "y": top, "yanchor": "bottom", "yshift": 8, "showarrow": False,
            "font": {"size": 14}})
        for kind, items in (("shapes", panel.shapes), ("annotations", panel.notes)):
            spec[kind] += [{**item, "xref": item["xref"].replace("x", f"x{suffix}", 1),
                            "yref": item["yref"].replace("y", f"y{suffix}", 1)}
                           for item in items]
    return figure(data, spec)
