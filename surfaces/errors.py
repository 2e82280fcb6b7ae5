"""FormulaError: a rejected formula, explained in plain words."""

from .functions import ALIASES, FUNCTIONS

_FUNCTION_NAMES = ", ".join([*FUNCTIONS, *ALIASES])

ALLOWED = (
    "Allowed: the variables x and y, the constants pi and e, numbers like 2 or 0.5, "
    "the operators `+ - * / **` with parentheses, and the functions "
    f"{_FUNCTION_NAMES}, each called with one argument, e.g. sin(x)."
)


class FormulaError(ValueError):
    """A user formula (or its bounds or start) was rejected.

    The message says what is wrong, quoting the offending piece, then what is allowed.
    `problem` and `hint` hold the two parts separately for UIs that lay them out.
    """

    def __init__(self, problem: str, hint: str = ALLOWED):
        self.problem = problem
        self.hint = hint
        super().__init__(f"{problem}\n{hint}")
