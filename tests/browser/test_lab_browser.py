"""The training lab in a real browser: training is live, survives widget changes mid-run,
and every mode draws without an exception."""

from __future__ import annotations

import re
import time

from tests.browser.helpers import (
    address,
    assert_no_exception,
    move_slider,
    open_page,
    save_screenshot,
    wait_for_charts,
    wait_for_rerun,
)


def progress(page) -> tuple[int, int, str]:
    """(epoch, epochs, state) from the progress bar's text "Epoch 12 of 100 · training…"."""
    text = page.locator('[data-testid="stProgress"]').first.inner_text()
    match = re.search(r"Epoch (\d+) of (\d+) · (\w+)", text)
    assert match, text
    return int(match[1]), int(match[2]), match[3]


def loss_points(page) -> int:
    """Points on the training loss curve, the first trace of the chart whose first panel is
    "Loss per epoch" (the newest such chart: a refresh may briefly show two)."""
    return page.evaluate("""() => Math.max(0, ...Array.from(
        document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot'))
        .filter(gd => gd.layout && (gd.layout.annotations || [])
                .some(a => String(a.text).includes('Loss per epoch')))
        .map(gd => {  // _fullData: the arrays plotly.js draws
          const t = gd._fullData && gd._fullData[0];
          return t && t.x ? t.x.length : 0;
        }))""")


def start(page) -> None:
    page.get_by_role("button", name="▶ Start training").click()


def train_to_the_end(page, server, path: str) -> None:
    """Open the lab at `path`, train until it says finished, and wait for its charts."""
    open_page(page, server, path)
    start(page)
    wait_for_rerun(page, lambda: progress(page)[2] == "finished", timeout=90,
                   what="training to finish")
    wait_for_charts(page, count=2)


def test_training_is_live_and_survives_a_new_alpha(page, server, browser_errors):
    open_page(page, server, "lab")
    wait_for_charts(page, count=2)
    assert progress(page) == (0, 100, "ready")
    start(page)
    t0 = time.monotonic()
    # The loss curve must grow in several visible steps, not appear finished at once.
    seen = []
    while time.monotonic() - t0 < 30:
        try:
            epoch, _, state = progress(page)
            seen.append((epoch, loss_points(page), state))
        except Exception:  # an element mid-replacement: try again
            pass
        if seen and seen[-1][2] == "finished":
            break
        time.sleep(0.1)
    running = sorted({points for _, points, state in seen if state == "training"})
    assert len(running) >= 3, f"the loss chart did not grow while training: {seen}"
    assert seen[-1][0] == 100 and seen[-1][2] == "finished"
    print(f"\ndefault run: {time.monotonic() - t0:.1f} s from Start to finished, "
          f"{len(running)} distinct sizes of the loss curve seen while training")
    save_screenshot(page, "lab-finished")
    assert_no_exception(page)

    # Again, and change α while it trains: nothing crashes, nothing restarts.
    page.get_by_role("button", name="⟲ Reset").click()
    wait_for_rerun(page, lambda: progress(page)[2] == "ready", what="a reset run")
    start(page)
    wait_for_rerun(page, lambda: progress(page)[0] > 10, settle=0, what="some epochs")
    before = progress(page)[0]
    move_slider(page, "α, learning rate", "ArrowLeft", times=2)
    save_screenshot(page, "lab-alpha-changed-mid-run")
    wait_for_rerun(page, lambda: progress(page)[2] == "finished", timeout=60,
                   what="the run to finish after α changed")
    assert progress(page)[0] == 100 and before > 0
    assert_no_exception(page)
    assert "lr=" in address(page)
    assert not browser_errors


def test_comparison_and_bagging_modes_draw(page, server, browser_errors):
    open_page(page, server, "lab?mode=compare&layers=5&width=8&epochs=60")
    wait_for_charts(page, count=2)
    start(page)
    wait_for_rerun(page, lambda: progress(page)[2] == "finished", timeout=60,
                   what="the comparison to finish")
    assert page.get_by_text("Decision boundary: sigmoid").count() >= 1
    save_screenshot(page, "lab-sigmoid-vs-relu")

    open_page(page, server, "lab?mode=bagging&members=4&epochs=40")
    start(page)
    wait_for_rerun(page, lambda: progress(page)[2] == "finished", timeout=60,
                   what="the ensemble to finish")
    wait_for_charts(page, count=2)
    assert page.get_by_text("The ensemble", exact=True).count() == 1  # (its table is a canvas)
    save_screenshot(page, "lab-bagging")
    assert_no_exception(page)
    assert not browser_errors


def test_csv_upload_good_then_broken_keeps_the_good_one(page, server, browser_errors,
                                                        tmp_path):
    good = tmp_path / "flowers.csv"
    good.write_text("petal,sepal,kind\n" + "\n".join(
        f"{i % 7 + 0.1 * i},{(i * 3) % 5},{'iris' if i % 2 else 'rose'}" for i in range(60)))
    broken = tmp_path / "broken.csv"
    broken.write_bytes("petal,sepal,kind\n1,2,x\n".encode("utf-16"))
    open_page(page, server, "lab?data=csv")
    upload = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    upload.set_input_files(str(good))
    wait_for_rerun(page, lambda: page.get_by_text("Feature columns (numeric)").count() == 1,
                   what="the CSV columns")
    wait_for_charts(page, count=2)
    upload.set_input_files(str(broken))
    wait_for_rerun(page, lambda: page.get_by_text("not UTF-8").count() >= 1,
                   what="the encoding error")
    assert page.get_by_text("The previous file is still in use").count() == 1
    start(page)
    wait_for_rerun(page, lambda: progress(page)[2] == "finished", timeout=60,
                   what="training on the good file")
    save_screenshot(page, "lab-csv")
    assert_no_exception(page)
    assert not browser_errors


def test_the_boundary_picture_fills_its_plot(page, server, browser_errors):
    """The boundary's axes keep equal scales by shrinking the plot to the picture, not by
    widening an axis past it: white strips beside the picture read as "unsure"."""
    for query in ("lab", "lab?data=spirals", "lab?mode=bagging&members=3&epochs=5"):
        open_page(page, server, query)
        if "bagging" in query:
            start(page)
            wait_for_rerun(page, lambda: progress(page)[2] == "finished", timeout=60,
                           what="the ensemble to finish")
        wait_for_charts(page, count=2)
        gaps = page.evaluate("""() => Array.from(
            document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot'))
            .filter(gd => (gd.layout.images || []).length)
            .map(gd => {
              const L = gd._fullLayout, img = L.images[0];
              const [x0, x1] = L.xaxis.range, [y0, y1] = L.yaxis.range;
              return Math.max(Math.abs(x0 - img.x), Math.abs(x1 - (img.x + img.sizex)),
                              Math.abs(y1 - img.y), Math.abs(y0 - (img.y - img.sizey)))
                     / Math.max(img.sizex, img.sizey);
            })""")
        assert gaps and max(gaps) < 1e-6, (query, gaps)
    assert_no_exception(page)
    assert not browser_errors


def test_the_best_epoch_label_does_not_stretch_the_epoch_axis(page, server, browser_errors):
    """plotly.js widens an axis to fit an annotation: the 'best epoch' label once made the
    loss panel run ~20 epochs past the data, out of step with the panels beside it."""
    train_to_the_end(page, server, "lab?mode=compare&early=1&patience=3&epochs=300&noise=0.5"
                     "&n=100")
    ends = page.evaluate("""() => {
        const gd = Array.from(document.querySelectorAll(
            '[data-testid="stPlotlyChart"] .js-plotly-plot')).find(
            g => (g.layout.annotations || []).some(a => String(a.text).includes('best epoch')));
        const last = Math.max(...gd.data.filter(t => t.xaxis === 'x' && t.mode === 'lines')
                                         .map(t => Math.max(...t.x)));
        return {loss: gd._fullLayout.xaxis.range[1], accuracy: gd._fullLayout.xaxis2.range[1],
                last};
    }""")
    assert ends["loss"] <= ends["last"] + 1, ends
    assert abs(ends["loss"] - ends["accuracy"]) <= 1, ends  # the panels line up by epoch
    assert_no_exception(page)
    assert not browser_errors


def test_epoch_titles_sit_below_their_tick_labels_with_a_long_legend(page, server,
                                                                      browser_errors):
    """Compare mode's legend has long names and three rows: reserving room for two drew
    the panels' "epoch" titles over their tick labels."""
    train_to_the_end(page, server, "lab?mode=compare&init=zeros&epochs=10")
    gaps = page.evaluate("""() => {
        const gd = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
        return Array.from(gd.querySelectorAll('.g-xtitle, .g-x2title, .g-x3title')).map(g => {
            const axis = g.getAttribute('class').match(/g-(x\\d*)title/)[1];
            const ticks = Array.from(gd.querySelectorAll(`.${axis}tick text`));
            return g.getBoundingClientRect().top
                   - Math.max(...ticks.map(t => t.getBoundingClientRect().bottom));
        });
    }""")
    assert len(gaps) == 3 and min(gaps) >= 0, gaps
    assert_no_exception(page)
    assert not browser_errors


def test_a_slow_training_speed_trains_that_many_epochs_a_second(page, server, browser_errors):
    """Issue 21: a student can watch slowly. At 2 epochs a second the curve grows by about
    two points a second, and the setting is in the address."""
    open_page(page, server, "lab?speed=2&epochs=40")
    wait_for_charts(page, count=2)
    start(page)
    t0 = time.monotonic()
    wait_for_rerun(page, lambda: progress(page)[0] >= 2, settle=0, what="two epochs")
    time.sleep(3)
    epoch, elapsed = progress(page)[0], time.monotonic() - t0
    assert 2 <= epoch <= 1 + 2 * elapsed + 1, (epoch, elapsed)
    assert "speed=2" in address(page)
    page.get_by_role("button", name="❚❚ Pause").click()
    save_screenshot(page, "lab-slow")
    assert_no_exception(page)
    assert not browser_errors


def test_a_change_while_training_is_marked_on_the_loss_curve(page, server, browser_errors):
    open_page(page, server, "lab?speed=5&epochs=60")
    start(page)
    wait_for_rerun(page, lambda: progress(page)[0] >= 5, settle=0, what="some epochs")
    move_slider(page, "α, learning rate", "ArrowLeft", times=2)
    wait_for_rerun(page, lambda: page.get_by_text("Changed while training").count() == 1,
                   what="the change's note")
    marks = page.evaluate("""() => {
        const gd = Array.from(document.querySelectorAll(
            '[data-testid="stPlotlyChart"] .js-plotly-plot')).find(
            g => (g.layout.annotations || []).some(a => String(a.text).includes('α 0.05 →')));
        return gd ? gd.layout.shapes.filter(s => s.line.dash === 'dash').map(s => s.x0) : [];
    }""")
    assert len(marks) >= 1 and all(x % 1 == 0.5 for x in marks), marks
    save_screenshot(page, "lab-change-marked")
    assert_no_exception(page)
    assert not browser_errors
