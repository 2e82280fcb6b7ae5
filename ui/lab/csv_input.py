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


def csv_controls(side, notices: list[str]):
    """Upload or paste; a broken file is explained and the last good one stays."""
    state = st.session_state
    upload = side.file_uploader("CSV file (header row; up to 1 MB)", type=["csv", "txt"],
                                key="lab_csv_file", max_upload_size=1)  # MB, as it says
    pasted = side.text_area("…or paste CSV text", key="lab_csv_text", height=100)
    raw = upload.getvalue() if upload is not None else pasted.encode("utf-8") if pasted else None
    if raw:
        digest = hashlib.sha256(raw).hexdigest()[:16]
        try:
            table = read_csv(raw)
            if digest != state.get("lab_csv_hash"):
                state["lab_csv_table"], state["lab_csv_hash"] = table, digest
        except CSVError as error:
            side.error(f"That file can't be used: {error}", icon=":material/warning:")
            notices.append(f"The CSV file can't be used: {error}"
                           + (" The previous file is still in use." if
                              state.get("lab_csv_table") else ""))
    table = state.get("lab_csv_table")
    if table is None:
        return None
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
        return to_dataset(table, features, label)
    except CSVError as error:
        side.error(str(error), icon=":material/warning:")
        notices.append(f"The CSV columns can't be used: {error}")
        return None
