"""Render expression trees as LaTeX for st.latex, with only the parentheses that are needed."""

from .expr import BinOp, Call, Const, Expr, Neg, Var

# Binding strength of each construct: a child binding more loosely than its context needs
# parentheses. Atoms (numbers, names, calls) bind tightest.
_SUM, _PRODUCT, _POWER, _ATOM = 1, 2, 3, 4

_FUNCTION_NAMES = {
    "log": r"\ln",
    "sigmoid": r"\sigma",
    "sign": r"\operatorname{sign}",
}


def to_latex(node: Expr) -> str:
    """LaTeX for `node`, e.g. Call("sin", Var("x")) -> r"\\sin\\left(x\\right)"."""
    return _render(node)[0]


def _render(node: Expr) -> tuple[str, int]:
    match node:
        case Const(value, symbol):
            return _constant(value, symbol)
        case Var(name):
            return name, _ATOM
        case Neg(arg):
            # Negation binds like a sum: -(x + y) keeps its parentheses, -x y needs none.
            return "-" + _wrap(arg, _PRODUCT), _SUM
        case BinOp("+", left, right):
            return f"{_wrap(left, _SUM, leading=True)} + {_wrap(right, _SUM)}", _SUM
        case BinOp("-", left, right):
            return f"{_wrap(left, _SUM, leading=True)} - {_wrap(right, _PRODUCT)}", _SUM
        case BinOp("*", left, right):
            right_text = _wrap(right, _PRODUCT)
            joiner = r" \cdot " if right_text[0].isdigit() else " "
            return _wrap(left, _PRODUCT, leading=True) + joiner + right_text, _PRODUCT
        case BinOp("/", left, right):
            return rf"\frac{{{to_latex(left)}}}{{{to_latex(right)}}}", _PRODUCT
        case BinOp("**", base, exponent):
            return f"{_wrap(base, _ATOM)}^{{{to_latex(exponent)}}}", _POWER
        case Call(func, arg):
            return _call(func, to_latex(arg)), _ATOM
    raise TypeError(f"not an expression node: {node!r}")


def _wrap(node: Expr, strength: int, leading: bool = False) -> str:
    """Render `node`, in parentheses if it binds more loosely than `strength` requires.

    A minus sign may only open a sum or a product (`leading`): -x + y and -x y read fine,
    but x - -y, x (-y) and (-x)^2 need their parentheses.
    """
    text, binding = _render(node)
    if leading and isinstance(node, Neg):
        return text
    if binding >= strength and not text.startswith("-"):
        return text
    return rf"\left({text}\right)"


def _call(func: str, arg: str) -> str:
    if func == "sqrt":
        return rf"\sqrt{{{arg}}}"
    if func == "abs":
        return rf"\left|{arg}\right|"
    name = _FUNCTION_NAMES.get(func, "\\" + func)
    return rf"{name}\left({arg}\right)"


def _constant(value: float, symbol: str | None) -> tuple[str, int]:
    if symbol is not None:
        return (r"\pi" if symbol == "pi" else symbol), _ATOM
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value)), _ATOM
    text = repr(value)
    if "e" in text:  # 1e-05 -> 1 \times 10^{-5}, which binds like a product
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}", _PRODUCT
    return text, _ATOM
