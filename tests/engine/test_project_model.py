"""The project and the engine: build_model, from_model, prepare_data, record_training, and the
projects Netbuilder makes for a person (the default one, one per dataset)."""

from __future__ import annotations

import math
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from project_testing import small_project

from engine import regularizers
from engine.data import builtin
from engine.errors import ProjectError
from engine.layers import Dense
from engine.losses import BinaryCrossentropy
from engine.model import Sequential
from engine.optimizers import Adam
from engine.project import (
    CompileSpec,
    DatasetSource,
    LayerSpec,
    Project,
    TrainingSpec,
    document,
    runtime,
)

ROOT = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------------- build_model


def test_build_model_follows_the_specs_and_sets_the_stored_weights():
    project = small_project()
    model = runtime.build_model(project)
    hidden, out = model.layers
    assert (hidden.units, hidden.activation.name, hidden.name) == (3, "relu", "hidden")
    assert isinstance(hidden.kernel_regularizer, regularizers.L2)
    assert hidden.kernel_regularizer.l2 == pytest.approx(0.01)
    assert out.kernel_regularizer is None  # l2 == 0 means no regularizer
    assert type(model.optimizer).__name__ == "SGD"
    assert model.optimizer.learning_rate == pytest.approx(0.1)
    assert model.optimizer.momentum == pytest.approx(0.5)
    assert type(model.loss).__name__ == "BinaryCrossentropy"
    assert model.input_shape == (None, 2)
    for got, want in zip(model.get_weights(), project.weights, strict=True):
        assert np.array_equal(got, want)


def test_build_model_passes_from_logits_to_the_loss():
    project = small_project(trained=False)
    project.compile.from_logits = True
    assert runtime.build_model(project).loss.from_logits is True


def test_build_model_takes_the_input_size_from_the_dataset():
    project = Project(
        layers=[LayerSpec(5, "relu", "h"), LayerSpec(3, "softmax", "o")],
        compile=CompileSpec(loss="sparse_categorical_crossentropy"),
        dataset_source=DatasetSource(kind="builtin", name="iris"),
    )
    project.load_dataset()
    assert runtime.build_model(project).input_shape == (None, 4)


def test_build_model_without_any_input_size_gives_an_unbuilt_compiled_model():
    project = small_project(trained=False)
    project.input_dim = None
    model = runtime.build_model(project)
    assert not model.built and model.optimizer is not None


def test_weights_that_no_longer_fit_the_layers_are_refused_until_cleared():
    project = small_project()
    project.layers[0].units = 5
    with pytest.raises(ProjectError, match="do not fit its network: layer 1 kernel has shape"):
        runtime.build_model(project)
    project.clear_training()
    assert project.weights is None and project.history == {} and project.snapshots == {}
    assert runtime.build_model(project).get_weights()[0].shape == (2, 5)


def test_a_project_without_layers_cannot_build():
    with pytest.raises(ProjectError, match="no layers"):
        runtime.build_model(Project())


def test_predictions_are_identical_after_a_save_and_load(tmp_path):
    project = small_project(tmp_path / "d.csv")
    x = np.random.default_rng(0).normal(size=(20, 2)).astype(np.float32)
    before = runtime.build_model(project).predict(x, verbose=0)
    after = runtime.build_model(Project.load(project.save(tmp_path / "p.nnproj"))).predict(
        x, verbose=0
    )
    assert np.array_equal(before, after)


# ---------------------------------------------------------------------- from_model


def course_model() -> Sequential:
    model = Sequential(
        [
            Dense(units=25, activation="sigmoid"),
            Dense(units=15, activation="sigmoid", kernel_regularizer=regularizers.L2(0.02)),
            Dense(units=1, activation="sigmoid"),
        ]
    )
    model.compile(loss=BinaryCrossentropy, optimizer=Adam(learning_rate=0.005))
    return model


def test_from_model_reads_layers_and_compile_settings():
    model = course_model()
    project = Project.from_model(model)
    assert [(s.units, s.activation) for s in project.layers] == [
        (25, "sigmoid"),
        (15, "sigmoid"),
        (1, "sigmoid"),
    ]
    assert project.layers[1].l2 == pytest.approx(0.02) and project.layers[0].l2 == 0.0
    assert project.compile.loss == "binary_crossentropy"
    assert project.compile.optimizer == "adam"
    assert project.compile.learning_rate == pytest.approx(0.005)
    assert project.weights is None  # never built


def test_from_model_round_trips_a_trained_model_through_the_file(tmp_path):
    data = builtin("coffee")
    model = course_model()
    history = model.fit(data.x, data.y, epochs=3, verbose=0)
    project = Project.from_model(model, dataset=data, history=history.history)
    assert project.dataset_source == DatasetSource(
        kind="builtin", name="coffee", params={"n_samples": 200, "noise": 0.0, "seed": 0}
    )
    assert project.epochs_trained == 3 and len(project.history["loss"]) == 3
    loaded = Project.load(project.save(tmp_path / "coffee.nnproj"))
    rebuilt = runtime.build_model(loaded)
    assert np.array_equal(rebuilt.predict(data.x, verbose=0), model.predict(data.x, verbose=0))
    assert loaded.history == history.history


def test_from_model_embeds_data_that_has_no_file(tmp_path):
    data = builtin("xor", n_samples=20)
    data.source = {"kind": "arrays"}  # e.g. made in a notebook: nothing to reload it from
    model = Sequential([Dense(2, activation="relu"), Dense(1, activation="sigmoid")])
    model.compile(loss="bce", optimizer="sgd")
    project = Project.from_model(model, dataset=data)
    assert project.dataset_source.kind == "csv" and project.dataset_source.path is None
    loaded = Project.load(project.save(tmp_path / "p.nnproj"))
    assert loaded.warnings == []
    assert np.array_equal(loaded.dataset.x, data.x) and np.array_equal(loaded.dataset.y, data.y)


def test_from_model_refuses_what_a_project_cannot_store():
    model = Sequential([Dense(2, kernel_regularizer=regularizers.L1(0.1))])
    with pytest.raises(ProjectError, match="L1"):
        Project.from_model(model)


# ---------------------------------------------------------------------- data and training


def course(**training) -> Project:
    project = Project.course()
    project.training = TrainingSpec(**training)
    return project


def test_prepare_data_splits_with_the_seed_and_scales_on_the_training_split_only():
    project = course(validation_split=0.25, seed=4, scaling="standardize")
    data = runtime.prepare_data(project)
    assert data.x_train.shape == (150, 2) and data.x_val.shape == (50, 2)
    assert data.y_train.shape == (150, 1)
    assert np.allclose(data.x_train.mean(axis=0), 0, atol=1e-5)
    assert not np.allclose(data.x_val.mean(axis=0), 0, atol=1e-3)  # fitted on train only
    train, _ = project.dataset.split(validation=0.25, seed=4)
    assert np.allclose(data.scaler_config["offset"], train.x.mean(axis=0))
    again = runtime.prepare_data(project)
    assert np.array_equal(again.x_val, data.x_val)  # the same seed, the same split
    other = runtime.prepare_data(course(validation_split=0.25, seed=5))
    assert not np.array_equal(other.x_val, data.x_val)


def test_prepare_data_without_validation_and_without_scaling():
    project = course(validation_split=0.0, scaling="none")
    data = runtime.prepare_data(project)
    assert data.x_val is None and data.y_val is None
    assert np.array_equal(data.x_train, project.dataset.x)
    assert data.scaler.transform(project.dataset.x[:3]).tolist() == project.dataset.x[:3].tolist()
    assert runtime.fitted_scaler(project) is None  # nothing to scale with


def test_prepare_data_without_a_dataset_says_what_to_do():
    with pytest.raises(ProjectError, match="no data to train on. Pick a dataset"):
        runtime.prepare_data(Project(layers=[LayerSpec(1)]))


def test_record_run_appends_history_and_keeps_a_copy_of_the_weights():
    project = course(epochs=2, validation_split=0.2)
    model = runtime.build_model(project)
    data = runtime.prepare_data(project)
    no_validation = replace(data, x_val=None, y_val=None)
    first = runtime.fit_run(model, no_validation, project.training, 2)
    runtime.record_run(project, first, data.scaler_config)
    second = runtime.fit_run(model, data, project.training, 3, initial_epoch=2)
    runtime.record_run(project, second, data.scaler_config, snapshots={5: model.get_weights()})
    assert (first.outcome, second.outcome) == ("finished", "finished")
    assert project.epochs_trained == 5
    assert project.history["loss"] == first.history["loss"] + second.history["loss"]
    # val_loss only exists in the second run: NaN-padded so every list has one value per epoch
    assert all(math.isnan(v) for v in project.history["val_loss"][:2])
    assert project.history["val_loss"][2:] == second.history["val_loss"]
    assert list(project.snapshots) == [5]
    assert project.scaler == data.scaler_config
    before = project.weights[0].copy()
    model.fit(data.x_train, data.y_train, epochs=1, verbose=0)
    assert np.array_equal(project.weights[0], before)  # not a view of the model's weights


def test_prepare_data_leaves_the_project_as_it_was():
    project = course()
    assert project.scaler is None
    prepared = runtime.prepare_data(project)
    assert project.scaler is None  # no hidden side effect: record_run stores the scaler
    assert prepared.scaler_config["kind"] == "standardize"


def test_a_diverging_run_keeps_the_last_finite_weights_and_says_so():
    project = Project.new_for_dataset(builtin("linear"))  # ReLU hidden layers, MSE
    project.compile.optimizer, project.compile.learning_rate = "sgd", 1e6
    model = runtime.build_model(project, seed=0)
    start = model.get_weights()
    outcome = runtime.fit_run(model, runtime.prepare_data(project), project.training, 50)
    assert outcome.outcome == "diverged" and outcome.diverged_epoch >= 1
    assert "diverged at epoch" in outcome.message and "learning rate below" in outcome.message
    assert all(np.isfinite(w).all() for w in outcome.weights)
    assert outcome.epochs == len(outcome.history.get("loss", [])) < 50
    if outcome.epochs == 0:
        assert all(np.array_equal(a, b) for a, b in zip(outcome.weights, start))


def test_a_stopped_run_says_so():
    from engine.callbacks import Callback

    class StopAfterTwo(Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.stop_training = True

    project = course()
    model = runtime.build_model(project, seed=0)
    outcome = runtime.fit_run(
        model, runtime.prepare_data(project), project.training, 10, callbacks=[StopAfterTwo()]
    )
    assert (outcome.outcome, outcome.epochs) == ("stopped", 2)


def test_full_batch_is_one_step_per_epoch():
    training = course().training
    training.batch_size = None
    assert runtime.fit_batch_size(training, 160) == 160
    training.batch_size = 32
    assert runtime.fit_batch_size(training, 160) == 32


def test_a_full_session_reopens_exactly(tmp_path):
    project = course(epochs=5)
    model = runtime.build_model(project)
    data = runtime.prepare_data(project)
    runtime.record_run(
        project, runtime.fit_run(model, data, project.training, 5), data.scaler_config
    )
    reopened = Project.load(project.save(tmp_path / "s.nnproj"))
    again = runtime.prepare_data(reopened)
    assert reopened.scaler == project.scaler
    assert np.array_equal(again.x_val, data.x_val)
    assert np.array_equal(
        runtime.build_model(reopened).predict(again.x_val, verbose=0),
        model.predict(data.x_val, verbose=0),
    )


# ---------------------------------------------------------------------- suggested projects


@pytest.mark.parametrize(
    ("name", "units", "activation", "loss"),
    [
        ("coffee", 1, "sigmoid", "binary_crossentropy"),
        ("spiral3", 3, "softmax", "sparse_categorical_crossentropy"),
        ("iris", 3, "softmax", "sparse_categorical_crossentropy"),
        ("sine", 1, "linear", "mean_squared_error"),
    ],
)
def test_new_for_dataset_follows_the_course_advice(name, units, activation, loss):
    data = builtin(name)
    project = Project.new_for_dataset(data)
    *hidden, output = project.layers
    assert hidden and all(layer.activation == "relu" for layer in hidden)
    assert (output.units, output.activation, project.compile.loss) == (units, activation, loss)
    assert project.dataset is data and project.dataset_source.name == name
    prepared = runtime.prepare_data(project)
    model = runtime.build_model(project)
    model.fit(prepared.x_train, prepared.y_train, epochs=1, verbose=0)


def test_default_opens_the_packaged_example_without_remembering_its_path():
    project = Project.default()
    assert [(s.units, s.activation) for s in project.layers] == [
        (25, "sigmoid"),
        (15, "sigmoid"),
        (1, "sigmoid"),
    ]
    assert project.compile.loss == "binary_crossentropy"
    assert project.dataset_source.name == "coffee" and project.dataset.n_samples == 200
    assert project.path is None  # Save must not overwrite the installed example
    if (ROOT / "resources" / "examples" / "coffee.nnproj").is_file():
        assert project.weights is not None and project.history["loss"]


def test_default_without_examples_builds_the_course_project(monkeypatch):
    monkeypatch.setattr(document, "resource_path", lambda *parts: None)
    project = Project.default()
    assert [(s.units, s.activation) for s in project.layers] == [
        (25, "sigmoid"),
        (15, "sigmoid"),
        (1, "sigmoid"),
    ]
    assert project.weights is None and project.dataset.n_samples == 200


def test_default_with_a_broken_example_falls_back_and_says_why(monkeypatch, tmp_path):
    (tmp_path / "coffee.nnproj").write_bytes(b"garbage")
    monkeypatch.setattr(document, "resource_path", lambda *parts: tmp_path / parts[-1])
    project = Project.default()
    assert project.weights is None and len(project.layers) == 3
    assert "could not be opened" in project.warnings[0]


def test_default_finds_the_examples_without_importing_qt_or_the_app():
    code = (
        "import sys\n"
        "from engine.project import Project\n"
        "from engine.resources import resource_path\n"
        "Project.default()\n"
        "print(resource_path('examples'))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('app', 'PySide6', 'pyqtgraph')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    found, imported = result.stdout.strip().splitlines()
    assert found.endswith(str(Path("resources", "examples"))) or found == "None"
    assert imported == "[]"


def test_copy_of_a_long_history_is_independent_of_the_original():
    from engine.project import Project

    project = Project.course()
    project.history = {
        key: [float(i) for i in range(100_000)]
        for key in ("loss", "accuracy", "val_loss", "val_accuracy")
    }
    project.weights = [np.ones((2, 3), dtype="float32")]
    twin = project.copy()
    assert twin.history == project.history and twin.history["loss"] is not project.history["loss"]
    project.history["loss"].append(-1.0)
    project.weights[0][0, 0] = 5.0
    assert len(twin.history["loss"]) == 100_000 and twin.weights[0][0, 0] == 1.0
