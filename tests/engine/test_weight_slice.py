"""engine.weight_slice: the curve is the model's own loss as one weight moves, its slope at
w is compute_gradients' dL/dw (checked in float64 against a finite difference of the
curve), the next step is SGD's, and the model's weights are left as they were."""

from __future__ import annotations

import numpy as np
import pytest

import engine
from engine import config
from engine.layers import Dense
from engine.weight_slice import loss_along_weight


@pytest.fixture
def float64():
    previous = config.floatx()
    config.set_floatx("float64")
    yield
    config.set_floatx(previous)


def model_and_data(optimizer="sgd", n=300):
    model = engine.Sequential(
        [engine.Input(shape=(2,)), Dense(3, activation="tanh"), Dense(1, activation="sigmoid")]
    )
    model.compile(optimizer=optimizer, loss="binary_crossentropy")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, 2))
    y = (x[:, :1] + 0.3 * x[:, 1:] > 0).astype(float)
    return model, x, y


def test_the_slope_is_the_gradient_and_the_curve_is_the_loss(float64):
    model, x, y = model_and_data()
    before = [w.copy() for w in model.get_weights()]
    s = loss_along_weight(model, x, y, layer=1, row=2, col=0, points=401)
    loss, grads = model.compute_gradients(x, y)
    k = len(s.ws) // 2
    assert s.ws[k] == s.w and s.losses[k] == pytest.approx(loss)
    assert s.slope == grads[2][2, 0]
    fd = (s.losses[k + 1] - s.losses[k - 1]) / (s.ws[k + 1] - s.ws[k - 1])
    assert s.slope == pytest.approx(fd, rel=1e-3)
    assert s.exact_step and s.next_w == pytest.approx(s.w - 0.01 * s.slope)
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)


def test_adam_marks_the_approximate_first_step_and_big_data_uses_a_fixed_subset():
    model, x, y = model_and_data("adam", n=5000)
    s = loss_along_weight(model, x, y, layer=0, row=1, col=2, points=11, max_rows=1000)
    assert (s.rows, s.total_rows) == (1000, 5000)
    assert not s.exact_step
    assert s.next_w == pytest.approx(s.w - 0.001 * np.sign(s.slope))
    again = loss_along_weight(model, x, y, layer=0, row=1, col=2, points=11, max_rows=1000)
    np.testing.assert_array_equal(s.losses, again.losses)


def test_a_weight_outside_the_kernel_is_refused():
    model, x, y = model_and_data()
    with pytest.raises(IndexError, match="has no weight"):
        loss_along_weight(model, x, y, layer=0, row=5, col=0)
