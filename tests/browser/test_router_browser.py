"""A deep link that is a fresh server's very first request still gets the app's router.

Streamlit starts in its legacy `pages/`-folder mode until app.py has called
st.navigation once; ui/router.py switches a page opened in that mode back to
app.py. This needs a server nobody has visited, so it starts its own.
"""

from bench._server import stop
from tests.browser.conftest import ARTIFACTS, _start_server
from tests.browser.helpers import address, assert_no_exception, open_page, wait_for_charts


def test_first_request_of_a_fresh_server_can_be_a_deep_link(page, browser_errors):
    process, url = _start_server(ARTIFACTS / "streamlit-fresh-server.log")
    try:
        open_page(page, url, "playground?surface=valley")
        assert_no_exception(page)
        nav = page.locator('[data-testid="stSidebarNav"]')
        # app.py's titles, not the file names the legacy mode would show
        assert nav.get_by_text("Optimizer playground", exact=True).count() == 1
        assert nav.get_by_text("Home", exact=True).count() == 1
        assert page.locator("h1").first.inner_text() == "Optimizer playground"
        # the race map and the curves: wait for both (the curves may still be on their
        # way when the map is drawn, which once failed this check on a busy machine)
        assert wait_for_charts(page, count=2) == 2
        assert "surface=valley" in address(page)
    finally:
        stop(process)
    assert not browser_errors
