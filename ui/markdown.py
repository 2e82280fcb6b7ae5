"""Text from users (column names, formulas) shown inside Streamlit's Markdown."""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_$|\[\]<>])")  # emphasis, code, LaTeX, table cells, links, HTML


def escape(text: object) -> str:
    """`text` as it reads, with every character Markdown would act on escaped."""
    return _SPECIAL.sub(r"\\\1", str(text))
