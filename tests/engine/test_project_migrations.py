"""Schema versions: every released version has a fixture that still opens, and the migration
chain runs one step per version (checked with fake future steps)."""

from __future__ import annotations

import json
import math
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest

from engine.errors import ProjectError
from engine.project import Project, migrations, runtime

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def fixture(version: int) -> Path:
    return FIXTURES / f"project_v{version}.nnproj"


def test_every_released_schema_has_a_fixture_and_a_migration_to_the_next():
    versions = sorted(
        int(m[1])
        for p in FIXTURES.glob("project_v*.nnproj")
        if (m := re.fullmatch(r"project_v(\d+)\.nnproj", p.name))
    )
    assert versions == list(range(1, migrations.SCHEMA_VERSION + 1))
    assert sorted(migrations.MIGRATIONS) == list(range(1, migrations.SCHEMA_VERSION))


@pytest.mark.parametrize("version", range(1, migrations.SCHEMA_VERSION + 1))
def test_every_fixture_opens_with_its_model_and_embedded_data(version):
    project = Project.load(fixture(version))
    model = runtime.build_model(project)
    outputs = model.predict(project.dataset.x)
    assert outputs.shape == (project.dataset.n_samples, project.layers[-1].units)


def test_the_v1_fixture_reads_back_exactly():
    project = Project.load(fixture(1))
    assert project.name == "Fixture v1: tiny blobs"
    assert [(layer.units, layer.activation, layer.l2) for layer in project.layers] == [
        (4, "tanh", 0.001),
        (3, "softmax", 0.0),
    ]
    assert project.compile.loss == "sparse_categorical_crossentropy"
    assert (project.training.batch_size, project.training.seed) == (4, 5)
    # The same formula as scripts/make_fixtures.py: v1_weights().
    shapes = [(2, 4), (4,), (4, 3), (3,)]
    for i, (weight, shape) in enumerate(zip(project.weights, shapes, strict=True)):
        expected = np.arange(np.prod(shape), dtype=np.float32).reshape(shape) / 10.0 - 0.5 + i
        assert weight.dtype == np.float32 and np.array_equal(weight, expected)
    assert sorted(project.snapshots) == [1, 2]
    assert np.allclose(project.snapshots[1][0], project.weights[0] / 3)
    assert project.history["accuracy"] == [0.5, 0.75, 1.0]
    assert math.isnan(project.history["loss"][2])
    assert project.scaler == {"kind": "standardize", "offset": [0.0, 1.0], "scale": [1.5, 1.0]}
    assert project.ui == {"canvas": {"zoom": 1.25}}
    # Its CSV file was never shipped: the embedded copy is used, and the person is told.
    assert project.dataset.n_samples == 9 and project.dataset.class_names == [
        "blue",
        "green",
        "red",
    ]
    [warning] = project.warnings
    assert "tiny_blobs.csv was not found" in warning and "embedded" in warning


def test_a_v1_file_opens_unchanged_with_the_new_settings_off():
    # Schema 2 added early stopping and target scaling; a v1 project must train as it did.
    project = Project.load(fixture(1))
    assert project.training.early_stopping is None
    assert project.training.target_scaling == "none"
    assert project.target_scaler is None
    # Everything v1 held reads back as it was: only the version and the new keys differ.
    with zipfile.ZipFile(fixture(1)) as archive:
        v1_meta = json.loads(archive.read("project.json"))
    saved = project.to_dict()
    assert saved["schema_version"] == migrations.SCHEMA_VERSION
    assert saved["training"] == {
        **v1_meta["training"],
        "early_stopping": None,
        "target_scaling": "none",
    }
    assert saved["target_scaler"] is None
    for key in ("name", "layers", "compile", "scaler", "epochs_trained", "ui", "input_dim"):
        assert saved[key] == v1_meta[key], key
    # ... and it trains every planned epoch, with no early stop.
    model = runtime.build_model(project)
    prepared = runtime.prepare_data(project)
    assert runtime.early_stopping(project.training, prepared) is None
    outcome = runtime.fit_run(model, prepared, project.training, epochs=30, initial_epoch=3)
    assert (outcome.outcome, outcome.epochs, outcome.best_epoch) == ("finished", 30, None)


def test_the_v2_fixture_reads_back_exactly(tmp_path):
    project = Project.load(fixture(2))
    assert project.training.early_stopping == 7
    assert project.training.target_scaling == "standardize"
    assert project.target_scaler == {"kind": "standardize", "offset": [325.0], "scale": [95.0]}
    assert math.isnan(project.history["val_loss"][1])
    # The stored target scaler turns the network's output into prices.
    model = runtime.build_model(project)
    x = project.dataset.x
    raw = model.predict(runtime.scale_features(project, x))
    np.testing.assert_allclose(runtime.predict(project, model, x), raw * 95.0 + 325.0, rtol=1e-6)
    # Saving writes schema 2 with the same values.
    project.save(tmp_path / "again.nnproj")
    again = Project.load(tmp_path / "again.nnproj")
    assert again.training == project.training and again.target_scaler == project.target_scaler


def _rename_layers(raw):
    for layer in raw.meta["layers"]:
        layer["name"] = layer["name"] + "_v2"
    return raw


REAL = dict(migrations.MIGRATIONS)  # the released steps; the tests below add fake later ones
NEXT = migrations.SCHEMA_VERSION + 1


def test_a_migration_step_is_applied_when_loading_an_older_file(monkeypatch):
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", NEXT)
    monkeypatch.setattr(migrations, "MIGRATIONS", {**REAL, NEXT - 1: _rename_layers})
    project = Project.load(fixture(1))
    assert [layer.name for layer in project.layers] == ["hidden_v2", "output_v2"]
    assert project.to_dict()["schema_version"] == NEXT  # saved in the new schema


def test_migration_steps_run_in_order_one_per_version(monkeypatch):
    calls = []

    def step(version):
        def migrate(raw):
            calls.append((version, raw.meta["schema_version"]))
            raw.meta["ui"]["steps"] = [*raw.meta["ui"].get("steps", []), version]
            return raw

        return migrate

    def real_then(version):
        def migrate(raw):
            return step(version)(REAL[version](raw))

        return migrate

    # The released steps (each followed by a marker), then two fake later ones.
    steps = {version: real_then(version) for version in REAL}
    steps.update({NEXT - 1: step(NEXT - 1), NEXT: step(NEXT)})
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", NEXT + 1)
    monkeypatch.setattr(migrations, "MIGRATIONS", steps)
    project = Project.load(fixture(1))
    assert calls == [(version, version) for version in range(1, NEXT + 1)]
    assert project.ui["steps"] == list(range(1, NEXT + 1))


def test_a_migration_can_change_the_arrays_too(monkeypatch):
    def double_weights(raw):
        raw.weights = {key: value * 2 for key, value in raw.weights.items()}
        return raw

    plain = Project.load(fixture(1))
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", NEXT)
    monkeypatch.setattr(migrations, "MIGRATIONS", {**REAL, NEXT - 1: double_weights})
    migrated = Project.load(fixture(1))
    assert np.array_equal(migrated.weights[0], plain.weights[0] * 2)


def test_a_missing_migration_step_is_reported_not_skipped(monkeypatch):
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", NEXT + 1)
    monkeypatch.setattr(migrations, "MIGRATIONS", {**REAL, NEXT - 1: _rename_layers})
    with pytest.raises(ProjectError, match=f"cannot upgrade schema {NEXT} files to {NEXT + 1}"):
        Project.load(fixture(1))


def test_from_dict_migrates_too(monkeypatch):
    meta = Project.load(fixture(1)).to_dict()
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", NEXT)
    monkeypatch.setattr(migrations, "MIGRATIONS", {**REAL, NEXT - 1: _rename_layers})
    assert Project.from_dict(meta).layers[0].name == "hidden_v2"
