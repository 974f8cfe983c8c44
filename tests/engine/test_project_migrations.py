"""Schema versions: every released version has a fixture that still opens, and the migration
chain runs one step per version (checked with fake future steps)."""

from __future__ import annotations

import math
import re
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
        int(m[1]) for p in FIXTURES.glob("project_v*.nnproj")
        if (m := re.fullmatch(r"project_v(\d+)\.nnproj", p.name))
    )
    assert versions == list(range(1, migrations.SCHEMA_VERSION + 1))
    assert sorted(migrations.MIGRATIONS) == list(range(1, migrations.SCHEMA_VERSION))


@pytest.mark.parametrize("version", range(1, migrations.SCHEMA_VERSION + 1))
def test_every_fixture_opens_with_its_model_and_embedded_data(version):
    project = Project.load(fixture(version))
    model = runtime.build_model(project)
    assert model.predict(project.dataset.x).shape == (project.dataset.n_samples, 3)


def test_the_v1_fixture_reads_back_exactly():
    project = Project.load(fixture(1))
    assert project.name == "Fixture v1: tiny blobs"
    assert [(layer.units, layer.activation, layer.l2) for layer in project.layers] == [
        (4, "tanh", 0.001), (3, "softmax", 0.0)]
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
        "blue", "green", "red"]
    [warning] = project.warnings
    assert "tiny_blobs.csv was not found" in warning and "embedded" in warning


def _rename_layers(raw):
    for layer in raw.meta["layers"]:
        layer["name"] = layer["name"] + "_v2"
    return raw


def test_a_migration_step_is_applied_when_loading_an_older_file(monkeypatch):
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", 2)
    monkeypatch.setattr(migrations, "MIGRATIONS", {1: _rename_layers})
    project = Project.load(fixture(1))
    assert [layer.name for layer in project.layers] == ["hidden_v2", "output_v2"]
    assert project.to_dict()["schema_version"] == 2  # saved in the new schema


def test_migration_steps_run_in_order_one_per_version(monkeypatch):
    calls = []

    def step(version):
        def migrate(raw):
            calls.append((version, raw.meta["schema_version"]))
            raw.meta["ui"]["steps"] = [*raw.meta["ui"].get("steps", []), version]
            return raw
        return migrate

    monkeypatch.setattr(migrations, "SCHEMA_VERSION", 4)
    monkeypatch.setattr(migrations, "MIGRATIONS", {1: step(1), 2: step(2), 3: step(3)})
    project = Project.load(fixture(1))
    assert calls == [(1, 1), (2, 2), (3, 3)]
    assert project.ui["steps"] == [1, 2, 3]


def test_a_migration_can_change_the_arrays_too(monkeypatch):
    def double_weights(raw):
        raw.weights = {key: value * 2 for key, value in raw.weights.items()}
        return raw

    plain = Project.load(fixture(1))
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", 2)
    monkeypatch.setattr(migrations, "MIGRATIONS", {1: double_weights})
    migrated = Project.load(fixture(1))
    assert np.array_equal(migrated.weights[0], plain.weights[0] * 2)


def test_a_missing_migration_step_is_reported_not_skipped(monkeypatch):
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", 3)
    monkeypatch.setattr(migrations, "MIGRATIONS", {1: _rename_layers})
    with pytest.raises(ProjectError, match="cannot upgrade schema 2 files to 3"):
        Project.load(fixture(1))


def test_from_dict_migrates_too(monkeypatch):
    meta = Project.load(fixture(1)).to_dict()
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", 2)
    monkeypatch.setattr(migrations, "MIGRATIONS", {1: _rename_layers})
    assert Project.from_dict(meta).layers[0].name == "hidden_v2"
