"""The registry of built-in surfaces, keyed by name, in the order the app lists them."""

from .base import Surface
from .himmelblau import HIMMELBLAU
from .quadratics import BOWL, VALLEY
from .rastrigin import RASTRIGIN
from .rosenbrock import ROSENBROCK
from .saddles import MONKEY_SADDLE, SADDLE
from .wells import PLATEAU, TWO_MINIMA

SURFACES: dict[str, Surface] = {
    surface.name: surface
    for surface in (
        BOWL,
        VALLEY,
        ROSENBROCK,
        SADDLE,
        MONKEY_SADDLE,
        TWO_MINIMA,
        PLATEAU,
        HIMMELBLAU,
        RASTRIGIN,
    )
}
