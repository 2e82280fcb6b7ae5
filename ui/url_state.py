"""Settings in the URL: read when a link brings new ones, forgivingly; written back after
every run.

A page declares its settings as Fields. When the query string differs from the one
the page last wrote (a shared link was opened, or a link inside the app was
followed), `load` parses it: a good value goes into st.session_state under the
field's key (the widget with that key then shows it); an unknown or malformed
value is dropped with a notice, never an exception. A link followed inside a
session replaces the page's settings, so the page shows exactly what the link
says; an empty query string (a click in the sidebar) changes nothing. `save`
writes the current values back, leaving out those equal to their defaults, so a
link is short and says exactly what differs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx


@dataclass(frozen=True)
class Field:
    key: str  # URL parameter name (and session-state key unless state_key is given)
    parse: Callable[[str], Any]  # raises ValueError for a bad value
    format: Callable[[Any], str] = str
    state_key: str | None = None

    @property
    def session_key(self) -> str:
        return self.state_key or self.key


def _number(text: str, integer: bool = False) -> float | int:
    """float(text), or for `integer` a whole number however it is written ("1000", "1e3"),
    with a message for the page rather than Python's own ("invalid literal for int() with
    base 10: '1e3'"). A number too large for a float ("1e999") comes back as ±inf, for the
    range check to call it too large or too small, not "not a whole number"."""
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if not integer or math.isinf(value):
        return value
    if math.isnan(value):
        raise ValueError(f"{text!r} is not a number")
    if not value.is_integer():
        raise ValueError(f"{text!r} is not a whole number")
    try:
        return int(text)  # exact, also beyond 2⁵³
    except ValueError:
        return int(value)


def number_in(options: Sequence[float]) -> Callable[[str], float]:
    """Parser for a value that must be one of `options` (the stops of a select slider)."""
    def parse(text: str) -> float:
        value = _number(text)
        for option in options:
            if math.isclose(value, option, rel_tol=1e-9, abs_tol=1e-15):
                return option
        raise ValueError(f"{text} is not one of the slider's values")
    return parse


def number_between(low: float, high: float, *, integer: bool = False) -> Callable[[str], Any]:
    def parse(text: str) -> float | int:
        value = _number(text, integer)
        if math.isnan(value):
            raise ValueError(f"{text!r} is not a number")
        if value > high:
            raise ValueError(f"{text} is too large: the largest is {high:g}")
        if value < low:
            raise ValueError(f"{text} is too small: the smallest is {low:g}")
        return value
    return parse


def one_of(choices: Sequence[str]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in choices:
            raise ValueError(f"{text!r} is not one of {', '.join(choices)}")
        return text
    return parse


class PartlyUnderstood(ValueError):
    """Part of a value was bad: `load` keeps `value`, the good part, and says what it left."""

    def __init__(self, message: str, value: Any):
        super().__init__(message)
        self.value = value


def subset_of(choices: Sequence[str]) -> Callable[[str], list[str]]:
    """Parser for a comma-separated list of choices: unknown items are left out, and
    only a list with no known item at all is rejected."""
    def parse(text: str) -> list[str]:
        items = tuple(dict.fromkeys(item for item in text.split(",") if item))  # order kept
        known = [item for item in items if item in choices]
        unknown = [item for item in items if item not in choices]
        if not unknown:
            return known
        verb = "is" if len(unknown) == 1 else "are"
        message = (f"{', '.join(repr(item) for item in unknown)} {verb} not one of "
                   f"{', '.join(choices)}")
        if not known:
            raise ValueError(message)
        raise PartlyUnderstood(message, known)
    return parse


def boolean(text: str) -> bool:
    if text not in ("0", "1"):
        raise ValueError(f"{text!r} is not 0 or 1")
    return text == "1"


def format_bool(value: bool) -> str:
    return "1" if value else "0"


def format_number(value: float) -> str:
    return f"{value:.12g}"


def format_list(values: Sequence[str]) -> str:
    return ",".join(values)


def _seen_key(page: str) -> str:
    return f"_url_seen_{page}"


WRITTEN = 32  # how many of the query strings it wrote a page remembers


def _written_key(page: str) -> str:
    return f"_url_written_{page}"


_PAGE_BEFORE, _PAGE_NOW = "_url_page_before", "_url_page_now"


def note_page(page: str) -> None:
    """The router calls this before each run of a page: a link from another page is
    never an echo (see `load`)."""
    st.session_state[_PAGE_BEFORE] = st.session_state.get(_PAGE_NOW)
    st.session_state[_PAGE_NOW] = page


def _entered(page: str) -> bool:
    """Whether this run brings the page on screen (from another page), rather than
    rerunning the page on screen. Its widgets' values went with the other page's run, so
    a link's settings must be read again even if the page had written that address."""
    return st.session_state.get(_PAGE_BEFORE, page) != page


def _an_echo(page: str, query: dict[str, str]) -> bool:
    """Whether `query` is one the page itself wrote earlier in this session, arriving late
    in a rerun of the page on screen (not the browser's back or forward buttons)."""
    ctx = get_script_run_ctx()
    if getattr(ctx, "is_history_navigation", False):
        return False
    return query in st.session_state.get(_written_key(page), [])


def load(page: str, fields: Sequence[Field], *, max_text: int = 300) -> list[str]:
    """Copy good values from a new query string into session state.

    Returns a notice per ignored parameter. Values longer than `max_text` are ignored
    (a tampered URL must not cost much to parse).

    A query string the page itself wrote earlier is an echo, not a link: with fast key
    presses the browser sends the next rerun before it has taken the address the last
    run wrote, and that stale address would undo the presses. The widgets keep their
    values, and `save` writes them back to the address.
    """
    current = st.query_params.to_dict()
    seen = st.session_state.get(_seen_key(page))
    entered = _entered(page)
    if current == seen and not entered:
        return []
    if seen is not None and not entered and _an_echo(page, current):
        return []
    st.session_state[_seen_key(page)] = current
    if not current:
        return []
    if seen is not None:  # a link followed inside the session: start from the defaults
        for field in fields:
            st.session_state.pop(field.session_key, None)
    known = {field.key: field for field in fields}
    notices = []
    for name in list(st.query_params.keys()):
        text = st.query_params.get(name, "")
        field = known.get(name)
        if field is None:
            notices.append(f"ignored the unknown setting `{name[:40]}` in the link")
            continue
        try:
            if len(text) > max_text:
                raise ValueError("the value is too long")
            st.session_state[field.session_key] = field.parse(text)
        except PartlyUnderstood as error:
            st.session_state[field.session_key] = error.value
            notices.append(f"ignored part of `{name}={text[:40]}` from the link: {error}; "
                           f"kept {field.format(error.value)}")
        except (ValueError, TypeError, OverflowError) as error:
            notices.append(f"ignored `{name}={text[:40]}` from the link: {error}; "
                           "using the default instead")
    return notices


def save(page: str, fields: Sequence[Field], values: dict[str, Any],
         defaults: dict[str, Any]) -> None:
    """Make the URL hold every value that differs from its default, and nothing else."""
    wanted = {}
    for f in fields:
        if values.get(f.key) is None:
            continue
        text = f.format(values[f.key])
        if f.key not in defaults or text != f.format(defaults[f.key]):
            wanted[f.key] = text
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)
    st.session_state[_seen_key(page)] = wanted
    written = st.session_state.setdefault(_written_key(page), [])
    if not written or written[-1] != wanted:
        written.append(wanted)
        del written[:-WRITTEN]
