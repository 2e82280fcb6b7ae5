"""Smart constructors that keep derivative trees small: fold constants, drop 0s and 1s.

Only rules that are exact for finite values are used (0*u = 0, 1*u = u, u**1 = u, ...),
so simplified and unsimplified trees agree wherever the formula is finite.
"""

from .expr import BinOp, Call, Const, Expr, Neg, Var, evaluate

ZERO = Const(0.0)
ONE = Const(1.0)
TWO = Const(2.0)


def number(value: float) -> Const:
    """A numeric literal."""
    return Const(float(value))


def neg(a: Expr) -> Expr:
    if isinstance(a, Const):
        return _folded(Neg(a))
    if isinstance(a, Neg):
        return a.arg
    return Neg(a)


def add(a: Expr, b: Expr) -> Expr:
    if _is(a, 0):
        return b
    if _is(b, 0):
        return a
    return _binary("+", a, b)


def sub(a: Expr, b: Expr) -> Expr:
    if _is(b, 0):
        return a
    if _is(a, 0):
        return neg(b)
    return _binary("-", a, b)


def mul(a: Expr, b: Expr) -> Expr:
    if _is(a, 0) or _is(b, 0):
        return ZERO
    if _is(a, 1):
        return b
    if _is(b, 1):
        return a
    if _is(a, -1):
        return neg(b)
    if _is(b, -1):
        return neg(a)
    return _binary("*", a, b)


def div(a: Expr, b: Expr) -> Expr:
    if _is(a, 0) and not _is(b, 0):
        return ZERO
    if _is(b, 1):
        return a
    return _binary("/", a, b)


def power(a: Expr, b: Expr) -> Expr:
    if _is(b, 0):
        return ONE
    if _is(b, 1):
        return a
    return _binary("**", a, b)


def call(func: str, a: Expr) -> Expr:
    return _folded(Call(func, a)) if isinstance(a, Const) else Call(func, a)


def simplify(node: Expr) -> Expr:
    """Rebuild a parsed tree bottom-up through the smart constructors."""
    match node:
        case Const() | Var():
            return node
        case Neg(arg):
            return neg(simplify(arg))
        case BinOp(op, left, right):
            return _BUILDERS[op](simplify(left), simplify(right))
        case Call(func, arg):
            return call(func, simplify(arg))
    raise TypeError(f"not an expression node: {node!r}")


def _binary(op: str, a: Expr, b: Expr) -> Expr:
    node = BinOp(op, a, b)
    return _folded(node) if isinstance(a, Const) and isinstance(b, Const) else node


def _folded(node: Expr) -> Const:
    (value,) = evaluate([node], {})
    return Const(float(value))


def _is(node: Expr, value: float) -> bool:
    return isinstance(node, Const) and node.value == value


_BUILDERS = {"+": add, "-": sub, "*": mul, "/": div, "**": power}
