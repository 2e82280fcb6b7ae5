"""What the playground's charts show besides the race: the map's caption, the curves."""

from __future__ import annotations

import numpy as np

from engine.race import Lane, effective_steps, velocity_norms
from engine.verdicts import global_minimum_value, stability_limit
from surfaces import Surface
from viz.figure import Panel
from viz.race_charts import effective_step_panel, grad_norm_panel, loss_panel, velocity_panel
from viz.surface_image import SurfaceGrid


def map_caption(grid: SurfaceGrid) -> str:
    """How to read the map; grey only where the surface has cells it could not compute."""
    grey = ("" if np.all(np.isfinite(grid.values)) else
            " Grey: f is undefined or too large to compute there.")
    return ("Press ▶ Play to watch the race, drag the map's slider to scrub; the slider above "
            "the map shows any single step. Thin lines are the whole paths, thick ones each "
            "path's last moves; each optimizer has its own colour, line style and head shape "
            "(see the legend). ★ global minimum, ○ local minimum, ✕ saddle, △ maximum; ■ where "
            f"a path stopped early.{grey} Click the map to start somewhere else.")


def curvature_caption(surface: Surface) -> str | None:
    """How α meets the surface's curvature at its global minimum (engine.verdicts
    .stability_limit), or None where it lists no minimum to settle in."""
    limit = stability_limit(surface)
    if limit is None:
        return None
    gentle, steep = limit.curvatures
    x, y = limit.point
    bends = (f"{steep:.3g} in every direction" if np.isclose(gentle, steep) else
             f"{gentle:.3g} to {steep:.3g}")
    return (f"Curvature at the global minimum ({x:.3g}, {y:.3g}): {bends} (the Hessian's "
            "eigenvalues). A step of SGD multiplies the distance to it along each direction "
            f"by 1 − α × that curvature, so SGD settles there only if α < 2/{steep:.3g} = "
            f"{limit.max_lr:.2g}.")


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
