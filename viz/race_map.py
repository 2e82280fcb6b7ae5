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

import numpy as np

from engine.optimizers import OPTIMIZERS
from engine.race import Lane
from viz.colors import CRITICAL_POINT_STYLE
from viz.figure import PLAIN_AXIS, Figure, numbers

MAX_FRAMES = 80
# plotly.js lays out and measures every slider step's label on each redraw: 81 of them
# took the browser ~200 ms. The slider gets every k-th frame (the animation all of them).
MAX_SLIDER_STEPS = 21
STOPPED_SYMBOL = "square"  # the head of a path that stopped early
# A head is drawn at 12 px, the start ◇ at 11 px over it. A stopped head is larger, so
# that a path which stopped at its start still shows its ■ around the ◇.
HEAD_SIZE, STOPPED_SIZE = 12, 20
TRAIL_FRAMES = 4  # a head drags the steps of its last few frames behind it
FRAME_MS = 60
# Invisible points that turn a click on the map into a start point: CLICK_CELLS square
# cells along the map's shorter side (0.4 apart on −3…3) and as many along the longer one.
# The hover label shows the exact point, and the start can also be typed. plotly.js draws
# and styles each point on every redraw: 25 × 25 of them made a rerun of the playground
# ~150 ms slower in Chromium than 13 × 13 (paired runs).
CLICK_CELLS = 15
# A click picks the nearest point within this many pixels of its marker's edge
# (plotly.js's default is 20). A map's plot is at most 576 px along its shorter side
# (about 500 px in a 1400 × 1000 window), so a cell is at most 576 / 15 ≈ 38 px wide and
# no click is farther than half its diagonal, 27 px, from a point's centre. A marked
# point catches clicks within its radius plus this: the star, 38 px.
HOVER_DISTANCE = 28
MAX_PATH_POINTS = 1500  # longer whole paths are thinned evenly (zig-zags are short runs)
MAX_TRAIL_POINTS = 60
MAX_MARKED_POINTS = 25  # more critical points than this (Rastrigin): mark only the minima


def frame_steps(steps: int, max_frames: int = MAX_FRAMES) -> np.ndarray:
    """The steps shown by the frames: all of them for short runs, evenly thinned otherwise."""
    count = min(steps, max_frames)
    return np.unique(np.round(np.linspace(0, steps, count + 1)).astype(int))


def _every_kth(steps: np.ndarray, limit: int) -> list[int]:
    """At most `limit` of `steps`, evenly spaced, the first and the last included."""
    stride = -(-(len(steps) - 1) // max(limit - 1, 1)) or 1
    picked = list(steps[::stride])
    if picked[-1] != steps[-1]:
        picked.append(steps[-1])
    return [int(s) for s in picked]


def _head_markers(lane: Lane, steps: np.ndarray) -> list[dict]:
    """The head's marker at each step: a larger square once a diverged path has stopped
    (not an ✕, which marks saddles)."""
    stopped = (lane.diverged_at >= 0) & (steps >= lane.last_step)
    return [{"symbol": STOPPED_SYMBOL, "size": STOPPED_SIZE} if s
            else {"symbol": "circle", "size": HEAD_SIZE} for s in stopped.tolist()]


def _thin(points: np.ndarray, limit: int) -> np.ndarray:
    """At most `limit` evenly spaced rows, always keeping the first and the last."""
    if len(points) <= limit:
        return points
    return points[np.linspace(0, len(points) - 1, limit).round().astype(int)]


def _screen_columns(lane: Lane) -> tuple[np.ndarray, np.ndarray]:
    """x and y of the path's good part as contiguous little-endian float32 arrays.

    Paths are finite and stay inside the escape box, so float32 cannot overflow; a
    trail is then a slice of these, and a frame's is base64-encoded as it is (`_typed`).
    """
    good = lane.positions[:lane.last_step + 1]
    return np.ascontiguousarray(good[:, 0], "<f4"), np.ascontiguousarray(good[:, 1], "<f4")


def _typed(column: np.ndarray) -> dict:
    """A trail in a frame, as plotly.js's typed-array spec (base64 of a column from
    `_screen_columns`): quicker to write than JSON numbers, and about half as long.
    Frames can hold typed arrays because plotly.js never compares them (the figure's
    own data cannot: see viz.figure.numbers). The frames hold hundreds of these."""
    # NumPy's stubs give ndarray its buffer protocol (__buffer__) for Python 3.12 and up only
    return {"dtype": "f4",
            "bdata": base64.b64encode(column).decode("ascii")}  # type: ignore[arg-type]


def _trail(columns, last_step: int, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = min(lo, last_step), min(hi, last_step) + 1
    if hi - lo > MAX_TRAIL_POINTS:
        rows = np.linspace(lo, hi - 1, MAX_TRAIL_POINTS).round().astype(int)
        return columns[0][rows], columns[1][rows]
    return columns[0][lo:hi], columns[1][lo:hi]


def click_grid(bounds) -> tuple[np.ndarray, np.ndarray]:
    """x and y of the click grid's points: square cells, CLICK_CELLS of them along the
    shorter side of the map."""
    (x0, x1), (y0, y1) = bounds
    cell = min(x1 - x0, y1 - y0) / CLICK_CELLS
    gx, gy = np.meshgrid(np.linspace(x0, x1, round((x1 - x0) / cell) + 1),
                         np.linspace(y0, y1, round((y1 - y0) / cell) + 1))
    return gx.ravel(), gy.ravel()


def race_map(image_uri: str, bounds, lanes: list[Lane], critical_points=(),
             start=None, show_look_ahead: bool = False, height: int = 680) -> Figure:
    """The animated race, as a Plotly figure dict.

    Traces, in order: click grid, critical points, faint full paths, trails, heads,
    look-ahead ghost, start. Frames update trails, heads and ghost.
    """
    gx, gy = click_grid(bounds)
    data = [{
        "type": "scatter", "x": numbers(gx), "y": numbers(gy), "mode": "markers",
        "name": "start here", "marker": {"size": 9, "opacity": 0}, "showlegend": False,
        "hovertemplate": "click to start here<br>(%{x:.2f}, %{y:.2f})<extra></extra>"}]
    data += _critical_points(critical_points)
    for lane in lanes:
        whole = _thin(lane.positions[:lane.last_step + 1], MAX_PATH_POINTS)
        data.append({
            "type": "scatter", "x": numbers(whole[:, 0]), "y": numbers(whole[:, 1]),
            "mode": "lines", "name": OPTIMIZERS[lane.name].label, "legendgroup": lane.name,
            "line": {"color": OPTIMIZERS[lane.name].color, "width": 1.5}, "opacity": 0.45,
            "hoverinfo": "skip"})
    steps = frame_steps(len(lanes[0].positions) - 1) if lanes else np.array([0])
    ghosts = [p for p in lanes if show_look_ahead and p.look_ahead is not None]
    trails = [_trails(lane, steps) for lane in lanes]
    frames = _frames(lanes, ghosts, steps, trails, first=len(data))
    last = frames[-1]["data"]
    for lane, lane_trails in zip(lanes, trails, strict=True):
        x, y = lane_trails[-1]  # the figure opens on the finished race
        data.append({"type": "scatter", "x": x, "y": y, "mode": "lines",
                     "legendgroup": lane.name, "showlegend": False,
                     "line": {"color": OPTIMIZERS[lane.name].color, "width": 3.5},
                     "hoverinfo": "skip"})
    for lane, head in zip(lanes, last[len(lanes):], strict=False):
        label = OPTIMIZERS[lane.name].label
        data.append({
            **head, "mode": "markers", "legendgroup": lane.name, "showlegend": False,
            "name": label, "marker": {**head["marker"], "color": OPTIMIZERS[lane.name].color,
                                      "line": {"color": "white", "width": 1.5}},
            "hovertemplate": label + "<br>(%{x:.3f}, %{y:.3f})<extra></extra>"})
    for lane, ghost in zip(ghosts, last[2 * len(lanes):], strict=True):
        data.append({
            **ghost, "mode": "markers", "legendgroup": lane.name,
            "name": "Nesterov look-ahead θ + λv", "showlegend": True,
            "marker": {"size": 12, "color": "rgba(0,0,0,0)", "symbol": "circle",
                       "line": {"color": OPTIMIZERS[lane.name].color, "width": 2,
                                "dash": "dot"}},
            "hovertemplate": "look-ahead θ + λv<br>(%{x:.3f}, %{y:.3f})<extra></extra>"})
    if start is not None:
        data.append({
            "type": "scatter", "x": [float(start[0])], "y": [float(start[1])],
            "mode": "markers", "name": "start", "cliponaxis": False,  # whole in a corner too
            "marker": {"size": 11, "color": "white", "symbol": "diamond",
                       "line": {"color": "black", "width": 1.5}},
            "hovertemplate": "start (%{x:.3f}, %{y:.3f})<extra></extra>"})
    return {"data": data, "layout": _layout(image_uri, bounds, steps, height),
            "frames": frames}


def _frames(lanes, ghosts, steps: np.ndarray, trails, first: int) -> list[dict]:
    """One frame per step of `steps`: every path's recent trail (from `trails`) and its
    head, then the look-ahead ghosts; they update the traces from index `first` on. Heads
    and ghosts are looked up for all frames at once: a map has up to 81 frames of this."""
    heads = [_points_at(lane.positions, lane.last_step, steps) for lane in lanes]
    markers = [_head_markers(lane, steps) for lane in lanes]
    looks = [_points_at(lane.look_ahead, lane.last_step, steps) for lane in ghosts]
    traces = list(range(first, first + 2 * len(lanes) + len(ghosts)))
    frames = []
    for i, step in enumerate(steps.tolist()):
        data = [{"type": "scatter", "x": _typed(trail[i][0]), "y": _typed(trail[i][1])}
                for trail in trails]
        data += [{"type": "scatter", "x": [head[i][0]], "y": [head[i][1]],
                  "marker": marker[i]}
                 for head, marker in zip(heads, markers, strict=True)]
        data += [{"type": "scatter", "x": [look[i][0]], "y": [look[i][1]]} for look in looks]
        frames.append({"data": data, "name": str(step), "traces": traces})
    return frames


def _trails(lane: Lane, steps: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """x and y of the path's trail in the frame of each of `steps`: from the step
    TRAIL_FRAMES frames back to this one, as far as the path got."""
    lows = steps[np.maximum(np.arange(len(steps)) - TRAIL_FRAMES, 0)].tolist()
    columns = _screen_columns(lane)
    return [_trail(columns, lane.last_step, lo, hi)
            for lo, hi in zip(lows, steps.tolist(), strict=True)]


def _points_at(points: np.ndarray, last_step: int, steps: np.ndarray) -> list[list[float]]:
    """[x, y] of `points` at each of `steps` (a diverged path stays at its last good
    step), rounded to 5 decimals: far below a pixel, and short in JSON."""
    return np.round(points[np.minimum(steps, last_step)], 5).tolist()


def _critical_points(critical_points) -> list[dict]:
    points = list(critical_points)
    if len(points) > MAX_MARKED_POINTS:
        points = [p for p in points if p.kind == "global minimum"]
    traces = []
    for kind, (symbol, color) in CRITICAL_POINT_STYLE.items():
        chosen = [p for p in points if p.kind == kind]
        if chosen:
            traces.append({
                "type": "scatter", "x": [p.x for p in chosen], "y": [p.y for p in chosen],
                "mode": "markers", "name": kind,
                "marker": {"symbol": symbol, "size": 20 if kind == "global minimum" else 13,
                           "color": color, "line": {"color": "#222", "width": 1.2}},
                "hovertemplate": f"{kind}<br>(%{{x:.3f}}, %{{y:.3f}})<extra></extra>"})
    return traces


def _layout(image_uri: str, bounds, steps, height: int) -> dict:
    (x0, x1), (y0, y1) = bounds
    animate = {"mode": "immediate", "frame": {"duration": 0, "redraw": False},
               "transition": {"duration": 0}}
    play = {"frame": {"duration": FRAME_MS, "redraw": False}, "transition": {"duration": 0},
            "fromcurrent": True, "mode": "immediate"}
    axis = {"showgrid": False, "zeroline": False, "constrain": "domain", "ticks": "outside",
            **PLAIN_AXIS}
    scrub = _every_kth(steps, MAX_SLIDER_STEPS)
    return dict(
        template="none", height=height, margin={"l": 50, "r": 10, "t": 64, "b": 40},
        xaxis={**axis, "range": [x0, x1], "title": {"text": "x"}},
        yaxis={**axis, "range": [y0, y1], "title": {"text": "y"},
               "scaleanchor": "x", "scaleratio": 1},
        images=[{"source": image_uri, "xref": "x", "yref": "y", "x": x0, "y": y1,
                 "sizex": x1 - x0, "sizey": y1 - y0, "sizing": "stretch", "layer": "below"}],
        legend={"orientation": "h", "y": -0.12, "x": 0},
        hovermode="closest", hoverdistance=HOVER_DISTANCE, dragmode=False,
        clickmode="event+select",
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
            "active": len(scrub) - 1, "x": 0.28, "len": 0.72, "y": 1.0, "yanchor": "bottom",
            "pad": {"t": 0, "b": 6}, "ticklen": 0, "minorticklen": 0,
            # the labels would overprint: hide them, keep the current value
            "font": {"color": "rgba(0,0,0,0)"},
            "currentvalue": {"prefix": "step ", "font": {"size": 12, "color": "#1f2937"}},
            "steps": [{"label": str(s), "method": "animate", "args": [[str(s)], animate]}
                      for s in scrub]}],
    )
