"""Keep deep links on the app's own router (st.navigation in app.py).

Streamlit starts every server in its legacy multipage mode when a `pages/`
folder sits next to app.py, and leaves it only once app.py has called
st.navigation. Until then a first visitor who opens a deep link such as
/playground gets the page script run on its own: the wrong navigation and no
page config. Each page calls `use_app_router()` first; in legacy mode it
switches the server to app.py's router and reruns, so app.py routes the link.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def use_app_router() -> None:
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False  # what st.navigation itself does
        st.rerun()
