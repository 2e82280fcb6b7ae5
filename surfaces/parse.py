"""Turn a user's formula text into an expression tree, accepting only a small allowlist.

The text goes through Python's own parser (`ast.parse`, which never runs anything) and every
node of the result is checked against the allowlist below. Nothing is ever evaluated as
Python: numbers become float64 constants, names and calls become expression nodes.
"""

import ast
from dataclasses import dataclass

import numpy as np

from .errors import FormulaError
from .expr import BinOp, Call, Const, Expr, Neg, Var, evaluate, is_constant
from .functions import ALIASES, FUNCTIONS

MAX_LENGTH = 200  # characters, checked before parsing
MAX_NODES = 120  # expression nodes: numbers, names, operations and calls
MAX_DEPTH = 30  # nesting levels of expression nodes

VARIABLES = ("x", "y")
CONSTANTS = {"pi": np.pi, "e": np.e}
_UNDERSCORE = "`{name}` is not allowed (names starting with _ are never allowed)"
_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}

# Plain names for the Python constructs students are most likely to try.
_FORBIDDEN = {
    ast.Attribute: "attribute access",
    ast.Subscript: "indexing",
    ast.Compare: "comparison",
    ast.BoolOp: "logic operator",
    ast.Lambda: "lambda function",
    ast.ListComp: "comprehension",
    ast.SetComp: "comprehension",
    ast.DictComp: "comprehension",
    ast.GeneratorExp: "comprehension",
    ast.JoinedStr: "f-string",
    ast.NamedExpr: "assignment",
    ast.IfExp: "if-else expression",
    ast.Starred: "starred argument",
    ast.Tuple: "tuple",
    ast.List: "list",
    ast.Set: "set",
    ast.Dict: "dictionary",
}


@dataclass(frozen=True)
class ParsedFormula:
    tree: Expr  # exactly as written: nothing folded, for display
    text: str  # normalized source, e.g. "sin(x) * y ** 2"


def parse_formula(text: str) -> ParsedFormula:
    """Parse and validate `text`; raise FormulaError explaining any problem."""
    if not isinstance(text, str):
        raise FormulaError(f"the formula must be text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"the formula is {len(text)} characters long; the limit is {MAX_LENGTH}")
    source = text.strip()
    if not source:
        raise FormulaError("the formula is empty: write an expression such as `x**2 + y**2`")
    try:
        module = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError) as error:
        raise FormulaError(_syntax_problem(source, error)) from None
    _check_size(module.body)
    tree = _Converter(source).convert(module.body)
    return ParsedFormula(tree=tree, text=ast.unparse(module.body))


def _syntax_problem(source: str, error: Exception) -> str:
    if "import" in source.split():
        return "imports are not allowed: write a single expression such as `x**2 + y**2`"
    detail = getattr(error, "msg", str(error))
    column = getattr(error, "offset", None)  # 0 or None when Python cannot tell
    where = f" near column {column}" if column else ""
    return f"could not read `{source}`{where} ({detail})"


def _check_size(root: ast.AST) -> None:
    # Walk with an explicit stack: no recursion, so deep input cannot exhaust the call stack.
    count, stack = 0, [(root, 0)]  # (node, number of expression nodes above it)
    while stack:
        node, above = stack.pop()
        is_expression = isinstance(node, ast.expr)  # skips helpers like ast.Load
        depth = above + is_expression
        count += is_expression
        if count > MAX_NODES:
            raise FormulaError(f"the formula has more than {MAX_NODES} parts; please shorten it")
        if depth > MAX_DEPTH:
            raise FormulaError(
                f"the formula is nested more than {MAX_DEPTH} levels deep; please simplify it"
            )
        stack.extend((child, depth) for child in ast.iter_child_nodes(node))


class _Converter:
    """Translates allowed `ast` nodes into expression nodes; rejects everything else."""

    def __init__(self, source: str):
        self.source = source

    def convert(self, node: ast.AST) -> Expr:
        result = self._convert(node)
        if is_constant(result):
            self._check_finite(result, node)
        return result

    def _convert(self, node: ast.AST) -> Expr:
        match node:
            case ast.Constant(value):
                return self._number(value, node)
            case ast.Name(name):
                return self._name(name)
            case ast.UnaryOp(ast.USub(), operand):
                return Neg(self.convert(operand))
            case ast.UnaryOp(ast.UAdd(), operand):
                return self.convert(operand)
            case ast.BinOp(left, op, right) if type(op) in _OPERATORS:
                return BinOp(_OPERATORS[type(op)], self.convert(left), self.convert(right))
            case ast.BinOp(_, ast.BitXor()):
                raise FormulaError(
                    f"`^` in `{self._piece(node)}` is not a power in Python: "
                    "write `**` instead, e.g. `x**2`"
                )
            case ast.BinOp(_, op) | ast.UnaryOp(op):
                raise FormulaError(
                    f"the operator `{_symbol(op)}` in `{self._piece(node)}` is not allowed"
                )
            case ast.Call():
                return self._call(node)
        kind = _FORBIDDEN.get(type(node), "not part of a formula")
        raise FormulaError(f"`{self._piece(node)}` is not allowed ({kind})")

    def _number(self, value, node: ast.Constant) -> Expr:
        if isinstance(value, bool):
            raise FormulaError(f"`{value}` is a truth value, not a number")
        if isinstance(value, complex):
            raise FormulaError(f"complex numbers like `{self._piece(node)}` are not allowed")
        if isinstance(value, str | bytes):
            raise FormulaError(f"`{self._piece(node)}` is not allowed (text in quotes)")
        if not isinstance(value, int | float):
            raise FormulaError(f"`{self._piece(node)}` is not allowed (not a number)")
        return Const(float(value))  # MAX_LENGTH digits always fit in a float

    def _name(self, name: str) -> Expr:
        if name in VARIABLES:
            return Var(name)
        if name in CONSTANTS:
            return Const(CONSTANTS[name], symbol=name)
        if name in FUNCTIONS or name in ALIASES:
            raise FormulaError(f"`{name}` is a function: call it on something, e.g. {name}(x)")
        if name.startswith("_"):
            raise FormulaError(_UNDERSCORE.format(name=name))
        raise FormulaError(f"unknown name `{name}`")

    def _call(self, node: ast.Call) -> Expr:
        piece = self._piece(node)
        if not isinstance(node.func, ast.Name):
            raise FormulaError(f"`{piece}` is not allowed: call functions by name, e.g. sin(x)")
        name = node.func.id
        if name.startswith("_"):
            raise FormulaError(_UNDERSCORE.format(name=name))
        if name in VARIABLES or name in CONSTANTS:
            raise FormulaError(f"`{name}` is not a function, so `{piece}` is not allowed")
        func = ALIASES.get(name, name)
        if func not in FUNCTIONS:
            raise FormulaError(f"unknown function `{name}` in `{piece}`")
        if node.keywords:
            raise FormulaError(f"keyword arguments like `{piece}` are not allowed")
        if any(isinstance(arg, ast.Starred) for arg in node.args):
            raise FormulaError(f"starred arguments like `{piece}` are not allowed")
        if len(node.args) != 1:
            raise FormulaError(
                f"`{name}` takes exactly 1 argument, but `{piece}` gives it {len(node.args)}"
            )
        return Call(func, self.convert(node.args[0]))

    def _check_finite(self, tree: Expr, node: ast.AST) -> None:
        (value,) = evaluate([tree], {})
        if np.isnan(value):
            raise FormulaError(f"`{self._piece(node)}` is not finite: it is undefined (nan)")
        if np.isinf(value):
            infinity = "-infinity" if value < 0 else "infinity"
            raise FormulaError(f"`{self._piece(node)}` is not finite: it evaluates to {infinity}")

    def _piece(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.source, node) or ast.unparse(node)


def _symbol(op: ast.AST) -> str:
    symbols = {
        ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<",
        ast.RShift: ">>", ast.BitOr: "|", ast.BitAnd: "&", ast.Not: "not", ast.Invert: "~",
    }  # fmt: skip
    return symbols.get(type(op), type(op).__name__)
