"""The lab's own-CSV input: upload or paste; a broken file is explained, the last good
one stays in use."""

from __future__ import annotations

import hashlib

import streamlit as st

from engine.tabular import (
    CSVError,
    not_a_number,
    numeric_columns,
    read_csv,
    to_dataset,
    why_not_numeric,
)
from ui.markdown import escape

UPLOADS = "lab_csv_uploads"  # how many uploaders there were: each rejection makes a new one
REJECTED = "lab_csv_rejected"  # (file name, why) of the last upload that could not be used
COLUMN_CHOICES = ("lab_csv_label", "lab_csv_features")  # a new file chooses afresh


def _uploader_key() -> str:
    return f"lab_csv_file_{st.session_state.get(UPLOADS, 0)}"


def _uploaded() -> None:
    """A file arrived in the uploader: one that can't be used is not kept in it (it would
    stay listed beside the file actually in use), and why is kept for the page to say."""
    state = st.session_state
    upload = state.get(_uploader_key())
    if upload is None:
        return  # removed by the user: the file in use stays
    try:
        read_csv(upload.getvalue())
    except CSVError as error:
        state[REJECTED] = (upload.name, str(error))
        state[UPLOADS] = state.get(UPLOADS, 0) + 1  # a fresh, empty uploader
        return
    state.pop(REJECTED, None)


def csv_given() -> bool:
    """Has the user given a file or text, usable or not?"""
    state = st.session_state
    return bool(state.get(_uploader_key()) or state.get("lab_csv_text") or REJECTED in state
                or state.get("lab_csv_table") is not None)


def _use(table, digest: str, name: str) -> None:
    """A new table: its columns are chosen afresh (the last file's choice may not fit)."""
    state = st.session_state
    if digest != state.get("lab_csv_hash"):
        state["lab_csv_table"], state["lab_csv_hash"], state["lab_csv_name"] = (
            table, digest, name)
        for key in (*COLUMN_CHOICES, REJECTED):
            state.pop(key, None)


def csv_controls(side, notices: list[str]):
    """Upload or paste; a broken file is explained and the last good one stays."""
    state = st.session_state
    upload = side.file_uploader("CSV file (header row; up to 1 MB)", type=["csv", "txt"],
                                key=_uploader_key(), max_upload_size=1,  # MB, as it says
                                on_change=_uploaded)
    pasted = side.text_area("…or paste CSV text", key="lab_csv_text", height=100)
    previous = state.get("lab_csv_table") is not None
    raw, name = ((upload.getvalue(), upload.name) if upload is not None
                 else (pasted.encode("utf-8"), "the pasted text") if pasted else (None, ""))
    if raw:
        try:
            _use(read_csv(raw), hashlib.sha256(raw).hexdigest()[:16], name)
        except CSVError as error:
            side.error(f"That text can't be used: {error}", icon=":material/warning:")
            notices.append(f"The CSV text can't be used: {error}"
                           + (" The previous file is still in use." if previous else ""))
    if REJECTED in state:  # until another file or text is taken
        name, why = state[REJECTED]
        side.error(f"{escape(name)} can't be used: {why}", icon=":material/warning:")
        notices.append(f"The CSV file {escape(name)} can't be used: {why}"
                       + (f" The previous file is still in use: "
                          f"{escape(state['lab_csv_name'])}." if previous else ""))
    table = state.get("lab_csv_table")
    if table is None:
        return None
    side.caption(f"In use: {escape(state['lab_csv_name'])} ({len(table.rows)} rows, "
                 f"{len(table.columns)} columns).")
    numeric = numeric_columns(table)
    label = side.selectbox("Label column", table.columns, key="lab_csv_label",
                           index=len(table.columns) - 1)
    choices = [c for c in numeric if c != label]
    if not choices:
        problem = why_not_numeric(table, [c for c in table.columns if c != label])
        side.error(problem, icon=":material/warning:")
        notices.append(f"The CSV file can't be used yet: {problem}")
        return None
    default = choices[:2]
    features = side.multiselect("Feature columns (numeric)", choices, default=default,
                                key="lab_csv_features")
    skipped = [c for c in table.columns if c != label and c not in numeric]
    if skipped:  # say why a column the user expected is not offered
        side.caption("Not offered, not numbers: " + " ".join(
            escape(not_a_number(table, c)) for c in skipped[:3])
            + (f" (and {len(skipped) - 3} more)" if len(skipped) > 3 else ""))
    unused = [c for c in choices if c not in features]
    if unused:  # the first two are chosen for the boundary: say which others there are
        why = (" Two features let the lab draw the decision boundary; add others to train "
               "on them too (the boundary is then not drawn)." if len(features) == 2 else "")
        side.caption(f"Not used: {', '.join(escape(c) for c in unused)}.{why}")
    try:
        data = to_dataset(table, features, label)
    except CSVError as error:
        side.error(str(error), icon=":material/warning:")
        notices.append(f"The CSV columns can't be used: {error}")
        return None
    if data.dropped:
        lines = ", ".join(map(str, data.dropped[:8])) + (", …" if len(data.dropped) > 8 else "")
        text = (f"{len(data.dropped)} row{'s' * (len(data.dropped) > 1)} with a missing value "
                f"(NaN or empty) in a feature column left out (line"
                f"{'s' * (len(data.dropped) > 1)} {lines}); {len(data.y)} rows used.")
        side.caption(text)
        notices.append(f"Your CSV file: {text}")
    return data
