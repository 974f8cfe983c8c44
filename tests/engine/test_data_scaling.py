"""Standardizer, MinMaxScaler and the identity scaler: statistics, round trips, configs."""

import json

import numpy as np
import pytest

from engine.data import (
    IdentityScaler,
    MinMaxScaler,
    Standardizer,
    make_scaler,
    scaler_from_config,
    scaler_names,
)
from engine.errors import DatasetError

X = np.array([[1.0, 10.0, 5.0], [3.0, 30.0, 5.0], [5.0, 20.0, 5.0]], dtype=np.float32)


def test_standardizer_gives_zero_mean_unit_std():
    z = Standardizer().fit_transform(X)
    np.testing.assert_allclose(z[:, :2].mean(0), 0, atol=1e-6)
    np.testing.assert_allclose(z[:, :2].std(0), 1, atol=1e-6)
    assert z.dtype == np.float32


def test_minmax_maps_training_data_to_unit_interval():
    s = MinMaxScaler().fit(X)
    z = s.transform(X)
    np.testing.assert_allclose(z[:, :2].min(0), 0)
    np.testing.assert_allclose(z[:, :2].max(0), 1)
    np.testing.assert_allclose(s.min_, X.min(0))
    np.testing.assert_allclose(s.transform([[2.0, 15.0, 5.0]]), [[0.25, 0.25, 0.0]])


@pytest.mark.parametrize("kind", ["standardize", "minmax"])
def test_constant_column_gives_no_nan(kind):
    z = make_scaler(kind).fit_transform(X)
    assert np.isfinite(z).all()
    np.testing.assert_allclose(z[:, 2], 0)


@pytest.mark.parametrize("kind", scaler_names())
def test_inverse_transform_and_config_round_trip(kind):
    rng = np.random.default_rng(0)
    x = (rng.normal(size=(50, 4)) * [1, 10, 100, 0.01] + [0, 5, -50, 3]).astype(np.float32)
    s = make_scaler(kind).fit(x)
    np.testing.assert_allclose(s.inverse_transform(s.transform(x)), x, rtol=1e-5, atol=1e-5)
    cfg = json.loads(json.dumps(s.get_config()))
    again = scaler_from_config(cfg)
    assert type(again) is type(s) and again.kind == kind
    np.testing.assert_array_equal(again.transform(x), s.transform(x))


def test_none_changes_nothing():
    s = make_scaler("none").fit(X)
    assert isinstance(s, IdentityScaler)
    np.testing.assert_array_equal(s.transform(X), X)
    assert isinstance(make_scaler(None), IdentityScaler)


def test_transform_uses_training_statistics_only():
    s = Standardizer().fit(X)
    np.testing.assert_allclose(s.transform([[3.0, 20.0, 5.0]]), [[0, 0, 0]], atol=1e-6)


def test_unfitted_config_round_trips():
    cfg = MinMaxScaler().get_config()
    assert cfg == {"kind": "minmax"} and not scaler_from_config(cfg).fitted


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: Standardizer().transform(X), "before fit"),
        (lambda: Standardizer().fit(X).transform(X[:, :2]), "fitted on 3 features"),
        (lambda: Standardizer().fit(X[0]), "2-D"),
        (lambda: Standardizer().fit(np.zeros((0, 3))), "at least one sample"),
        (lambda: make_scaler("robust"), "'standardize', 'minmax', 'none'"),
        (lambda: scaler_from_config({"kind": "minmax", "offset": [0], "scale": [0]}), "scale > 0"),
        (lambda: scaler_from_config([1, 2]), "dict with a 'kind'"),
    ],
)
def test_errors_say_what_was_received(call, fragment):
    with pytest.raises(DatasetError) as info:
        call()
    assert fragment in str(info.value)
