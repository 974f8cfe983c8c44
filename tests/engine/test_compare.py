"""engine.compare: both runs start from the same fresh weights and see the same batches,
the choices offered are the ones that can train, a change that does not fit is refused with a
reason, and the verdict reads the numbers right."""

from __future__ import annotations

import random

import numpy as np
import pytest

from engine import utils
from engine.compare import (
    Change,
    Comparison,
    apply_change,
    changes_for,
    compare,
    describe,
    first_epoch_reaching,
    verdict,
)
from engine.errors import ProjectError
from engine.project import LayerSpec, Project, runtime
from engine.project.runtime import RunOutcome
from engine.resources import resource_path
from engine.unit_health import layer_health

EPOCHS = 100


@pytest.fixture
def spy_fits(monkeypatch):
    """Every runtime.fit_run call: the model's weights, its predictions on the training rows
    and the engine generator's state at the moment the run starts."""
    calls = []
    real = runtime.fit_run

    def spy(model, prepared, training, epochs, *args, **kwargs):
        calls.append(
            {
                "weights": [w.copy() for w in model.get_weights()],
                "predictions": model.predict(prepared.x_train),
                "rng": utils.rng().bit_generator.state,
                "x": prepared.x_train.copy(),
            }
        )
        return real(model, prepared, training, epochs, *args, **kwargs)

    monkeypatch.setattr(runtime, "fit_run", spy)
    return calls


@pytest.fixture(scope="module")
def relu_vs_sigmoid():
    return compare(Project.course(), Change("activation", "relu", layer=0), epochs=EPOCHS)


def test_both_runs_start_from_the_projects_fresh_weights_and_the_same_shuffle(spy_fits):
    project = Project.course()
    # trained weights of its own, which the comparison must not start from
    model = runtime.build_model(project, seed=5)
    prepared = runtime.prepare_data(project)
    runtime.record_run(
        project, runtime.fit_run(model, prepared, project.training, 3), prepared.scaler_config
    )
    spy_fits.clear()
    result = compare(project, Change("activation", "relu", layer=0), epochs=5)
    base, variant = spy_fits
    fresh = runtime.initial_weights(project)
    for a, b, f, trained in zip(base["weights"], variant["weights"], fresh, project.weights):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, f)
        assert not np.array_equal(a, trained)
    assert base["rng"] == variant["rng"]  # the same generator state: the same batches
    np.testing.assert_array_equal(base["x"], variant["x"])
    for a, f in zip(result.initial_weights, fresh):
        np.testing.assert_array_equal(a, f)


def test_an_identical_change_gives_identical_runs(spy_fits):
    project = Project.course()
    result = compare(project, Change("activation", "sigmoid", layer=0), epochs=30)
    base, variant = spy_fits
    np.testing.assert_array_equal(base["predictions"], variant["predictions"])
    assert result.base.history == result.variant.history
    for a, b in zip(result.base.weights, result.variant.weights):
        np.testing.assert_array_equal(a, b)
    assert result.labels == ("the current network", "the variant (sigmoid)")
    assert "about the same" in verdict(result)


def test_relu_learns_faster_than_sigmoid_and_the_verdict_says_so(relu_vs_sigmoid):
    result = relu_vs_sigmoid
    assert (result.base.outcome, result.variant.outcome) == ("finished", "finished")
    assert result.base.epochs == result.variant.epochs == EPOCHS
    assert result.labels == ("sigmoid", "ReLU") and result.measure == "loss"
    base_loss, relu_loss = result.base.history["loss"], result.variant.history["loss"]
    target = max(base_loss[-1], relu_loss[-1]) * 1.1
    relu_epoch = first_epoch_reaching(relu_loss, target)
    sigmoid_epoch = first_epoch_reaching(base_loss, target)
    assert relu_epoch < sigmoid_epoch
    text = verdict(result)
    assert text.startswith(f"ReLU reached loss {target:.3g} in {relu_epoch} epochs")
    assert f"sigmoid needed {sigmoid_epoch}" in text
    assert "\n" not in text


def test_the_runs_are_recorded_on_copies_and_the_project_is_untouched():
    project = Project.course()
    utils.set_random_seed(42)
    states = (utils.rng().bit_generator.state, np.random.get_state()[1].copy(), random.getstate())
    result = compare(project, Change("learning_rate", 0.1), epochs=10)
    assert utils.rng().bit_generator.state == states[0]
    np.testing.assert_array_equal(np.random.get_state()[1], states[1])
    assert random.getstate() == states[2]
    assert project.weights is None and project.history == {} and project.epochs_trained == 0
    assert project.compile.learning_rate == 0.01
    for side, outcome in zip(result.projects, result.outcomes):
        assert side.epochs_trained == outcome.epochs == 10
        assert side.history["loss"] == outcome.history["loss"]
        for kept, final in zip(side.weights, outcome.weights):
            np.testing.assert_array_equal(kept, final)
        assert side.scaler is not None
        assert side.dataset is project.dataset  # shared, not copied
    assert result.variant_project.compile.learning_rate == 0.1
    assert result.base_project.compile.learning_rate == 0.01


def test_each_layers_dead_and_saturated_share_of_the_final_weights(relu_vs_sigmoid):
    result = relu_vs_sigmoid
    relu, hidden2, output = result.variant_health
    assert relu.activation == "relu" and relu.dead is not None and relu.saturated is None
    assert 0.0 <= relu.dead <= 1.0
    assert hidden2.saturated is not None and output.is_output
    sigmoid = result.base_health[0]
    assert sigmoid.activation == "sigmoid" and sigmoid.dead is None
    # the numbers are those of the run's final weights on the training split
    side = result.variant_project
    model = runtime.build_model(side)
    again = layer_health(model, runtime.prepare_data(side).x_train)
    assert again == result.variant_health


def test_progress_reaches_both_runs_and_cancel_keeps_what_finished():
    seen = []

    def stop():
        return any(which == 1 and epoch >= 3 for which, epoch, _ in seen)

    result = compare(
        Project.course(),
        Change("optimizer", "sgd"),
        epochs=8,
        callback=lambda which, epoch, logs: seen.append((which, epoch, logs)),
        should_stop=stop,
    )
    assert [e for w, e, _ in seen if w == 0] == list(range(1, 9))
    assert [e for w, e, _ in seen if w == 1][:3] == [1, 2, 3]
    assert all("loss" in logs and "val_loss" in logs for _, _, logs in seen)
    assert result.cancelled
    assert result.base.outcome == "finished" and result.variant.outcome == "stopped"
    assert result.variant.epochs < 8
    assert verdict(result).startswith("Cancelled; so far: ")

    early = compare(
        Project.course(), Change("optimizer", "sgd"), epochs=5, should_stop=lambda: True
    )
    assert early.cancelled and early.base is None and early.variant is None
    assert verdict(early).startswith("Cancelled before")


def test_a_change_of_loss_is_judged_by_accuracy():
    result = compare(Project.course(), Change("loss", "mean_squared_error"), epochs=20)
    assert result.measure == "accuracy"
    assert "accuracy" in result.variant.history and "accuracy" in result.base.history
    assert result.variant_project.compile.loss == "mean_squared_error"
    assert result.labels == ("the binary cross-entropy loss", "the MSE loss")
    assert "reached accuracy" in verdict(result)


def test_a_project_without_data_is_refused():
    project = Project.course()
    project.dataset = None
    with pytest.raises(ProjectError, match="no data"):
        compare(project, Change("learning_rate", 0.1), epochs=3)


def test_a_diverging_variant_is_named():
    project = Project.course()
    project.layers = [LayerSpec(16, "relu", "h"), LayerSpec(1, "linear", "out")]
    project.compile.loss, project.compile.metrics = "mean_squared_error", []
    project.compile.optimizer = "sgd"
    result = compare(project, Change("learning_rate", 10.0), epochs=30)
    assert result.variant.outcome == "diverged" and result.base.outcome == "finished"
    text = verdict(result)
    assert text.startswith(f"Learning rate 10 diverged at epoch {result.variant.diverged_epoch}")
    assert "learning rate 0.01 reached loss" in text


def test_changes_offered_for_the_course_network():
    project = Project.course()
    changes = changes_for(project)
    assert Change("activation", "relu", layer=0) in changes
    assert Change("activation", "sigmoid", layer=0) not in changes  # its current value
    assert not [c for c in changes if c.kind == "activation" and c.value == "softmax"]
    # binary cross-entropy on a sigmoid output: the output keeps its sigmoid
    assert not [c for c in changes if c.kind == "activation" and c.layer == 2]
    losses = {c.value for c in changes if c.kind == "loss"}
    assert losses == {"mean_squared_error", "mean_absolute_error", "huber"}
    assert {c.value for c in changes if c.kind == "optimizer"} == {"sgd", "rmsprop"}
    rates = [c.value for c in changes if c.kind == "learning_rate"]
    assert rates == [0.001, 0.003, 0.03, 0.1]
    sizes = [c.value for c in changes if c.kind == "batch_size"]
    assert 32 not in sizes and None in sizes and all(s is None or s < 160 for s in sizes)
    for change in changes:
        apply_change(project, change)  # every offer is valid


def test_changes_offered_for_multiclass_and_regression():
    iris_path = resource_path("examples", "iris.nnproj")
    sine_path = resource_path("examples", "sine.nnproj")
    if iris_path is None or sine_path is None:
        pytest.skip("examples not built")
    iris = Project.load(iris_path)
    losses = {c.value for c in changes_for(iris) if c.kind == "loss"}
    assert losses == {"categorical_crossentropy"}
    assert not [c for c in changes_for(iris) if c.kind == "activation" and c.layer == 1]
    sine = Project.load(sine_path)
    output = len(sine.layers) - 1
    outputs = {c.value for c in changes_for(sine) if c.kind == "activation" and c.layer == output}
    assert "relu" in outputs and "softmax" not in outputs
    assert {c.value for c in changes_for(sine) if c.kind == "loss"} == {
        "mean_absolute_error",
        "huber",
    }


def test_apply_change_makes_a_copy_and_refuses_what_does_not_fit():
    project = Project.course()
    variant = apply_change(project, Change("activation", "relu", layer=1))
    assert variant.layers[1].activation == "relu" and project.layers[1].activation == "sigmoid"
    assert apply_change(project, Change("batch_size", None)).training.batch_size is None
    refused = [
        (Change("activation", "softmax", layer=2), "cannot use 'softmax'"),
        (Change("activation", "gelu", layer=0), "Unknown activation"),
        (Change("activation", "relu", layer=7), "no layer 7"),
        (Change("loss", "categorical_crossentropy"), "does not suit"),
        (Change("optimizer", "adagrad"), "Unknown optimizer"),
        (Change("learning_rate", 0.0), "above 0"),
        (Change("learning_rate", float("nan")), "above 0"),
        (Change("batch_size", 0), "at least 1"),
    ]
    for change, message in refused:
        with pytest.raises(ValueError, match=message):
            apply_change(project, change)
    with pytest.raises(ValueError, match="one of activation"):
        Change("units", 3)
    with pytest.raises(ValueError, match="names its layer"):
        Change("activation", "relu")


def test_describe():
    assert describe(Change("activation", "relu", layer=1)) == "layer 2: relu"
    assert describe(Change("learning_rate", 0.1)) == "lr 0.1"
    assert describe(Change("batch_size", 64)) == "batch 64"
    assert describe(Change("batch_size", None)) == "full batch"
    assert describe(Change("loss", "mean_squared_error")) == "loss: MSE"
    assert describe(Change("optimizer", "sgd")) == "optimizer: SGD"


# ---- the verdict on made-up runs ----------------------------------------------------------


def made_up(base_losses, variant_losses, outcomes=("finished", "finished"), diverged=(None, None)):
    runs = [
        RunOutcome(kind, [], {"loss": list(losses)}, len(losses), diverged_epoch=epoch)
        for kind, losses, epoch in zip(outcomes, (base_losses, variant_losses), diverged)
    ]
    return Comparison(
        change=Change("activation", "relu", layer=0),
        base=runs[0],
        variant=runs[1],
        base_project=Project(),
        variant_project=Project(),
        base_health=None,
        variant_health=None,
        initial_weights=[],
        epochs=max(len(base_losses), len(variant_losses)),
        measure="loss",
        labels=("sigmoid", "ReLU"),
    )


def test_verdicts():
    slow = np.linspace(0.7, 0.1, 100)
    fast = np.concatenate([np.linspace(0.7, 0.05, 30), np.full(70, 0.04)])
    assert verdict(made_up(slow, fast)) == (
        "ReLU reached loss 0.11 in "
        f"{first_epoch_reaching(fast, 0.11)} epochs; sigmoid needed "
        f"{first_epoch_reaching(slow, 0.11)} "
        "(final loss 0.04 and 0.1)."
    )
    tie = verdict(made_up(slow, slow * 0.999))
    assert "about the same" in tie
    stuck = verdict(made_up(slow, np.full(100, 0.7)))
    assert stuck.startswith("Sigmoid reached loss 0.1 in 100 epochs; ReLU did not improve")
    gone = verdict(made_up(slow, fast[:12], ("finished", "diverged"), (None, 13)))
    assert gone == "ReLU diverged at epoch 13; sigmoid reached loss 0.1 in 100 epochs."
    both = verdict(made_up(slow[:5], fast[:3], ("diverged", "diverged"), (6, 4)))
    assert both == "Both diverged: sigmoid at epoch 6, ReLU at epoch 4."
    # early stopping is named: that run's final figures are not its kept weights'
    early = made_up(slow, fast[:40])
    early.variant.early_stopped, early.variant.best_epoch = True, 20
    assert verdict(early).endswith(" ReLU stopped early at epoch 40 (its best, 20).")
    # a run stopped early is held to the same target over the epochs it had
    stopped = np.linspace(0.7, 0.5, 40)
    short = verdict(made_up(slow, stopped, ("finished", "stopped")))
    assert short == (
        f"Sigmoid reached loss 0.55 in {first_epoch_reaching(slow, 0.55)} epochs; ReLU needed "
        f"{first_epoch_reaching(stopped, 0.55)} (final loss 0.1 and 0.5)."
    )
