"""Why Newton's method left the map: the facts behind the playground's explanation.

Newton aims at θ − α(H + μI)⁻¹∇f. With α > 1 it overshoots a target that a step with
α = 1 would have reached on the map; otherwise f's curvature along its path tells: where
it is negative the local quadratic model's flat point is a maximum or a saddle, and the
step points uphill or sideways; where it is small the flat point lies far away.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from engine.race import Lane
from engine.verdicts import on_map


class NewtonTrouble(StrEnum):
    OVERSHOT = "overshot"  # α > 1 stepped past a target on the map
    CURVES_DOWN = "curves down"  # negative curvature on its way
    FAR_JUMP = "far jump"  # small curvature: the model's flat point lies far off


@dataclass(frozen=True)
class NewtonDiagnosis:
    trouble: NewtonTrouble
    step: int  # where it stopped
    lr: float
    damping: float
    target: tuple[float, float]  # where α = 1 would step from its last point on the map
    lowest_curvature: float  # the most negative eigenvalue of H on its way (nan if none)


def diagnose_newton(surface, lane: Lane) -> NewtonDiagnosis:
    lr, damping = float(lane.optimizer.lr), float(lane.optimizer.damping)
    path = lane.positions[:lane.last_step + 1]
    seen = path[on_map(surface.bounds, path)]  # the path while it was on the map
    theta = seen[-1] if len(seen) else path[-1]
    with np.errstate(all="ignore"):
        h, g = surface.hessian(theta), surface.grad(theta)
        try:
            target = theta - np.linalg.solve(h + damping * np.eye(2), g)
        except np.linalg.LinAlgError:  # H + μI singular there: no point to aim at
            target = np.full(2, np.nan)
        hessians = surface.hessian(seen) if len(seen) else np.full((1, 2, 2), np.nan)
        finite = np.all(np.isfinite(hessians), axis=(1, 2))
        lowest = (float(np.linalg.eigvalsh(hessians[finite]).min()) if finite.any()
                  else np.nan)
    if lr > 1 and on_map(surface.bounds, target):
        trouble = NewtonTrouble.OVERSHOT
    elif lowest < 0:
        trouble = NewtonTrouble.CURVES_DOWN
    else:
        trouble = NewtonTrouble.FAR_JUMP
    return NewtonDiagnosis(trouble, lane.diverged_at, lr, damping,
                           (float(target[0]), float(target[1])), lowest)
