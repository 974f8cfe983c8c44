"""load_csv and preview_csv on real-world files, and every kind of bad input."""

import os

import numpy as np
import pytest

from engine.data import csv_read, load_csv, load_csv_bytes, load_source, preview_csv
from engine.errors import DatasetError


@pytest.fixture(autouse=True, params=["one thread", "three parts"])
def read_mode(request, monkeypatch):
    """Every test here runs twice: as a small file is read (one thread), and with even these
    small files cut into three parts parsed at once, as a big file is. Results and messages
    must not depend on it."""
    if request.param == "three parts":
        monkeypatch.setattr(csv_read, "PARALLEL_MIN_BYTES", 0)
        monkeypatch.setattr(csv_read, "_n_parts", lambda: 3)
    return request.param


@pytest.fixture
def write(tmp_path):
    def _write(content, name="data.csv"):
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        return path

    return _write


def error_of(path, target="y", **kwargs):
    with pytest.raises(DatasetError) as info:
        load_csv(path, target, **kwargs)
    return str(info.value)


# -- real files -------------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiter_is_detected(write, delimiter):
    text = "\n".join(
        delimiter.join(r)
        for r in [["a", "b", "y"], ["1", "2", "0"], ["3", "4", "1"], ["5", "6", "1"]]
    )
    ds = load_csv(write(text), "y")
    assert ds.x.tolist() == [[1, 2], [3, 4], [5, 6]]
    assert ds.source["delimiter"] == delimiter


def test_semicolon_file_with_decimal_commas(write):
    ds = load_csv(write("a;b;y\n1,5;2;0\n-0,25;3,0;1\n"), "y")
    assert ds.x.tolist() == [[1.5, 2.0], [-0.25, 3.0]]
    assert any("decimal comma" in n for n in ds.notes)


def test_header_detection(write):
    with_header = load_csv(write("x1,x2,label\n1,2,a\n3,4,b\n"), "label")
    assert with_header.feature_names == ["x1", "x2"] and with_header.n_samples == 2
    without = load_csv(write("1,2,0\n3,4,1\n5,6,1\n", "nohead.csv"), 2)
    assert without.n_samples == 3 and without.feature_names == ["column 1", "column 2"]
    assert without.source["header"] is False
    forced = load_csv(write("1,2,0\n3,4,1\n5,6,0\n", "forced.csv"), "0", header=True)
    assert forced.n_samples == 2 and forced.feature_names == ["1", "2"]


def test_quoted_fields_bom_crlf_blank_lines_and_exponents(write):
    text = '\ufeff"size, m²","weight",y\r\n"1.5e2", 2E-3 ,"yes"\r\n\r\n-3.25e+1,4,"no"\r\n\r\n\r\n'
    ds = load_csv(write(text), "y")
    assert ds.feature_names == ["size, m²", "weight"]
    np.testing.assert_allclose(ds.x, [[150, 0.002], [-32.5, 4]], rtol=1e-6)
    assert ds.class_names == ["no", "yes"] and ds.y[:, 0].tolist() == [1, 0]


def test_trailing_delimiter_column_is_left_out(write):
    ds = load_csv(write("a,b,y,\n1,2,0,\n3,4,1,\n"), "y")
    assert ds.feature_names == ["a", "b"] and ds.x.tolist() == [[1, 2], [3, 4]]
    assert any("'column 4'" in n for n in ds.notes)


def test_id_column_left_out_of_features(write):
    path = write("id,a,b,y\n101,1,2,0\n102,3,4,1\n103,5,6,1\n")
    ds = load_csv(path, "y", features=["a", "b"])
    assert ds.feature_names == ["a", "b"] and ds.x.tolist() == [[1, 2], [3, 4], [5, 6]]
    by_index = load_csv(path, 3, features=[1, 2])
    assert np.array_equal(by_index.x, ds.x)
    assert preview_csv(path).id_columns == ["id"]


def test_text_target_classes_in_natural_order(write):
    ds = load_csv(write("a,y\n1,class 10\n2,class 2\n3,Class 1\n4,class 2\n"), "y")
    assert ds.class_names == ["Class 1", "class 2", "class 10"]
    assert ds.y[:, 0].tolist() == [2, 1, 0, 1]
    assert ds.task == "multiclass"


def test_numeric_target_auto_classes_or_values(write):
    few = load_csv(write("a,y\n" + "".join(f"{i},{i % 3}\n" for i in range(12))), "y")
    assert few.task == "multiclass" and few.class_names == ["0", "1", "2"]
    assert any("treated as classes" in n for n in few.notes)
    values = load_csv(
        write("a,y\n" + "".join(f"{i},{i % 3}\n" for i in range(12)), "v.csv"),
        "y",
        target_type="values",
    )
    assert values.task == "regression" and values.y[:, 0].tolist() == [i % 3 for i in range(12)]
    real = load_csv(write("a,y\n1,0.5\n2,1.5\n3,2.25\n", "r.csv"), "y")
    assert real.task == "regression" and real.class_names is None
    forced = load_csv(write("a,y\n1,0.5\n2,1.5\n3,0.5\n", "f.csv"), "y", target_type="classes")
    assert forced.class_names == ["0.5", "1.5"]
    legacy = load_csv(write("a,y\n1,0\n2,1\n3,0\n4,1\n", "l.csv"), "y", categorical_targets=False)
    assert legacy.task == "regression"


def test_one_hot_text_features(write):
    path = write("color,size,y\nred,1,a\nblue,2,b\ngreen,3,a\nred,4,b\n")
    ds = load_csv(path, "y")
    assert ds.feature_names == ["color=blue", "color=green", "color=red", "size"]
    assert ds.x.tolist() == [[0, 0, 1, 1], [1, 0, 0, 2], [0, 1, 0, 3], [0, 0, 1, 4]]
    coded = load_csv(path, "y", one_hot=["color", "size"])
    assert coded.feature_names[-4:] == ["size=1", "size=2", "size=3", "size=4"]
    msg = error_of(path, one_hot=False)
    assert "line 2" in msg and "'color'" in msg and "'red'" in msg and "one_hot" in msg


def test_one_hot_refuses_free_text(write):
    rows = "".join(f"name{i},{i},{i % 2}\n" for i in range(150))
    msg = error_of(write("name,a,y\n" + rows))
    assert "'name'" in msg and "150 different texts" in msg


def test_drop_missing_reports_rows(write):
    path = write("a,b,y\n1,2,0\n3,,1\nNA,4,1\n5,6,1\n7,8,0\n")
    ds = load_csv(path, "y", drop_missing=True)
    assert ds.x.tolist() == [[1, 2], [5, 6], [7, 8]]
    assert ds.notes[0] == "Dropped 2 of 5 rows with a missing value (lines 3, 4)."
    assert ds.source["drop_missing"] is True


def test_missing_value_in_unused_column_is_fine(write):
    ds = load_csv(write("id,a,y\n,1,0\n2,3,1\n"), "y", features=["a"])
    assert ds.x.tolist() == [[1], [3]]


def test_source_reloads_the_same_dataset(write):
    path = write("id;color;b;y\n1;red;2,5;no\n2;blue;3;yes\n3;red;1;no\n")
    ds = load_csv(path, "y", features=["color", "b"])
    again = load_source(ds.source)
    assert np.array_equal(again.x, ds.x) and again.class_names == ds.class_names
    assert again.feature_names == ds.feature_names


def test_load_csv_bytes_names_its_label():
    with pytest.raises(DatasetError, match=r"dataset.csv, line 3, column 'a'"):
        load_csv_bytes(b"a,y\n1,0\nx,1\n2,0\n", "y")


def test_preview_for_the_import_dialog(write):
    rows = "".join(f"{i};{i * 0.5};{'yes' if i % 2 else 'no'}\n" for i in range(40))
    p = preview_csv(write("n;value;label\n" + rows), n_rows=5)
    assert (p.delimiter, p.delimiter_name, p.has_header) == (";", "semicolon", True)
    assert p.columns == ["n", "value", "label"]
    assert p.column_kinds == ["numeric", "numeric", "text"]
    assert p.rows[0] == ["0", "0.0", "no"] and len(p.rows) == 5
    assert p.n_rows_total == 40 and p.n_rows_exact
    assert p.suggested_target == "label"
    override = preview_csv(write("n;value;label\n" + rows, "o.csv"), delimiter=",")
    assert override.columns == ["n;value;label"]


def test_preview_counts_rows_of_a_file_bigger_than_its_head(write):
    rows = "".join(f"{i},{i % 7},{i % 2}\n" for i in range(40_000))
    p = preview_csv(write("a,b,y\n" + rows), n_rows=3)
    assert p.n_rows_total == 40_000 and len(p.rows) == 3


# -- bad input: one DatasetError naming file, line, column and text ---------------------------


def test_missing_value(write):
    msg = error_of(write("a,b,y\n1,2,0\n3,,1\n"))
    assert "data.csv, line 3, column 'b'" in msg and "missing" in msg
    assert "drop_missing=True" in msg


def test_non_numeric_cell(write):
    msg = error_of(write("a,b,y\n1,2,0\n3,4,1\n5,abc,1\n"))
    assert "data.csv, line 4, column 'b'" in msg and "'abc' is not a number" in msg


def test_non_numeric_cell_beyond_the_sniffed_head(write):
    rows = "".join(f"{i},{i % 5},{i % 2}\n" for i in range(30_000))
    msg = error_of(write("a,b,y\n" + rows + "7,seven,1\n"))
    assert "line 30002, column 'b'" in msg and "'seven'" in msg


def test_non_numeric_target_value(write):
    msg = error_of(write("a,y\n1,0.5\n2,1.5\n3,abc\n4,2.5\n"), target_type="values")
    assert "line 4, column 'y'" in msg and "'abc'" in msg and "delete the row" in msg


def test_non_finite_number(write):
    msg = error_of(write("a,b,y\n1,2,0\n3,1e39,1\n"))
    assert "line 3, column 'b'" in msg and "'1e39'" in msg


@pytest.mark.parametrize(("row", "fields"), [("3,4", 2), ("3,4,1,9", 4)])
def test_ragged_row(write, row, fields):
    msg = error_of(write(f"a,b,y\n1,2,0\n{row}\n5,6,1\n"))
    assert "line 3" in msg and f"has {fields} fields" in msg and "header has 3" in msg
    assert repr(row) in msg


def test_unclosed_quote(write):
    msg = error_of(write('a,b,y\n1,"2,0\n3,4,1\n'))
    assert "line 2" in msg and "quote" in msg


@pytest.mark.parametrize("content", ["", "\n\n  \r\n", "\ufeff"])
def test_empty_file(write, content):
    assert "empty" in error_of(write(content))


def test_header_only(write):
    assert "no data rows" in error_of(write("a,b,y\n"))


def test_single_column(write):
    msg = error_of(write("y\n1\n2\n3\n"))
    assert "only one column" in msg and "delimiter" in msg


def test_duplicate_column_names(write):
    msg = error_of(write("a,b,a,y\n1,2,3,0\n"))
    assert "line 1" in msg and "'a' appears twice" in msg and "columns 1 and 3" in msg


def test_unknown_target_and_feature_list_the_columns(write):
    path = write("a,b,y\n1,2,0\n3,4,1\n")
    msg = error_of(path, target="label")
    assert "'label'" in msg and "'a', 'b', 'y'" in msg
    msg = error_of(path, features=["a", "c"])
    assert "'c'" in msg and "'a', 'b', 'y'" in msg
    assert "out of range" in error_of(path, target=5)
    assert "also listed as a feature" in error_of(path, features=["a", "y"])


def test_missing_file(tmp_path):
    msg = error_of(tmp_path / "nope.csv")
    assert "nope.csv" in msg and "not found" in msg
    assert "is a folder" in error_of(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(write):
    path = write("a,y\n1,0\n")
    path.chmod(0)
    assert "cannot be read" in error_of(path)


def test_unreadable_file_is_reported(write, monkeypatch):
    path = write("a,y\n1,0\n")

    def deny(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    # Files are opened through engine.files.open_regular (which refuses FIFOs and devices).
    monkeypatch.setattr("engine.data.csv_sniff.open_regular", deny)
    msg = error_of(path)
    assert "cannot be read" in msg and "Permission denied" in msg


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"a,b\x00\x01\x02,y\n", "binary"),
        (b"PK\x03\x04\x14\x00", "xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1", ".xls"),
    ],
)
def test_binary_file(write, content, fragment):
    assert fragment in error_of(write(content))


def test_not_utf8(write):
    msg = error_of(write("a,b,y\n1,2,café\n".encode("latin-1")))
    assert "line 2" in msg and "not UTF-8" in msg and "0xE9" in msg


def test_not_utf8_beyond_the_sniffed_head(write):
    rows = "".join(f"{i},{i % 5},no\n" for i in range(40_000))
    msg = error_of(write(("a,b,y\n" + rows).encode() + "9,9,sí\n".encode("latin-1")))
    assert "line 40002" in msg and "not UTF-8" in msg


def test_one_class_target(write):
    msg = error_of(write("a,y\n1,yes\n2,yes\n"))
    assert "only one class" in msg and "'yes'" in msg


def test_nothing_is_half_loaded(write):
    """A failure late in the file raises; no Dataset (partial or not) comes back."""
    rows = "".join(f"{i},{i % 5},{i % 2}\n" for i in range(100))
    with pytest.raises(DatasetError):
        load_csv(write("a,b,y\n" + rows + "1,2\n"), "y")


def test_whitespace_only_cell_is_a_missing_value(write):
    msg = error_of(write("a;b;y\n1;2;0\n3;\t;1\n"))
    assert "line 3, column 'b'" in msg and "missing value" in msg
    ds = load_csv(write("a;b;y\n1;2;0\n3;\t;1\n5;6;1\n", "d.csv"), "y", drop_missing=True)
    assert ds.x.tolist() == [[1, 2], [5, 6]]


def test_unclosed_quote_at_the_end(write):
    msg = error_of(write('a,b,y\n1,2,0\n3,4,"1\n'))
    assert "line 3" in msg and "never closed" in msg


def test_a_file_whose_only_filled_column_is_the_target(write):
    # Found by the property test: ",,,,9" read as 1 sample x 0 features.
    msg = error_of(write(",,,,9\n,,,,8\n"), target=-1)
    assert "data.csv" in msg and "nothing to learn from" in msg


def test_numeric_classes_keep_their_value_order_as_in_npz(write, tmp_path):
    """-1/1 labels: -1 is class 0 and 1 the positive class, as load_npz orders them (the text
    order would put "1" before "-1")."""
    from engine.data import load_npz

    ds = load_csv(write("a,y\n1,-1\n2,1\n3,-1\n4,1\n"), "y", target_type="classes")
    assert ds.class_names == ["-1", "1"] and ds.y[:, 0].tolist() == [0, 1, 0, 1]
    np.savez(tmp_path / "same.npz", x=ds.x, y=np.array([-1, 1, -1, 1]))
    assert load_npz(tmp_path / "same.npz").class_names == ds.class_names


def test_fill_missing_with_the_column_mean(write):
    path = write("a,b,y\n1,2,0\n3,,1\nNA,4,1\n5,6,1\n7,8,0\n")
    ds = load_csv(path, "y", fill_missing="mean")
    # a's mean over its loaded values (1, 3, 5, 7) is 4; b's (2, 4, 6, 8) is 5.
    assert ds.x.tolist() == [[1, 2], [3, 5], [4, 4], [5, 6], [7, 8]]
    assert not np.isnan(ds.x).any()
    assert ds.source["fill_missing"] == "mean"
    assert any("mean" in note for note in ds.notes)
    again = load_source(ds.source)  # the project reloads it the same way
    assert np.array_equal(again.x, ds.x)
    assert "fill_missing" not in load_csv(write("a,y\n1,0\n2,1\n", "b.csv"), "y").source


def test_fill_missing_never_guesses_a_target(write):
    path = write("a,y\n1,0\n,1\n3,\n5,1\n")
    assert "missing target or text value" in error_of(path, fill_missing="mean")
    ds = load_csv(path, "y", fill_missing="mean", drop_missing=True)
    assert ds.x.tolist() == [[1], [3], [5]]
    assert "Dropped 1 of 4 rows with a missing value (line 4)." in ds.notes
    assert "fill_missing=" in error_of(path, fill_missing="median")
