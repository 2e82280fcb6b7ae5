"""The race figures: background as an image, lean frames, no non-finite numbers."""

import base64
import json
import struct
import zlib

import numpy as np
import plotly.io as pio
import pytest

from engine.optimizers import make_optimizer
from engine.race import run_race
from surfaces import SURFACES
from viz import race_charts
from viz.png import png_bytes
from viz.race_map import (
    CLICK_CELLS,
    HEAD_SIZE,
    HOVER_DISTANCE,
    MAX_FRAMES,
    MAX_SLIDER_STEPS,
    STOPPED_SIZE,
    TRAIL_FRAMES,
    click_grid,
    frame_steps,
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


def test_seven_optimizers_a_thousand_steps_fit_in_1_5_mb():
    surface, lanes = lanes_for("rosenbrock", ALL, 1000)
    text = pio.to_json(figure_for(surface, lanes, show_look_ahead=True))
    assert len(text) < 1.5e6
    spec = json.loads(text)
    assert len(spec["frames"]) <= MAX_FRAMES + 1


def test_three_thousand_steps_stay_under_the_ceiling_too():
    surface, lanes = lanes_for("rosenbrock", ALL, 3000)
    assert len(pio.to_json(figure_for(surface, lanes, show_look_ahead=True))) < 1.5e6


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
            stopped = lane.diverged_at >= 0 and steps[i] >= last
            assert head["marker"]["symbol"] == ("square" if stopped else "circle")
            assert head["marker"]["size"] == (STOPPED_SIZE if stopped else HEAD_SIZE)
            x, y = _values(trail["x"]), _values(trail["y"])
            lo, hi = min(steps[max(i - TRAIL_FRAMES, 0)], last), min(steps[i], last)
            expected = lane.positions[lo:hi + 1].astype(np.float32)
            np.testing.assert_array_equal(np.stack([x, y], axis=1), expected)


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


def test_frame_steps_thin_long_runs_and_keep_the_ends():
    steps = frame_steps(3000)
    assert steps[0] == 0 and steps[-1] == 3000 and len(steps) == MAX_FRAMES + 1
    np.testing.assert_array_equal(frame_steps(30), np.arange(31))


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
    from engine.optimizers import OPTIMIZERS
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
