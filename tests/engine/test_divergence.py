"""fit stops a run that diverges -- a non-finite loss, weights that are non-finite or grew
out of bounds, a non-finite validation loss -- raises TrainingDiverged saying at which epoch
and why, and leaves the model with the weights and optimizer state of the last healthy epoch
(issue #16). A normal run is untouched."""

from __future__ import annotations

import math

import numpy as np
import pytest

import engine
from engine import optimizers
from engine.callbacks import Callback
from engine.data import builtin
from engine.errors import EngineError, TrainingDiverged
from engine.fit_loop import WEIGHT_LIMIT
from engine.layers import Dense


class Recorder(Callback):
    """Keeps a copy of the weights after every finished epoch."""

    def __init__(self):
        super().__init__()
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append(self.model.get_weights())


def _standardised(name):
    dataset = builtin(name)
    x = (dataset.x - dataset.x.mean(0)) / dataset.x.std(0)
    return x.astype(np.float32), dataset.y


def _course_net(optimizer):
    engine.utils.set_random_seed(0)
    model = engine.Sequential(
        [
            engine.Input(shape=(2,)),
            Dense(25, activation="sigmoid"),
            Dense(15, activation="sigmoid"),
            Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"])
    return model


def _assert_kept_a_healthy_epoch(model, error, recorder, before):
    """The model holds finite, bounded weights: those of the epoch the error names."""
    kept = model.get_weights()
    for w in kept:
        assert np.all(np.isfinite(w))
        assert np.abs(w).max() <= WEIGHT_LIMIT
    expected = before if error.kept_epoch is None else recorder.weights[error.kept_epoch]
    for got, want in zip(kept, expected):
        np.testing.assert_array_equal(got, want)
    assert model.history.epoch == list(range(len(model.history.epoch)))
    finished = 0 if error.kept_epoch is None else error.kept_epoch + 1
    assert len(model.history.history.get("loss", [])) == len(model.history.epoch) == finished


@pytest.mark.parametrize("name", ["adam", "sgd", "rmsprop"])
def test_sigmoid_bce_at_a_huge_learning_rate_is_caught_by_the_weight_bound(name):
    """Issue #16: at learning rate 1e6 the loss stays finite (BCE clips p), so the old loop
    "finished" with weights up to 6e6 and chance accuracy, replacing the good weights."""
    x, y = _standardised("coffee")
    model = _course_net(optimizers.get({"class_name": name, "config": {"learning_rate": 1e6}}))
    before = model.get_weights()
    recorder = Recorder()
    with pytest.raises(TrainingDiverged) as info:
        model.fit(x, y, epochs=100, verbose=0, callbacks=[recorder])
    error = info.value
    assert isinstance(error, EngineError)
    assert f"at epoch {error.epoch + 1}: the weights grew past 1e+06 (their norm" in str(error)
    assert "lower learning rate" in str(error)
    assert math.isfinite(error.loss) and error.reason.startswith("the weights grew past 1e+06")
    _assert_kept_a_healthy_epoch(model, error, recorder, before)


def test_relu_mse_full_batch_keeps_weights_whose_predictions_are_finite():
    """Issue #16: the old loop noticed only the infinite loss of epoch 4 and kept epoch 3's
    weights (1e19), whose predictions are not finite."""
    x, y = _standardised("sine")
    engine.utils.set_random_seed(0)
    model = engine.Sequential(
        [
            engine.Input(shape=(1,)),
            Dense(25, activation="relu"),
            Dense(15, activation="relu"),
            Dense(1),
        ]
    )
    model.compile(optimizer=optimizers.SGD(learning_rate=10.0), loss="mse")
    before = model.get_weights()
    recorder = Recorder()
    with pytest.raises(TrainingDiverged) as info:
        model.fit(x, y, batch_size=len(x), epochs=50, verbose=0, callbacks=[recorder])
    error = info.value
    assert "the weights grew past" in str(error)
    _assert_kept_a_healthy_epoch(model, error, recorder, before)
    assert np.all(np.isfinite(model.predict(x)))
    assert math.isfinite(model.evaluate(x, y, verbose=0))


def test_an_infinite_validation_loss_is_not_healthy():
    """Issue #16: an epoch with val_loss inf counted as healthy."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 1)).astype(np.float32)
    y = 3.0 * x
    x_val = np.full((8, 1), 1e30, dtype=np.float32)  # float32 MSE of such predictions is inf
    model = engine.Sequential([engine.Input(shape=(1,)), Dense(1)])
    model.compile(optimizer=optimizers.SGD(learning_rate=0.1), loss="mse")
    before = model.get_weights()
    optimizer_iterations = model.optimizer.iterations
    with pytest.raises(TrainingDiverged) as info:
        model.fit(x, y, epochs=5, verbose=0, validation_data=(x_val, 3.0 * x_val))
    error = info.value
    assert str(error).startswith(
        "Training diverged at epoch 1: the validation loss became infinite. The model keeps "
        "the weights from before this fit."
    )
    assert math.isfinite(error.loss)
    for got, want in zip(model.get_weights(), before):
        np.testing.assert_array_equal(got, want)
    assert model.optimizer.iterations == optimizer_iterations


def test_a_nan_loss_restores_the_optimizer_state_of_the_kept_epoch():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(64, 1)).astype(np.float32)
    model = engine.Sequential([engine.Input(shape=(1,)), Dense(1)])
    model.compile(optimizer=optimizers.Adam(learning_rate=0.01), loss="mse")
    model.fit(x, 3.0 * x, batch_size=16, epochs=2, verbose=0)
    state = [a.copy() for a in model.optimizer.state()]
    iterations = model.optimizer.iterations
    weights = model.get_weights()
    with pytest.raises(TrainingDiverged) as info:
        model.fit(x, np.full((64, 1), 3e38, dtype=np.float32), batch_size=16, epochs=3, verbose=0)
    assert info.value.kept_epoch is None
    assert model.optimizer.iterations == iterations
    for got, want in zip(model.optimizer.state(), state):
        np.testing.assert_array_equal(got, want)
    for got, want in zip(model.get_weights(), weights):
        np.testing.assert_array_equal(got, want)


def test_a_normal_run_is_untouched():
    x, y = _standardised("coffee")
    model = _course_net(optimizers.Adam(learning_rate=0.01))
    history = model.fit(x, y, epochs=100, verbose=0, validation_split=0.2)
    assert history.epoch == list(range(100))
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert history.history["val_accuracy"][-1] > 0.8


def test_unscaled_regression_targets_may_need_weights_past_a_million():
    """The bound scales with the targets: fitting y = 3e6 x + 1e7 needs a kernel of 3e6 and a
    bias of 1e7, which is healthy."""
    rng = np.random.default_rng(2)
    x = rng.normal(size=(200, 1)).astype(np.float32)
    x = (x - x.mean()) / x.std()
    y = 3e6 * x + 1e7
    model = engine.Sequential([engine.Input(shape=(1,)), Dense(1)])
    model.compile(optimizer=optimizers.SGD(learning_rate=0.3), loss="mse")
    model.fit(x, y, batch_size=200, epochs=60, verbose=0)
    kernel, bias = model.get_weights()
    assert kernel[0, 0] == pytest.approx(3e6, rel=1e-3)
    assert bias[0] == pytest.approx(1e7, rel=1e-3)
