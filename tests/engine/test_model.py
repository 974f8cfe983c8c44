"""Sequential end to end: the course snippet, learning, fit semantics, callbacks, divergence,
bad input, optimizer formulas, numerics and metrics."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import threading
import warnings
from pathlib import Path

import numpy as np
import pytest

import engine
from engine import config, losses, metrics, optimizers
from engine.callbacks import Callback, EarlyStopping, LambdaCallback
from engine.errors import (
    EngineError,
    EngineTypeError,
    EngineValueError,
    NotBuiltError,
    TrainingDiverged,
    UnknownNameError,
)
from engine.layers import Dense

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_Y = np.array([0, 1, 1, 0], dtype=float)


@pytest.fixture(autouse=True)
def _reset_floatx():
    previous = config.floatx()
    yield
    config.set_floatx(previous)


def _coffee(n=200, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=(n, 2)).astype(np.float32)
    y = (x[:, 0] ** 2 + x[:, 1] ** 2 < 0.5).astype(np.float32).reshape(-1, 1)
    return x, y


def _small_model(hidden="relu", output="sigmoid", units=1, n_in=2, **compile_kwargs):
    model = engine.Sequential(
        [engine.Input(shape=(n_in,)), Dense(4, activation=hidden), Dense(units, activation=output)]
    )
    compile_kwargs.setdefault("optimizer", "sgd")
    compile_kwargs.setdefault("loss", "binary_crossentropy")
    model.compile(**compile_kwargs)
    return model


# ---- the course ------------------------------------------------------------------------------
def test_course_snippet_runs_as_written():
    from engine import Sequential
    from engine.layers import Dense
    from engine.losses import BinaryCrossentropy

    X, Y = _coffee()
    model = Sequential(
        [
            Dense(units=25, activation="sigmoid"),
            Dense(units=15, activation="sigmoid"),
            Dense(units=1, activation="sigmoid"),
        ]
    )
    model.compile(loss=BinaryCrossentropy)  # the class itself, as the course writes it
    history = model.fit(X, Y, epochs=100, verbose=0)
    assert isinstance(model.optimizer, optimizers.RMSprop)  # Keras' compile default
    assert isinstance(model.loss, BinaryCrossentropy)
    assert len(history.history["loss"]) == 100
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert [w.shape for w in model.get_weights()] == [
        (2, 25),
        (25,),
        (25, 15),
        (15,),
        (15, 1),
        (1,),
    ]
    assert model.count_params() == 75 + 390 + 16


def test_xor_with_relu_hidden_layer_and_sigmoid_output_is_learned():
    engine.utils.set_random_seed(1)
    # 16 units: XOR is learned from 20 of 20 seeds (8 units: 18 of 20, two dead-ReLU minima)
    model = engine.Sequential([Dense(16, activation="relu"), Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizers.Adam(learning_rate=0.05), loss="bce", metrics=["accuracy"])
    history = model.fit(XOR_X, XOR_Y, epochs=300, verbose=0)
    assert history.history["loss"][-1] < 0.05
    assert history.history["accuracy"][-1] == 1.0
    np.testing.assert_array_equal(model.predict(XOR_X).ravel() > 0.5, XOR_Y > 0.5)


# ---- fit semantics ---------------------------------------------------------------------------
class Recorder(Callback):
    def __init__(self):
        super().__init__()
        self.batches, self.epochs, self.weights = [], [], []

    def on_train_batch_end(self, batch, logs=None):
        self.batches.append((batch, dict(logs)))

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append((epoch, dict(logs)))
        self.weights.append(self.model.get_weights())


@pytest.mark.parametrize(
    ("batch_size", "steps_per_epoch"), [(None, 4), (32, 4), (100, 1), (1000, 1), (30, 4), (7, 15)]
)
def test_steps_per_epoch_and_full_batch(batch_size, steps_per_epoch):
    x, y = _coffee(100)
    model = _small_model()
    recorder = Recorder()
    model.fit(x, y, batch_size=batch_size, epochs=3, verbose=0, callbacks=[recorder])
    assert model.optimizer.iterations == 3 * steps_per_epoch
    assert [b for b, _ in recorder.batches] == list(range(steps_per_epoch)) * 3


def test_epoch_loss_is_the_sample_weighted_mean_of_batch_losses():
    x, y = _coffee(100)
    model = _small_model(optimizer=optimizers.SGD(learning_rate=0.0))  # weights stay put
    recorder = Recorder()
    history = model.fit(
        x, y, batch_size=30, epochs=1, shuffle=False, verbose=0, callbacks=[recorder]
    )
    expected = model.evaluate(x, y, verbose=0)
    assert history.history["loss"][0] == pytest.approx(expected, rel=1e-5)
    assert recorder.batches[-1][1]["loss"] == pytest.approx(expected, rel=1e-5)
    first_batch = model.loss(y[:30], model.predict(x[:30]))
    assert recorder.batches[0][1]["loss"] == pytest.approx(first_batch, rel=1e-5)


def test_history_and_epoch_logs_have_metrics_and_validation():
    x, y = _coffee(100)
    model = _small_model(metrics=["accuracy", "mse"])
    recorder = Recorder()
    history = model.fit(x, y, epochs=2, validation_split=0.2, verbose=0, callbacks=[recorder])
    assert set(history.history) == {
        "loss",
        "accuracy",
        "mse",
        "val_loss",
        "val_accuracy",
        "val_mse",
    }
    assert all(len(v) == 2 for v in history.history.values())
    assert all(isinstance(v, float) for values in history.history.values() for v in values)
    assert recorder.epochs[-1][1] == {k: v[-1] for k, v in history.history.items()}
    # validation data are the last 20 samples, evaluated with the epoch's final weights
    val_loss, val_acc, _ = model.evaluate(x[80:], y[80:], verbose=0)
    assert history.history["val_loss"][-1] == pytest.approx(val_loss, rel=1e-5)
    assert history.history["val_accuracy"][-1] == pytest.approx(val_acc)
    json.dumps(history.history)


def test_validation_data_tuple():
    x, y = _coffee(60)
    model = _small_model()
    history = model.fit(x[:40], y[:40], validation_data=(x[40:], y[40:]), epochs=1, verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(
        model.evaluate(x[40:], y[40:], verbose=0), rel=1e-5
    )


def test_initial_epoch_counts_to_epochs():
    x, y = _coffee(50)
    model = _small_model()
    history = model.fit(x, y, epochs=5, initial_epoch=3, verbose=0)
    assert history.epoch == [3, 4]
    assert len(history.history["loss"]) == 2


def test_set_random_seed_gives_bit_identical_runs():
    x, y = _coffee(100)

    def run():
        engine.utils.set_random_seed(42)
        model = engine.Sequential([Dense(6, activation="tanh"), Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="bce", metrics=["accuracy"])
        history = model.fit(x, y, batch_size=16, epochs=4, verbose=0)
        return model.get_weights(), history.history

    weights_a, history_a = run()
    weights_b, history_b = run()
    assert history_a == history_b
    for a, b in zip(weights_a, weights_b):
        np.testing.assert_array_equal(a, b)
    engine.utils.set_random_seed(43)
    other = engine.Sequential([Dense(6, activation="tanh"), Dense(1)])
    other.build((None, 2))
    assert not np.array_equal(other.get_weights()[0], weights_a[0])


def test_float64_mode():
    config.set_floatx("float64")
    engine.utils.set_random_seed(0)
    x, y = _coffee(40)
    model = _small_model(optimizer="adam")
    assert all(w.dtype == np.float64 for w in model.get_weights())
    model.fit(x, y, epochs=2, verbose=0)
    assert model.predict(x).dtype == np.float64
    assert all(w.dtype == np.float64 for w in model.get_weights())


def test_float32_is_the_default_and_stays_float32():
    assert config.floatx() == "float32"
    x, y = _coffee(40)
    model = _small_model(optimizer="adam")
    model.fit(x.astype(np.float64), y.astype(np.float64), epochs=1, verbose=0)
    assert all(w.dtype == np.float32 for w in model.get_weights())
    assert model.predict(x).dtype == np.float32


def test_stop_training_from_a_callback_stops_after_the_current_batch():
    x, y = _coffee(100)
    model = _small_model()

    class StopAfterThird(Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 2:
                self.model.stop_training = True

    history = model.fit(x, y, batch_size=10, epochs=5, verbose=0, callbacks=[StopAfterThird()])
    assert model.optimizer.iterations == 3
    assert len(history.history["loss"]) == 1  # the interrupted epoch still reports its logs


def test_stop_training_from_another_thread():
    x, y = _coffee(200)
    model = _small_model()
    started = threading.Event()

    class Signal(Callback):
        def on_train_batch_end(self, batch, logs=None):
            started.set()

    stopper = threading.Thread(
        target=lambda: (started.wait(5), setattr(model, "stop_training", True))
    )
    stopper.start()
    history = model.fit(x, y, batch_size=1, epochs=10_000, verbose=0, callbacks=[Signal()])
    stopper.join()
    assert len(history.history["loss"]) < 10_000


def test_learning_rate_change_between_batches_takes_effect_on_the_next_batch():
    x, y = _coffee(40)
    model = _small_model(optimizer=optimizers.SGD(learning_rate=0.5))
    initial = model.get_weights()
    snapshots = []

    def freeze(batch, logs):
        snapshots.append(model.get_weights())
        model.optimizer.learning_rate = 0.0

    model.fit(
        x,
        y,
        batch_size=10,
        epochs=1,
        verbose=0,
        callbacks=[LambdaCallback(on_train_batch_end=freeze)],
    )
    assert isinstance(model.optimizer.learning_rate, float)
    assert not all(np.array_equal(a, b) for a, b in zip(snapshots[0], initial))
    for a, b in zip(snapshots[0], model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_early_stopping_restores_best_weights():
    x, y = _coffee(100)
    engine.utils.set_random_seed(3)
    model = _small_model(optimizer=optimizers.Adam(0.05))
    recorder = Recorder()
    # Validating against flipped labels: the better the model learns, the worse val_loss gets,
    # so the best epoch is the first one.
    stopper = EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    history = model.fit(
        x, y, epochs=50, validation_data=(x, 1.0 - y), verbose=0, callbacks=[recorder, stopper]
    )
    val = history.history["val_loss"]
    assert len(val) == 3  # best at epoch 0, then two epochs without improvement
    assert stopper.best_epoch == int(np.argmin(val)) == 0
    for restored, best in zip(model.get_weights(), recorder.weights[0]):
        np.testing.assert_array_equal(restored, best)
    assert not np.array_equal(recorder.weights[-1][0], recorder.weights[0][0])


def test_early_stopping_on_accuracy_maximises():
    stopper = EarlyStopping(monitor="val_accuracy", patience=0)
    stopper.set_model(_small_model())
    stopper.on_train_begin()
    stopper.on_epoch_end(0, {"val_accuracy": 0.5})
    stopper.on_epoch_end(1, {"val_accuracy": 0.7})
    assert not stopper.model.stop_training
    stopper.on_epoch_end(2, {"val_accuracy": 0.6})
    assert stopper.model.stop_training


def test_training_diverged_keeps_the_last_finite_weights():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 1)).astype(np.float32)
    y = 3.0 * x
    model = engine.Sequential([engine.Input(shape=(1,)), Dense(1)])
    model.compile(optimizer=optimizers.SGD(learning_rate=5.0), loss="mse")
    recorder = Recorder()
    with pytest.raises(TrainingDiverged) as info:
        model.fit(x, y, batch_size=64, epochs=10_000, verbose=0, callbacks=[recorder])
    error = info.value
    assert isinstance(error, EngineError)
    assert error.epoch == len(recorder.epochs) > 1
    assert error.reason in str(error) and error.kept_epoch == error.epoch - 1
    assert f"epoch {error.epoch + 1}" in str(error) and "lower learning rate" in str(error)
    for kept, last in zip(model.get_weights(), recorder.weights[-1]):
        assert np.all(np.isfinite(kept))
        np.testing.assert_array_equal(kept, last)


def test_get_weights_returns_copies_and_set_weights_round_trips():
    model = _small_model()
    weights = model.get_weights()
    weights[0][...] = 123.0
    assert not np.any(model.get_weights()[0] == 123.0)
    model.set_weights(weights)
    np.testing.assert_array_equal(model.layers[0].kernel, weights[0])
    assert model.layers[0].kernel is model.weights[0]


def test_set_weights_builds_an_unbuilt_model():
    model = engine.Sequential([Dense(3), Dense(1)])
    weights = [np.ones((5, 3)), np.zeros(3), np.ones((3, 1)), np.zeros(1)]
    model.set_weights(weights)
    assert model.built and model.input_shape == (None, 5)
    np.testing.assert_allclose(model.predict(np.ones((1, 5))), [[15.0]])


def test_preactivations_are_the_z_of_every_layer():
    model = _small_model(hidden="relu")
    x = np.array([[0.5, -1.0], [2.0, 0.3]], dtype=np.float32)
    zs = model.preactivations(x)
    assert [z.shape for z in zs] == [(2, 4), (2, 1)]
    w1, b1, w2, b2 = model.get_weights()
    np.testing.assert_allclose(zs[0], x @ w1 + b1, rtol=1e-6)
    np.testing.assert_allclose(zs[1], np.maximum(zs[0], 0) @ w2 + b2, rtol=1e-5)
    np.testing.assert_allclose(model.predict(x), 1 / (1 + np.exp(-zs[1])), rtol=1e-5)


def test_dense_attributes_and_shapes():
    model = _small_model()
    layer = model.layers[0]
    assert layer.units == 4 and layer.activation.name == "relu" and layer.built
    assert layer.kernel.shape == (2, 4) and layer.bias.shape == (4,)
    assert model.input_shape == (None, 2) and model.output_shape == (None, 1)
    np.testing.assert_array_equal(layer.bias, 0.0)  # zeros bias initializer
    limit = math.sqrt(6 / (2 + 4))  # glorot_uniform
    assert np.all(np.abs(layer.kernel) <= limit)


def test_input_size_inferred_from_first_data_and_old_style_input_shape():
    model = engine.Sequential([Dense(3, activation="relu"), Dense(1)])
    assert not model.built
    model.compile(loss="mse")
    model.fit(np.zeros((4, 7)), np.zeros(4), verbose=0)
    assert model.input_shape == (None, 7)
    legacy = engine.Sequential([Dense(3, input_shape=(9,)), Dense(1)])
    assert legacy.built and legacy.input_shape == (None, 9)


def test_verbose_one_prints_a_keras_like_line_per_epoch(capsys):
    x, y = _coffee(64)
    model = _small_model(metrics=["accuracy"])
    model.fit(x, y, epochs=2, verbose="auto")
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out
    assert "2/2" in out and "loss: " in out and "accuracy: " in out
    model.fit(x, y, epochs=2, verbose=0)
    assert capsys.readouterr().out == ""


def test_summary_before_build_says_how_to_build():
    model = engine.Sequential([Dense(3, activation="relu"), Dense(1)])
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "not built" in text and "model.build(input_shape=(None, n_features))" in text
    assert "Input(shape=(n_features,))" in text
    model.build((None, 4))
    lines.clear()
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "Total params: 19" in text and "(None, 3)" in text


def test_count_params_before_build_raises_not_built():
    with pytest.raises(NotBuiltError, match="model.build"):
        engine.Sequential([Dense(2)]).count_params()


def test_evaluate_returns_loss_then_metrics():
    x, y = _coffee(30)
    model = _small_model(metrics=["accuracy"])
    loss, acc = model.evaluate(x, y, verbose=0)
    as_dict = model.evaluate(x, y, verbose=0, return_dict=True)
    assert as_dict == {"loss": loss, "accuracy": acc}
    assert model.metrics_names == ["loss", "accuracy"]


# ---- bad input -------------------------------------------------------------------------------
def _bad_fit(model, x, y, **kwargs):
    kwargs.setdefault("verbose", 0)
    return model.fit(x, y, **kwargs)


BAD_FIT_INPUTS = {
    "row counts differ": (lambda: (np.zeros((5, 2)), np.zeros(4)), {}, "5 rows in x"),
    "x 1-D": (lambda: (np.zeros(5), np.zeros(5)), {}, "reshape(-1, 1)"),
    "x 3-D": (lambda: (np.zeros((5, 2, 1)), np.zeros(5)), {}, "shape (5, 2, 1)"),
    "x not numeric": (lambda: (np.array([["a", "b"]] * 3), np.zeros(3)), {}, "dtype <U1"),
    "x ragged": (lambda: ([[1, 2], [3]], np.zeros(2)), {}, "Received"),
    "NaN in x": (lambda: (np.array([[0, 1], [np.nan, 1]]), np.zeros(2)), {}, "x[1, 0]=nan"),
    "inf in y": (lambda: (np.zeros((2, 2)), np.array([0, np.inf])), {}, "non-finite"),
    "empty data": (lambda: (np.zeros((0, 2)), np.zeros(0)), {}, "empty"),
    "BCE label outside [0, 1]": (
        lambda: (np.zeros((3, 2)), np.array([0, 1, 2])),
        {},
        "from 0 to 2",
    ),
    "wrong feature count": (lambda: (np.zeros((3, 5)), np.zeros(3)), {}, "shape (3, 5)"),
    "batch_size 0": (lambda: (np.zeros((3, 2)), np.zeros(3)), {"batch_size": 0}, "batch_size=0"),
    "epochs negative": (lambda: (np.zeros((3, 2)), np.zeros(3)), {"epochs": -1}, "epochs=-1"),
    "validation_split 1.5": (
        lambda: (np.zeros((3, 2)), np.zeros(3)),
        {"validation_split": 1.5},
        "validation_split=1.5",
    ),
    "verbose 3": (lambda: (np.zeros((3, 2)), np.zeros(3)), {"verbose": 3}, "verbose=3"),
}


@pytest.mark.parametrize("case", list(BAD_FIT_INPUTS))
def test_bad_fit_input_raises_before_anything_changes(case):
    make, kwargs, fragment = BAD_FIT_INPUTS[case]
    model = _small_model()
    before = model.get_weights()
    x, y = make()
    with pytest.raises(EngineValueError) as info:
        _bad_fit(model, x, y, **kwargs)
    assert "Received" in str(info.value)
    assert fragment in str(info.value)
    assert model.optimizer.iterations == 0
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("labels", "fragment"),
    [
        ([0, 1, 3], "integers in [0, 3)"),
        ([0, 1, -1], "integers in [0, 3)"),
        ([0, 1.5, 2], "1.5"),
    ],
)
def test_bad_sparse_labels(labels, fragment):
    model = _small_model(output="softmax", units=3, loss="sparse_categorical_crossentropy")
    with pytest.raises(EngineValueError, match="Received") as info:
        model.fit(np.zeros((3, 2)), np.array(labels), verbose=0)
    assert fragment in str(info.value)


def test_one_hot_width_must_match_output_units():
    model = _small_model(output="softmax", units=3, loss="categorical_crossentropy")
    with pytest.raises(EngineValueError, match=r"width 3.*Received: y with shape \(4, 2\)"):
        model.fit(np.zeros((4, 2)), np.eye(2)[[0, 1, 0, 1]], verbose=0)
    with pytest.raises(EngineValueError, match="SparseCategoricalCrossentropy"):
        model.fit(np.zeros((4, 2)), np.array([0, 1, 2, 1]), verbose=0)


def test_regression_target_width_must_match_output_units():
    model = _small_model(output="linear", units=2, loss="mse")
    with pytest.raises(EngineValueError, match=r"Received: y with shape \(4, 1\)"):
        model.fit(np.zeros((4, 2)), np.zeros(4), verbose=0)


@pytest.mark.parametrize("units", [0, -1, 2.5, True, "3", None])
def test_units_must_be_a_positive_integer(units):
    with pytest.raises(EngineValueError, match=f"Received: units={units!r}"):
        Dense(units)


@pytest.mark.parametrize(
    ("kind", "make"),
    [
        ("activation", lambda: Dense(3, activation="relu6")),
        ("loss", lambda: _small_model(loss="binary_cross_entropyy")),
        ("optimizer", lambda: _small_model(optimizer="adamw")),
        ("metric", lambda: _small_model(metrics=["precision"])),
        ("initializer", lambda: Dense(3, kernel_initializer="xavier")),
    ],
)
def test_unknown_names_raise_and_list_valid_names(kind, make):
    with pytest.raises(UnknownNameError, match="Valid names are") as info:
        make()
    assert "Received" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_unknown_activation_lists_every_activation():
    with pytest.raises(UnknownNameError) as info:
        Dense(3, activation="relu6")
    for name in engine.activations.available():
        assert name in str(info.value)


@pytest.mark.parametrize(
    ("weights", "fragment"),
    [
        (lambda m: m.get_weights()[:-1], "Received: 3 arrays"),
        (lambda m: [np.zeros((3, 4)), *m.get_weights()[1:]], "(3, 4)"),
        (lambda m: [np.full((2, 4), np.nan), *m.get_weights()[1:]], "non-finite"),
    ],
)
def test_set_weights_with_wrong_shapes_changes_nothing(weights, fragment):
    model = _small_model()
    before = model.get_weights()
    with pytest.raises(EngineValueError, match="Received") as info:
        model.set_weights(weights(model))
    assert fragment in str(info.value)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_fit_before_compile_and_without_loss():
    model = engine.Sequential([Dense(1)])
    with pytest.raises(EngineValueError, match="compile"):
        model.fit(np.zeros((2, 2)), np.zeros(2), verbose=0)
    model.compile(optimizer="sgd")
    with pytest.raises(EngineValueError, match="loss=None"):
        model.fit(np.zeros((2, 2)), np.zeros(2), verbose=0)


def test_wrong_types_are_type_errors():
    with pytest.raises(EngineTypeError, match="Received"):
        engine.Sequential(["not a layer"])
    with pytest.raises(EngineTypeError, match="Received"):
        _small_model().fit(np.zeros((2, 2)), np.zeros(2), callbacks=[print], verbose=0)
    with pytest.raises(EngineTypeError, match="Received"):
        Dense(3, units_typo=4)


def test_predict_checks_x():
    model = _small_model()
    with pytest.raises(EngineValueError, match=r"reshape\(-1, 1\)"):
        model.predict(np.zeros(4))
    with pytest.raises(EngineValueError, match="expects 2 input feature"):
        model.predict(np.zeros((4, 3)))


# ---- optimizer formulas (Keras 3), against steps computed by hand ------------------------------
def _steps(optimizer, grads, w0):
    w = np.array(w0, dtype=np.float64)
    history = []
    for g in grads:
        optimizer.apply([np.array(g, dtype=np.float64)], [w])
        history.append(w.copy())
    return history


def test_sgd_plain():
    (w,) = _steps(optimizers.SGD(learning_rate=0.1), [[0.5, -2.0]], [1.0, 1.0])
    np.testing.assert_allclose(w, [1.0 - 0.05, 1.0 + 0.2])


def test_sgd_momentum_keras3():
    # m = momentum m - lr g ; w += m
    w1, w2 = _steps(optimizers.SGD(0.1, momentum=0.9), [[1.0], [2.0]], [0.0])
    m1 = -0.1 * 1.0
    m2 = 0.9 * m1 - 0.1 * 2.0
    np.testing.assert_allclose(w1, [m1])
    np.testing.assert_allclose(w2, [m1 + m2])


def test_sgd_nesterov_keras3():
    # m = momentum m - lr g ; w += momentum m - lr g
    w1, w2 = _steps(optimizers.SGD(0.1, momentum=0.9, nesterov=True), [[1.0], [2.0]], [0.0])
    m1 = -0.1
    step1 = 0.9 * m1 - 0.1
    m2 = 0.9 * m1 - 0.2
    step2 = 0.9 * m2 - 0.2
    np.testing.assert_allclose(w1, [step1])
    np.testing.assert_allclose(w2, [step1 + step2])


def test_rmsprop_epsilon_inside_the_square_root():
    # v = rho v + (1 - rho) g^2 ; w -= lr g / sqrt(v + eps), rho defaults to 0.9
    eps = 0.01  # large, so that sqrt(v + eps) and sqrt(v) + eps differ clearly
    w1, w2 = _steps(optimizers.RMSprop(learning_rate=0.1, epsilon=eps), [[0.5], [-1.0]], [0.0])
    v1 = 0.1 * 0.25
    s1 = 0.1 * 0.5 / math.sqrt(v1 + eps)
    v2 = 0.9 * v1 + 0.1 * 1.0
    s2 = 0.1 * -1.0 / math.sqrt(v2 + eps)
    np.testing.assert_allclose(w1, [-s1], rtol=1e-12)
    np.testing.assert_allclose(w2, [-s1 - s2], rtol=1e-12)
    assert optimizers.RMSprop().rho == 0.9 and optimizers.RMSprop().learning_rate == 0.001


def test_rmsprop_centered_and_momentum():
    (w1,) = _steps(
        optimizers.RMSprop(0.1, momentum=0.5, centered=True, epsilon=0.01), [[0.5]], [0.0]
    )
    v = 0.1 * 0.25
    mean_g = 0.1 * 0.5
    increment = 0.1 * 0.5 / math.sqrt(v - mean_g**2 + 0.01)
    np.testing.assert_allclose(w1, [-increment], rtol=1e-12)


def test_adam_keras3_folds_bias_correction_into_step_and_adds_eps_to_sqrt_v():
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 0.1  # large eps makes the placement visible
    grads = [[0.5], [-0.25], [1.0]]
    history = _steps(optimizers.Adam(lr, beta_1=b1, beta_2=b2, epsilon=eps), grads, [0.0])
    m = v = w = 0.0
    for t, ((g,), w_engine) in enumerate(zip(grads, history), start=1):
        m += (g - m) * (1 - b1)
        v += (g * g - v) * (1 - b2)
        alpha = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
        w -= alpha * m / (math.sqrt(v) + eps)
        assert w_engine[0] == pytest.approx(w, rel=1e-12)
    # the textbook placement, eps added to sqrt(v_hat), gives a different first step
    textbook = -lr * (0.1 * 0.5 / 0.1) / (math.sqrt(0.001 * 0.25 / 0.001) + eps)
    assert history[0][0] != pytest.approx(textbook, rel=1e-3)


def test_adam_first_step_by_hand():
    (w,) = _steps(optimizers.Adam(learning_rate=0.1), [[0.5]], [1.0])
    # m = 0.05, v = 0.00025, alpha = 0.1 sqrt(0.001) / 0.1, step = alpha m / (sqrt(v) + 1e-7)
    step = 0.1 * math.sqrt(0.001) / 0.1 * 0.05 / (math.sqrt(0.00025) + 1e-7)
    assert w[0] == pytest.approx(1.0 - step, rel=1e-12)
    assert step == pytest.approx(0.1, rel=1e-4)


@pytest.mark.parametrize(
    "make",
    [
        lambda: optimizers.Adam(0.01),
        lambda: optimizers.Adam(0.01, amsgrad=True),
        lambda: optimizers.SGD(0.1, momentum=0.9, nesterov=True),
        lambda: optimizers.RMSprop(0.01),
        lambda: optimizers.SGD(0.1),
        lambda: optimizers.RMSprop(0.01, centered=True),
    ],
)
def test_bound_training_step_equals_apply(make):
    """fit uses optimizer.bind (a fast closure); it must do what apply does."""
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(4, 6))
    by_apply, by_bind = make(), make()
    w_apply, w_bind, g_bind = np.ones(6), np.ones(6), np.zeros(6)
    step = by_bind.bind(g_bind, w_bind)
    for g in grads:
        by_apply.apply([g], [w_apply])
        g_bind[...] = g
        step()
    np.testing.assert_allclose(w_bind, w_apply, rtol=1e-14)
    assert by_bind.iterations == by_apply.iterations == 4


def test_optimizer_defaults_match_keras():
    assert optimizers.SGD().get_config() == {
        "learning_rate": 0.01,
        "momentum": 0.0,
        "nesterov": False,
    }
    assert optimizers.Adam().get_config() == {
        "learning_rate": 0.001,
        "beta_1": 0.9,
        "beta_2": 0.999,
        "epsilon": 1e-7,
        "amsgrad": False,
    }


def test_negative_learning_rate_is_rejected():
    with pytest.raises(EngineValueError, match="Received: learning_rate=-1"):
        optimizers.SGD(learning_rate=-1)


# ---- numerics --------------------------------------------------------------------------------
@pytest.fixture
def no_numpy_warnings():
    with warnings.catch_warnings(), np.errstate(all="warn"):
        warnings.simplefilter("error")
        yield


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activations_and_losses_stay_finite_at_z_1000(no_numpy_warnings, dtype):
    z = np.array([[-1000.0, 0.0, 1000.0]], dtype=dtype)
    sigmoid = engine.activations.get("sigmoid")
    np.testing.assert_array_equal(sigmoid(z), [[0.0, 0.5, 1.0]])
    np.testing.assert_array_equal(sigmoid.derivative(z), [[0.0, 0.25, 0.0]])
    np.testing.assert_allclose(engine.activations.get("softmax")(z), [[0.0, 0.0, 1.0]])
    for name in engine.activations.available():
        act = engine.activations.get(name)
        assert np.all(np.isfinite(act(z))) and np.all(np.isfinite(act.derivative(z))), name
    y = np.array([[1.0, 0.0, 0.0]])
    for loss in (
        losses.BinaryCrossentropy(from_logits=True),
        losses.CategoricalCrossentropy(from_logits=True),
    ):
        assert math.isfinite(loss(y, z))
        assert np.all(np.isfinite(loss.gradient(y, z)))
    assert losses.BinaryCrossentropy(from_logits=True)(y[:, :1], z[:, :1]) == pytest.approx(1000)
    # probabilities 0 and 1 are clipped to [1e-7, 1 - 1e-7], as Keras clips them (in float32
    # 1 - 1e-7 rounds to 1 - 1.19e-7, hence the tolerance)
    p = sigmoid(z)
    assert losses.BinaryCrossentropy()(y, p) == pytest.approx(
        (-math.log(1e-7) * 2 + -math.log(0.5)) / 3, rel=1e-2
    )


def test_model_with_saturated_preactivations_predicts_and_trains_without_warnings(
    no_numpy_warnings,
):
    model = engine.Sequential(
        [engine.Input(shape=(1,)), Dense(3, activation="softmax", kernel_initializer="ones")]
    )
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.set_weights([np.array([[1000.0, -1000.0, 0.0]]), np.zeros(3)])
    p = model.predict(np.array([[1.0], [-1.0]]))
    np.testing.assert_allclose(p, [[1, 0, 0], [0, 1, 0]], atol=1e-6)
    history = model.fit(np.array([[1.0], [-1.0]]), np.array([1, 0]), epochs=2, verbose=0)
    assert all(math.isfinite(v) for v in history.history["loss"])
    binary = _small_model(output="sigmoid")
    binary.set_weights([np.full((2, 4), 500.0), np.zeros(4), np.full((4, 1), 500.0), np.zeros(1)])
    binary.fit(np.ones((4, 2)), np.array([0, 1, 0, 1]), epochs=1, verbose=0)


# ---- metrics ---------------------------------------------------------------------------------
def test_accuracy_is_resolved_from_the_loss_as_keras_does():
    assert isinstance(
        metrics.get("accuracy", losses.BinaryCrossentropy(), 1), metrics.BinaryAccuracy
    )
    assert isinstance(
        metrics.get("accuracy", losses.CategoricalCrossentropy(), 3), metrics.CategoricalAccuracy
    )
    assert isinstance(
        metrics.get("acc", losses.SparseCategoricalCrossentropy(), 3),
        metrics.SparseCategoricalAccuracy,
    )
    assert isinstance(metrics.get("accuracy", losses.MeanSquaredError(), 1), metrics.BinaryAccuracy)
    assert metrics.get("acc", losses.BinaryCrossentropy(), 1).name == "acc"


def _fixed_output_model(outputs_for_identity, activation, loss):
    """A one-layer linear->activation model whose pre-activations equal x."""
    k = outputs_for_identity
    model = engine.Sequential([engine.Input(shape=(k,)), Dense(k, activation=activation)])
    model.compile(optimizer="sgd", loss=loss, metrics=["accuracy"])
    model.set_weights([np.eye(k), np.zeros(k)])
    return model


def test_binary_accuracy_thresholds_at_one_half():
    model = _fixed_output_model(1, "sigmoid", "bce")
    logits = np.array([[2.0], [0.1], [-0.1], [-3.0]])  # p = .88, .52, .48, .05
    _, acc = model.evaluate(logits, np.array([1, 0, 0, 1]), verbose=0)
    assert acc == pytest.approx(0.5)


def test_categorical_and_sparse_accuracy_use_argmax():
    x = np.array([[3.0, 0.0, 0.0], [0.0, 0.0, 2.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    labels = np.array([0, 2, 0, 1])  # right, right, wrong, wrong
    sparse = _fixed_output_model(3, "softmax", "sparse_categorical_crossentropy")
    assert sparse.evaluate(x, labels, verbose=0)[1] == pytest.approx(0.5)
    categorical = _fixed_output_model(3, "softmax", "categorical_crossentropy")
    assert categorical.evaluate(x, np.eye(3)[labels], verbose=0)[1] == pytest.approx(0.5)


def test_accuracy_with_logits_thresholds_at_zero():
    model = _fixed_output_model(1, "linear", losses.BinaryCrossentropy(from_logits=True))
    _, acc = model.evaluate(np.array([[0.2], [-0.2]]), np.array([1, 0]), verbose=0)
    assert acc == 1.0


def test_mse_and_mae_metrics():
    model = _fixed_output_model(1, "linear", "mse")
    model.compile(optimizer="sgd", loss="mse", metrics=["mse", "mae"])
    loss, mse, mae = model.evaluate(np.array([[1.0], [2.0]]), np.array([0.0, 0.0]), verbose=0)
    assert (loss, mse, mae) == (pytest.approx(2.5), pytest.approx(2.5), pytest.approx(1.5))


def test_regularization_is_added_to_the_loss():
    model = engine.Sequential(
        [engine.Input(shape=(1,)), Dense(1, kernel_regularizer=engine.regularizers.L2(0.5))]
    )
    model.compile(optimizer="sgd", loss="mse")
    model.set_weights([np.array([[2.0]]), np.array([0.0])])
    # mse of (2x - 0)^2 at x = 1 is 4; penalty 0.5 * 2^2 = 2
    assert model.evaluate(np.array([[1.0]]), np.array([0.0]), verbose=0) == pytest.approx(6.0)


def test_engine_imports_no_gui_code():
    """engine/ never imports Qt, pyqtgraph or app/: checked in a fresh process."""
    code = (
        "import sys, engine, engine.model, engine.callbacks\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'PyQt5', 'PyQt6', 'pyqtgraph', 'app')]\n"
        "assert not bad, bad\n"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_binary_crossentropy_of_saturated_predictions_is_keras_floor_not_zero():
    """Keras clips p to [eps, 1 - eps] and sums term by term: a perfect, saturated prediction
    costs -log(1 - eps) = 1.19e-07 in float32. (A shortcut that cancelled two large sums
    returned 0 or a tiny negative loss, which the status bar then showed as "loss 0".)"""
    from engine.losses import BinaryCrossentropy

    y = np.array([[1.0], [0.0], [1.0]], dtype=np.float32)
    perfect = np.array([[1.0], [0.0], [1.0]], dtype=np.float32)
    floor = -np.log(np.float32(1.0) - np.float32(1e-7))
    assert BinaryCrossentropy().value(y, perfect) == pytest.approx(float(floor), rel=1e-6)
    p = np.array([[0.9], [0.2], [0.6]], dtype=np.float32)
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert BinaryCrossentropy().value(y, p) == pytest.approx(float(expected), rel=1e-6)
