"""The project and the engine: build_model, from_model, prepare_data, record_training, and the
projects Netbuilder makes for a person (the default one, one per dataset)."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from project_testing import small_project

import engine.project as project_module
from engine import regularizers
from engine.data import builtin
from engine.errors import ProjectError
from engine.layers import Dense
from engine.losses import BinaryCrossentropy
from engine.model import Sequential
from engine.optimizers import Adam
from engine.project import CompileSpec, DatasetSource, LayerSpec, Project, TrainingSpec

ROOT = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------------- build_model


def test_build_model_follows_the_specs_and_sets_the_stored_weights():
    project = small_project()
    model = project.build_model()
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
    assert project.build_model().loss.from_logits is True


def test_build_model_takes_the_input_size_from_the_dataset():
    project = Project(layers=[LayerSpec(5, "relu", "h"), LayerSpec(3, "softmax", "o")],
                      compile=CompileSpec(loss="sparse_categorical_crossentropy"),
                      dataset_source=DatasetSource(kind="builtin", name="iris"))
    project.load_dataset()
    assert project.build_model().input_shape == (None, 4)


def test_build_model_without_any_input_size_gives_an_unbuilt_compiled_model():
    project = small_project(trained=False)
    project.input_dim = None
    model = project.build_model()
    assert not model.built and model.optimizer is not None


def test_weights_that_no_longer_fit_the_layers_are_refused_until_cleared():
    project = small_project()
    project.layers[0].units = 5
    with pytest.raises(ProjectError, match="do not fit its network: layer 1 kernel has shape"):
        project.build_model()
    project.clear_training()
    assert project.weights is None and project.history == {} and project.snapshots == {}
    assert project.build_model().get_weights()[0].shape == (2, 5)


def test_a_project_without_layers_cannot_build():
    with pytest.raises(ProjectError, match="no layers"):
        Project().build_model()


def test_predictions_are_identical_after_a_save_and_load(tmp_path):
    project = small_project(tmp_path / "d.csv")
    x = np.random.default_rng(0).normal(size=(20, 2)).astype(np.float32)
    before = project.build_model().predict(x, verbose=0)
    after = Project.load(project.save(tmp_path / "p.nnproj")).build_model().predict(x, verbose=0)
    assert np.array_equal(before, after)


# ---------------------------------------------------------------------- from_model


def course_model() -> Sequential:
    model = Sequential([
        Dense(units=25, activation="sigmoid"),
        Dense(units=15, activation="sigmoid", kernel_regularizer=regularizers.L2(0.02)),
        Dense(units=1, activation="sigmoid"),
    ])
    model.compile(loss=BinaryCrossentropy, optimizer=Adam(learning_rate=0.005))
    return model


def test_from_model_reads_layers_and_compile_settings():
    model = course_model()
    project = Project.from_model(model)
    assert [(s.units, s.activation) for s in project.layers] == [
        (25, "sigmoid"), (15, "sigmoid"), (1, "sigmoid")]
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
        kind="builtin", name="coffee", params={"n_samples": 200, "noise": 0.0, "seed": 0})
    assert project.epochs_trained == 3 and len(project.history["loss"]) == 3
    loaded = Project.load(project.save(tmp_path / "coffee.nnproj"))
    rebuilt = loaded.build_model()
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
    data = project.prepare_data()
    assert data.x_train.shape == (150, 2) and data.x_val.shape == (50, 2)
    assert data.y_train.shape == (150, 1)
    assert np.allclose(data.x_train.mean(axis=0), 0, atol=1e-5)
    assert not np.allclose(data.x_val.mean(axis=0), 0, atol=1e-3)  # fitted on train only
    train, _ = project.dataset.split(validation=0.25, seed=4)
    assert np.allclose(project.scaler["offset"], train.x.mean(axis=0))
    again = project.prepare_data()
    assert np.array_equal(again.x_val, data.x_val)  # the same seed, the same split
    other = course(validation_split=0.25, seed=5).prepare_data()
    assert not np.array_equal(other.x_val, data.x_val)


def test_prepare_data_without_validation_and_without_scaling():
    project = course(validation_split=0.0, scaling="none")
    data = project.prepare_data()
    assert data.x_val is None and data.y_val is None
    assert np.array_equal(data.x_train, project.dataset.x)
    assert project.fitted_scaler().transform(project.dataset.x[:3]).tolist() == \
        project.dataset.x[:3].tolist()


def test_prepare_data_without_a_dataset_says_what_to_do():
    with pytest.raises(ProjectError, match="no data to train on. Pick a dataset"):
        Project(layers=[LayerSpec(1)]).prepare_data()


def test_record_training_appends_history_and_keeps_a_copy_of_the_weights():
    project = course(epochs=2, validation_split=0.2)
    model = project.build_model()
    data = project.prepare_data()
    first = model.fit(data.x_train, data.y_train, epochs=2, verbose=0)
    project.record_training(model, first.history, epochs=2)
    second = model.fit(data.x_train, data.y_train, epochs=3, verbose=0,
                       validation_data=(data.x_val, data.y_val))
    project.record_training(model, second, epochs=3,
                            snapshots={5: model.get_weights()})
    assert project.epochs_trained == 5
    assert project.history["loss"] == first.history["loss"] + second.history["loss"]
    # val_loss only exists in the second run: NaN-padded so every list has one value per epoch
    assert all(math.isnan(v) for v in project.history["val_loss"][:2])
    assert project.history["val_loss"][2:] == second.history["val_loss"]
    assert list(project.snapshots) == [5]
    before = project.weights[0].copy()
    model.fit(data.x_train, data.y_train, epochs=1, verbose=0)
    assert np.array_equal(project.weights[0], before)  # not a view of the model's weights


def test_a_full_session_reopens_exactly(tmp_path):
    project = course(epochs=5)
    model = project.build_model()
    data = project.prepare_data()
    history = model.fit(data.x_train, data.y_train, epochs=5, verbose=0,
                        validation_data=(data.x_val, data.y_val))
    project.record_training(model, history.history, epochs=5)
    reopened = Project.load(project.save(tmp_path / "s.nnproj"))
    again = reopened.prepare_data()
    assert reopened.scaler == project.scaler
    assert np.array_equal(again.x_val, data.x_val)
    assert np.array_equal(reopened.build_model().predict(again.x_val, verbose=0),
                          model.predict(data.x_val, verbose=0))


# ---------------------------------------------------------------------- suggested projects


@pytest.mark.parametrize(("name", "units", "activation", "loss"), [
    ("coffee", 1, "sigmoid", "binary_crossentropy"),
    ("spiral3", 3, "softmax", "sparse_categorical_crossentropy"),
    ("iris", 3, "softmax", "sparse_categorical_crossentropy"),
    ("sine", 1, "linear", "mean_squared_error"),
])
def test_new_for_dataset_follows_the_course_advice(name, units, activation, loss):
    data = builtin(name)
    project = Project.new_for_dataset(data)
    *hidden, output = project.layers
    assert hidden and all(layer.activation == "relu" for layer in hidden)
    assert (output.units, output.activation, project.compile.loss) == (units, activation, loss)
    assert project.dataset is data and project.dataset_source.name == name
    prepared = project.prepare_data()
    model = project.build_model()
    model.fit(prepared.x_train, prepared.y_train, epochs=1, verbose=0)


def test_default_opens_the_packaged_example_without_remembering_its_path():
    project = Project.default()
    assert [(s.units, s.activation) for s in project.layers] == [
        (25, "sigmoid"), (15, "sigmoid"), (1, "sigmoid")]
    assert project.compile.loss == "binary_crossentropy"
    assert project.dataset_source.name == "coffee" and project.dataset.n_samples == 200
    assert project.path is None  # Save must not overwrite the installed example
    if (ROOT / "app" / "resources" / "examples" / "coffee.nnproj").is_file():
        assert project.weights is not None and project.history["loss"]


def test_default_without_examples_builds_the_course_project(monkeypatch):
    monkeypatch.setattr(project_module, "examples_dir", lambda: None)
    project = Project.default()
    assert [(s.units, s.activation) for s in project.layers] == [
        (25, "sigmoid"), (15, "sigmoid"), (1, "sigmoid")]
    assert project.weights is None and project.dataset.n_samples == 200


def test_default_with_a_broken_example_falls_back_and_says_why(monkeypatch, tmp_path):
    (tmp_path / "coffee.nnproj").write_bytes(b"garbage")
    monkeypatch.setattr(project_module, "examples_dir", lambda: tmp_path)
    project = Project.default()
    assert project.weights is None and len(project.layers) == 3
    assert "could not be opened" in project.warnings[0]


def test_default_finds_the_examples_without_importing_qt_or_the_app():
    code = (
        "import sys\n"
        "from engine.project import Project, examples_dir\n"
        "Project.default()\n"
        "print(examples_dir())\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('app', 'PySide6', 'pyqtgraph')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    found, imported = result.stdout.strip().splitlines()
    assert found.endswith(str(Path("app", "resources", "examples"))) or found == "None"
    assert imported == "[]"


def test_copy_of_a_long_history_is_independent_of_the_original():
    from engine.project import Project

    project = Project.course()
    project.history = {key: [float(i) for i in range(100_000)]
                       for key in ("loss", "accuracy", "val_loss", "val_accuracy")}
    project.weights = [np.ones((2, 3), dtype="float32")]
    twin = project.copy()
    assert twin.history == project.history and twin.history["loss"] is not project.history["loss"]
    project.history["loss"].append(-1.0)
    project.weights[0][0, 0] = 5.0
    assert len(twin.history["loss"]) == 100_000 and twin.weights[0][0, 0] == 1.0
