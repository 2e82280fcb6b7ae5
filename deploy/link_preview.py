"""Give link previews Descent's name and a description.

A chat app or a course platform that previews a shared link fetches the page without
running its JavaScript, so it sees Streamlit's own static index.html, titled
"Streamlit". (The browser tab is titled by the app itself: "Optimizer playground ·
Descent".) The Dockerfile runs this once at build time to write Descent's title and
Open Graph tags into that file; every page gets the same preview, since the server
sends the same file for every path.

    python deploy/link_preview.py          # patches the installed Streamlit's index.html
"""

from __future__ import annotations

import html
import re
from pathlib import Path

TITLE = "Descent: see how neural networks learn"
DESCRIPTION = ("Race optimizers down loss surfaces, train small neural networks live, and "
               "see softmax, cross-entropy and unstable gradients at work: every setting "
               "in the link.")
MARK = '<meta name="descent-preview" content="1">'


def with_preview(page: str) -> str:
    """Streamlit's index.html with Descent's title and preview tags (once)."""
    if MARK in page:
        return page
    title, description = html.escape(TITLE), html.escape(DESCRIPTION)
    tags = (f'{MARK}<meta name="description" content="{description}">'
            f'<meta property="og:title" content="{title}">'
            f'<meta property="og:description" content="{description}">'
            '<meta property="og:type" content="website">'
            f'<meta name="twitter:card" content="summary">')
    page, count = re.subn(r"<title>[^<]*</title>", f"<title>{title}</title>{tags}", page,
                          count=1)
    if count != 1:
        raise ValueError("no <title> in Streamlit's index.html")
    return page


def installed_index() -> Path:
    import streamlit  # only here: the tests import with_preview without Streamlit

    return Path(streamlit.__file__).parent / "static" / "index.html"


def main() -> None:
    path = installed_index()
    path.write_text(with_preview(path.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"{path}: titled {TITLE!r}")


if __name__ == "__main__":
    main()
