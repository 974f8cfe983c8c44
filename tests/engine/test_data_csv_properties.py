"""Property tests: whatever text the CSV loader is fed, it returns a consistent Dataset or
raises DatasetError, never anything else; and well-formed tables read back exactly."""

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.data import Dataset, load_csv, load_npz, load_source
from engine.errors import DatasetError

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

numbers = st.one_of(
    st.integers(-1000, 1000).map(str),
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(repr),
    st.floats(-1e3, 1e3).map(lambda v: f"{v:.3e}"),
)
labels = st.sampled_from(["yes", "no", "red", "blue", " green ", '"a, b"'])
oddities = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "NA",
            "?",
            "nan",
            "inf",
            "1e400",
            "1,5",
            '"',
            'a"b',
            "-",
            ".",
            "1.2.3",
            "１２",
            "é",
            "\t",
            '"x\ny"',
        ]
    ),
    st.text(alphabet='ab,;\t"\n\r 0123456789.eE-+', max_size=6),
)


@st.composite
def csv_texts(draw):
    """Tables that look like CSV (numeric and label columns, a header or not), with now and
    then an odd cell, a ragged row, stray bytes or a cut."""
    n_cols = draw(st.sampled_from([1, 2, 2, 3, 3, 4, 5]))
    delim = draw(st.sampled_from([",", ";", "\t"]))
    kinds = [draw(st.sampled_from(["num", "num", "num", "label"])) for _ in range(n_cols)]
    header = [
        draw(st.sampled_from(["a", "b", "id", "", "a b", "x"])) + str(i) for i in range(n_cols)
    ]
    if draw(st.booleans()):
        header[-1] = "y"
    rows = []
    for _ in range(draw(st.integers(0, 12))):
        row = [
            draw(oddities)
            if draw(st.integers(0, 15)) == 0
            else draw(numbers if kind == "num" else labels)
            for kind in kinds
        ]
        if draw(st.integers(0, 15)) == 0:  # ragged
            row = row[:-1] if draw(st.booleans()) else [*row, "9"]
        rows.append(row)
    lines = ([delim.join(header)] if draw(st.booleans()) else []) + [delim.join(r) for r in rows]
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    text = eol.join(lines) + draw(st.sampled_from(["", eol, eol * 3]))
    data = (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + text.encode("utf-8")
    for _ in range(draw(st.sampled_from([0, 0, 0, 0, 1, 2]))):  # mangle
        op = draw(st.sampled_from(["insert", "delete", "truncate"]))
        pos = draw(st.integers(0, len(data)))
        if op == "insert":
            data = data[:pos] + draw(st.binary(min_size=1, max_size=3)) + data[pos:]
        elif op == "delete":
            data = data[:pos] + data[pos + 1 :]
        else:
            data = data[:pos]
    return data


def assert_consistent(ds: Dataset) -> None:
    n, f = ds.x.shape
    assert n >= 1 and f >= 1
    assert ds.x.dtype == np.float32 and ds.x.flags.c_contiguous and np.isfinite(ds.x).all()
    assert ds.y.shape == (n, 1) and ds.y.dtype == np.float32 and np.isfinite(ds.y).all()
    assert len(ds.feature_names) == f == ds.n_features and ds.n_samples == n
    assert ds.target_name not in ds.feature_names
    if ds.class_names is None:
        assert ds.task == "regression" and ds.n_classes == 1
    else:
        k = len(ds.class_names)
        assert k >= 2 and ds.n_classes == k
        assert ds.task == ("binary" if k == 2 else "multiclass")
        assert set(np.unique(ds.y).tolist()) <= set(range(k))
    assert json.loads(json.dumps(ds.source)) == ds.source


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("csv_properties")


@SETTINGS
@given(
    data=csv_texts(),
    target=st.sampled_from(["y", 0, -1]),
    drop=st.booleans(),
    target_type=st.sampled_from(["auto", "classes", "values"]),
)
def test_any_text_loads_consistently_or_raises_dataset_error(
    folder, data, target, drop, target_type
):
    path = folder / "fuzz.csv"
    path.write_bytes(data)
    try:
        ds = load_csv(path, target, drop_missing=drop, target_type=target_type)
    except DatasetError as exc:
        assert str(exc)  # noqa: PT017 - a message for the person, never empty
        return
    assert_consistent(ds)
    again = load_source(ds.source)  # the recorded source makes the same dataset again
    assert np.array_equal(again.x, ds.x) and np.array_equal(again.y, ds.y)


@st.composite
def clean_tables(draw):
    n_rows = draw(st.integers(2, 15))
    n_feat = draw(st.integers(1, 4))
    values = draw(
        st.lists(
            st.lists(st.floats(-1e6, 1e6, width=32), min_size=n_feat, max_size=n_feat),
            min_size=n_rows,
            max_size=n_rows,
        )
    )
    labels = draw(
        st.lists(
            st.sampled_from(["cat", "dog", "bird, small", "Élan"]), min_size=n_rows, max_size=n_rows
        ).filter(lambda v: len(set(v)) > 1)
    )
    return np.array(values, dtype=np.float32), labels


@SETTINGS
@given(
    table=clean_tables(),
    delim=st.sampled_from([",", ";", "\t"]),
    eol=st.sampled_from(["\n", "\r\n"]),
    bom=st.booleans(),
    fmt=st.sampled_from(["{:.9g}", "{:.9e}", "{!r}"]),
    with_id=st.booleans(),
)
def test_well_formed_tables_read_back_exactly(folder, table, delim, eol, bom, fmt, with_id):
    x, labels = table
    header = (["id"] if with_id else []) + [f"f{j}" for j in range(x.shape[1])] + ["label"]
    lines = [delim.join(header)]
    for i, (row, label) in enumerate(zip(x.tolist(), labels)):
        cells = ([str(1000 + i)] if with_id else []) + [fmt.format(v) for v in row]
        quoted = f'"{label}"' if (delim in label or "," in label) else label
        lines.append(delim.join(cells + [quoted]))
    text = eol.join(lines) + eol
    path = folder / "clean.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    features = [f"f{j}" for j in range(x.shape[1])]
    ds = load_csv(path, "label", features=features)
    assert ds.source["delimiter"] == delim and ds.source["header"] is True
    assert np.array_equal(ds.x, x)
    assert ds.class_names == sorted(set(labels), key=lambda s: s.casefold())
    assert [ds.class_names[int(i)] for i in ds.y[:, 0]] == labels


def _npz_bytes() -> bytes:
    import io

    buf = io.BytesIO()
    np.savez(
        buf,
        x=np.arange(6.0).reshape(3, 2),
        y=np.array([0, 1, 0]),
        feature_names=np.array(["a", "b"]),
    )
    return buf.getvalue()


NPZ = _npz_bytes()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    edits=st.lists(st.tuples(st.integers(0, len(NPZ) - 1), st.integers(0, 255)), max_size=4),
    cut=st.integers(0, len(NPZ)),
)
def test_damaged_npz_loads_or_raises_dataset_error(folder, edits, cut):
    data = bytearray(NPZ)
    for pos, value in edits:
        data[pos] = value
    path = folder / "damaged.npz"
    path.write_bytes(bytes(data[: max(cut, len(NPZ) - 40)] if cut % 2 else data))
    try:
        ds = load_npz(path)
    except DatasetError as exc:
        assert str(exc)  # noqa: PT017 - hypothesis: any input may or may not fail
        return
    assert_consistent(ds)
