"""The race on a 2D map: every optimizer's path over the surface, animated.

Payload stays small because nothing is sent twice:
- the surface is one PNG in `layout.images` (it also survives the animation,
  which a Contour or Heatmap background does not: plotly.js #4491);
- each optimizer's whole path is drawn once, faintly, as a static trace;
- a frame carries only what moves: each head and its recent trail;
- long runs are thinned to at most MAX_FRAMES frames.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from viz.colors import CRITICAL_POINT_STYLE, OPTIMIZER_COLORS, OPTIMIZER_LABELS

MAX_FRAMES = 80
TRAIL_FRAMES = 4  # a head drags the steps of its last few frames behind it
FRAME_MS = 60
CLICK_GRID = 41  # invisible points that turn a click on the map into a start point
MAX_PATH_POINTS = 1500  # longer whole paths are thinned evenly (zig-zags are short runs)
MAX_TRAIL_POINTS = 60
MAX_MARKED_POINTS = 25  # more critical points than this (Rastrigin): mark only the minima


@dataclass(frozen=True)
class PathView:
    """What the map needs to know about one optimizer's run."""

    name: str  # registry key, e.g. "nesterov"
    positions: np.ndarray  # (K+1, 2), finite; a diverged path repeats its last good point
    last_step: int  # the last good step
    diverged: bool
    look_ahead: np.ndarray | None = None  # (K+1, 2) Nesterov's θ + λv


def frame_steps(steps: int, max_frames: int = MAX_FRAMES) -> np.ndarray:
    """The steps shown by the frames: all of them for short runs, evenly thinned otherwise."""
    count = min(steps, max_frames)
    return np.unique(np.round(np.linspace(0, steps, count + 1)).astype(int))


def _f32(a) -> np.ndarray:
    return np.asarray(a, dtype=np.float32)  # half the bytes; plenty for screen positions


def _packed(a) -> dict:
    """A float32 array as plotly.js's typed-array spec, base64-packed here: serialising
    hundreds of small NumPy arrays one by one was most of the page's server time."""
    data = np.ascontiguousarray(a, dtype="<f4")
    return {"dtype": "f4", "bdata": base64.b64encode(data.tobytes()).decode("ascii")}


def _head_symbol(path: PathView, step: int) -> str:
    return "x" if path.diverged and step >= path.last_step else "circle"


def _thin(points: np.ndarray, limit: int) -> np.ndarray:
    """At most `limit` evenly spaced rows, always keeping the first and the last."""
    if len(points) <= limit:
        return points
    return points[np.linspace(0, len(points) - 1, limit).round().astype(int)]


def _trail(path: PathView, lo: int, hi: int) -> np.ndarray:
    part = path.positions[min(lo, path.last_step):min(hi, path.last_step) + 1]
    return _thin(part, MAX_TRAIL_POINTS)


def race_map(image_uri: str, bounds, paths: list[PathView], critical_points=(),
             start=None, show_look_ahead: bool = False, height: int = 680) -> dict:
    """The animated race, as a Plotly figure dict (st.plotly_chart takes it as is).

    Traces, in order: click grid, critical points, faint full paths, trails, heads,
    look-ahead ghost, start. Frames update trails, heads and ghost. The frames are
    plain dicts: validating a hundred go.Frame objects would cost more server time
    than everything else on the page together.
    """
    (x0, x1), (y0, y1) = bounds
    fig = go.Figure()
    gx, gy = np.meshgrid(np.linspace(x0, x1, CLICK_GRID), np.linspace(y0, y1, CLICK_GRID))
    fig.add_trace(go.Scatter(
        x=_f32(gx.ravel()), y=_f32(gy.ravel()), mode="markers", name="start here",
        marker={"size": 9, "opacity": 0}, showlegend=False,
        hovertemplate="click to start here<br>(%{x:.2f}, %{y:.2f})<extra></extra>"))
    _add_critical_points(fig, critical_points)
    for path in paths:
        whole = _thin(path.positions[:path.last_step + 1], MAX_PATH_POINTS)
        fig.add_trace(go.Scatter(
            x=_f32(whole[:, 0]), y=_f32(whole[:, 1]),
            mode="lines", name=OPTIMIZER_LABELS[path.name], legendgroup=path.name,
            line={"color": OPTIMIZER_COLORS[path.name], "width": 1.5}, opacity=0.45,
            hoverinfo="skip"))
    steps = frame_steps(len(paths[0].positions) - 1) if paths else np.array([0])
    moving = len(fig.data)  # index of the first trace that frames update
    end = int(steps[-1])
    lo_end = int(steps[max(len(steps) - 1 - TRAIL_FRAMES, 0)])
    for path in paths:  # the figure opens on the finished race
        trail = _trail(path, lo_end, end)
        fig.add_trace(go.Scatter(
            x=_f32(trail[:, 0]), y=_f32(trail[:, 1]), mode="lines", legendgroup=path.name,
            showlegend=False, line={"color": OPTIMIZER_COLORS[path.name], "width": 3.5},
            hoverinfo="skip"))
    for path in paths:
        head = path.positions[min(end, path.last_step)]
        fig.add_trace(go.Scatter(
            x=[float(head[0])], y=[float(head[1])], mode="markers", legendgroup=path.name,
            showlegend=False, name=OPTIMIZER_LABELS[path.name],
            marker={"size": 12, "color": OPTIMIZER_COLORS[path.name],
                    "symbol": _head_symbol(path, end), "line": {"color": "white", "width": 1.5}},
            hovertemplate=OPTIMIZER_LABELS[path.name] + "<br>(%{x:.3f}, %{y:.3f})<extra></extra>"))
    ghosts = [p for p in paths if show_look_ahead and p.look_ahead is not None]
    for path in ghosts:
        point = path.look_ahead[min(end, path.last_step)]
        fig.add_trace(go.Scatter(
            x=[float(point[0])], y=[float(point[1])], mode="markers", legendgroup=path.name,
            name="Nesterov look-ahead θ + λv", showlegend=True,
            marker={"size": 12, "color": "rgba(0,0,0,0)", "symbol": "circle",
                    "line": {"color": OPTIMIZER_COLORS[path.name], "width": 2, "dash": "dot"}},
            hovertemplate="look-ahead θ + λv<br>(%{x:.3f}, %{y:.3f})<extra></extra>"))
    if start is not None:
        fig.add_trace(go.Scatter(
            x=[float(start[0])], y=[float(start[1])], mode="markers", name="start",
            marker={"size": 11, "color": "white", "symbol": "diamond",
                    "line": {"color": "black", "width": 1.5}},
            hovertemplate="start (%{x:.3f}, %{y:.3f})<extra></extra>"))

    _layout(fig, image_uri, bounds, steps, height)
    spec = fig.to_dict()
    spec["frames"] = [_frame(paths, ghosts, steps, i, moving) for i in range(len(steps))]
    return spec


def _frame(paths, ghosts, steps, i, first) -> dict:
    step = int(steps[i])
    lo = int(steps[max(i - TRAIL_FRAMES, 0)])
    data = []
    for path in paths:
        trail = _trail(path, lo, step)
        data.append({"type": "scatter", "x": _packed(trail[:, 0]), "y": _packed(trail[:, 1])})
    for path in paths:
        head = path.positions[min(step, path.last_step)]
        data.append({"type": "scatter", "x": [round(float(head[0]), 5)],
                     "y": [round(float(head[1]), 5)],
                     "marker": {"symbol": _head_symbol(path, step)}})
    for path in ghosts:
        point = path.look_ahead[min(step, path.last_step)]
        data.append({"type": "scatter", "x": [round(float(point[0]), 5)],
                     "y": [round(float(point[1]), 5)]})
    return {"data": data, "name": str(step), "traces": list(range(first, first + len(data)))}


def _add_critical_points(fig: go.Figure, critical_points) -> None:
    points = list(critical_points)
    if len(points) > MAX_MARKED_POINTS:
        points = [p for p in points if p.kind == "global minimum"]
    for kind, (symbol, color) in CRITICAL_POINT_STYLE.items():
        chosen = [p for p in points if p.kind == kind]
        if not chosen:
            continue
        fig.add_trace(go.Scatter(
            x=[p.x for p in chosen], y=[p.y for p in chosen], mode="markers", name=kind,
            marker={"symbol": symbol, "size": 20 if kind == "global minimum" else 13,
                    "color": color, "line": {"color": "#222", "width": 1.2}},
            hovertemplate=f"{kind}<br>(%{{x:.3f}}, %{{y:.3f}})<extra></extra>"))


def _layout(fig: go.Figure, image_uri: str, bounds, steps, height: int) -> None:
    (x0, x1), (y0, y1) = bounds
    animate = {"mode": "immediate", "frame": {"duration": 0, "redraw": False},
               "transition": {"duration": 0}}
    play = {"frame": {"duration": FRAME_MS, "redraw": False}, "transition": {"duration": 0},
            "fromcurrent": True, "mode": "immediate"}
    axis = {"showgrid": False, "zeroline": False, "constrain": "domain", "ticks": "outside"}
    fig.update_layout(
        template="none", height=height, margin={"l": 50, "r": 10, "t": 64, "b": 40},
        xaxis={**axis, "range": [x0, x1], "title": {"text": "x"}},
        yaxis={**axis, "range": [y0, y1], "title": {"text": "y"},
               "scaleanchor": "x", "scaleratio": 1},
        images=[{"source": image_uri, "xref": "x", "yref": "y", "x": x0, "y": y1,
                 "sizex": x1 - x0, "sizey": y1 - y0, "sizing": "stretch", "layer": "below"}],
        legend={"orientation": "h", "y": -0.12, "x": 0},
        hovermode="closest", dragmode=False, clickmode="event+select",
        updatemenus=[{
            "type": "buttons", "direction": "left", "x": 0, "y": 1.0, "xanchor": "left",
            "yanchor": "bottom", "pad": {"b": 6}, "showactive": False,
            "buttons": [
                {"label": "▶ Play", "method": "animate", "args": [None, play]},
                {"label": "❚❚ Pause", "method": "animate", "args": [[None], animate]},
                {"label": "⟲ Replay", "method": "animate",
                 "args": [None, {**play, "fromcurrent": False}]},
            ]}],
        sliders=[{
            "active": len(steps) - 1, "x": 0.28, "len": 0.72, "y": 1.0, "yanchor": "bottom",
            "pad": {"t": 0, "b": 6}, "ticklen": 0, "minorticklen": 0,
            # one label per frame would overprint: hide them, keep the current value
            "font": {"color": "rgba(0,0,0,0)"},
            "currentvalue": {"prefix": "step ", "font": {"size": 12, "color": "#1f2937"}},
            "steps": [{"label": str(s), "method": "animate", "args": [[str(s)], animate]}
                      for s in steps]}],
    )
