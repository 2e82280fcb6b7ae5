"""Share what is on screen: the page's full link (every setting is in its query string),
and the same page ready to embed in another web page (Streamlit's own `?embed=true`)."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

EMBED_HEIGHT = 800  # px: the iframe snippet's height; a page scrolls inside it


def page_link(query: dict[str, str], url: str | None, *, embed: bool = False) -> str:
    """The link to `url` (the page, without its query) with `query`, optionally embedded.
    Without a URL (no browser: a test runner) the link is relative."""
    params = {**query, **({"embed": "true"} if embed else {})}
    base = url or ""
    return f"{base}?{urlencode(params)}" if params else base or "?"


def iframe_snippet(link: str, title: str) -> str:
    escaped = link.replace("&", "&amp;").replace('"', "&quot;")
    return (f'<iframe src="{escaped}" title="{title}" width="100%" '
            f'height="{EMBED_HEIGHT}" style="border:0" loading="lazy"></iframe>')


def share_controls(title: str, where=None) -> None:
    """A "Share" popover: the link to exactly this view, and an embed snippet. Call it
    after the page has written its settings to the URL (ui.url_state.save)."""
    query = st.query_params.to_dict()
    url = st.context.url
    with (where or st.sidebar).popover("Share this view", icon=":material/share:",
                                       use_container_width=True):
        st.caption("Link to exactly what is on screen (copy with the button at its right):")
        st.code(page_link(query, url), language=None, wrap_lines=True)
        st.caption("Embed it in a course page or a blog:")
        st.code(iframe_snippet(page_link(query, url, embed=True), f"{title} · Descent"),
                language="html", wrap_lines=True)
