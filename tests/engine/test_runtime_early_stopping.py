"""Early stopping and target scaling, as runtime.fit_run gives them to every front end: the run
stops once the validation loss stalls and keeps the best epoch's weights; a regression trains
on a standardised target and reports losses and predictions in the target's own units."""

from __future__ import annotations

import numpy as np
import pytest

from engine.callbacks import Callback
from engine.data import Dataset, builtin
from engine.project import Project, runtime


class _EveryEpoch(Callback):
    """The weights and logs after each epoch, by absolute 1-based epoch."""

    def __init__(self):
        super().__init__()
        self.weights, self.logs = {}, {}

    def on_epoch_end(self, epoch, logs=None):
        self.weights[epoch + 1] = self.model.get_weights()
        self.logs[epoch + 1] = dict(logs or {})


def overfitting_project(patience=None) -> Project:
    """A wide network on 60 noisy points: the validation loss turns up early."""
    project = Project.new_for_dataset(builtin("moons", n_samples=60, noise=0.45, seed=2))
    project.layers[0].units = 128
    project.compile.learning_rate = 0.01
    project.training.validation_split = 0.3
    project.training.early_stopping = patience
    return project


def test_a_stalled_validation_loss_stops_the_run_and_the_best_weights_are_kept():
    project = overfitting_project(patience=5)
    model = runtime.build_model(project, seed=0)
    prepared = runtime.prepare_data(project)
    seen = _EveryEpoch()
    outcome = runtime.fit_run(model, prepared, project.training, epochs=400, callbacks=[seen])
    assert outcome.outcome == "stopped" and outcome.early_stopped
    assert outcome.epochs < 400
    val_loss = outcome.history["val_loss"]
    best = int(np.argmin(val_loss)) + 1
    assert outcome.best_epoch == best and outcome.epochs - best == 5
    for kept, expected in zip(outcome.weights, seen.weights[best], strict=True):
        np.testing.assert_array_equal(kept, expected)
    assert f"Kept the weights of epoch {best}" in outcome.message
    # The model itself holds them too, so evaluating it scores the best epoch.
    score = model.evaluate(prepared.x_val, prepared.y_val, verbose=0, return_dict=True)["loss"]
    assert score == pytest.approx(min(val_loss), rel=1e-5)


def test_early_stopping_counts_epochs_after_those_already_trained():
    project = overfitting_project(patience=4)
    model = runtime.build_model(project, seed=0)
    outcome = runtime.fit_run(
        model, runtime.prepare_data(project), project.training, epochs=400, initial_epoch=50
    )
    assert outcome.early_stopped
    assert outcome.best_epoch == 50 + int(np.argmin(outcome.history["val_loss"])) + 1


def test_patience_for_one_run_overrides_the_project_and_zero_turns_it_off():
    project = overfitting_project(patience=None)
    prepared = runtime.prepare_data(project)
    off = runtime.fit_run(runtime.build_model(project, seed=0), prepared, project.training, 150)
    assert (off.outcome, off.epochs, off.best_epoch, off.early_stopped) == (
        "finished",
        150,
        None,
        False,
    )
    on = runtime.fit_run(
        runtime.build_model(project, seed=0), prepared, project.training, 400, patience=5
    )
    assert on.early_stopped
    project.training.early_stopping = 5
    zero = runtime.fit_run(
        runtime.build_model(project, seed=0), prepared, project.training, 150, patience=0
    )
    assert (zero.epochs, zero.best_epoch) == (150, None)


def test_without_a_validation_split_there_is_nothing_to_stop_on():
    project = overfitting_project(patience=2)
    project.training.validation_split = 0.0
    prepared = runtime.prepare_data(project)
    assert runtime.early_stopping(project.training, prepared) is None
    outcome = runtime.fit_run(runtime.build_model(project, seed=0), prepared, project.training, 40)
    assert (outcome.outcome, outcome.epochs, outcome.best_epoch) == ("finished", 40, None)


def test_a_run_that_never_stalls_still_ends_on_the_best_epochs_weights():
    # Keras restores the best weights also when the run reaches its last epoch.
    project = overfitting_project(patience=1000)
    model = runtime.build_model(project, seed=0)
    seen = _EveryEpoch()
    outcome = runtime.fit_run(
        model, runtime.prepare_data(project), project.training, 120, callbacks=[seen]
    )
    assert outcome.outcome == "finished" and not outcome.early_stopped
    best = int(np.argmin(outcome.history["val_loss"])) + 1
    assert best < 120 and outcome.best_epoch == best
    np.testing.assert_array_equal(outcome.weights[0], seen.weights[best][0])


# ------------------------------------------------------------------------- target scaling


def priced(n=200, seed=0) -> Dataset:
    """A regression whose target is in the hundreds, like a price."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype(np.float32)
    y = (400 + 120 * x[:, :1] - 60 * x[:, 1:2] ** 2 + rng.normal(0, 10, (n, 1))).astype(np.float32)
    return Dataset(x, y, feature_names=["a", "b", "c"], target_name="price", name="prices")


def regression_project(target_scaling="standardize") -> Project:
    project = Project.new_for_dataset(priced())
    project.training.target_scaling = target_scaling
    project.training.early_stopping = None
    project.compile.learning_rate = 0.01  # a few dozen epochs are enough to compare
    return project


def test_the_target_is_standardised_on_the_training_split_only():
    project = regression_project()
    prepared = runtime.prepare_data(project)
    assert abs(prepared.y_train.mean()) < 1e-5 and prepared.y_train.std() == pytest.approx(1, 1e-5)
    assert prepared.target_scaler_config["kind"] == "standardize"
    train, _ = project.dataset.split(
        validation=project.training.validation_split, seed=project.training.seed
    )
    assert prepared.target_scaler_config["offset"][0] == pytest.approx(float(train.y.mean()))
    assert project.target_scaler is None  # prepare_data is pure
    raw = runtime.prepare_data(regression_project("none"))
    np.testing.assert_array_equal(raw.y_train, train.y)


def test_losses_and_predictions_come_out_in_the_targets_units(tmp_path):
    project = regression_project()
    model = runtime.build_model(project, seed=0)
    prepared = runtime.prepare_data(project)
    outcome = runtime.fit_run(model, prepared, project.training, 60)
    runtime.record_run(project, outcome, prepared.scaler_config)
    assert project.target_scaler == prepared.target_scaler_config
    train, val = project.dataset.split(
        validation=project.training.validation_split, seed=project.training.seed
    )
    # The last epoch's val_loss is the MSE of the un-scaled predictions, in price units.
    predicted = runtime.predict(project, model, val.x)
    mse = float(np.mean((predicted - val.y) ** 2))
    assert outcome.history["val_loss"][-1] == pytest.approx(mse, rel=1e-4)
    assert mse > 10  # in price units, not standard deviations
    scores = runtime.evaluate(project, model, val.x, val.y)
    assert scores["loss"] == pytest.approx(mse, rel=1e-4)
    assert scores["mae"] == pytest.approx(float(np.mean(np.abs(predicted - val.y))), rel=1e-4)
    assert scores["r2"] > 0.8
    # Saved and reopened, the project predicts the same prices.
    project.save(tmp_path / "prices.nnproj")
    again = Project.load(tmp_path / "prices.nnproj")
    np.testing.assert_allclose(
        runtime.predict(again, runtime.build_model(again), val.x), predicted, rtol=1e-6
    )


def test_a_scaled_target_trains_a_target_in_the_hundreds_where_the_raw_one_does_not():
    scores = {}
    for kind in ("none", "standardize"):
        project = regression_project(kind)
        model = runtime.build_model(project, seed=0)
        prepared = runtime.prepare_data(project)
        runtime.record_run(
            project, runtime.fit_run(model, prepared, project.training, 40), prepared.scaler_config
        )
        _, val = project.dataset.split(validation=0.2, seed=project.training.seed)
        scores[kind] = runtime.evaluate(project, model, val.x, val.y)["r2"]
    assert scores["standardize"] > 0.8 > scores["none"]


def test_classification_targets_are_never_scaled():
    project = Project.new_for_dataset(builtin("iris"))
    project.training.target_scaling = "standardize"
    assert not runtime.scales_target(project)
    prepared = runtime.prepare_data(project)
    assert prepared.target_scaler is None
    assert set(np.unique(prepared.y_train)) <= {0.0, 1.0, 2.0}
