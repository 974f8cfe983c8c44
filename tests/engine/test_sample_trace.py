"""The sample inspector's numbers (engine/sample_trace.py) are the engine's own: the forward
pass equals Sequential.predict, and the backward pass equals the numerical gradient of this
one sample's loss, by the one checker of test_gradients.py."""

from __future__ import annotations

import numpy as np
import pytest
from test_gradients import check_gradient  # the one numerical gradient checker

import engine
from engine import config
from engine.layers import Dense
from engine.sample_trace import top_contributions, trace_sample


@pytest.fixture
def float64():
    previous = config.floatx()
    config.set_floatx("float64")
    yield
    config.set_floatx(previous)


CASES = [
    ("sigmoid", "sigmoid", "binary_crossentropy", 1),
    ("relu", "linear", "mse", 2),
    ("tanh", "softmax", "categorical_crossentropy", 3),
]


def _model(hidden, output, loss, k, seed=3):
    engine.utils.set_random_seed(seed)
    model = engine.Sequential(
        [
            engine.Input(shape=(3,)),
            Dense(6, activation=hidden),
            Dense(4, activation=hidden),
            Dense(k, activation=output),
        ]
    )
    model.compile(optimizer="sgd", loss=loss)
    return model


def _target(loss, rng, k):
    if loss == "categorical_crossentropy":
        return np.eye(k)[rng.integers(0, k)]
    if loss == "binary_crossentropy":
        return rng.integers(0, 2, size=k).astype(float)
    return rng.normal(size=k)


@pytest.mark.parametrize(("hidden", "output", "loss", "k"), CASES)
def test_forward_table_numbers_equal_predict(hidden, output, loss, k):
    model = _model(hidden, output, loss, k)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 3)).astype(np.float32)
    predicted = model.predict(x, verbose=0)
    for row in range(5):
        trace = trace_sample(model, x[row], _target(loss, rng, k))
        np.testing.assert_allclose(trace.prediction, predicted[row], atol=1e-4)
        # and every layer's a is g(z) of W·a_prev + b as the engine computes it
        zs = model.preactivations(x[row : row + 1])
        for layer, z in zip(trace.layers, zs):
            np.testing.assert_allclose(layer.z, z[0], atol=1e-4)


@pytest.mark.parametrize(("hidden", "output", "loss", "k"), CASES)
def test_backward_numbers_equal_the_numerical_gradient(float64, hidden, output, loss, k):
    model = _model(hidden, output, loss, k)
    rng = np.random.default_rng(1)
    x = rng.normal(size=3)
    y = _target(loss, rng, k)
    trace = trace_sample(model, x, y)
    assert trace.loss == pytest.approx(model.evaluate(x[None], y[None], verbose=0))

    def objective():
        return model.evaluate(x[None], y[None], verbose=0)

    for layer, traced in zip(model.layers, trace.layers):
        check_gradient(objective, layer.kernel, traced.dW)
        check_gradient(objective, layer.bias, traced.db)
        # dL/dz is dL/da times g'(z) (for softmax, through the whole Jacobian)
        if traced.activation != "softmax":
            np.testing.assert_allclose(traced.dL_dz, traced.dL_da * traced.g_prime)


def test_top_contributions_are_the_largest_weight_gradients():
    model = _model("sigmoid", "sigmoid", "binary_crossentropy", 1)
    trace = trace_sample(model, np.array([0.5, -2.0, 1.0]), [1.0])
    first = trace.layers[0]
    top = top_contributions(first, unit=2, count=2)
    assert top[0][0] == 1  # the input of largest size moves its weight most
    assert top[0][1] == pytest.approx(first.a_prev[1] * first.dL_dz[2])
    assert abs(top[0][1]) >= abs(top[1][1])
