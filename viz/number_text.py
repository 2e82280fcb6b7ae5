"""Small numbers written so that they never read as 0: a probability of 1.1·10⁻⁷ rounded
to "0.000" and put inside a logarithm would make the arithmetic on screen wrong."""

from __future__ import annotations

import math

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _parts(value: float, decimals: int) -> tuple[str, int] | None:
    """(mantissa, exponent) when `value` is below 10^−decimals, where `decimals` places
    would show it as 0 or as one digit (0.00055 and 0.00091 both as 0.001), else None.
    Three digits, so that −log of the number shown gives the value shown beside it."""
    if value == 0 or not math.isfinite(value) or abs(value) >= 10.0**-decimals:
        return None
    mantissa, exponent = f"{value:.2e}".split("e")
    return mantissa, int(exponent)


def number_text(value: float, decimals: int = 3) -> str:
    """`value` with `decimals` places, or as 1.12·10⁻⁷ where those would show too little."""
    parts = _parts(value, decimals)
    if parts is None:
        return f"{value:.{decimals}f}"
    return f"{parts[0]}·10{str(parts[1]).translate(_SUPERSCRIPT)}"


def number_tex(value: float, decimals: int = 3) -> str:
    """The same in LaTeX: 0.028, or 1.12 \\cdot 10^{-7}."""
    parts = _parts(value, decimals)
    if parts is None:
        return f"{value:.{decimals}f}"
    return rf"{parts[0]} \cdot 10^{{{parts[1]}}}"


def scientific_text(value: float) -> str:
    """3.2·10⁻¹³ or 1.5·10² for a value far from 1; 0.57 or 42 near it (two digits)."""
    if value == 0 or not math.isfinite(value) or 0.01 <= abs(value) < 100:
        return f"{value:.2g}"
    mantissa, exponent = f"{value:.1e}".split("e")
    return f"{mantissa}·10{str(int(exponent)).translate(_SUPERSCRIPT)}"
