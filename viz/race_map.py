"""The race on a 2D map: every optimizer's path over the surface, animated.

Payload stays small because nothing is sent twice:
- the surface is one PNG in `layout.images` (it also survives the animation,
  which a Contour or Heatmap background does not: plotly.js #4491);
- each optimizer's whole path is drawn once, as a static trace;
- a frame carries only what moves: each head and its recent trail.

Frames go where the paths move (`frame_steps`): every one of the first EARLY_STEPS
steps, then a frame each time the paths have moved another FRAME_DISTANCE of the map,
at most MAX_FRAMES in all. So a zig-zag or a path rolling over a ridge is shown step by
step, and a long slow crawl in a few frames. Any other step can be shown too: the map
opens on the step it is given (`focus`), and that step gets a frame of its own.

What lies over what (trace order): the click grid, the legend keys (empty), the
critical points, the whole paths, the trails, the heads, the look-ahead ghosts, the
critical points' outlines (so that a head sitting on a saddle, as Newton's does, still
shows the ✕ through it) and the start.

Longer than 300 lines because the map's frames, its player (buttons, step slider), its
click grid and its marks must agree on trace order and sizes; one module keeps them so.
"""

from __future__ import annotations

import base64

import numpy as np

from engine.optimizers import OPTIMIZERS
from engine.race import Lane
from viz.colors import CRITICAL_POINT_STYLE, marked_points
from viz.figure import PLAIN_AXIS, Figure, numbers

EARLY_STEPS = 40  # every one of the first steps is a frame: the race's start is its story
FRAME_DISTANCE = 1 / 150  # then a frame per this much travel, as a share of the map's side
MAX_FRAMES = 240  # a longer race gets fewer frames (each farther apart), not more
# plotly.js lays out and measures every slider step's label on each redraw: a redraw of
# the 7 × 1000 map in Chromium here took 74 ms with 41 slider steps, 129 ms with 237 (one
# per frame) and 283 ms with 1001 (one per step). So the plotly slider scrubs through at
# most this many of the frames (the first, the last and the shown one among them); the
# page's own step slider reaches every step (ui.playground.sidebar.step_slider), and the
# animation plays every frame.
MAX_SLIDER_STEPS = 41
STOPPED_SYMBOL = "square"  # the head of a path that stopped early
# Heads are drawn at 12 px over the critical points (17 px, the global minimum's star
# 22 px), whose outlines are drawn again over the heads: both show. The start ◇ (11 px)
# lies over everything. A stopped head is larger, so that a path which stopped at its
# start still shows its ■ around the ◇.
HEAD_SIZE, STOPPED_SIZE = 12, 20
CRITICAL_SIZE, GLOBAL_MINIMUM_SIZE = 17, 22
PATH_WIDTH, TRAIL_WIDTH = 2.5, 5  # a whole path; its last few frames, thicker
TRAIL_FRAMES = 4  # a head drags the steps of its last few frames behind it
FRAME_MS = 50  # 240 frames play in 12 s; the first 40 steps in 2
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
# point catches clicks within its radius plus this: the star, 39 px.
HOVER_DISTANCE = 28
MAX_PATH_POINTS = 1500  # longer whole paths are thinned evenly (zig-zags are short runs)
MAX_TRAIL_POINTS = 30


def travelled(lanes: list[Lane], bounds) -> np.ndarray:
    """How far the paths have moved by each step, together: the sum over steps of the
    longest move any path made in that step, on the map (moves off it are clipped to
    its edge), as a share of the map's longer side. 0 at step 0."""
    (x0, x1), (y0, y1) = bounds
    low, high, side = np.array([x0, y0]), np.array([x1, y1]), max(x1 - x0, y1 - y0)
    moves = np.zeros(len(lanes[0].positions) - 1) if lanes else np.zeros(0)
    for lane in lanes:
        path = np.clip(lane.positions[:lane.last_step + 1], low, high)
        step = np.linalg.norm(np.diff(path, axis=0), axis=1) / side
        np.maximum(moves[:len(step)], step, out=moves[:len(step)])
    return np.concatenate([[0.0], np.cumsum(moves)])


def frame_distance(progress: np.ndarray) -> float:
    """The travel between frames after the first EARLY_STEPS: FRAME_DISTANCE, or more if
    that would make more than MAX_FRAMES frames."""
    early = min(EARLY_STEPS, len(progress) - 1)
    budget = MAX_FRAMES - (early + 1) - 2  # besides the early frames, the last and the focus
    # the marks k·distance past progress[early] number at most (travel / distance) + 1
    return max(FRAME_DISTANCE, (progress[-1] - progress[early]) / (budget - 1))


def frame_steps(progress: np.ndarray, focus: int | None = None) -> np.ndarray:
    """The steps the animation shows, from `progress` (`travelled`): every one of the
    first EARLY_STEPS, then the first step by which the paths have moved each further
    multiple of `frame_distance`, the last step, and `focus`."""
    steps = len(progress) - 1
    early = min(EARLY_STEPS, steps)
    distance = frame_distance(progress)
    marks = np.arange(np.ceil(progress[early] / distance), progress[-1] / distance + 1e-9)
    later = np.searchsorted(progress, marks * distance - 1e-12)
    ends = [steps] if focus is None else [steps, focus]
    chosen = np.concatenate([np.arange(early + 1), later, np.array(ends)])
    return np.unique(np.clip(chosen.astype(int), 0, steps))


def slider_steps(steps: np.ndarray, shown: int, limit: int = MAX_SLIDER_STEPS) -> list[int]:
    """At most `limit` of `steps` for the plotly slider, evenly spaced among the frames:
    the first, the last and `shown` always among them."""
    if len(steps) <= limit:
        return [int(s) for s in steps]
    picked = np.round(np.linspace(0, len(steps) - 1, limit - 1)).astype(int)
    return sorted({int(s) for s in steps[picked]} | {shown})


def _head_markers(lane: Lane, steps: np.ndarray) -> list[dict]:
    """The head's marker at each step: its own symbol, or a larger square once a diverged
    path has stopped (not an ✕, which marks saddles)."""
    stopped = (lane.diverged_at >= 0) & (steps >= lane.last_step)
    moving = {"symbol": OPTIMIZERS[lane.name].symbol, "size": HEAD_SIZE}
    return [{"symbol": STOPPED_SYMBOL, "size": STOPPED_SIZE} if s else moving
            for s in stopped.tolist()]


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


def legend_key(name: str) -> dict:
    """An optimizer's entry in the legend: its colour, line style and head symbol at full
    strength. The trace has no points; the path, trail and head join its legend group."""
    cls = OPTIMIZERS[name]
    return {"type": "scatter", "x": [None], "y": [None], "mode": "lines+markers",
            "name": cls.label, "legendgroup": name, "hoverinfo": "skip",
            "line": {"color": cls.color, "width": PATH_WIDTH + 0.5, "dash": cls.dash},
            "marker": {"symbol": cls.symbol, "size": HEAD_SIZE, "color": cls.color,
                       "line": {"color": "#222", "width": 1}}}


def race_map(image_uri: str, bounds, lanes: list[Lane], critical_points=(),
             start=None, show_look_ahead: bool = False, height: int = 720,
             focus: int | None = None) -> Figure:
    """The animated race, as a Plotly figure dict, open on step `focus` (default: the
    last step). Frames update trails, heads and ghosts (see the module's docstring)."""
    gx, gy = click_grid(bounds)
    data = [{
        "type": "scatter", "x": numbers(gx), "y": numbers(gy), "mode": "markers",
        "name": "start here", "marker": {"size": 9, "opacity": 0}, "showlegend": False,
        "hovertemplate": "click to start here<br>(%{x:.2f}, %{y:.2f})<extra></extra>"}]
    data += [legend_key(lane.name) for lane in lanes]
    marked = marked_points(critical_points)
    data += _critical_points(marked)
    for lane in lanes:
        cls = OPTIMIZERS[lane.name]
        whole = _thin(lane.positions[:lane.last_step + 1], MAX_PATH_POINTS)
        data.append({
            "type": "scatter", "x": numbers(whole[:, 0]), "y": numbers(whole[:, 1]),
            "mode": "lines", "name": cls.label, "legendgroup": lane.name,
            "showlegend": False, "hoverinfo": "skip",
            "line": {"color": cls.color, "width": PATH_WIDTH, "dash": cls.dash}})
    last = len(lanes[0].positions) - 1 if lanes else 0
    shown = last if focus is None else int(np.clip(focus, 0, last))
    steps = frame_steps(travelled(lanes, bounds), shown) if lanes else np.array([0])
    ghosts = [p for p in lanes if show_look_ahead and p.look_ahead is not None]
    trails = [_trails(lane, steps) for lane in lanes]
    frames = _frames(lanes, ghosts, steps, trails, first=len(data))
    now = int(np.searchsorted(steps, shown))
    opening = frames[now]["data"]
    for lane, lane_trails in zip(lanes, trails, strict=True):
        x, y = lane_trails[now]
        data.append({"type": "scatter", "x": x, "y": y, "mode": "lines",
                     "legendgroup": lane.name, "showlegend": False, "hoverinfo": "skip",
                     "line": {"color": OPTIMIZERS[lane.name].color, "width": TRAIL_WIDTH}})
    heads = opening[len(lanes):2 * len(lanes)]
    for lane, head, marker in zip(lanes, heads, _opening_markers(lanes, shown), strict=True):
        label = OPTIMIZERS[lane.name].label
        data.append({
            "type": "scatter", "x": head["x"], "y": head["y"], "mode": "markers",
            "legendgroup": lane.name, "showlegend": False, "name": label,
            "marker": {**marker, "color": OPTIMIZERS[lane.name].color,
                       "line": {"color": "#222", "width": 1.2}},
            "hovertemplate": label + "<br>(%{x:.3f}, %{y:.3f})<extra></extra>"})
    for lane, ghost in zip(ghosts, opening[2 * len(lanes):], strict=True):
        data.append({
            **ghost, "mode": "markers", "legendgroup": lane.name,
            "name": "Nesterov look-ahead θ + λv", "showlegend": True,
            "marker": {"size": 12, "color": "rgba(0,0,0,0)", "symbol": "circle",
                       "line": {"color": OPTIMIZERS[lane.name].color, "width": 2,
                                "dash": "dot"}},
            "hovertemplate": "look-ahead θ + λv<br>(%{x:.3f}, %{y:.3f})<extra></extra>"})
    data += _critical_outlines(marked)
    if start is not None:
        data.append({
            "type": "scatter", "x": [float(start[0])], "y": [float(start[1])],
            "mode": "markers", "name": "start", "cliponaxis": False,  # whole in a corner too
            "marker": {"size": 11, "color": "white", "symbol": "diamond",
                       "line": {"color": "black", "width": 1.5}},
            "hovertemplate": "start (%{x:.3f}, %{y:.3f})<extra></extra>"})
    return {"data": data, "layout": _layout(image_uri, bounds, steps, shown, height),
            "frames": frames}


def _opening_markers(lanes: list[Lane], shown: int) -> list[dict]:
    return [_head_markers(lane, np.array([shown]))[0] for lane in lanes]


def _frames(lanes, ghosts, steps: np.ndarray, trails, first: int) -> list[dict]:
    """One frame per step of `steps`: every path's recent trail (from `trails`) and its
    head, then the look-ahead ghosts; they update the traces from index `first` on.
    A head's marker changes only where its path stops, so only such heads carry one.
    Heads and ghosts are looked up for all frames at once: a map has up to MAX_FRAMES."""
    heads = [_points_at(lane.positions, lane.last_step, steps) for lane in lanes]
    markers = [_head_markers(lane, steps) if lane.diverged_at >= 0 else None
               for lane in lanes]
    looks = [_points_at(lane.look_ahead, lane.last_step, steps) for lane in ghosts]
    traces = list(range(first, first + 2 * len(lanes) + len(ghosts)))
    frames = []
    for i, step in enumerate(steps.tolist()):
        data = [{"type": "scatter", "x": _typed(trail[i][0]), "y": _typed(trail[i][1])}
                for trail in trails]
        data += [{"type": "scatter", "x": [head[i][0]], "y": [head[i][1]],
                  **({} if marker is None else {"marker": marker[i]})}
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


def _by_kind(points) -> list[tuple[str, str, str, list]]:
    """(kind, symbol, colour, points) for each kind of critical point that is there."""
    return [(kind, symbol, color, chosen) for kind, (symbol, color) in
            CRITICAL_POINT_STYLE.items() if (chosen := [p for p in points if p.kind == kind])]


def _critical_size(kind: str) -> int:
    return GLOBAL_MINIMUM_SIZE if kind == "global minimum" else CRITICAL_SIZE


def _critical_points(points) -> list[dict]:
    return [{"type": "scatter", "x": [p.x for p in chosen], "y": [p.y for p in chosen],
             "mode": "markers", "name": kind,
             "marker": {"symbol": symbol, "size": _critical_size(kind), "color": color,
                        "line": {"color": "#222", "width": 1.2}},
             "hovertemplate": f"{kind}<br>(%{{x:.3f}}, %{{y:.3f}})<extra></extra>"}
            for kind, symbol, color, chosen in _by_kind(points)]


def _critical_outlines(points) -> list[dict]:
    """The critical points' outlines again, over the heads: a head on a saddle (Newton's)
    or in a minimum covers the middle of its marker, not its shape."""
    return [{"type": "scatter", "x": [p.x for p in chosen], "y": [p.y for p in chosen],
             "mode": "markers", "name": kind, "showlegend": False, "hoverinfo": "skip",
             "marker": {"symbol": f"{symbol}-open", "size": _critical_size(kind),
                        "color": "#222", "line": {"width": 1.2}}}
            for kind, symbol, _, chosen in _by_kind(points)]


# The player above the map, in rows that fit a phone's 390 px as well as a desktop: the
# buttons, then the slider's "step N", then the slider across the map's whole width (side
# by side, the buttons covered the slider on a phone). Offsets are in pixels (pad), so
# they do not depend on the figure's size: the slider's rail and "step N" take 70 px
# above the plot, the buttons 33 px above them (tests/browser measures the boxes).
BUTTONS_ABOVE_PLOT = 76  # px from the top of the plot to the buttons' bottom edge
TOP_MARGIN = 116


def _layout(image_uri: str, bounds, steps, shown: int, height: int) -> dict:
    (x0, x1), (y0, y1) = bounds
    animate = {"mode": "immediate", "frame": {"duration": 0, "redraw": False},
               "transition": {"duration": 0}}
    play = {"frame": {"duration": FRAME_MS, "redraw": False}, "transition": {"duration": 0},
            "fromcurrent": True, "mode": "immediate"}
    axis = {"showgrid": False, "zeroline": False, "constrain": "domain", "ticks": "outside",
            **PLAIN_AXIS}
    scrub = slider_steps(steps, shown)
    return dict(
        template="none", height=height, margin={"l": 50, "r": 10, "t": TOP_MARGIN, "b": 40},
        xaxis={**axis, "range": [x0, x1], "title": {"text": "x"}},
        # on a narrow screen the square map is shorter than the plot: it goes to the top,
        # under the player, and the free space to the legend
        yaxis={**axis, "range": [y0, y1], "title": {"text": "y"},
               "scaleanchor": "x", "scaleratio": 1, "constraintoward": "top"},
        images=[{"source": image_uri, "xref": "x", "yref": "y", "x": x0, "y": y1,
                 "sizex": x1 - x0, "sizey": y1 - y0, "sizing": "stretch", "layer": "below"}],
        legend={"orientation": "h", "y": -0.12, "x": 0, "itemsizing": "constant"},
        hovermode="closest", hoverdistance=HOVER_DISTANCE, dragmode=False,
        clickmode="event+select",
        updatemenus=[{
            "type": "buttons", "direction": "left", "x": 0, "y": 1.0, "xanchor": "left",
            "yanchor": "bottom", "pad": {"b": BUTTONS_ABOVE_PLOT, "l": 0},
            "showactive": False,
            "buttons": [
                {"label": "▶ Play", "method": "animate", "args": [None, play]},
                {"label": "❚❚ Pause", "method": "animate", "args": [[None], animate]},
                {"label": "⟲ Replay", "method": "animate",
                 "args": [None, {**play, "fromcurrent": False}]},
            ]}],
        sliders=[{
            "active": scrub.index(shown), "x": 0, "len": 1, "y": 1.0, "yanchor": "bottom",
            "pad": {"t": 0, "b": 4, "l": 0, "r": 0}, "ticklen": 0, "minorticklen": 0,
            # the labels would overprint: hide them, keep the current value
            "font": {"color": "rgba(0,0,0,0)"},
            "currentvalue": {"prefix": "step ", "xanchor": "left",
                             "font": {"size": 13, "color": "#1f2937"}},
            "steps": [{"label": str(s), "method": "animate", "args": [[str(s)], animate]}
                      for s in scrub]}],
    )
