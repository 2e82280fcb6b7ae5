"""The playground's results table: how each lane ended (engine.verdicts), in words."""

from __future__ import annotations

from engine.optimizers import OPTIMIZERS
from engine.race import Lane
from engine.verdicts import (
    TOLERANCE_FRACTION,
    Divergence,
    Ending,
    LaneResult,
    MapExit,
    MinimaKnown,
    Where,
    race_results,
    tolerance,
)
from surfaces import Surface
from ui.markdown import escape


def point_text(point: tuple[float, float]) -> str:
    x, y = point
    return f"({x:.3g}, {y:.3g})"


def exit_text(left: MapExit) -> str:
    """"left the map at step 7, at (−4, 3.14)": where it was last seen."""
    return f"left the map at step {left.step}, at {point_text(left.point)}"


def ending_text(ending: Ending) -> str:
    """"global minimum (3, 2)", "stopped early at (…)", "on its way, off the map: it
    left the map at step 7, at (…)"… A path off the map is named by where it left the
    picture: where it ended is out of sight."""
    if ending.where == Where.LISTED:
        return f"{ending.kind} {point_text(ending.point)}"
    stopped = ending.where == Where.STOPPED
    if ending.off_map and ending.left is not None:
        where = "stopped early" if stopped else str(ending.where)
        return f"{where}, off the map: it {exit_text(ending.left)}"
    at = point_text(ending.point) + (", off the map" if ending.off_map else "")
    return f"stopped early at {at}" if stopped else f"{ending.where} {at}"


def tolerance_caption(surface: Surface) -> str:
    """What "within X of a minimum" in the table's header means, from the map's size."""
    tol = tolerance(surface.bounds)
    (x0, x1), (y0, y1) = surface.bounds
    side, size = ("width", x1 - x0) if x1 - x0 >= y1 - y0 else ("height", y1 - y0)
    return (f"Within {tol:.2g} of a minimum: less than {tol:.2g} away from it in the (x, y) "
            f"plane, {TOLERANCE_FRACTION:.0%} of the map's {side} ({size:g}). The steps "
            "count from the step on which a path came that close and stayed to its end; a "
            "path that only passed through says when it passed.")


def results_table(surface: Surface, lanes: list[Lane]) -> str:
    """How each lane ended, as a markdown table: one light element, and no DataFrame to
    build and convert to Arrow, which st.table needs (~2 ms of each rerun). Its
    tolerance is explained by tolerance_caption."""
    tol, results = race_results(surface, lanes)
    header = ["optimizer", "final loss f(θ)", "ended at",
              f"steps to within {tol:.2g} of a minimum", "stopped early"]
    lines = [_table_row(header), "|" + " --- |" * len(header)]
    return "\n".join(lines + [_table_row(_row(result)) for result in results])


def _row(result: LaneResult) -> list[str]:
    return [
        OPTIMIZERS[result.lane.name].label,
        # 1e-12, not 0, and 0 rather than -0; nothing where f is undefined at the start
        "— (undefined)" if result.final_loss is None else f"{result.final_loss + 0.0:.4g}",
        "—" if result.ending is None else ending_text(result.ending),
        _arrival_text(result),
        _stopped_text(result),
    ]


def _arrival_text(result: LaneResult) -> str:
    if result.minima == MinimaKnown.NONE:
        return "— (there is none)"
    if result.minima == MinimaKnown.NONE_FOUND:
        return "— (no minimum known)"
    if result.steps_to_minimum is not None:
        return str(result.steps_to_minimum)
    if result.passed_at is not None:
        return f"passed at step {result.passed_at}, did not stay"
    return "never"


def _stopped_text(result: LaneResult) -> str:
    k = result.lane.diverged_at
    if k < 0:
        return "no"
    if result.stopped == Divergence.SINGULAR_F:
        return f"yes, at step {k}: f is singular there"
    return f"yes, at step {k}"


def _table_row(cells) -> str:
    return "| " + " | ".join(escape(cell) for cell in cells) + " |"
