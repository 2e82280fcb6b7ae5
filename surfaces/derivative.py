"""Exact symbolic differentiation of expression trees.

Each rule builds the derivative from the smart constructors in simplify.py, so 0s and 1s
vanish as they appear. Applying `derivative` twice gives exact second derivatives.
"""

from .expr import BinOp, Call, Const, Expr, Neg, Var
from .simplify import ONE, TWO, ZERO, add, call, div, mul, neg, number, power, sub


def derivative(node: Expr, variable: str) -> Expr:
    """The partial derivative of `node` with respect to `variable` ("x" or "y")."""
    memo: dict[int, Expr] = {}  # by node identity: shared subtrees are differentiated once

    def d(n: Expr) -> Expr:
        key = id(n)
        if key not in memo:
            memo[key] = _rule(n, variable, d)
        return memo[key]

    return d(node)


def _rule(node: Expr, variable: str, d) -> Expr:
    match node:
        case Const():
            return ZERO
        case Var(name):
            return ONE if name == variable else ZERO
        case Neg(u):
            return neg(d(u))
        case BinOp("+", u, v):
            return add(d(u), d(v))
        case BinOp("-", u, v):
            return sub(d(u), d(v))
        case BinOp("*", u, v):
            return add(mul(d(u), v), mul(u, d(v)))
        case BinOp("/", u, v):
            # (u' − (u/v) v') / v: no v², which under- or overflows long before u/v does
            return div(sub(d(u), mul(node, d(v))), v)
        case BinOp("**", u, Const(exponent)):
            # Power rule; kept separate from the general case, which divides by u.
            return mul(mul(number(exponent), power(u, number(exponent - 1))), d(u))
        case BinOp("**", u, v):
            # d(u**v) = u**v * (v' log u + v u' / u)
            return mul(node, add(mul(d(v), call("log", u)), div(mul(v, d(u)), u)))
        case Call(func, u):
            return mul(_OUTER[func](node, u), d(u))
    raise TypeError(f"not an expression node: {node!r}")


# f'(u) for each function, given the call node f(u) itself (reused where f' mentions f).
_OUTER = {
    "sin": lambda f, u: call("cos", u),
    "cos": lambda f, u: neg(call("sin", u)),
    "tan": lambda f, u: add(ONE, power(f, TWO)),
    "exp": lambda f, u: f,
    "log": lambda f, u: div(ONE, u),
    "sqrt": lambda f, u: div(number(0.5), f),
    "abs": lambda f, u: call("sign", u),
    "sign": lambda f, u: ZERO,  # flat on both sides of its jump
    "tanh": lambda f, u: sub(ONE, power(f, TWO)),
    "sinh": lambda f, u: call("cosh", u),
    "cosh": lambda f, u: call("sinh", u),
    "arctan": lambda f, u: div(ONE, add(ONE, power(u, TWO))),
    "sigmoid": lambda f, u: mul(f, sub(ONE, f)),
}
