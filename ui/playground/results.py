"""The playground's results table: how each lane ended (engine.verdicts), in words."""

from __future__ import annotations

from engine.optimizers import OPTIMIZERS
from engine.race import Lane
from engine.verdicts import Ending, LaneResult, MinimaKnown, Where, race_results
from surfaces import Surface
from ui.markdown import escape


def ending_text(ending: Ending) -> str:
    """"global minimum (3, 2)", "stopped early at (…)", "on its way (…), off the map"…"""
    x, y = ending.point
    at = f"({x:.3g}, {y:.3g})" + (", off the map" if ending.off_map else "")
    if ending.where == Where.LISTED:
        return f"{ending.kind} {at}"
    if ending.where == Where.STOPPED:
        return f"stopped early at {at}"
    return f"{ending.where} {at}"


def results_table(surface: Surface, lanes: list[Lane]) -> str:
    """How each lane ended, as a markdown table: one light element, and no DataFrame to
    build and convert to Arrow, which st.table needs (~2 ms of each rerun)."""
    tol, results = race_results(surface, lanes)
    header = ["optimizer", "final loss f(θ)", "ended at",
              f"steps to within {tol:.2g} of a minimum", "stopped early"]
    lines = [_table_row(header), "|" + " --- |" * len(header)]
    return "\n".join(lines + [_table_row(_row(result)) for result in results])


def _row(result: LaneResult) -> list[str]:
    k = result.lane.diverged_at
    reached = {MinimaKnown.NONE: "— (there is none)",
               MinimaKnown.NONE_FOUND: "— (no minimum known)"}.get(
        result.minima,
        "never" if result.steps_to_minimum is None else str(result.steps_to_minimum))
    return [
        OPTIMIZERS[result.lane.name].label,
        # 1e-12, not 0, and 0 rather than -0; nothing where f is undefined at the start
        "— (undefined)" if result.final_loss is None else f"{result.final_loss + 0.0:.4g}",
        "—" if result.ending is None else ending_text(result.ending),
        reached,
        "no" if k < 0 else f"yes, at step {k}",
    ]


def _table_row(cells) -> str:
    return "| " + " | ".join(escape(cell) for cell in cells) + " |"
