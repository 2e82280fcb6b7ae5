"""A user's CSV file as a classification dataset, checked line by line.

Uploaded files are untrusted: every limit is checked before the work it bounds,
and every problem becomes a CSVError whose message tells the user what to fix.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass

import numpy as np

MAX_BYTES = 1_000_000
MAX_ROWS = 5_000
MAX_COLUMNS = 30
MAX_CLASSES = 10
MIN_ROWS = 10
MAX_CELL = 100  # characters
# Cells that mean "no value" (compared stripped and in lower case): a row with one in a
# chosen feature column is left out; the column itself stays usable.
MISSING = frozenset({"", "nan", "na", "n/a", "null", "none"})


class CSVError(ValueError):
    """A problem with an uploaded file, explained for the person who uploaded it."""


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Dataset:
    X: np.ndarray  # (rows, features) float64, standardized: mean 0, standard deviation 1
    y: np.ndarray  # (rows,) int64 class index
    classes: list[str]  # class names, index = label
    features: list[str]
    dropped: tuple[int, ...] = ()  # file lines left out: a missing value in a feature


def read_csv(data: bytes) -> Table:
    """Decode and split a CSV file with a header row; raise CSVError if it can't be used."""
    if not data or not data.strip():
        raise CSVError("The file is empty.")
    if len(data) > MAX_BYTES:
        raise CSVError(f"The file is {len(data) / 1e6:.1f} MB; the limit is "
                       f"{MAX_BYTES / 1e6:g} MB.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CSVError("The file is not UTF-8 text (the byte at position "
                       f"{error.start} is not valid). Save it as 'CSV UTF-8'.") from None
    if "\x00" in text:
        raise CSVError("The file contains binary data, not comma-separated text.")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    lines = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(lines)
        rows = []
        for line in lines:
            if not any(cell.strip() for cell in line):
                continue  # blank lines are harmless
            rows.append(line)
            if len(rows) > MAX_ROWS:
                raise CSVError(f"The file has more than {MAX_ROWS} rows; the limit is "
                               f"{MAX_ROWS}.")
    except csv.Error as error:
        raise CSVError(f"The file could not be read as CSV: {error}.") from None
    columns = [name.strip() for name in header]
    _check_shape(columns, rows)
    return Table(columns, rows)


def _check_shape(columns: list[str], rows: list[list[str]]) -> None:
    if len(columns) < 2:
        raise CSVError("The file needs a header row and at least two columns (features "
                       "and a label), separated by commas.")
    if len(columns) > MAX_COLUMNS:
        raise CSVError(f"The file has {len(columns)} columns; the limit is {MAX_COLUMNS}.")
    if len(set(columns)) != len(columns) or not all(columns):
        raise CSVError("Every column needs its own, non-empty name in the header row.")
    if len(rows) < MIN_ROWS:
        raise CSVError(f"The file has {len(rows)} data rows; at least {MIN_ROWS} are needed.")
    for number, row in enumerate(rows, start=2):
        if len(row) != len(columns):
            raise CSVError(f"Line {number} has {len(row)} values but the header has "
                           f"{len(columns)} columns.")
        if any(len(cell) > MAX_CELL for cell in row):
            raise CSVError(f"Line {number} has a value longer than {MAX_CELL} characters.")


def numeric_columns(table: Table) -> list[str]:
    """The columns whose every value is a finite number or missing (NaN, empty: see
    MISSING), with at least one number."""
    return [name for i, name in enumerate(table.columns)
            if all(_is_number(row[i]) or _is_missing(row[i]) for row in table.rows)
            and not all(_is_missing(row[i]) for row in table.rows)]


def _is_missing(cell: str) -> bool:
    return cell.strip().lower() in MISSING


def not_a_number(table: Table, column: str) -> str | None:
    """Where `column` first holds something other than a number or a missing value, in
    words, or None."""
    i = table.columns.index(column)
    for r, row in enumerate(table.rows):
        cell = row[i].strip()
        if not (_is_number(cell) or _is_missing(cell)):
            comma = (f" A decimal comma? Write numbers with a point ({cell.replace(',', '.')} "
                     f"rather than {cell})." if re.fullmatch(r"-?\d+,\d+", cell) else "")
            return f"'{column}' reads {cell!r} on line {r + 2}.{comma}"
    return None


def why_not_numeric(table: Table, columns: list[str]) -> str:
    """Why none of `columns` can be a feature: the first cell that is not a number."""
    where = next((w for w in (not_a_number(table, c) for c in columns) if w), "")
    return ("No column besides the label holds only numbers, so there is no feature to "
            f"train on{': ' + where if where else '.'}")


def _is_number(cell: str) -> bool:
    try:
        return math.isfinite(float(cell))
    except ValueError:
        return False


def to_dataset(table: Table, features: list[str], label: str) -> Dataset:
    """Features as standardized floats, the label column as class indices."""
    if not features:
        raise CSVError("Choose at least one feature column.")
    if label in features:
        raise CSVError(f"The label column '{label}' can't also be a feature.")
    unknown = [c for c in [*features, label] if c not in table.columns]
    if unknown:
        raise CSVError(f"No column named {', '.join(repr(c) for c in unknown)}.")
    X = np.empty((len(table.rows), len(features)))
    for j, name in enumerate(features):
        i = table.columns.index(name)
        for r, row in enumerate(table.rows):
            X[r, j] = np.nan if _is_missing(row[i]) else _number(row[i], name, r + 2)
    gaps = np.isnan(X).any(axis=1)  # a missing value: the row is left out
    kept = np.flatnonzero(~gaps)
    if len(kept) < MIN_ROWS:
        raise CSVError(f"Only {len(kept)} rows have a value in every chosen feature column "
                       f"({int(gaps.sum())} have a missing one, such as NaN or an empty "
                       f"cell); at least {MIN_ROWS} are needed.")
    X = X[kept]
    i = table.columns.index(label)
    labels = [_label(table.rows[r][i]) for r in kept]
    missing = [int(r) + 2 for r, value in zip(kept, labels, strict=True) if value == ""]
    if missing:
        raise CSVError(f"The label column '{label}' is empty on line {missing[0]}.")
    classes = sorted(set(labels), key=_class_order)
    if len(classes) < 2:
        raise CSVError(f"The label column '{label}' has only one class ({classes[0]!r}): "
                       "a classifier needs at least two.")
    if len(classes) > MAX_CLASSES:
        raise CSVError(f"The label column '{label}' has {len(classes)} different values; "
                       f"the limit is {MAX_CLASSES} classes. Is it really a label?")
    index = {name: k for k, name in enumerate(classes)}
    y = np.array([index[value] for value in labels], dtype=np.int64)
    spread = X.std(axis=0)
    flat = [name for name, s in zip(features, spread, strict=True) if s == 0]
    if flat:
        raise CSVError(f"The feature '{flat[0]}' has the same value on every row, so it "
                       "can't help tell the classes apart.")
    return Dataset((X - X.mean(axis=0)) / spread, y, classes, list(features),
                   tuple(int(r) + 2 for r in np.flatnonzero(gaps)))


def _label(cell: str) -> str:
    """A class name; numbers written two ways ("1" and "1.0") are one class, named the
    short way."""
    text = cell.strip()
    try:
        value = float(text)
    except ValueError:
        return text
    if not math.isfinite(value):
        return text
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _number(cell: str, column: str, line: int) -> float:
    text = cell.strip()
    try:
        value = float(text)
    except ValueError:
        raise CSVError(f"The feature '{column}' is not numeric: line {line} has "
                       f"{text[:30]!r}.") from None
    if not math.isfinite(value):
        raise CSVError(f"The feature '{column}' has the value {text!r} on line {line}; "
                       "only finite numbers can be used.")
    return value


def _class_order(name: str):
    """Numbers in numeric order (2 before 10), then text."""
    try:
        return (0, float(name), "")
    except ValueError:
        return (1, 0.0, name)
