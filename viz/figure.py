"""Plotly figures as the plain dicts that plotly.js reads.

plotly.py's `go.Figure` validates every property as it is set, and `st.plotly_chart`
validates a dict figure all over again (`go.Figure(**spec)`). For the playground
that was most of the server's time per rerun: about 150 ms for the animated map
alone. So Descent builds its figures as dicts from the start, `ui.charts` hands
them to Streamlit without another pass, and tests/test_figure_specs.py validates
every figure with plotly.py, so a misspelt property still fails a test.

Longer than 300 lines because every figure builds on these few helpers (axes, panels,
legends, log ticks, the app's look); split, each chart module would import them all.
"""

from __future__ import annotations

import re
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


# Streamlit's chart theme, as it draws this app's light theme (.streamlit/config.toml),
# written into the layout itself: the charts go out with theme=None, because the theme's
# template made plotly.js redraw every chart twice (ui/charts.py says why).
FONT = '"Source Sans", sans-serif'
MUTED = "#808495"  # Streamlit's chart text: ticks, axis titles, hover labels
FAINT = "#e6eaf1"  # its tick marks, zero lines and default grid lines
APP_LOOK = {
    "font": {"family": FONT, "size": 12, "color": MUTED},
    "title": {"font": {"family": FONT, "size": 16, "color": "#1f2937", "weight": "bold"},
              "pad": {"l": 4}, "x": 0, "xanchor": "left"},
    "legend": {"font": {"size": 12, "color": "#262730"}, "valign": "top",
               "bordercolor": "rgba(0,0,0,0)", "borderwidth": 0},
    "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff",
    "margin": {"pad": 8, "l": 0, "r": 0},
    "hoverlabel": {"bgcolor": "#ffffff", "bordercolor": "rgba(31, 41, 55, 0.2)",
                   "font": {"family": FONT, "size": 12, "color": MUTED}},
}
# Tick marks only where a figure asks for them: set outside a template, tickcolor would
# turn them on everywhere (plotly.js), and heatmaps turn them on by default.
_AXIS_LOOK = {"tickfont": {"color": MUTED, "size": 12}, "ticks": "", "tickcolor": FAINT,
              "zerolinecolor": FAINT, "gridcolor": FAINT, "ticklabelposition": "outside",
              "automargin": True}
X_LOOK = {**_AXIS_LOOK, "showgrid": False, "zeroline": False,
          "title": {"font": {"color": MUTED, "size": 14}, "standoff": 20}}
Y_LOOK = {**_AXIS_LOOK, "title": {"font": {"color": MUTED, "size": 14}, "standoff": 24}}
_AXIS_KEY = re.compile(r"([xy])axis\d*")


def with_app_look(layout: dict) -> dict:
    """`layout` drawn over APP_LOOK, and each x and y axis over X_LOOK or Y_LOOK (3D
    scenes keep plotly.js's own look, as under Streamlit's theme). The layout's own
    settings win; `layout` itself is not changed."""
    styled = _over(APP_LOOK, layout)
    axes = {key for key in layout if _AXIS_KEY.fullmatch(key)}
    if "scene" not in layout:
        axes |= {"xaxis", "yaxis"}  # a chart's default axes, set or not
    for key in axes:
        styled[key] = _over(X_LOOK if key[0] == "x" else Y_LOOK, layout.get(key, {}))
    return styled


def _over(base: dict, top: dict) -> dict:
    """`top` merged into a copy of `base`, key by key, nested dicts too."""
    merged = dict(base)
    for key, value in top.items():
        below = merged.get(key)
        merged[key] = (_over(below, value) if isinstance(below, dict)
                       and isinstance(value, dict) else value)
    return merged


def numbers(values, dtype: str = "f4") -> np.ndarray:
    """An array for a trace: contiguous, little-endian, float32 by default.

    Streamlit writes figures with orjson, which writes a NumPy array as a JSON list,
    float32 numbers in their shortest form (0.1, not 0.10000000149011612). Plain lists,
    not plotly.js's base64 typed arrays, so that plotly.js can tell the chart has not
    changed when Streamlit hands it the figure a second time (see ui/charts.py). float32
    is plenty for anything on screen, but values beyond its range (a custom surface's
    1e50, a vanishing gradient's 1e-60) are sent as float64.
    """
    with np.errstate(over="ignore", under="ignore"):  # checked just below
        data = np.ascontiguousarray(values, dtype=np.dtype(dtype).newbyteorder("<"))
    if dtype == "f4" and (np.isinf(data).any() or not data.all()):  # cheap tests first
        wide = np.asarray(values, dtype=np.float64)
        lost = (np.isinf(data) & np.isfinite(wide)) | ((data == 0) & (wide != 0))
        if lost.any():
            return numbers(wide, "f8")
    return data


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
        # "complete": a label between powers of ten reads 0.2 or 2×10⁻⁵, not a bare 2
        # that means 0.2 (see also log_ticks)
        spec = {"exponentformat": "power", "minorloglabels": "complete", **spec}
    return spec


PLAIN_LOG_RANGE = (1e-3, 1e4)  # a log axis within it is labelled in decimals
MIN_LOG_TICKS = 3  # labelled ticks a log axis spanning less than two decades gets
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def log_ticks(traces: Sequence[dict], y_range: Sequence[float] | None = None) -> dict:
    """Tick settings for a log axis showing these traces' y values (or the axis's fixed
    `y_range`, log₁₀ of its ends), so that it always has labelled ticks.

    Across two decades or more plotly.js labels the powers of ten, at least two of them.
    Across less it labels 1, 2 and 5 of each decade (dtick "D2"; its complete labels
    overlap), and across less than one decade that can be one label or none: the
    Rastrigin race's gap 24.0 … 47.4 had no number on its axis. Such an axis gets its
    ticks written out: 1, 2 and 5 of each decade where that makes MIN_LOG_TICKS, else
    evenly spaced round numbers (25, 30, 35, 40, 45). An axis of one value is widened
    around it. Values between 0.001 and 10 000 get plain decimals: 0.05 and 20 rather
    than the powers' 5×10⁻² and 2×10."""
    values: list[np.ndarray] | np.ndarray  # the traces' arrays, then all of them in one
    if y_range is not None:
        values = 10.0 ** np.asarray(y_range, dtype=np.float64)
    else:
        values = [np.asarray(t["y"], dtype=np.float64) for t in traces if len(t.get("y", ()))]
        values = np.concatenate(values) if values else np.empty(0)
    values = values[np.isfinite(values) & (values > 0)]
    if not len(values):
        return {}
    low, high = float(values.min()), float(values.max())
    plain = low >= PLAIN_LOG_RANGE[0] and high <= PLAIN_LOG_RANGE[1]
    if high / low >= 100:
        return {"exponentformat": "none"} if plain else {}
    ticks: dict = {}
    if high / low < 1.2 and y_range is None:  # (nearly) one value: show a band around it
        middle = float(np.sqrt(low * high))
        low, high = middle / 1.25, middle * 1.25
        ticks["range"] = [float(np.log10(low)), float(np.log10(high))]
    values_at = _short_log_ticks(low, high)
    return {**ticks, "tickmode": "array", "tickvals": values_at,
            "ticktext": [_tick_text(v, plain) for v in values_at]}


def _short_log_ticks(low: float, high: float) -> list[float]:
    """At least MIN_LOG_TICKS round numbers in [low, high] (high / low < 100)."""
    def inside(value: float) -> bool:
        return low * (1 - 1e-9) <= value <= high * (1 + 1e-9)

    decades = range(int(np.floor(np.log10(low))), int(np.ceil(np.log10(high))) + 1)
    ticks = [_round(m * 10.0**k) for k in decades for m in (1, 2, 5) if inside(m * 10.0**k)]
    if len(ticks) >= MIN_LOG_TICKS:
        return ticks
    top = int(np.ceil(np.log10(high - low)))
    for step in (m * 10.0**k for k in range(top, top - 4, -1) for m in (5, 2, 1)):
        first, last = int(np.ceil(low / step - 1e-9)), int(np.floor(high / step + 1e-9))
        if last - first + 1 >= MIN_LOG_TICKS:
            return [_round(n * step) for n in range(first, last + 1)]
    return ticks  # not reached: a step of a thousandth of the span gives hundreds


def _round(value: float) -> float:
    return float(f"{value:.12g}")  # 3 × 0.1 is 0.30000000000000004


def _tick_text(value: float, plain: bool) -> str:
    """0.05 or 20 on an axis within PLAIN_LOG_RANGE; else 2×10⁻⁵ as plotly.js writes it."""
    if plain:
        return f"{value:g}"
    mantissa, exponent = f"{value:e}".split("e")  # 2.500000e-05
    mantissa = mantissa.rstrip("0").rstrip(".")
    power = "10" + str(int(exponent)).translate(_SUPERSCRIPT)
    return power if mantissa == "1" else f"{mantissa}×{power}"


def line(x, y, name: str, color: str, *, width: float = 2, dash: str | None = None,
         dtype: str = "f4", **more) -> dict:
    """A line trace; x and y become `numbers` in `dtype` (whole numbers stay integers).
    x may be None when `more` gives x0 and dx instead (see steps_axis)."""
    style = {"color": color, "width": width}
    if dash:
        style["dash"] = dash
    xs = {} if x is None else {"x": _array(x, dtype)}
    return {"type": "scatter", "mode": "lines", "name": name, **xs, "y": _array(y, dtype),
            "line": style, **more}


def _array(values, dtype: str) -> np.ndarray:
    if isinstance(values, np.ndarray) and values.dtype.kind in "iu":
        return numbers(values, "i4")  # epochs
    return numbers(values, dtype)


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


def corner_note(text: str, *, above: int = 0, font: dict | None = None) -> dict:
    """A note in the lower right corner of a panel (`above` notes up from the bottom), on
    a pale backing: for a panel's Panel.notes. The layer and epoch panels that use it
    have their lines highest on the right, so that corner is the emptiest."""
    return {"text": text, "xref": "x domain", "x": 0.98, "xanchor": "right",
            "yref": "y domain", "y": 0.02 + 0.09 * above, "yanchor": "bottom",
            "showarrow": False, "bgcolor": "rgba(255, 255, 255, 0.85)",
            "font": {"size": 11, **(font or {})}}


def centre_note(text: str) -> dict:
    """A note in the middle of a panel, for one with nothing to draw (Panel.notes)."""
    return {"text": text, "xref": "x domain", "x": 0.5, "yref": "y domain", "y": 0.5,
            "showarrow": False, "font": {"size": 12, "color": "#6b7280"}}


def figure(data: Sequence[dict], layout: dict) -> Figure:
    return {"data": list(data), "layout": layout}


LEGEND_WIDTH = 900  # px a full-width chart's horizontal legend has, roughly


PHONE_LEGEND_WIDTH = 300  # px a legend has on a phone (390 px screen), roughly


def legend_rows(names: Sequence[str], width: float = LEGEND_WIDTH) -> int:
    """How many rows a horizontal legend of these entries takes, packed left to right:
    each entry is its symbol (~45 px) and its text (~6.2 px a character). Counting
    entries alone (six a row) missed the third row of the lab's compare mode, whose
    names are long, and its "epoch" titles were then drawn over their tick labels."""
    rows, used = 1, 0.0
    for name in names:
        entry = 45 + 6.2 * len(name)
        if used and used + entry > width:
            rows, used = rows + 1, 0.0
        used += entry
    return rows


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
               gap: int = 90, legend_width: float = LEGEND_WIDTH, **layout) -> Figure:
    """The panels in a grid, `columns` to a row, each titled, with one legend below.

    One chart instead of one per panel: the browser draws each chart in tens of
    milliseconds whatever its size. Traces keep their own `showlegend`; traces that
    share a `legendgroup` are shown and hidden together from the legend. The legend,
    at the chart's bottom, gets room for the rows it takes `legend_width` px wide
    (PHONE_LEGEND_WIDTH: a chart that must read on a phone, where it wraps more).
    """
    rows = -(-len(panels) // columns)
    extra = 30 * (legend_rows([str(t.get("name", "")) for p in panels for t in p.traces
                               if t.get("showlegend", True)], legend_width) - 1)  # a row
    height = rows * row_height + 60 + extra  # + the legend below
    top_margin, bottom_margin = 36, 100 + extra
    plot = height - top_margin - bottom_margin
    row_share = (1 + gap / plot) / rows  # a row and the gap under it, as paper fractions
    width = (1 - 0.1 * (columns - 1)) / columns  # each panel's share, gaps of 0.1
    data, spec = [], {
        "template": "none", "height": height,
        # r: room for half of the last x label ("3000") centred on the right edge
        "margin": {"l": 60, "r": 24, "t": top_margin, "b": bottom_margin},
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
        ticks = log_ticks(panel.traces, panel.y_axis.get("range")) if panel.log_y else {}
        spec[f"yaxis{suffix}"] = axis(panel.y_title, log=panel.log_y, domain=[bottom, top],
                                      anchor=f"x{suffix}", **{**ticks, **panel.y_axis})
        spec["annotations"].append({
            "text": panel.title, "xref": "paper", "x": left, "xanchor": "left",
            "yref": "paper", "y": top, "yanchor": "bottom", "yshift": 8, "showarrow": False,
            "font": {"size": 14}})
        for kind, items in (("shapes", panel.shapes), ("annotations", panel.notes)):
            spec[kind] += [{**item, "xref": item["xref"].replace("x", f"x{suffix}", 1),
                            "yref": item["yref"].replace("y", f"y{suffix}", 1)}
                           for item in items]
    return figure(data, spec)
