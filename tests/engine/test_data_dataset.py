"""Dataset: validation on construction, split, summaries, CSV and .npz round trips."""

import json

import numpy as np
import pytest

from engine.data import Dataset, builtin, load_csv_bytes, load_npz
from engine.errors import DatasetError, EngineError


def make(n=100, classes=("a", "b"), seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    y = rng.integers(0, len(classes), n) if classes else rng.normal(size=n)
    return Dataset(x, y, ["p", "q", "r"], "t", list(classes) if classes else None, name="d")


def test_arrays_are_float32_with_column_target():
    ds = make()
    assert ds.x.dtype == np.float32 and ds.x.shape == (100, 3) and ds.x.flags.c_contiguous
    assert ds.y.dtype == np.float32 and ds.y.shape == (100, 1)
    assert (ds.n_samples, ds.n_features, ds.n_classes, ds.task) == (100, 3, 2, "binary")


def test_task_follows_class_names():
    assert make(classes=("a", "b", "c")).task == "multiclass"
    reg = make(classes=None)
    assert (reg.task, reg.n_classes, reg.class_names, reg.class_counts()) == (
        "regression",
        1,
        None,
        {},
    )


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"x": np.zeros((3, 2)), "y": np.zeros(4)}, "same number of samples"),
        ({"x": np.zeros((3, 2, 1)), "y": np.zeros(3)}, "2-D"),
        ({"x": np.zeros((3, 2)), "y": np.zeros((3, 2))}, "(n_samples, 1)"),
        ({"x": [[1.0, np.nan]], "y": [0.0]}, "finite"),
        ({"x": [[1.0], [2.0]], "y": [0.0, 2.0], "class_names": ["a", "b"]}, "0..1"),
        ({"x": [[1.0]], "y": [0.0], "class_names": ["a"]}, "at least 2 classes"),
        ({"x": [[1.0, 2.0]], "y": [0.0], "feature_names": ["a"]}, "one name per feature"),
        (
            {"x": [[1.0, 2.0]], "y": [0.0], "feature_names": ["a", "t"], "target_name": "t"},
            "must all differ",
        ),
        ({"x": [[1.0]], "y": ["cat"]}, "must be numbers"),
    ],
)
def test_bad_arrays_are_refused(kwargs, fragment):
    with pytest.raises(DatasetError, match=None) as info:
        Dataset(**kwargs)
    assert fragment in str(info.value)
    assert isinstance(info.value, EngineError) and isinstance(info.value, ValueError)


def test_split_is_stratified_disjoint_and_complete():
    ds = make(n=200, classes=("a", "b", "c"))
    train, val, test = ds.split(validation=0.2, test=0.1, seed=3)
    assert (train.n_samples, val.n_samples, test.n_samples) == (140, 40, 20)
    rows = np.concatenate([train.x, val.x, test.x])
    assert sorted(map(tuple, rows.tolist())) == sorted(map(tuple, ds.x.tolist()))
    overall = np.array(list(ds.class_counts().values())) / ds.n_samples
    for part in (train, val, test):
        share = np.array(list(part.class_counts().values())) / part.n_samples
        assert np.abs(share - overall).max() < 0.06
        assert part.class_names == ds.class_names and part.task == ds.task


def test_split_is_deterministic_for_a_seed():
    ds = make(n=50)
    a, b = ds.split(seed=1), ds.split(seed=1)
    c = ds.split(seed=2)
    assert np.array_equal(a[1].x, b[1].x)
    assert not np.array_equal(a[1].x, c[1].x)


def test_split_regression_and_without_validation():
    ds = make(n=10, classes=None)
    train, val = ds.split(validation=0.0)
    assert (train.n_samples, val.n_samples) == (10, 0)
    train, val = ds.split(validation=0.01)  # a non-zero fraction gets at least one sample
    assert val.n_samples == 1


@pytest.mark.parametrize(("validation", "test"), [(1.0, 0.0), (-0.1, 0.0), (0.6, 0.5)])
def test_split_refuses_impossible_fractions(validation, test):
    with pytest.raises(DatasetError):
        make(n=10).split(validation=validation, test=test)


def test_describe_and_class_counts():
    ds = builtin("iris")
    assert ds.class_counts() == {"setosa": 50, "versicolor": 50, "virginica": 50}
    text = ds.describe()
    assert "150 samples" in text and "4 features" in text and "multiclass" in text
    assert "\n" not in text
    assert "regression" in builtin("sine").describe()


def test_y_one_hot():
    ds = make(classes=("a", "b", "c"))
    oh = ds.y_one_hot()
    assert oh.shape == (100, 3) and np.array_equal(oh.argmax(1), ds.y[:, 0].astype(int))
    with pytest.raises(DatasetError):
        make(classes=None).y_one_hot()


@pytest.mark.parametrize("name", ["coffee", "spiral3", "sine", "iris"])
def test_csv_bytes_round_trip_is_exact(name):
    ds = builtin(name)
    back = load_csv_bytes(ds.to_csv_bytes(), **ds.csv_params())
    assert np.array_equal(back.x, ds.x) and np.array_equal(back.y, ds.y)
    assert back.feature_names == ds.feature_names and back.target_name == ds.target_name
    assert back.class_names == ds.class_names


def test_csv_bytes_keep_awkward_names_and_unsorted_classes():
    x = np.array([[0.1], [1e-8], [3.4e38]], dtype=np.float32)
    classes = ["zeta", "alpha, beta", 'say "hi"']
    ds = Dataset(x, [1, 0, 2], ['a, "b"'], "label;x", classes)
    data = ds.to_csv_bytes()
    assert data.splitlines()[:2] == [b'"a, ""b""",label;x', b'0.1,"alpha, beta"']
    back = load_csv_bytes(data, **ds.csv_params())
    assert np.array_equal(back.x, ds.x) and np.array_equal(back.y, ds.y)
    assert back.class_names == classes and back.feature_names == ['a, "b"']


def test_source_is_json_safe():
    for ds in (builtin("moons"), builtin("iris")):
        assert json.loads(json.dumps(ds.source)) == ds.source


def test_npz_round_trip(tmp_path):
    ds = builtin("blobs", n_samples=30)
    ds.save_npz(tmp_path / "b.npz")
    back = load_npz(tmp_path / "b.npz")
    assert np.array_equal(back.x, ds.x) and np.array_equal(back.y, ds.y)
    assert (back.feature_names, back.target_name, back.class_names) == (
        ds.feature_names,
        ds.target_name,
        ds.class_names,
    )


def test_npz_integer_and_text_labels_become_classes(tmp_path):
    np.savez(tmp_path / "a.npz", x=np.arange(6.0).reshape(3, 2), y=np.array([5, 7, 5]))
    ds = load_npz(tmp_path / "a.npz")
    assert ds.class_names == ["5", "7"] and ds.y[:, 0].tolist() == [0, 1, 0]
    np.savez(tmp_path / "b.npz", x=np.ones((2, 1)), y=np.array(["yes", "no"]))
    assert load_npz(tmp_path / "b.npz").class_names == ["no", "yes"]
    np.savez(tmp_path / "c.npz", x=np.ones((2, 1)), y=np.array([0.5, 1.5]))
    assert load_npz(tmp_path / "c.npz").task == "regression"


def test_npz_refuses_pickles_and_missing_arrays(tmp_path):
    np.savez(tmp_path / "obj.npz", x=np.array([{"a": 1}], dtype=object), y=np.zeros(1))
    with pytest.raises(DatasetError, match="Python objects"):
        load_npz(tmp_path / "obj.npz")
    np.savez(tmp_path / "nox.npz", features=np.zeros((2, 2)), y=np.zeros(2))
    with pytest.raises(DatasetError, match="no array named 'x'.*features"):
        load_npz(tmp_path / "nox.npz")
    (tmp_path / "junk.npz").write_bytes(b"a,b\n1,2\n")
    with pytest.raises(DatasetError, match="junk.npz: is not an .npz archive"):
        load_npz(tmp_path / "junk.npz")
    (tmp_path / "cut.npz").write_bytes((tmp_path / "obj.npz").read_bytes()[:100])
    with pytest.raises(DatasetError, match="cut.npz: is not a readable .npz"):
        load_npz(tmp_path / "cut.npz")
    np.save(tmp_path / "one.npy", np.zeros(3))
    with pytest.raises(DatasetError, match="single .npy"):
        load_npz(tmp_path / "one.npy")
