"""A big CSV file is cut at line ends into parts that threads parse at once. Whatever the
file holds, the Dataset or the message must be exactly what one read of the whole file gives."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_data_csv_properties import SETTINGS, csv_texts

from engine.data import csv_read, load_csv
from engine.errors import DatasetError


def outcome(path, target, monkeypatch, parts: int, **kwargs):
    """load_csv's Dataset (as plain values) or DatasetError message, read in `parts` parts."""
    with monkeypatch.context() as m:
        m.setattr(csv_read, "PARALLEL_MIN_BYTES", 0)
        m.setattr(csv_read, "_n_parts", lambda: parts)
        try:
            ds = load_csv(path, target, **kwargs)
        except DatasetError as exc:
            return "error", str(exc)
    return (
        ds.x.tolist(),
        ds.y.tolist(),
        ds.feature_names,
        ds.class_names,
        ds.task,
        ds.source,
        ds.notes,
    )


@pytest.fixture
def spy(monkeypatch):
    """Records what each parallel read returned: a list of parts, or None (read again whole)."""
    results = []
    real = csv_read._read_in_parallel

    def recording(*args):
        results.append(real(*args))
        return results[-1]

    monkeypatch.setattr(csv_read, "_read_in_parallel", recording)
    return results


def mixed_table(n_rows: int) -> str:
    """An ID column, a text feature to one-hot encode, a missing cell, a text target."""
    lines = ["id,colour,a,b,label"]
    for i in range(n_rows):
        a = "" if i == n_rows // 2 else f"{i * 0.5:g}"
        lines.append(
            f"{1000 + i},{['red', 'green', 'blue'][i % 3]},{a},{-i}e-3,{'yes' if i % 4 else 'no'}"
        )
    return "\n".join(lines) + "\n"


def test_parts_are_parsed_and_joined_in_file_order(tmp_path, monkeypatch, spy):
    path = tmp_path / "mixed.csv"
    path.write_text(mixed_table(3000))
    kwargs = dict(features=["colour", "a", "b"], drop_missing=True)
    whole = outcome(path, "label", monkeypatch, parts=1, **kwargs)
    assert spy == []  # one part: no threads at all
    for parts in (2, 3, 4):
        assert outcome(path, "label", monkeypatch, parts=parts, **kwargs) == whole
    assert len(spy) == 3 and [len(p) for p in spy] == [2, 3, 4]  # no fallback needed
    x, y, names, classes, _, _, notes = whole
    assert len(x) == 2999 and any("Dropped 1 of 3000 rows" in n for n in notes)
    assert names[:3] == ["colour=blue", "colour=green", "colour=red"] and classes == ["no", "yes"]


def test_a_cut_inside_a_quoted_field_reads_the_file_again_whole(tmp_path, monkeypatch, spy):
    # One quoted cell spans the middle of the file with many line ends inside it, so the cut
    # meant for the middle lands inside the quotes.
    note = '"' + "line\n" * 2000 + '"'
    rows = [f"{i},{'a' if i % 2 else 'b'},x" for i in range(200)]
    rows[100] = f"100,a,{note}"
    path = tmp_path / "quoted.csv"
    path.write_text("v,y,note\n" + "\n".join(rows) + "\n")
    whole = outcome(path, "y", monkeypatch, parts=1, features=["v"])
    assert outcome(path, "y", monkeypatch, parts=2, features=["v"]) == whole
    assert spy == [None]
    assert len(whole[0]) == 200 and whole[0][100] == [100.0]


@pytest.mark.parametrize("fault", ["ragged", "text in a number column", "missing"])
def test_a_fault_in_a_late_part_gets_the_message_of_a_whole_read(tmp_path, monkeypatch, spy, fault):
    rows = [f"{i},{i % 2}" for i in range(4000)]
    rows[3500] = {"ragged": "3500,1,7", "text in a number column": "3500x,1", "missing": ",1"}[
        fault
    ]
    path = tmp_path / "fault.csv"
    path.write_text("a,y\n" + "\n".join(rows) + "\n")
    whole = outcome(path, "y", monkeypatch, parts=1)
    assert whole[0] == "error" and "line 3502" in whole[1]
    assert outcome(path, "y", monkeypatch, parts=3) == whole


@pytest.mark.parametrize("part", [0, 1])
def test_a_ragged_first_row_of_a_part_is_reported(tmp_path, monkeypatch, spy, part):
    # pandas reports a too-long first row with a warning, not an error; a part that saw one
    # must not be trusted.
    path = tmp_path / "ragged.csv"
    rows = [f"{i},{i % 2}" for i in range(4000)]
    path.write_text("a,y\n" + "\n".join(rows) + "\n")
    monkeypatch.setattr(csv_read, "_n_parts", lambda: 2)
    monkeypatch.setattr(csv_read, "PARALLEL_MIN_BYTES", 0)
    cut = csv_read._cut_points(csv_read.CsvInput.from_path(path))[1]
    first = 0 if part == 0 else path.read_bytes()[:cut].count(b"\n") - 1
    rows[first] += ",7"
    path.write_text("a,y\n" + "\n".join(rows) + "\n")
    whole = outcome(path, "y", monkeypatch, parts=1)
    assert whole == (
        "error",
        f"{path}, line {first + 2}: this row has 3 fields but the header "
        f"has 2 (comma-separated): '{rows[first]}'. A value containing a comma "
        "must be in double quotes. Fix or remove that row.",
    )
    assert outcome(path, "y", monkeypatch, parts=2) == whole
    assert spy == [None]


def test_a_trailing_delimiter_on_the_first_row_of_a_part_is_still_an_error(
    tmp_path, monkeypatch, spy
):
    # pandas lets a file's first row end in one delimiter too many and refuses it on any
    # later row; a part's first row must count as a later row. (Found by the property below.)
    path = tmp_path / "trailing.csv"
    path.write_bytes(b"\xef\xbb\xbf-1, green ,0.000e+00\r\n4.979e-158,yes,-100,")
    whole = outcome(path, 0, monkeypatch, parts=1)
    assert whole[0] == "error" and "line 2" in whole[1]
    assert outcome(path, 0, monkeypatch, parts=2) == whole
    assert spy == [None]


@SETTINGS
@given(
    data=csv_texts(),
    target=st.sampled_from(["y", 0, -1]),
    drop=st.booleans(),
    parts=st.integers(2, 4),
)
def test_any_text_reads_the_same_in_parts_as_whole(tmp_path_factory, data, target, drop, parts):
    path = tmp_path_factory.getbasetemp() / "parts_fuzz.csv"
    path.write_bytes(data)
    with pytest.MonkeyPatch.context() as monkeypatch:
        whole = outcome(path, target, monkeypatch, parts=1, drop_missing=drop)
        cut = outcome(path, target, monkeypatch, parts=parts, drop_missing=drop)
    assert cut == whole


def test_small_files_and_one_core_read_in_one_piece(tmp_path, monkeypatch, spy):
    path = tmp_path / "small.csv"
    path.write_text(mixed_table(50))
    load_csv(path, "label", features=["a", "b"], drop_missing=True)  # real threshold: 4 MB
    monkeypatch.setattr(csv_read, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(csv_read, "_n_parts", lambda: 1)
    ds = load_csv(path, "label", features=["a", "b"], drop_missing=True)
    assert spy == [] and ds.n_samples == 49
    assert np.isfinite(ds.x).all()
