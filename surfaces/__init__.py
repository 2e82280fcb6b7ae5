"""Loss surfaces for Descent: built-in classics plus user formulas, all with exact derivatives.

Example:
    from surfaces import SURFACES, from_formula

    rosenbrock = SURFACES["rosenbrock"]
    rosenbrock.grad([[0.0, 0.0], [1.0, 1.0]])   # -> array of shape (2, 2)
    custom = from_formula("sin(x) * y**2 + 0.1 * x**2")
"""

from engine.curvature import classify_hessian

from .base import CriticalPoint, Surface
from .errors import FormulaError
from .finite_diff import numerical_gradient, numerical_hessian
from .formula import from_formula
from .library import SURFACES

__all__ = [
    "SURFACES",
    "CriticalPoint",
    "FormulaError",
    "Surface",
    "classify_hessian",
    "from_formula",
    "numerical_gradient",
    "numerical_hessian",
]
