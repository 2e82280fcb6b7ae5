"""The optimizer playground in a real browser: charts draw, widgets rerun, the race
animates over a surface that stays visible, a click on the map moves the start."""

from __future__ import annotations

import pytest

from tests.browser.helpers import (
    CHART,
    address,
    animation_state,
    chart,
    chart_signature,
    data_to_page,
    move_slider,
    open_expander,
    open_page,
    pixel_stats,
    plot_area,
    save_screenshot,
    slider_value,
    wait_for_charts,
    wait_for_rerun,
)

PATH = "playground"
MAP = 0  # the race map is the first chart on the page


@pytest.fixture
def playground(page, server):
    open_page(page, server, PATH)
    wait_for_charts(page, count=2)  # the race map and the curves under it
    return page


def background(page) -> dict:
    """The race map's surface picture: plotly draws `layout.images` as <image> in the
    subplot's image layer."""
    image = chart(page, MAP).locator(".imagelayer image")
    assert image.count() == 1, "the race map has no background <image>"
    box = image.bounding_box()
    return {"href": image.get_attribute("href") or image.get_attribute("xlink:href") or "",
            "visible": image.is_visible(), "box": box}


def assert_covers_plot_area(page, box: dict) -> None:
    area = plot_area(page, MAP)
    for key in ("x", "y", "width", "height"):
        assert abs(box[key] - area[key]) <= 3, (box, area)


def surface_pixels(page) -> dict:
    """Pixel statistics of a screenshot of the map's plot area."""
    return pixel_stats(page.screenshot(clip=plot_area(page, MAP)))


def assert_surface_drawn(stats: dict, when: str) -> None:
    # the surface has 24 colour bands plus contour lines; a blank plot area is white
    assert stats["colours"] >= 24 and stats["white"] < 0.2, f"{when}: {stats}"


def test_page_loads_with_every_chart_and_the_surface(playground, browser_errors):
    page = playground
    image = background(page)
    assert image["visible"] and image["href"].startswith("data:image/png;base64,")
    assert_covers_plot_area(page, image["box"])
    assert_surface_drawn(surface_pixels(page), "on load")
    # the map opens on the finished race: its step slider shows the sidebar's step count
    assert animation_state(page, MAP)["label"] == f"step {slider_value(page, 'Steps')}"

    # the 3D chart is computed only once its tab is open (a lazy tab reruns the script)
    assert page.locator(f"{CHART} .gl-container canvas").count() == 0
    page.get_by_role("tab", name="3D view").click()
    page.wait_for_function(
        "selector => [...document.querySelectorAll(selector)].some(gd =>"
        " gd.getBoundingClientRect().width > 0 && gd.querySelector('.gl-container canvas'))",
        arg=CHART)
    save_screenshot(page, "playground-3d")
    page.get_by_role("tab", name="Race on the map").click()
    save_screenshot(page, "playground-loaded")
    assert not browser_errors


def test_arrow_keys_on_a_slider_rerun_the_race(playground, browser_errors):
    page = playground
    before = chart_signature(page, MAP)
    assert before is not None
    sgd = open_expander(page, "SGD settings")  # collapsed: the preset races 5 optimizers
    old = slider_value(page, "α, learning rate", within=sgd)
    shown = move_slider(page, "α, learning rate", "ArrowRight", times=3, within=sgd)
    assert float(shown) > float(old)  # three stops up the log scale, e.g. 0.05 -> 0.15
    wait_for_rerun(page, lambda: chart_signature(page, MAP) not in (None, before),
                   what="a new race map")
    assert f"sgd_lr={shown}" in address(page)  # the rerun took the new α
    assert not browser_errors


def test_play_runs_to_the_end_and_the_surface_stays(playground, browser_errors):
    page = playground
    assert_surface_drawn(surface_pixels(page), "before play")
    href = background(page)["href"]
    state = animation_state(page, MAP)
    assert not state["playing"] and state["active"] == state["last"]

    chart(page, MAP).locator("g.updatemenu-button", has_text="▶ Play").click()
    page.wait_for_function(  # caught mid-race: playing, a third of the way or more
        "gd => gd._transitionData._animationRaf && gd.layout.sliders[0].active"
        " >= gd.layout.sliders[0].steps.length / 3", arg=chart(page, MAP).element_handle())
    middle = animation_state(page, MAP)
    assert middle["playing"] and 0 < middle["active"] < middle["last"], middle
    image = background(page)
    assert image["visible"] and image["href"] == href, "surface gone while playing"
    assert_surface_drawn(surface_pixels(page), f"while playing ({middle['label']})")
    save_screenshot(page, "race-map-playing", chart(page, MAP))

    page.wait_for_function(
        "gd => !gd._transitionData._animationRaf"
        " && gd.layout.sliders[0].active === gd.layout.sliders[0].steps.length - 1",
        arg=chart(page, MAP).element_handle(), timeout=60_000)
    end = animation_state(page, MAP)
    assert not end["playing"] and end["label"] == f"step {slider_value(page, 'Steps')}", end
    image = background(page)
    assert image["visible"] and image["href"] == href, "surface gone after playing"
    assert_covers_plot_area(page, image["box"])
    assert_surface_drawn(surface_pixels(page), "after playing")
    save_screenshot(page, "race-map-after-play", chart(page, MAP))
    save_screenshot(page, "playground-after-play")

    # control: the pixel check does see a missing surface
    chart(page, MAP).locator(".imagelayer image").evaluate("e => e.style.display = 'none'")
    blank = surface_pixels(page)
    assert blank["white"] > 0.8, f"without the image the plot area should be white: {blank}"
    assert not browser_errors


# 0: on a click-grid point; 0.47: nearly in the middle of its grid cell, as far from
# every grid point as a click on the map can be (tests/test_viz_race.py checks that the
# hover distance reaches that far on the largest map)
@pytest.mark.parametrize("toward_cell_middle", [0.0, 0.47])
def test_clicking_the_map_moves_the_start(playground, browser_errors, toward_cell_middle):
    page = playground
    start_x, start_y = page.get_by_label("start x"), page.get_by_label("start y")
    old = (start_x.input_value(), start_y.input_value())
    # the inner click-grid point (trace 0) farthest from every other trace's points, so
    # the hover (and the click) picks the grid, not a path, head or critical point
    (x, y), spacing = chart(page, MAP).evaluate("""(gd) => {
        const grid = gd._fullData[0], others = gd._fullData.slice(1), n = grid.x.length;
        const [x0, x1] = gd._fullLayout.xaxis.range, [y0, y1] = gd._fullLayout.yaxis.range;
        const inner = (v, lo, hi) => Math.abs(v - (lo + hi) / 2) <= 0.4 * Math.abs(hi - lo);
        let best = null, bestDistance = -1;
        for (let i = 0; i < n; i++) {
          const gx = grid.x[i], gy = grid.y[i];
          if (!inner(gx, x0, x1) || !inner(gy, y0, y1)) continue;
          let nearest = Infinity;
          for (const t of others)
            for (let j = 0; j < t.x.length; j++)
              nearest = Math.min(nearest, Math.hypot(t.x[j] - gx, t.y[j] - gy));
          if (nearest > bestDistance) { bestDistance = nearest; best = [gx, gy]; }
        }
        const step = values => {  // the grid's spacing along one axis
          const unique = Array.from(new Set(Array.from(values))).sort((a, b) => a - b);
          return unique[1] - unique[0];
        };
        return [best, [step(grid.x), step(grid.y)]];
      }""")
    want = (f"{round(x, 3):.3f}", f"{round(y, 3):.3f}")
    assert want != old
    px, py = data_to_page(page, x + toward_cell_middle * spacing[0],
                          y + toward_cell_middle * spacing[1], MAP)
    page.mouse.move(px - 15, py - 15)
    page.mouse.move(px, py, steps=4)
    chart(page, MAP).locator(".hoverlayer .hovertext", has_text="click to start here").wait_for()
    # plotly.js throttles hovering: wait until it hovers the point itself, not one that
    # was nearer to the mouse on its way there, since the click selects the hovered point
    page.wait_for_function(
        """([gd, x, y]) => {
          const hovered = gd._hoverdata && gd._hoverdata[0];
          return !!hovered && hovered.curveNumber === 0
            && Math.abs(hovered.x - x) < 1e-6 && Math.abs(hovered.y - y) < 1e-6;
        }""", arg=[chart(page, MAP).element_handle(), x, y], timeout=10_000)
    page.mouse.click(px, py)
    wait_for_rerun(page, lambda: (start_x.input_value(), start_y.input_value()) == want,
                   what=f"start = {want}")
    wait_for_charts(page, count=2)
    marker = chart(page, MAP).evaluate(
        "gd => { const t = gd._fullData.find(t => t.name === 'start'); return [t.x[0], t.y[0]]; }")
    assert marker == pytest.approx([float(want[0]), float(want[1])], abs=1e-3)
    assert not browser_errors


STEP_SLIDER = "Step shown on the map and in 3D"


def boxes(page, selector: str) -> list[dict]:
    """Page-pixel boxes of the race map's elements matching `selector`."""
    return chart(page, MAP).evaluate(
        """(gd, selector) => Array.from(gd.querySelectorAll(selector), e => {
             const r = e.getBoundingClientRect();
             return {x: r.left, y: r.top, width: r.width, height: r.height};
           })""", selector)


def overlap(a: dict, b: dict) -> bool:
    return (a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
            and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"])


def test_on_a_phone_the_play_buttons_and_the_step_slider_do_not_overlap(browser, server,
                                                                         browser_errors):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    page = context.new_page()
    page.on("pageerror", lambda error: browser_errors.append(f"page error: {error}"))
    try:
        open_page(page, server, f"{PATH}?opts=sgd,momentum,nesterov,adagrad,rmsprop,adam,newton")
        wait_for_charts(page, count=2)
        buttons = boxes(page, "g.updatemenu-button")
        rail = boxes(page, "rect.slider-rail-rect")
        grip = boxes(page, "rect.slider-grip-rect")
        label = boxes(page, ".slider-group > text.slider-label")  # "step 300"
        assert len(buttons) == 3 and len(rail) == len(grip) == len(label) == 1
        assert label[0]["width"] > 20
        for button in buttons:
            for part in (*rail, *grip, *label):
                assert not overlap(button, part), (button, part)
        # everything on the phone's screen, the slider's rail a usable width
        for part in (*buttons, *rail, *grip, *label):
            assert part["x"] >= 0 and part["x"] + part["width"] <= 390, part
        assert rail[0]["width"] >= 250
        area = plot_area(page, MAP)
        assert area["x"] >= 0 and area["x"] + area["width"] <= 390
        assert area["y"] > rail[0]["y"] + rail[0]["height"]  # the map below the player
        save_screenshot(page, "playground-390-all-seven")
        save_screenshot(page, "race-map-390", chart(page, MAP))
    finally:
        context.close()
    assert not browser_errors


def test_the_step_slider_shows_any_single_step(playground, browser_errors):
    page = playground
    assert animation_state(page, MAP)["label"] == "step 300"
    before = chart_signature(page, MAP)
    shown = move_slider(page, STEP_SLIDER, "ArrowLeft", times=3)
    assert shown == "297"
    wait_for_rerun(page, lambda: animation_state(page, MAP)["label"] == "step 297",
                   what="the map at step 297")
    assert chart_signature(page, MAP) != before
    assert "step=297" in address(page)
    # the map's own slider stands on that frame, and ▶ Play goes on from there
    state = animation_state(page, MAP)
    assert 0 < state["active"] < state["last"]
    chart(page, MAP).locator("g.updatemenu-button", has_text="▶ Play").click()
    page.wait_for_function(
        "gd => !gd._transitionData._animationRaf"
        " && gd.layout.sliders[0].active === gd.layout.sliders[0].steps.length - 1",
        arg=chart(page, MAP).element_handle(), timeout=30_000)
    assert animation_state(page, MAP)["label"] == "step 300"
    assert not browser_errors


def test_the_open_tab_is_kept_in_the_address(playground, browser_errors):
    page = playground
    page.get_by_role("tab", name="3D view").click()
    wait_for_rerun(page, lambda: "view=3d" in address(page), what="view=3d in the address")
    page.get_by_role("tab", name="Race on the map").click()
    wait_for_rerun(page, lambda: "view=" not in address(page), what="no view in the address")
    assert not browser_errors
