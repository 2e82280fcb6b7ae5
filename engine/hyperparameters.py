"""The optimizers' hyperparameters: each one's symbol in the course text, its range, its stops.

One entry per name, shared by every optimizer that has it (α is `lr` for all of them):
the range an optimizer checks at construction, the values a slider offers, and the LaTeX
symbol an update rule is written with. `rule_latex` writes an optimizer's rule with the
symbols, or with numbers in their place.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np


def log_stops(low_exp: int, high_exp: int,
              mantissas: tuple[float, ...] = (1, 1.5, 2, 3, 5, 7.5)) -> tuple[float, ...]:
    """1, 1.5, 2, 3, 5, 7.5 × 10^k: a log scale whose stops are round numbers."""
    values = [round(m * 10.0**k, 12) for k in range(low_exp, high_exp) for m in mantissas]
    return (*values, round(10.0**high_exp, 12))


@dataclass(frozen=True)
class Hyperparameter:
    symbol: str  # as the course text writes it
    tex: str  # the same symbol in LaTeX
    label: str  # what a slider is called
    stops: tuple[float, ...]  # the values a slider offers (a link must name one of them)
    help: str
    low: float  # the range an optimizer accepts: low <(=) value <(=) high
    high: float = math.inf
    low_open: bool = True
    high_open: bool = True

    def check(self, name: str, value: Any) -> None:
        """Raise a ValueError naming `name=value` unless it lies in the range. An array
        (one value per particle, broadcast against θ) is checked element by element, and
        the error names the first bad element: `lr[3]=-0.1`."""
        if isinstance(value, np.ndarray) and value.ndim > 0:
            if value.dtype.kind not in "fiu" or value.size == 0:
                raise ValueError(f"{name} is an array of {value.dtype} with {value.size} "
                                 "values: it must hold numbers")
            bad = ~self._in_range(value.astype(np.float64))
            if bad.any():
                index = np.unravel_index(int(np.argmax(bad)), value.shape)
                where = ", ".join(str(int(i)) for i in index)
                self._refuse(f"{name}[{where}]", value[index].item())
            return
        ok = (isinstance(value, int | float | np.floating | np.integer)
              and not isinstance(value, bool))
        if not (ok and bool(self._in_range(np.float64(value)))):
            self._refuse(name, value)

    def _in_range(self, v: np.ndarray | np.float64) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            above = v > self.low if self.low_open else v >= self.low
            below = v < self.high if self.high_open else v <= self.high
        return np.isfinite(v) & above & below

    def _refuse(self, name: str, value: Any) -> None:
        lo = "(" if self.low_open else "["
        hi = ")" if self.high_open else "]"
        raise ValueError(f"{name}={value!r} is out of range: it must be a number in "
                         f"{lo}{self.low}, {self.high}{hi}")


_FRACTION: dict[str, Any] = {"low": 0.0, "high": 1.0, "low_open": False}  # 0 ≤ x < 1

HYPERPARAMETERS: dict[str, Hyperparameter] = {
    "lr": Hyperparameter(
        "α", r"\alpha", "α, learning rate", log_stops(-4, 1),
        "Step size. Log scale: each stop is about 1.5× the one before.", low=0.0),
    "momentum": Hyperparameter(
        "λ", r"\lambda", "λ, momentum",
        (*(round(0.05 * i, 2) for i in range(19)), 0.95, 0.97, 0.99),
        "How much of the previous velocity is kept: 0 is plain SGD, close to 1 means "
        "little friction.", **_FRACTION),
    "rho": Hyperparameter(
        "ρ", r"\rho", "ρ, decay", (0.0, 0.5, 0.8, 0.9, 0.95, 0.99, 0.999),
        "How fast RMSProp forgets old squared gradients.", **_FRACTION),
    "eps": Hyperparameter(
        "δ", r"\delta", "δ, small constant", tuple(float(f"1e{k}") for k in range(-10, 1)),
        "Keeps α/(δ + √r) finite when r is 0.", low=0.0),
    "beta1": Hyperparameter(
        "β₁", r"\beta_1", "β₁, first-moment decay", (0.0, 0.5, 0.8, 0.9, 0.95, 0.99),
        "Adam's momentum on the gradient.", **_FRACTION),
    "beta2": Hyperparameter(
        "β₂", r"\beta_2", "β₂, second-moment decay", (0.9, 0.99, 0.999, 0.9999),
        "Adam's memory of squared gradients, like RMSProp's ρ.", **_FRACTION),
    "damping": Hyperparameter(
        "μ", r"\mu", "μ, damping", (0.0, 0.01, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0),
        "Adds μI to the Hessian: larger μ makes Newton more like gradient descent.",
        low=0.0, low_open=False),
}


def _rule_number(value: float) -> str:
    """A number for LaTeX: 1e-07 becomes 10^{-7}."""
    text = f"{value:g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        power = f"10^{{{int(exponent)}}}"
        return power if mantissa == "1" else rf"{mantissa} \cdot {power}"
    return text


_SLOT = re.compile(r"<(\w+)>")


def rule_latex(lines: tuple[str, ...], values: Mapping[str, float] | None = None) -> str:
    """An update rule written as `lines` (aligned at `&=`, hyperparameters as `<name>`),
    with each hyperparameter's symbol, or with its number from `values`."""
    def slot(match: re.Match) -> str:
        name = match.group(1)
        return HYPERPARAMETERS[name].tex if values is None else _rule_number(values[name])

    filled = [_SLOT.sub(slot, line) for line in lines]
    if len(filled) == 1:
        return filled[0].replace("&=", "=")
    return r"\begin{aligned}" + r" \\ ".join(filled) + r"\end{aligned}"
