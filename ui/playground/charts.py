"""What the playground's charts show besides the race: the map's caption, the curves."""

from __future__ import annotations

import numpy as np

from engine.race import Lane, effective_steps, velocity_norms
from engine.verdicts import global_minimum_value
from surfaces import Surface
from viz.figure import Panel
from viz.race_charts import effective_step_panel, grad_norm_panel, loss_panel, velocity_panel
from viz.surface_image import SurfaceGrid


def map_caption(grid: SurfaceGrid) -> str:
    """How to read the map; grey only where the surface has cells it could not compute."""
    grey = ("" if np.all(np.isfinite(grid.values)) else
            " Grey: f is undefined or too large to compute there.")
    return ("Press ▶ Play to watch the race, drag the step slider to scrub. Faint lines are "
            "the whole paths; ★ global minimum, ○ local minimum, ✕ saddle, △ maximum; ■ where "
            f"a path stopped early.{grey} Click the map to start somewhere else.")


def curve_panels(surface: Surface, lanes: list[Lane]) -> list[Panel]:
    """Loss and gradient norm for every lane; the speed of the momentum methods and the
    effective steps of the adaptive ones when any of them race."""
    panels = [loss_panel([(lane.name, lane.losses[:lane.last_step + 1]) for lane in lanes],
                         global_minimum_value(surface)),
              grad_norm_panel([(lane.name, lane.trajectory.grad_norms[:lane.last_step + 1, 0])
                               for lane in lanes])]
    speeds = [(lane.name, v) for lane in lanes if (v := velocity_norms(lane)) is not None]
    rates = [(lane.name, r) for lane in lanes if (r := effective_steps(lane)) is not None]
    panels += [velocity_panel(speeds)] if speeds else []
    panels += [effective_step_panel(rates)] if rates else []
    return panels
