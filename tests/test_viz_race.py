"""The race figures: background as an image, lean frames, no non-finite numbers."""

import base64
import itertools
import json
import struct
import zlib

import numpy as np
import plotly.io as pio
import pytest

from engine.optimizers import OPTIMIZERS, make_optimizer
from engine.race import run_race
from surfaces import SURFACES
from ui.charts import Prebuilt, ready
from ui.concepts.topics import EXPERIMENTS
from ui.playground.presets import PRESETS
from viz import race_charts
from viz.png import png_bytes
from viz.race_map import (
    CLICK_CELLS,
    EARLY_STEPS,
    FRAME_DISTANCE,
    HEAD_SIZE,
    HOVER_DISTANCE,
    MAX_FRAMES,
    MAX_SLIDER_STEPS,
    MAX_TRAIL_POINTS,
    STOPPED_SIZE,
    TRAIL_FRAMES,
    click_grid,
    race_map,
)
from viz.surface_image import sample_surface, surface_data_uri, surface_rgb


def decode_png(data: bytes) -> np.ndarray:
    """A minimal independent PNG reader for our unfiltered 8-bit RGB output."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        tag = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert crc == zlib.crc32(tag + body)
        chunks[tag] = chunks.get(tag, b"") + body
        pos += 12 + length
    width, height = struct.unpack(">II", chunks[b"IHDR"][:8])
    raw = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), np.uint8).reshape(height, -1)
    assert np.all(raw[:, 0] == 0)
    return raw[:, 1:].reshape(height, width, 3)


def test_png_round_trip():
    rgb = np.random.default_rng(0).integers(0, 256, (7, 5, 3), dtype=np.uint8)
    np.testing.assert_array_equal(decode_png(png_bytes(rgb)), rgb)


def test_surface_picture_is_oriented_with_y_up():
    grid = sample_surface(lambda p: p[..., 1], ((-1, 1), (-1, 1)), resolution=50)
    rgb = surface_rgb(grid).astype(int)
    # the top row shows the largest y, which the map paints in the brightest colour
    assert rgb[0].sum() > rgb[-1].sum()


def test_steep_surfaces_use_a_log_scale():
    assert sample_surface(SURFACES["rosenbrock"].f, SURFACES["rosenbrock"].bounds).log_scale
    assert not sample_surface(SURFACES["bowl"].f, SURFACES["bowl"].bounds).log_scale


def test_undefined_points_are_grey_not_an_error():
    grid = sample_surface(lambda p: np.log(p[..., 0]), ((-1, 1), (-1, 1)), resolution=20)
    rgb = surface_rgb(grid)
    assert np.all(rgb[:, :5] == 200)  # x < 0: log undefined


def lanes_for(surface_name, names, steps):
    surface = SURFACES[surface_name]
    opts = {n: make_optimizer(n, lr=0.001 if n != "newton" else 1.0) if n in (
        "sgd", "adagrad", "rmsprop", "adam", "newton") else make_optimizer(n, lr=0.001,
                                                                           momentum=0.9)
            for n in names}
    return surface, run_race(surface, opts, surface.start, steps)


def figure_for(surface, lanes, **kw):
    grid = sample_surface(surface.f, surface.bounds)
    return race_map(surface_data_uri(grid), surface.bounds, lanes, surface.critical_points,
                    surface.start, **kw)


ALL = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "newton"]


def test_frames_carry_only_what_moves():
    surface, lanes = lanes_for("bowl", ["sgd", "momentum"], 400)
    spec = json.loads(pio.to_json(figure_for(surface, lanes)))
    n_traces = len(spec["data"])
    for frame in spec["frames"]:
        assert len(frame["traces"]) == 4  # two trails, two heads
        assert max(frame["traces"]) < n_traces
        assert "layout" not in frame  # the background image is never repeated
        for trace in frame["data"]:
            assert "image" not in json.dumps(trace)
    # the background is a layout image, not a Contour/Heatmap that animation would delete
    assert all(t["type"] == "scatter" for t in spec["data"])
    assert spec["layout"]["images"][0]["layer"] == "below"
    assert not spec["layout"]["xaxis"]["showgrid"]


def _values(column: dict) -> np.ndarray:
    return np.frombuffer(base64.b64decode(column["bdata"]), column["dtype"])


@pytest.mark.parametrize(("surface_name", "lr"), [("bowl", 0.001), ("valley", 0.2)])
def test_each_frame_shows_every_path_where_it_was_at_that_step(surface_name, lr):
    surface = SURFACES[surface_name]
    lanes = run_race(surface, {"sgd": make_optimizer("sgd", lr=lr),
                               "momentum": make_optimizer("momentum", lr=0.001, momentum=0.9)},
                     surface.start, 300)
    assert (lanes[0].diverged_at > 0) == (surface_name == "valley")  # one run stops early
    spec = figure_for(surface, lanes)
    steps = [int(frame["name"]) for frame in spec["frames"]]
    for i, frame in enumerate(spec["frames"]):
        trails, heads = frame["data"][:2], frame["data"][2:]
        for lane, trail, head in zip(lanes, trails, heads, strict=True):
            last = lane.last_step
            at = lane.positions[min(steps[i], last)]
            np.testing.assert_allclose([head["x"][0], head["y"][0]], at, atol=1e-5)
            if lane.diverged_at < 0:  # a head that never stops keeps its marker: none sent
                assert "marker" not in head
            else:
                stopped = steps[i] >= last
                assert head["marker"]["symbol"] == ("square" if stopped
                                                    else OPTIMIZERS[lane.name].symbol)
                assert head["marker"]["size"] == (STOPPED_SIZE if stopped else HEAD_SIZE)
            x, y = _values(trail["x"]), _values(trail["y"])
            lo, hi = min(steps[max(i - TRAIL_FRAMES, 0)], last), min(steps[i], last)
            expected = lane.positions[lo:hi + 1].astype(np.float32)
            drawn = np.stack([x, y], axis=1)
            if len(expected) <= MAX_TRAIL_POINTS:
                np.testing.assert_array_equal(drawn, expected)
            else:  # a long trail is thinned: its ends and, in order, points of the path
                assert len(drawn) == MAX_TRAIL_POINTS
                np.testing.assert_array_equal(drawn[[0, -1]], expected[[0, -1]])
                rows = [int(np.flatnonzero((expected == point).all(axis=1))[0])
                        for point in drawn]
                assert rows == sorted(rows)


def test_the_step_slider_scrubs_through_frames_that_exist():
    surface, lanes = lanes_for("bowl", ["sgd", "momentum"], 400)
    spec = figure_for(surface, lanes)
    slider = spec["layout"]["sliders"][0]
    frames = [frame["name"] for frame in spec["frames"]]
    targets = [step["args"][0][0] for step in slider["steps"]]
    assert len(targets) <= MAX_SLIDER_STEPS < len(frames)  # a light slider, a smooth animation
    assert set(targets) <= set(frames)
    assert targets[0] == "0" and targets[-1] == frames[-1] == "400"
    assert [int(t) for t in targets] == sorted(int(t) for t in targets)
    assert slider["active"] == len(targets) - 1  # the map opens on the finished race
    assert [s["label"] for s in slider["steps"]] == targets  # "step 137" shows frame 137


def test_a_diverged_path_has_no_non_finite_numbers():
    surface = SURFACES["valley"]
    lanes = run_race(surface, {"sgd": make_optimizer("sgd", lr=0.2)}, surface.start, 300)
    assert lanes[0].diverged_at > 0
    spec = json.loads(pio.to_json(figure_for(surface, lanes)))
    assert "NaN" not in json.dumps(spec) and "Infinity" not in json.dumps(spec)
    head = spec["frames"][-1]["data"][1]
    assert head["marker"]["symbol"] == "square"  # not the saddles' ✕


@pytest.mark.parametrize("name", ALL)
def test_every_rule_is_filled_with_the_values(name):
    hyper = dict(OPTIMIZERS[name].defaults["playground"], lr=0.0123)
    latex = OPTIMIZERS[name].rule_latex(hyper)
    assert "0.0123" in latex
    assert latex.count("{") == latex.count("}")


@pytest.mark.parametrize("bounds", [((-3, 3), (-3, 3)), ((-4, 4), (-2, 2)), ((-2, 2), (-1, 3)),
                                    ((-1, 1), (-5, 5))])
def test_the_click_grid_has_square_cells_and_every_click_lands(bounds):
    gx, gy = click_grid(bounds)
    xs, ys = np.unique(gx), np.unique(gy)
    assert len(gx) == len(xs) * len(ys)
    assert (xs[0], xs[-1], ys[0], ys[-1]) == (bounds[0][0], bounds[0][1], bounds[1][0],
                                              bounds[1][1])
    dx, dy = np.diff(xs), np.diff(ys)
    assert dx.std() < 1e-9 and dy.std() < 1e-9
    assert dx[0] == pytest.approx(dy[0], rel=0.1)  # square cells
    assert min(len(xs), len(ys)) == CLICK_CELLS + 1  # CLICK_CELLS along the shorter side
    # the shorter side is at most 576 px on screen: half a cell's diagonal is in reach
    cell_px = 576 / CLICK_CELLS * max(dx[0], dy[0]) / min(dx[0], dy[0])
    assert cell_px * np.sqrt(2) / 2 < HOVER_DISTANCE


def test_curves_count_their_steps_instead_of_sending_them():
    loss = race_charts.loss_panel([("sgd", np.array([3.0, 2.0, 1.0]))], None).traces[0]
    rate = race_charts.effective_step_panel([("adam", np.ones((4, 2)))]).traces[0]
    assert "x" not in loss and (loss["x0"], loss["dx"]) == (0, 1)  # steps 0, 1, 2
    assert "x" not in rate and (rate["x0"], rate["dx"]) == (1, 1)  # a rate from step 1 on


def test_a_start_in_a_corner_is_drawn_whole_and_the_last_step_label_fits():
    surface, lanes = lanes_for("bowl", ["sgd"], 3000)
    spec = figure_for(surface, lanes)
    (start,) = [t for t in spec["data"] if t.get("name") == "start"]
    assert start["cliponaxis"] is False  # a diamond at (3, 3) was cut to a quarter
    curves = race_charts.race_curves([race_charts.loss_panel(
        [("sgd", lanes[0].losses)], None)])
    # half of "3000" (about 13 px at 12 px) hangs over the right edge of the last panel
    assert curves["layout"]["margin"]["r"] >= 20


def test_a_path_that_stopped_at_its_start_shows_its_square_around_the_start():
    """The start ◇ is drawn over the heads; a stopped ■ must be larger to be seen."""
    surface = SURFACES["bowl"]
    lanes = run_race(surface, {"sgd": make_optimizer("sgd", lr=1000.0)}, surface.start, 50)
    assert lanes[0].last_step == 0  # its first step already left the map
    spec = figure_for(surface, lanes)
    (head,) = [t for t in spec["data"] if t.get("name") == "SGD" and t["mode"] == "markers"]
    start = spec["data"][-1]
    assert start["name"] == "start"  # drawn last: the ◇ lies over the heads
    assert [head["x"][0], head["y"][0]] == pytest.approx(list(surface.start))
    assert head["marker"]["symbol"] == "square"
    # a square's half-width against the diamond's half-diagonal (1.3 × its radius in
    # plotly.js) and their outlines
    assert STOPPED_SIZE / 2 >= 1.3 * start["marker"]["size"] / 2 + 2 > HEAD_SIZE / 2


def test_a_curve_of_one_point_is_drawn_as_a_marker():
    one = race_charts.loss_panel([("sgd", np.array([3.0]))], None).traces[0]
    many = race_charts.loss_panel([("sgd", np.array([3.0, 2.0]))], None).traces[0]
    assert one["mode"] == "lines+markers" and many["mode"] == "lines"


def _bilinear(xs, ys, z, x, y):
    """The mesh's bilinear interpolation at (x, y), independently: along x in every row
    (np.interp), then along y."""
    along_x = np.array([np.interp(x, xs, row) for row in z])  # (rows, points)
    return np.array([np.interp(y[k], ys, along_x[:, k]) for k in range(len(x))])


def test_3d_paths_lie_on_or_above_the_drawn_surface():
    """Rosenbrock's narrow valley: the 70 × 70 mesh bridges it above its floor, so paths at
    their true f were hidden under the skin. Each point is drawn at least as high as the
    drawn surface there, and never below its true height."""
    from viz.surface_3d import surface_3d
    surface = SURFACES["rosenbrock"]
    opts = {"sgd": make_optimizer("sgd", lr=0.001),
            "momentum": make_optimizer("momentum", lr=0.001, momentum=0.9)}
    lanes = run_race(surface, opts, surface.start, 1000)
    grid = sample_surface(surface.f, surface.bounds)
    spec = surface_3d(grid, [(lane.name, lane.positions, lane.losses, lane.last_step)
                             for lane in lanes])
    skin = spec["data"][0]
    xs, ys, z = (np.asarray(skin[k], dtype=float) for k in ("x", "y", "z"))
    raised = 0
    for path in spec["data"][1:]:
        x, y, height = (np.asarray(path[k], dtype=float) for k in ("x", "y", "z"))
        assert np.all(height >= _bilinear(xs, ys, z, x, y) - 1e-9)
        true = grid.to_height(surface.f(np.column_stack([x, y])))
        assert np.all(height >= true)
        raised += int(np.sum(height > true + 0.05 * np.ptp(z)))  # lifted onto the skin
    assert raised > 0  # the bridged valley is there: without the skin some were hidden


@pytest.mark.parametrize(("low", "high"), [(0, 50), (-1.7, 1.6), (0, 8.1), (-3, 9), (0, 1)])
def test_3d_height_ticks_are_round_and_leave_the_corner_free(low, high):
    from viz.surface_3d import _height_ticks
    ticks = _height_ticks(np.array([[low, high]]))
    span = high - low
    assert len(ticks) >= 2 and np.all(ticks > low + span / 6) and np.all(ticks <= high)
    step = np.diff(ticks)
    assert np.allclose(step, step[0])
    mantissa = step[0] / 10.0 ** np.floor(np.log10(step[0]))
    assert any(np.isclose(mantissa, m) for m in (1, 2, 2.5, 5))
    assert not np.any(np.signbit(ticks) & (ticks == 0))  # no "−0"


# ---------------------------------------------------------------- frames and the shown step


def progress_of(lanes, bounds) -> np.ndarray:
    """How far the paths have moved by each step, computed step by step: per step the
    longest move any path made on the map (clipped to it), over the map's longer side."""
    (x0, x1), (y0, y1) = bounds
    low, high, side = np.array([x0, y0]), np.array([x1, y1]), max(x1 - x0, y1 - y0)
    total, out = 0.0, [0.0]
    for k in range(1, len(lanes[0].positions)):
        moves = [np.hypot(*(np.clip(lane.positions[k], low, high)
                            - np.clip(lane.positions[k - 1], low, high))) / side
                 for lane in lanes if k <= lane.last_step]
        total += max(moves, default=0.0)
        out.append(total)
    return np.array(out)


def preset_race(surface_name, names, steps, **changes):
    surface = SURFACES[surface_name]
    hyper = PRESETS[surface_name]["hyper"]
    opts = {n: make_optimizer(n, **{**hyper[n], **changes.get(n, {})}) for n in names}
    return surface, run_race(surface, opts, surface.start, steps)


def allowed_distance(progress: np.ndarray, early: int) -> float:
    """The travel between two frames that the rule allows: FRAME_DISTANCE, or more where
    that would exceed MAX_FRAMES (the early frames, the last and a shown step aside)."""
    return max(FRAME_DISTANCE, (progress[-1] - progress[early]) / (MAX_FRAMES - early - 4))


RACES = {  # (surface, optimizers, steps, changed settings)
    "rosenbrock, all seven, 1000 steps": ("rosenbrock", ALL, 1000, {}),
    "two valleys, all seven, 3000 steps": ("two_minima", ALL, 3000, {}),
    "valley, SGD zig-zags for 500 steps": ("valley", ["sgd"], 500, {"sgd": {"lr": 0.079}}),
    "bowl, a crawl of 2000 steps": ("bowl", ["sgd"], 2000, {"sgd": {"lr": 0.001}}),
    "valley, SGD diverges": ("valley", ["sgd", "momentum"], 300, {"sgd": {"lr": 0.2}}),
    "plateau, 25 steps": ("plateau", ALL, 25, {}),
}


@pytest.mark.parametrize("race", sorted(RACES))
def test_frames_show_every_early_step_and_every_stretch_where_the_paths_move(race):
    surface_name, names, steps, changes = RACES[race]
    surface, lanes = preset_race(surface_name, names, steps, **changes)
    frames = [int(f["name"]) for f in figure_for(surface, lanes)["frames"]]
    assert frames == sorted(set(frames)) and frames[-1] == steps
    early = min(EARLY_STEPS, steps)
    assert frames[:early + 1] == list(range(early + 1))  # every one of the first steps
    assert len(frames) <= MAX_FRAMES
    # after them, a frame each time the paths have together moved FRAME_DISTANCE of the
    # map (further apart only where that would exceed MAX_FRAMES): between two frames
    # the paths never travel that far, so no big move and no turn is skipped
    progress = progress_of(lanes, surface.bounds)
    allowed = allowed_distance(progress, early)
    later = [k for k in frames if k >= early]
    gaps = [progress[b - 1] - progress[a] for a, b in itertools.pairwise(later)]
    assert max(gaps, default=0.0) < allowed + 1e-9
    assert len(frames) < steps + 1 or steps <= MAX_FRAMES  # thinned where nothing moves


def test_a_zig_zag_is_shown_step_by_step_and_a_crawl_in_few_frames():
    surface, zigzag = preset_race("valley", ["sgd"], 300, sgd={"lr": 0.079})
    frames = [int(f["name"]) for f in figure_for(surface, zigzag)["frames"]]
    progress = progress_of(zigzag, surface.bounds)
    big = np.flatnonzero(np.diff(progress) >= allowed_distance(progress, EARLY_STEPS)) + 1
    assert len(big) > 80 and set(big.tolist()) <= set(frames)  # each zig and zag a frame
    surface, crawl = preset_race("bowl", ["sgd"], 2000, sgd={"lr": 0.001})
    assert len(figure_for(surface, crawl)["frames"]) < 120


@pytest.mark.parametrize("focus", [0, 1, 2, 57, 137, 611, 999, 1000])
def test_the_map_opens_on_any_step_it_is_given(focus):
    surface, lanes = preset_race("rosenbrock", ALL, 1000)
    spec = figure_for(surface, lanes, show_look_ahead=True, focus=focus)
    names = [f["name"] for f in spec["frames"]]
    assert str(focus) in names  # the step has its own frame…
    slider = spec["layout"]["sliders"][0]
    targets = [s["args"][0][0] for s in slider["steps"]]
    assert targets[slider["active"]] == str(focus)  # …the slider shows it ("step 137")
    assert len(targets) <= MAX_SLIDER_STEPS + 1
    # the heads and trails on screen are that step's
    frame = spec["frames"][names.index(str(focus))]
    heads = [t for t in spec["data"] if t.get("mode") == "markers" and "legendgroup" in t
             and t.get("name") in {OPTIMIZERS[n].label for n in ALL}]
    assert len(heads) == len(lanes)
    for lane, head in zip(lanes, heads, strict=True):
        at = lane.positions[min(focus, lane.last_step)]
        np.testing.assert_allclose([head["x"][0], head["y"][0]], at, atol=1e-5)
    first = spec["frames"][0]["traces"][0]
    for k, trail in enumerate(frame["data"][:len(lanes)]):
        shown = spec["data"][first + k]
        np.testing.assert_array_equal(np.asarray(shown["x"], np.float32), _values(trail["x"]))
    nesterov = ALL.index("nesterov")
    ghost = spec["data"][first + 2 * len(lanes)]
    np.testing.assert_allclose([ghost["x"][0], ghost["y"][0]],
                               lanes[nesterov].look_ahead[focus], atol=1e-5)


def test_the_map_opens_on_the_last_step_by_default():
    surface, lanes = preset_race("two_minima", ["sgd", "momentum"], 300)
    spec = figure_for(surface, lanes)
    slider = spec["layout"]["sliders"][0]
    assert slider["steps"][slider["active"]]["label"] == "300" == spec["frames"][-1]["name"]


def sent_bytes(spec) -> int:
    """The figure's JSON as Streamlit sends it (ui/charts.py: theme written in, plain lists)."""
    return len(pio.to_json(Prebuilt(ready(spec)), validate=False).encode())


@pytest.mark.parametrize(("steps", "focus"), [(1000, None), (1000, 333), (3000, None)])
def test_seven_optimizers_stay_within_the_payload_budget(steps, focus):
    surface, lanes = preset_race("rosenbrock", ALL, steps)
    spec = figure_for(surface, lanes, show_look_ahead=True, focus=focus)
    assert len(spec["frames"]) > 200  # the budget holds with many frames, not few
    assert sent_bytes(spec) <= 1.5e6


def test_nesterov_brakes_earlier_frame_by_frame():
    """The home experiment: momentum rolls over the ridge into the far valley, Nesterov
    turns back in time. Both happen within a few steps: every step of them is a frame,
    with Nesterov's look-ahead ghost where it was."""
    link = next(e for e in EXPERIMENTS if e.label == "Nesterov brakes earlier")
    query = link.query
    names = query["opts"].split(",")
    surface_name = query["surface"]
    surface, lanes = preset_race(surface_name, names, PRESETS[surface_name]["steps"])
    momentum, nesterov = (lanes[names.index(n)] for n in ("momentum", "nesterov"))
    # momentum's crossing: its first step nearer the global minimum than the local one
    minima = {p.kind: np.array([p.x, p.y]) for p in surface.critical_points}
    near = [np.linalg.norm(momentum.positions - minima[kind], axis=1)
            for kind in ("global minimum", "local minimum")]
    crossing = int(np.argmax(near[0] < near[1]))
    # Nesterov's turn: its first step that goes against the one before
    moves = np.diff(nesterov.positions, axis=0)
    turn = int(np.argmax(np.sum(moves[1:] * moves[:-1], axis=1) < 0)) + 1
    assert crossing > 2 and turn > 2  # neither is at the very start
    spec = figure_for(surface, lanes, show_look_ahead=True)
    frames = {int(f["name"]): f for f in spec["frames"]}
    for k in range(max(crossing, turn) + 5):
        assert k in frames, k
        ghost = frames[k]["data"][-1]
        np.testing.assert_allclose([ghost["x"][0], ghost["y"][0]], nesterov.look_ahead[k],
                                   atol=1e-5)


# ---------------------------------------------------------------- what lies over what


def test_heads_lie_over_the_critical_points_whose_outlines_lie_over_the_heads():
    surface, lanes = preset_race("saddle", ["sgd", "newton"], 300)
    spec = figure_for(surface, lanes)
    data = spec["data"]
    kinds = {p.kind for p in surface.critical_points}
    fills = [i for i, t in enumerate(data) if t.get("name") in kinds and t.get("showlegend",
                                                                               True)]
    outlines = [i for i, t in enumerate(data) if t.get("name") in kinds and i not in fills]
    heads = [i for i, t in enumerate(data) if t.get("mode") == "markers"
             and t.get("name") in ("SGD", "Newton")]
    assert fills and len(outlines) == len(fills) and len(heads) == 2
    assert max(fills) < min(heads) and max(heads) < min(outlines) < len(data) - 1
    assert data[-1]["name"] == "start"
    for fill, outline in zip(fills, outlines, strict=True):
        assert data[outline]["x"] == data[fill]["x"] and data[outline]["y"] == data[fill]["y"]
        assert data[outline]["marker"]["symbol"] == data[fill]["marker"]["symbol"] + "-open"
        assert data[outline]["hoverinfo"] == "skip"  # hovers and clicks go to what is below
        # a head covers the middle of a marked point, never its whole shape
        assert data[fill]["marker"]["size"] >= HEAD_SIZE + 4
    # Newton sits on the saddle, and the saddle's ✕ is drawn over its head
    newton = data[heads[1]]
    saddle = next(p for p in surface.critical_points if p.kind == "saddle")
    assert [newton["x"][0], newton["y"][0]] == pytest.approx([saddle.x, saddle.y], abs=1e-4)
    (cross,) = [data[i] for i in outlines if data[i]["name"] == "saddle"]
    assert cross["marker"]["symbol"] == "x-open"


def test_paths_legend_and_heads_are_drawn_at_full_strength_in_their_own_style():
    surface, lanes = preset_race("two_minima", ALL, 100)
    data = figure_for(surface, lanes)["data"]
    for name in ALL:
        cls = OPTIMIZERS[name]
        group = [t for t in data if t.get("legendgroup") == name]
        assert all(t.get("opacity", 1) == 1 for t in group)  # nothing faint
        (key,) = [t for t in group if t.get("showlegend", True)]
        assert key["mode"] == "lines+markers" and key["name"] == cls.label
        assert key["line"]["dash"] == cls.dash and key["marker"]["symbol"] == cls.symbol
        assert key["line"]["color"] == key["marker"]["color"] == cls.color
        (path,) = [t for t in group if t["mode"] == "lines" and "name" in t
                   and not t.get("showlegend", True)]
        assert path["line"]["dash"] == cls.dash and path["line"]["width"] >= 2.5
        (head,) = [t for t in group if t["mode"] == "markers"]
        assert head["marker"]["symbol"] == cls.symbol and head["marker"]["size"] == HEAD_SIZE


def test_the_player_has_its_buttons_on_a_row_above_the_slider():
    surface, lanes = preset_race("two_minima", ["sgd"], 100)
    layout = figure_for(surface, lanes)["layout"]
    (menu,), (slider,) = layout["updatemenus"], layout["sliders"]
    # both hang from the top of the plot, the slider across its whole width, the buttons
    # lifted above the slider's height: on a phone they no longer cover it
    assert menu["y"] == slider["y"] == 1 and menu["yanchor"] == slider["yanchor"] == "bottom"
    assert slider["x"] == 0 and slider["len"] == 1
    assert menu["pad"]["b"] >= 70 and layout["margin"]["t"] >= menu["pad"]["b"] + 33


# ---------------------------------------------------------------- the 3D view


def three_d(surface_name, names, steps, step):
    from viz.surface_3d import surface_3d
    surface, lanes = preset_race(surface_name, names, steps)
    grid = sample_surface(surface.f, surface.bounds)
    spec = surface_3d(grid, [(lane.name, lane.positions, lane.losses, lane.last_step)
                             for lane in lanes], surface.f, surface.critical_points,
                      surface.start, step=step)
    return surface, lanes, grid, spec


@pytest.mark.parametrize("step", [0, 3, 25, 300])
def test_the_3d_paths_end_at_the_step_the_map_shows_with_their_heads_there(step):
    _, lanes, _, spec = three_d("two_minima", ["sgd", "momentum", "nesterov"], 300, step)
    paths = {t["name"]: t for t in spec["data"] if t.get("legendgroup") in OPTIMIZERS}
    for lane in lanes:
        path = paths[OPTIMIZERS[lane.name].label]
        drawn = np.column_stack([np.asarray(path[k], float) for k in ("x", "y")])
        end = lane.positions[min(step, lane.last_step)]
        np.testing.assert_allclose(drawn[-1], end, atol=1e-5)  # the head, where the map has it
        sizes = np.asarray(path["marker"]["size"])
        assert sizes[-1] > sizes[:-1].max(initial=0)  # drawn larger than the path's dots
        # nothing after the step: every point drawn is one the path passed by then
        passed = lane.positions[:min(step, lane.last_step) + 1].astype(np.float32)
        for point in drawn.astype(np.float32):
            assert (passed == point).all(axis=1).any()
        assert path["line"]["dash"] == OPTIMIZERS[lane.name].dash


@pytest.mark.parametrize("surface_name", ["two_minima", "saddle", "rastrigin", "rosenbrock"])
def test_the_3d_view_marks_the_start_and_the_critical_points_the_map_marks(surface_name):
    surface, lanes, grid, spec = three_d(surface_name, ["sgd"], 50, None)
    map_spec = figure_for(surface, lanes)
    on_map = {t["name"]: sorted(zip(t["x"], t["y"], strict=True)) for t in map_spec["data"]
              if t.get("name") in {"global minimum", "local minimum", "saddle", "maximum"}}
    marks = {t["name"]: t for t in spec["data"] if t["type"] == "scatter3d"
             and t.get("legendgroup") is None}
    assert set(marks) == set(on_map) | {"start"}
    for kind, trace in marks.items():
        xy = np.column_stack([np.asarray(trace[k], float) for k in ("x", "y")])
        expected = [surface.start] if kind == "start" else on_map[kind]
        np.testing.assert_allclose(sorted(map(tuple, xy)), sorted(expected), atol=1e-5)
        true = grid.to_height(surface.f(xy))
        assert np.all(np.asarray(trace["z"], float) >= true)  # on or above the surface
