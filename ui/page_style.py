"""A few CSS rules every page shares, for narrow (phone) screens.

Wide formulas and tables scroll inside their own box instead of making the whole page
scroll sideways: at 390 px a surface's formula (KaTeX, whose hidden MathML copy for
screen readers is as wide as the formula) and the playground's results table are wider
than the screen.
"""

from __future__ import annotations

import streamlit as st

CSS = """<style>
[data-testid="stMain"] .katex-display { overflow-x: auto; overflow-y: hidden; }
[data-testid="stMain"] [data-testid="stMarkdownContainer"] table {
  display: block; overflow-x: auto; max-width: 100%; }
</style>"""


def page_style() -> None:
    st.html(CSS)
