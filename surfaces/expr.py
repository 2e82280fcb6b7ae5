"""Expression trees for user formulas: five immutable node types and a vectorized evaluator.

Nodes compare by identity (eq=False). Differentiation shares subtrees heavily, and identity
makes it cheap to remember which nodes were already evaluated or differentiated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .functions import FUNCTIONS


@dataclass(frozen=True, eq=False)
class Const:
    value: float
    symbol: str | None = None  # "pi" or "e" when the user wrote the name, for display


@dataclass(frozen=True, eq=False)
class Var:
    name: str  # "x" or "y"


@dataclass(frozen=True, eq=False)
class Neg:
    arg: Expr


@dataclass(frozen=True, eq=False)
class BinOp:
    op: str  # one of OPERATORS
    left: Expr
    right: Expr


@dataclass(frozen=True, eq=False)
class Call:
    func: str  # a key of FUNCTIONS
    arg: Expr


Expr = Const | Var | Neg | BinOp | Call

OPERATORS = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "/": np.divide,
    "**": np.power,
}


def children(node: Expr) -> tuple[Expr, ...]:
    """The direct subexpressions of `node`, left to right."""
    match node:
        case Neg(arg) | Call(_, arg):
            return (arg,)
        case BinOp(_, left, right):
            return (left, right)
        case _:
            return ()


def evaluate(roots: Sequence[Expr], variables: Mapping[str, np.ndarray]) -> list[np.ndarray]:
    """Evaluate several trees at once with float64 NumPy, each shared node only once.

    Results broadcast against the variables (a constant tree gives a scalar). Invalid
    operations give inf or nan silently, as plotting code expects.
    """
    memo: dict[int, np.ndarray] = {}

    def value(node: Expr) -> np.ndarray:
        key = id(node)
        if key not in memo:
            memo[key] = _apply(node, [value(child) for child in children(node)], variables)
        return memo[key]

    try:
        with np.errstate(all="ignore"):
            return [value(root) for root in roots]
    finally:
        # `value` refers to itself, so this frame is a reference cycle that only the
        # garbage collector would free: drop the intermediate arrays now.
        memo.clear()


def _apply(node: Expr, args: list, variables: Mapping[str, np.ndarray]):
    match node:
        case Const(number):
            return np.float64(number)  # float64, never a Python int: 9**9**9 stays fast
        case Var(name):
            return variables[name]
        case Neg():
            return np.negative(args[0])
        case BinOp(op):
            return OPERATORS[op](*args)
        case Call(func):
            return FUNCTIONS[func](args[0])
    raise TypeError(f"not an expression node: {node!r}")


def is_constant(node: Expr) -> bool:
    """True if `node` contains no variables."""
    return not isinstance(node, Var) and all(is_constant(child) for child in children(node))
