"""The built-in datasets: shapes, classes, determinism, the course's coffee data, Iris."""

import json

import numpy as np
import pytest

from engine.data import builtin, builtin_defaults, builtin_names, describe_builtins
from engine.errors import DatasetError

EXPECTED = {
    "coffee": ("binary", 2),
    "xor": ("binary", 2),
    "circles": ("binary", 2),
    "moons": ("binary", 2),
    "spiral2": ("binary", 2),
    "spiral3": ("multiclass", 2),
    "blobs": ("multiclass", 2),
    "sine": ("regression", 1),
    "linear": ("regression", 1),
    "iris": ("multiclass", 4),
}


def test_names_and_descriptions():
    assert builtin_names() == list(EXPECTED)
    described = describe_builtins()
    assert [n for n, _ in described] == builtin_names()
    assert all(d and "\n" not in d for _, d in described)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_every_builtin_is_a_consistent_dataset(name):
    ds = builtin(name)
    task, n_features = EXPECTED[name]
    defaults = builtin_defaults(name)
    assert (ds.task, ds.n_features, ds.name) == (task, n_features, name)
    assert ds.n_samples == defaults["n_samples"] and defaults["task"] == task
    assert ds.x.dtype == np.float32 and ds.y.shape == (ds.n_samples, 1)
    assert np.isfinite(ds.x).all()
    assert json.loads(json.dumps(ds.source)) == ds.source and ds.source["kind"] == "builtin"
    if ds.class_names:
        counts = list(ds.class_counts().values())
        assert min(counts) > 0
        if name not in ("coffee", "xor"):  # generated balanced, up to one sample
            assert max(counts) - min(counts) <= (0 if name == "iris" else 1)


@pytest.mark.parametrize("name", [n for n in EXPECTED if n != "iris"])
def test_same_seed_same_data_other_seed_other_data(name):
    a, b, c = builtin(name, seed=1), builtin(name, seed=1), builtin(name, seed=2)
    assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y)
    assert not np.array_equal(a.x, c.x)


@pytest.mark.parametrize("name", ["circles", "moons", "spiral3", "blobs", "sine", "linear"])
def test_sample_count_and_noise_controls(name):
    ds = builtin(name, n_samples=75, noise=0.0)
    assert ds.n_samples == 75 and ds.source["noise"] == 0.0
    noisy = builtin(name, n_samples=75, noise=builtin_defaults(name)["noise_range"][1])
    assert not np.array_equal(noisy.x, ds.x) or not np.array_equal(noisy.y, ds.y)


def test_coffee_follows_the_course_rule_and_ranges():
    ds = builtin("coffee")
    t, d = ds.x[:, 0].astype(np.float64), ds.x[:, 1].astype(np.float64)
    assert ds.n_samples == 200 and ds.class_names == ["bad", "good"]
    assert ds.feature_names == ["Temperature (°C)", "Duration (min)"]
    assert t.min() >= 150 and t.max() <= 285 and d.min() >= 11.5 and d.max() <= 15.5
    good = (t > 175) & (t < 260) & (d > 12) & (d < 15) & (d <= -3 / 85 * t + 21 + 1e-4)
    assert np.array_equal(ds.y[:, 0] == 1, good)


def test_coffee_seed_2_is_the_course_data():
    # The course prints these extremes before normalising its load_coffee_data() output.
    ds = builtin("coffee", seed=2)
    np.testing.assert_allclose(ds.x.max(0), [284.99, 15.45], atol=0.01)
    np.testing.assert_allclose(ds.x.min(0), [151.32, 11.51], atol=0.01)


def test_coffee_noise_flips_labels():
    clean, noisy = builtin("coffee"), builtin("coffee", noise=0.2)
    assert np.array_equal(clean.x, noisy.x)
    assert 0.1 < np.mean(clean.y != noisy.y) < 0.3


def test_xor_and_circles_labels_follow_geometry():
    xor = builtin("xor", noise=0.0)
    assert np.array_equal(xor.y[:, 0] == 1, (xor.x[:, 0] > 0) != (xor.x[:, 1] > 0))
    circles = builtin("circles", noise=0.0)
    r = np.hypot(circles.x[:, 0], circles.x[:, 1])
    assert np.array_equal(circles.y[:, 0] == 1, r <= 0.5)


def test_regression_sets_follow_their_formula():
    sine = builtin("sine", noise=0.0)
    np.testing.assert_allclose(sine.y[:, 0], np.sin(sine.x[:, 0]), atol=1e-5)
    linear = builtin("linear", noise=0.0)
    np.testing.assert_allclose(linear.y[:, 0], 200 * linear.x[:, 0] + 100, rtol=1e-5)


def test_iris_is_fishers_data():
    ds = builtin("iris")
    assert ds.x.shape == (150, 4) and ds.class_names == ["setosa", "versicolor", "virginica"]
    np.testing.assert_allclose(ds.x.mean(0), [5.843, 3.057, 3.758, 1.199], atol=1e-3)
    np.testing.assert_allclose(ds.x[0], [5.1, 3.5, 1.4, 0.2], rtol=1e-6)
    np.testing.assert_allclose(ds.x[-1], [5.9, 3.0, 5.1, 1.8], rtol=1e-6)
    assert ds.y[:50].max() == 0 and (ds.y[50:100] == 1).all() and (ds.y[100:] == 2).all()


def test_shuffled_so_a_tail_validation_split_sees_every_class():
    for name in ("circles", "moons", "spiral3", "blobs"):
        ds = builtin(name)
        assert len(np.unique(ds.y[-ds.n_samples // 5 :])) == ds.n_classes


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"name": "mnist"}, "expected one of"),
        ({"name": "moons", "n_samples": 1}, "between 2"),
        ({"name": "moons", "n_samples": 2.5}, "whole number"),
        ({"name": "moons", "noise": -1}, ">= 0"),
        ({"name": "coffee", "noise": 2}, "fraction"),
        ({"name": "iris", "n_samples": 10}, "exactly 150"),
    ],
)
def test_bad_arguments(kwargs, fragment):
    with pytest.raises(DatasetError) as info:
        builtin(**kwargs)
    assert fragment in str(info.value)


def test_defaults_describe_the_sliders():
    d = builtin_defaults("moons")
    assert d["n_samples"] == 200 and d["noise_range"][0] == 0.0 and d["noise_meaning"]
    assert builtin_defaults("iris")["noise"] is None
