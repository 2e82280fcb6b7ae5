"""ui.url_state: strict parsers, forgiving loading, and links that replace settings."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui import url_state
from ui.concepts import gradients as gradients_page
from ui.concepts import losses as loss_page
from ui.lab import sidebar as lab_controls
from ui.playground import sidebar as playground

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.mark.parametrize(("parse", "good", "value"), [
    (url_state.number_in((0.01, 0.1, 1.0)), "0.1", 0.1),
    (url_state.number_in((0.01, 0.1, 1.0)), "1e-1", 0.1),
    (url_state.number_between(1, 10, integer=True), "7", 7),
    (url_state.number_between(1, 1000, integer=True), "1e3", 1000),  # whole, however written
    (url_state.number_between(0.0, 1.0), "0.25", 0.25),
    (url_state.one_of(("a", "b")), "b", "b"),
    (url_state.subset_of(("a", "b", "c")), "c,a,c", ["c", "a"]),
    (url_state.boolean, "1", True),
])
def test_parsers_accept_good_values(parse, good, value):
    assert parse(good) == value


@pytest.mark.parametrize(("parse", "bad"), [
    (url_state.number_in((0.01, 0.1)), "0.2"),
    (url_state.number_in((0.01, 0.1)), "nan"),
    (url_state.number_between(1, 10, integer=True), "7.5"),
    (url_state.number_between(1, 10, integer=True), "11"),
    (url_state.number_between(0.0, 1.0), "inf"),
    (url_state.number_between(0.0, 1.0), "nan"),
    (url_state.one_of(("a", "b")), "c"),
    (url_state.subset_of(("a", "b")), "a,z"),
    (url_state.boolean, "yes"),
])
def test_parsers_reject_bad_values_with_value_error(parse, bad):
    with pytest.raises(ValueError):
        parse(bad)


@pytest.mark.parametrize(("parse", "bad", "message"), [
    (url_state.number_between(1, 10, integer=True), "7.5", "'7.5' is not a whole number"),
    (url_state.number_between(1, 10, integer=True), "abc", "'abc' is not a number"),
    # issue 21: a whole number too large for the slider (or for a float) is too large
    (url_state.number_between(1, 10, integer=True), "1e308", "1e308 is too large: the "
                                                             "largest is 10"),
    (url_state.number_between(1, 10, integer=True), "1e999", "1e999 is too large"),
    (url_state.number_between(1, 10, integer=True), "1e3", "1e3 is too large"),
    (url_state.number_between(1, 10, integer=True), "-1e308", "-1e308 is too small: the "
                                                              "smallest is 1"),
    (url_state.number_between(0.0, 1.0), "1e308", "1e308 is too large: the largest is 1"),
    (url_state.number_between(1, 10, integer=True), "inf", "inf is too large"),
    (url_state.number_between(0.0, 1.0), "abc", "'abc' is not a number"),
    (url_state.number_in((0.01, 0.1)), "0,1", "'0,1' is not a number"),
    (url_state.number_between(-1e6, 1e6), "nan", "'nan' is not a number"),  # not "outside"
])
def test_a_bad_number_is_explained_in_words_not_pythons(parse, bad, message):
    with pytest.raises(ValueError, match=message):  # not "invalid literal for int() …"
        parse(bad)


def test_a_link_followed_inside_the_session_replaces_the_settings():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/playground.py").run()
    next(s for s in at.sidebar.select_slider if s.key == "sgd_lr").set_value(0.001).run()
    assert at.query_params["sgd_lr"] == "0.001"
    # a link to another race (e.g. from the home page) brings its own settings
    at.query_params.clear()
    at.query_params["surface"] = "bowl"
    at.run()
    assert not at.exception
    assert at.sidebar.selectbox[0].value == "bowl"
    assert next(s for s in at.sidebar.select_slider if s.key == "sgd_lr").value == 0.05


def test_an_empty_query_string_keeps_what_the_user_had():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/playground.py").run()
    at.sidebar.selectbox[0].set_value("rastrigin").run()
    at.query_params.clear()  # e.g. a click in the sidebar navigation
    at.run()
    assert at.sidebar.selectbox[0].value == "rastrigin"
    assert at.query_params["surface"] == "rastrigin"  # and the URL says so again


def _fields_by_state_key():
    fields = [*playground.FIELDS, *gradients_page.FIELDS, *loss_page.FIELDS,
              *lab_controls._prefixed_fields()]
    return {f.session_key: f for f in fields}


@pytest.mark.parametrize(("page", "query"), [
    ("pages/playground.py", {}), ("pages/gradients.py", {}), ("pages/losses.py", {}),
    ("pages/lab.py", {}), ("pages/lab.py", {"mode": "bagging"}),
    ("pages/lab.py", {"mode": "compare"})])
def test_a_link_accepts_exactly_the_numbers_its_widget_can_show(page, query):
    """A link value the parser accepts goes into the widget: outside the widget's range,
    Streamlit would raise (steps=5 once did, under a Steps slider starting at 10)."""
    fields = _fields_by_state_key()
    at = AppTest.from_file(APP, default_timeout=60).run()
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(page).run()
    assert not at.exception
    assert not [i.value for i in at.info if "ignored" in i.value]  # the link was taken
    checked = 0
    for widget in [*at.slider, *at.number_input]:
        field = fields.get(widget.key)
        if field is None or widget.min is None or widget.max is None:
            continue  # the playground's start x, y: no fixed range (moved onto the map)
        if page == "pages/playground.py" and widget.key == "step":
            continue  # its range is the race's length: held to it in sidebar._shown_step
        for inside in (widget.min, widget.max):
            field.parse(field.format(type(widget.value)(inside)))
        # just outside: one step, and for whole numbers one unit (steps=5 under a 10)
        unit = 1 if isinstance(widget.value, int) else widget.step
        for outside in (widget.min - unit, widget.max + unit):
            with pytest.raises(ValueError):
                field.parse(field.format(type(widget.value)(outside)))
        checked += 1
    assert checked >= 1


def test_a_list_keeps_its_known_items_and_names_the_others():
    parse = url_state.subset_of(("a", "b", "c"))
    with pytest.raises(url_state.PartlyUnderstood, match="'z', 'y' are not one of") as kept:
        parse("c,z,a,y,c")
    assert kept.value.value == ["c", "a"]
    with pytest.raises(ValueError, match="'z' is not one of") as nothing:
        parse("z")
    assert not isinstance(nothing.value, url_state.PartlyUnderstood)  # the default, then


def test_a_link_with_one_unknown_optimizer_keeps_the_others():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.query_params["opts"] = "sgd,foo,adam"
    at.switch_page("pages/playground.py").run()
    assert not at.exception
    assert at.sidebar.multiselect[0].value == ["sgd", "adam"]
    notices = [i.value for i in at.info if "ignored" in i.value]
    assert len(notices) == 1 and "'foo' is not one of" in notices[0]
    assert notices[0].endswith("kept sgd,adam")
    assert at.query_params["opts"] == "sgd,adam"  # the link now says what is shown


def test_a_late_echo_of_an_address_the_page_wrote_does_not_undo_the_widgets():
    # Fast key presses: the browser's next rerun still carries the address an earlier run
    # wrote. The widget's newest value must win, and the address must follow it.
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/losses.py").run()
    for value in (1.1, 1.2):
        next(s for s in at.slider if s.key == "c2").set_value(value).run()
    assert at.query_params["c2"] == "1.2"
    next(s for s in at.slider if s.key == "c2").set_value(1.3)
    at.query_params["c2"] = "1.1"  # an older address, still in the browser, with the press
    at.run()
    assert not at.exception
    assert next(s for s in at.slider if s.key == "c2").value == 1.3
    assert at.query_params["c2"] == "1.3"
