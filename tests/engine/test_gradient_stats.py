"""Per-layer gradient statistics (engine/gradient_stats.py) are the engine's own gradient and
weight change, a deep sigmoid stack visibly starves its first layers, and a diverged run names
the first layer whose updates went out of range (issue #15)."""

from __future__ import annotations

import numpy as np
import pytest

import engine
from engine import optimizers
from engine.data import builtin
from engine.gradient_stats import GradientStats, first_out_of_range
from engine.layers import Dense
from engine.project import Project, runtime


def _xor():
    x, y = builtin("xor").x, builtin("xor").y
    return ((x - x.mean(0)) / x.std(0)).astype(np.float32), y


def test_full_batch_sgd_stats_are_the_gradient_and_the_step():
    x, y = _xor()
    engine.utils.set_random_seed(0)
    model = engine.Sequential(
        [engine.Input(shape=(2,)), Dense(8, activation="tanh"), Dense(1, activation="sigmoid")]
    )
    lr = 0.5
    model.compile(optimizer=optimizers.SGD(learning_rate=lr), loss="binary_crossentropy")
    before = model.get_weights()
    _, grads = model.compute_gradients(x, y)
    stats = GradientStats()
    model.fit(x, y, batch_size=len(x), epochs=1, verbose=0, callbacks=[stats])
    for layer in range(2):
        kernel, grad = before[2 * layer], grads[2 * layer]
        assert stats.grad_rms[0][layer] == pytest.approx(np.sqrt(np.mean(grad**2)), rel=1e-4)
        # one SGD step: |ΔW| / |W| = lr |dL/dW| / |W|
        expected = lr * np.linalg.norm(grad) / np.linalg.norm(kernel)
        assert stats.update_ratio[0][layer] == pytest.approx(expected, rel=1e-3)
    assert stats.epochs == [0]


def test_a_deep_sigmoid_network_starves_its_first_layer():
    x, y = _xor()
    engine.utils.set_random_seed(1)
    model = engine.Sequential(
        [
            engine.Input(shape=(2,)),
            *[Dense(16, activation="sigmoid") for _ in range(7)],
            Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer=optimizers.SGD(learning_rate=0.1), loss="binary_crossentropy")
    stats = GradientStats()
    model.fit(x, y, epochs=3, verbose=0, callbacks=[stats])
    rms = np.mean(stats.grad_rms, axis=0)
    assert rms[0] < rms[-1] / 100  # each sigmoid multiplies the gradient by at most 1/4
    assert np.all(np.diff(np.log(rms[:-1])) > 0)  # it grows layer by layer toward the output


def test_a_diverged_fit_records_the_epoch_that_blew_up():
    x, y = _xor()
    engine.utils.set_random_seed(0)
    model = engine.Sequential([engine.Input(shape=(2,)), Dense(8, activation="relu"), Dense(1)])
    model.compile(optimizer=optimizers.SGD(learning_rate=50.0), loss="mse")
    stats = GradientStats()
    with pytest.raises(engine.errors.TrainingDiverged) as info:
        model.fit(x, y, batch_size=len(x), epochs=50, verbose=0, callbacks=[stats])
    assert stats.diverged_epoch == info.value.epoch == stats.epochs[-1]
    epoch, layer, kind, value = first_out_of_range(stats)
    assert epoch <= info.value.epoch and value > 1


def test_a_diverged_run_names_the_first_layer_out_of_range():
    project = Project.new_for_dataset(builtin("linear"))  # ReLU hidden layers, MSE
    project.compile.optimizer, project.compile.learning_rate = "sgd", 1e6
    model = runtime.build_model(project, seed=0)
    outcome = runtime.fit_run(model, runtime.prepare_data(project), project.training, 50)
    assert outcome.outcome == "diverged"
    assert outcome.culprit_layer is not None and outcome.culprit_epoch >= 1
    assert (
        f"layer {outcome.culprit_layer + 1}: updates were" in outcome.message
        or f"layer {outcome.culprit_layer + 1}: its gradient became" in outcome.message
    )
    assert f"at epoch {outcome.culprit_epoch}" in outcome.message
    assert outcome.suggested_learning_rate == pytest.approx(1e5)
    # The replay that found the layer put back what fit kept: the same run with the
    # statistics on from the start (no replay) keeps the same weights.
    model = runtime.build_model(project, seed=0)
    watched = runtime.fit_run(
        model, runtime.prepare_data(project), project.training, 50, callbacks=[GradientStats()]
    )
    assert watched.diverged_epoch == outcome.diverged_epoch
    for kept, same in zip(outcome.weights, watched.weights):
        np.testing.assert_array_equal(kept, same)


def test_reads_of_a_long_run_return_only_the_new_records():
    """The window reads what is new each frame: read(start) is the tail of a full read,
    across the buffer's growth (it starts at 256 rows)."""
    x, y = _xor()
    engine.utils.set_random_seed(3)
    model = engine.Sequential(
        [engine.Input(shape=(2,)), Dense(4, activation="tanh"), Dense(1, activation="sigmoid")]
    )
    model.compile(optimizer=optimizers.SGD(learning_rate=0.1), loss="binary_crossentropy")
    stats = GradientStats()
    model.fit(x, y, batch_size=len(x), epochs=300, verbose=0, callbacks=[stats])
    assert stats.count == 300 and stats.epochs == list(range(300))
    epochs, g_rms, w_rms, ratio = stats.read()
    assert g_rms.shape == w_rms.shape == ratio.shape == (300, 2)
    tail = stats.read(290)
    np.testing.assert_array_equal(tail[0], np.arange(290, 300))
    for whole, part in zip((g_rms, w_rms, ratio), tail[1:]):
        np.testing.assert_array_equal(part, whole[290:])
    assert all(len(part) == 0 for part in stats.read(300))
    # the last record holds the last epoch's weights' size
    kernel = model.get_weights()[2]
    assert w_rms[-1][1] == pytest.approx(np.sqrt(np.mean(kernel.astype(np.float64) ** 2)), 0.2)


def test_the_first_layer_out_of_range_is_found_in_epoch_then_layer_order():
    stats = GradientStats()
    stats._sizes = np.ones(3)
    # rows: |g|², |ΔW|², |W|² per layer; epoch 0 in range, epoch 1 layer 2 blows, epoch 2
    # layer 0 gets a non-finite gradient (later, so not the first)
    stats._sums = np.array(
        [
            [[1, 1, 1], [0.01, 0.01, 0.01], [1, 1, 1]],
            [[1, 1, 1], [0.01, 0.01, 9.0], [1, 1, 1]],
            [[np.inf, 1, 1], [0.01, 0.01, 0.01], [1, 1, 1]],
        ]
    )
    stats._epochs = np.array([4, 5, 6])
    stats.count = 3
    assert first_out_of_range(stats) == (5, 2, "ratio", 3.0)
    stats.count = 1
    assert first_out_of_range(stats) is None
    stats._sums[1, 1, 2] = 0.01
    stats.count = 3
    assert first_out_of_range(stats) == (6, 0, "gradient", np.inf)
