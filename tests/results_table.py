"""The playground's results as the page shows them, a markdown table, read back."""

import re

import pandas as pd

_CELL_BORDER = re.compile(r"(?<!\\)\|")  # a | that is not escaped


def results(at) -> pd.DataFrame:
    """The results table of an AppTest run of the playground, one row per optimizer."""
    text = next(m.value for m in at.markdown if m.value.startswith("| optimizer |"))
    rows = [[re.sub(r"\\(.)", r"\1", cell.strip()) for cell in _CELL_BORDER.split(line)[1:-1]]
            for line in text.splitlines()]
    header, _rule, *body = rows
    return pd.DataFrame(body, columns=header)
