"""Uploaded CSV files: good ones become datasets, broken ones explain themselves."""

import numpy as np
import pytest

from engine.tabular import (
    MAX_BYTES,
    MAX_COLUMNS,
    MAX_ROWS,
    CSVError,
    numeric_columns,
    read_csv,
    to_dataset,
    why_not_numeric,
)


def csv_bytes(rows, header="a,b,label"):
    return (header + "\n" + "\n".join(",".join(map(str, r)) for r in rows) + "\n").encode()


GOOD = [(i, 2 * i % 7, "cat" if i % 2 else "dog") for i in range(20)]


def test_a_good_file():
    table = read_csv(csv_bytes(GOOD))
    assert table.columns == ["a", "b", "label"]
    assert numeric_columns(table) == ["a", "b"]
    data = to_dataset(table, ["a", "b"], "label")
    assert data.classes == ["cat", "dog"]
    assert data.X.shape == (20, 2) and data.y.tolist() == [1, 0] * 10
    np.testing.assert_allclose(data.X.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(data.X.std(axis=0), 1)


def test_semicolons_tabs_bom_and_blank_lines():
    text = "\ufeffx;y;class\n" + "\n".join(f"{i};{i * i};{i % 3}" for i in range(12)) + "\n\n"
    data = to_dataset(read_csv(text.encode("utf-8")), ["x", "y"], "class")
    assert data.classes == ["0", "1", "2"] and data.X.shape == (12, 2)


def test_numeric_labels_sort_as_numbers():
    rows = [(i, i % 5, [2, 10][i % 2]) for i in range(12)]
    assert to_dataset(read_csv(csv_bytes(rows)), ["a", "b"], "label").classes == ["2", "10"]


@pytest.mark.parametrize(("data", "message"), [
    (b"", "empty"),
    (b"   \n  ", "empty"),
    ("a,b,label\n1,2,x\n".encode("utf-16"), "UTF-8"),
    (b"a,b,label\n" + b"\xff\xfe" * 10, "UTF-8"),
    (b"\x00\x01\x02PK", "binary"),
    (b"only_one_column\n" + b"1\n" * 20, "two columns"),
    (csv_bytes(GOOD[:5]), "at least 10"),
    (csv_bytes([*GOOD, (1, 2)]), "Line 22 has 2 values"),
    (csv_bytes(GOOD, header="a,a,label"), "own, non-empty name"),
    (b"a,b,label\n" + b"1,2,x\n" * (MAX_ROWS + 1), f"more than {MAX_ROWS} rows"),
    (b"x" * (MAX_BYTES + 1), "limit"),
    ((",".join(f"c{i}" for i in range(MAX_COLUMNS + 1)) + "\n").encode() * 12, "columns"),
])
def test_broken_files_are_explained(data, message):
    with pytest.raises(CSVError, match=message):
        read_csv(data)


@pytest.mark.parametrize(("rows", "features", "message"), [
    ([*GOOD[:15], (1, "oops", "cat")], ["a", "b"], "'b' is not numeric: line 17 has 'oops'"),
    ([*GOOD[:15], (1, "inf", "cat")], ["a", "b"], "'inf' on line 17"),
    ([*GOOD[:9], (1, "nan", "cat")], ["a", "b"], "Only 9 rows have a value in every "
                                                 "chosen feature column .1 have a missing"),
    ([(i, i, "cat") for i in range(12)], ["a", "b"], "only one class"),
    ([(i, i, str(i)) for i in range(12)], ["a", "b"], "12 different values"),
    ([(1, i, i % 2) for i in range(12)], ["a", "b"], "'a' has the same value"),
    (GOOD, [], "at least one feature"),
    (GOOD, ["a", "label"], "can't also be a feature"),
    (GOOD, ["a", "zzz"], "No column named 'zzz'"),
])
def test_unusable_columns_are_explained(rows, features, message):
    with pytest.raises(CSVError, match=message):
        to_dataset(read_csv(csv_bytes(rows)), features, "label")


def test_missing_label():
    rows = [*GOOD[:15], (1, 2, "")]
    with pytest.raises(CSVError, match="label column 'label' is empty on line 17"):
        to_dataset(read_csv(csv_bytes(rows)), ["a", "b"], "label")


def test_no_numeric_column_names_the_first_cell_that_is_not_a_number():
    text = "x1;x2;label\n" + "\n".join(f"{i},5;0,{i};{'ab'[i % 2]}" for i in range(12))
    table = read_csv(text.encode())
    assert numeric_columns(table) == []
    assert why_not_numeric(table, ["x1", "x2"]) == (
        "No column besides the label holds only numbers, so there is no feature to train "
        "on: 'x1' reads '0,5' on line 2. A decimal comma? Write numbers with a point (0.5 "
        "rather than 0,5).")


def test_labels_written_as_the_same_number_are_one_class():
    text = "a,b,label\n" + "\n".join(f"{i},{(i * 7) % 11},{['1', '1.0', '0', '0.00'][i % 4]}"
                                     for i in range(12))
    data = to_dataset(read_csv(text.encode()), ["a", "b"], "label")
    assert data.classes == ["0", "1"]
    assert list(data.y[:4]) == [1, 1, 0, 0]
    big = "a,b,label\n" + "\n".join(f"{i},{(i * 7) % 11},{123456789 + i % 2}" for i in range(12))
    assert to_dataset(read_csv(big.encode()), ["a", "b"], "label").classes == [
        "123456789", "123456790"]  # not both '1.23457e+08'


@pytest.mark.parametrize("missing", ["nan", "NaN", "", " NA ", "null"])
def test_a_missing_value_leaves_out_its_row_not_its_column(missing):
    """Issue 21: a NaN in a column used to drop the whole column (it was not offered as a
    feature); it drops the rows that contain it, and says which."""
    rows = [*GOOD[:5], (5, missing, "cat"), *GOOD[6:12], (missing, 3, "dog"), *GOOD[13:]]
    table = read_csv(csv_bytes(rows))
    assert numeric_columns(table) == ["a", "b"]
    data = to_dataset(table, ["a", "b"], "label")
    assert data.dropped == (7, 14)  # file lines: the header is line 1
    kept = [r for k, r in enumerate(GOOD) if k not in (5, 12)]
    X = np.array([r[:2] for r in kept], dtype=float)
    np.testing.assert_allclose(data.X, (X - X.mean(axis=0)) / X.std(axis=0))
    assert data.y.tolist() == [int(r[2] == "dog") for r in kept]
    # a column of nothing but missing values is no feature
    empty = read_csv(csv_bytes([(i, "nan", "cat" if i % 2 else "dog") for i in range(12)]))
    assert numeric_columns(empty) == ["a"]
