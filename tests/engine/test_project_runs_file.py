"""Runs in the .nnproj file (schema 3): an older file opens with its one run, a v3 file reads
back exactly and round-trips, and a damaged run entry is refused naming the file and the
field."""

from __future__ import annotations

import contextlib
import io
import json
import math
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from project_testing import json_values, meta_of, paths_in, with_meta, write_zip, zip_members

from engine.errors import EngineError, ProjectError
from engine.project import Project, edits, runs, runtime
from engine.project.migrations import FIRST_RUN_ID

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
V3 = FIXTURES / "project_v3.nnproj"
V3_IDS = ("5f2c0a9b1d3e", "b7e41c08d2a6")


def v3_weights(run: int) -> list[np.ndarray]:
    """The same formula as scripts/make_fixtures.py: v3_weights()."""
    shapes = [(2, 4), (4,), (4, 1), (1,)]
    return [
        np.arange(np.prod(s), dtype=np.float32).reshape(s) / 16.0 - 0.125 * i + run
        for i, s in enumerate(shapes)
    ]


def same_weights(a, b) -> bool:
    return len(a) == len(b) and all(
        x.dtype == y.dtype and np.array_equal(x, y) for x, y in zip(a, b, strict=True)
    )


@pytest.mark.parametrize("version", [1, 2])
def test_an_older_trained_file_opens_with_its_one_current_run(version):
    project = Project.load(FIXTURES / f"project_v{version}.nnproj")
    [run] = project.runs
    assert (run.id, run.name, project.current_run) == (FIRST_RUN_ID, "run 1", FIRST_RUN_ID)
    assert run.layers == project.layers and run.compile == project.compile
    assert run.training == project.training
    assert run.dataset == project.dataset_source.name
    assert run.epochs == project.epochs_trained and run.kept_epoch is None
    assert run.history.keys() == project.history.keys()
    for key, values in project.history.items():
        assert np.array_equal(run.history[key], values, equal_nan=True)
    assert same_weights(run.weights, project.weights)
    assert (run.scaler, run.target_scaler) == (project.scaler, project.target_scaler)
    # The project's weights stay writable; the run's copy is read-only.
    assert project.weights[0].flags.writeable and not run.weights[0].flags.writeable
    # Restoring it gives the project back as it was.
    edits.restore_run(project, run.id)
    assert project.epochs_trained == run.epochs and same_weights(project.weights, run.weights)


@pytest.mark.parametrize("version", [1, 2])
def test_training_an_older_file_on_continues_its_run(version):
    project = Project.load(FIXTURES / f"project_v{version}.nnproj")
    before = project.epochs_trained
    model = runtime.build_model(project)
    prepared = runtime.prepare_data(project)
    outcome = runtime.fit_run(
        model, prepared, project.training, 2, initial_epoch=before, patience=0
    )
    runtime.record_run(project, outcome, prepared.scaler_config)
    [run] = project.runs
    assert (run.id, run.name, run.epochs) == (FIRST_RUN_ID, "run 1", before + 2)


def test_an_untrained_older_file_opens_with_no_runs(tmp_path):
    meta = meta_of(FIXTURES / "project_v2.nnproj")
    meta.update(history={}, weight_arrays=0, epochs_trained=0)
    members = zip_members(FIXTURES / "project_v2.nnproj")
    members["project.json"] = json.dumps(meta).encode()
    del members["weights.npz"]
    project = Project.load(write_zip(tmp_path / "untrained.nnproj", members))
    assert project.runs == [] and project.current_run is None


def test_the_v3_fixture_reads_back_exactly():
    project = Project.load(V3)
    first, second = project.runs
    assert [run.id for run in project.runs] == list(V3_IDS)
    assert [run.name for run in project.runs] == ["run 1", "layer 1 relu"]
    assert project.current_run == V3_IDS[1]
    assert [layer.activation for layer in first.layers] == ["sigmoid", "sigmoid"]
    assert second.layers == project.layers and second.compile == project.compile
    assert (first.epochs, second.epochs, first.kept_epoch, second.kept_epoch) == (3, 4, None, 3)
    assert first.history == {
        "loss": [0.7, 0.6, 0.55],
        "accuracy": [0.5, 0.5, 0.75],
        "val_loss": [0.8, 0.7, 0.65],
    }
    assert math.isnan(second.history["val_loss"][3])
    assert second.final_figures() == {"loss": 0.3, "accuracy": 1.0, "val_loss": 0.35}
    assert same_weights(first.weights, v3_weights(0))
    assert same_weights(second.weights, v3_weights(1))
    assert same_weights(project.weights, v3_weights(1))
    assert first.dataset == "blobs.csv" and first.training.early_stopping == 1
    assert first.scaler == {"kind": "standardize", "offset": [1.0, 1.0], "scale": [1.0, 1.0]}


def test_a_v3_file_round_trips_its_runs_exactly(tmp_path):
    project = Project.load(V3)
    edits.rename_run(project, V3_IDS[0], "sigmoid → the start")
    project.save(tmp_path / "again.nnproj")
    again = Project.load(tmp_path / "again.nnproj")
    assert again.current_run == project.current_run
    for before, after in zip(project.runs, again.runs, strict=True):
        for name in ("id", "name", "layers", "compile", "training", "dataset", "epochs"):
            assert getattr(after, name) == getattr(before, name), name
        assert (after.kept_epoch, after.scaler, after.target_scaler) == (
            before.kept_epoch,
            before.scaler,
            before.target_scaler,
        )
        assert json.dumps(after.history) == json.dumps(before.history)  # NaN stays NaN
        assert same_weights(after.weights, before.weights)
    # project.json holds the same runs, byte for byte apart from the new name.
    saved, original = meta_of(tmp_path / "again.nnproj"), meta_of(V3)
    original["runs"][0]["name"] = "sigmoid → the start"
    assert saved["runs"] == original["runs"] and saved["current_run"] == V3_IDS[1]
    with zipfile.ZipFile(tmp_path / "again.nnproj") as archive:
        with np.load(io.BytesIO(archive.read("runs.npz"))) as npz:
            assert sorted(npz.files) == sorted(f"r{r}_w{i}" for r in (0, 1) for i in range(4))
        assert archive.getinfo("runs.npz").compress_type == zipfile.ZIP_STORED


def test_a_trained_projects_runs_survive_saving_and_training_on(tmp_path):
    project = Project.course()
    for activation in ("sigmoid", "relu"):
        edits.set_layer_field(project, 0, "activation", activation)
        model = runtime.build_model(project, seed=runtime.run_seed(project))
        prepared = runtime.prepare_data(project)
        outcome = runtime.fit_run(model, prepared, project.training, 3)
        runtime.record_run(project, outcome, prepared.scaler_config)
    project.save(tmp_path / "two.nnproj")
    again = Project.load(tmp_path / "two.nnproj")
    assert [run.name for run in again.runs] == ["run 1", "layer 1 relu"]
    assert again.current_run == again.runs[1].id
    edits.restore_run(again, again.runs[0].id)
    assert again.layers[0].activation == "sigmoid"
    assert same_weights(again.weights, project.runs[0].weights)


def test_the_example_project_opens_with_its_run():
    project = Project.default()
    [run] = project.runs
    assert project.current_run == run.id and run.epochs == project.epochs_trained
    assert same_weights(run.weights, project.weights)


# ---------------------------------------------------------------------- damaged runs


def _with_runs_meta(tmp_path, change) -> Path:
    meta = meta_of(V3)
    change(meta)
    return with_meta(V3, tmp_path / "damaged.nnproj", meta)


def _load_error(path) -> str:
    with pytest.raises(ProjectError) as info:
        Project.load(path)
    message = str(info.value)
    assert str(path) in message
    return message


def _set(path, value):
    def change(meta):
        target = meta
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_set(("runs",), {}), "runs must be a JSON list"),
        (_set(("runs", 0, "id"), "a b"), "runs[0].id must be 1 to 64 letters"),
        (_set(("runs", 1, "id"), V3_IDS[0]), "runs[1].id must be an id no other run has"),
        (_set(("runs", 1, "name"), "run 1"), "runs[1].name must be a name no other run has"),
        (_set(("runs", 0, "name"), " "), "runs[0].name must be a name of 1 to 120"),
        (_set(("runs", 0, "name"), 7), "runs[0].name must be a string"),
        (_set(("runs", 0, "layers"), []), "runs[0].layers must be a list of at least one"),
        (_set(("runs", 0, "layers", 1, "units"), 0), "runs[0].layers[1].units must be"),
        (_set(("runs", 0, "layers", 0, "activation"), "zap"), "runs[0].layers[0].activation"),
        (_set(("runs", 1, "compile", "learning_rate"), -1), "runs[1].compile.learning_rate"),
        (_set(("runs", 1, "compile", "loss"), "nope"), "runs[1].compile.loss names the loss"),
        (_set(("runs", 0, "training", "seed"), "1"), "runs[0].training.seed must be"),
        (_set(("runs", 0, "history", "loss"), [0.1, "x"]), "runs[0].history.loss[1]"),
        (_set(("runs", 0, "epochs"), -1), "runs[0].epochs must be an integer >= 0"),
        (_set(("runs", 1, "kept_epoch"), 5), "runs[1].kept_epoch must be null or an epoch"),
        (_set(("runs", 0, "weight_arrays"), 3), "runs[0].weight_arrays must be 0 or 4"),
        (_set(("runs", 0, "scaler"), {"kind": "x"}), "runs[0].scaler must be a scaler"),
        (_set(("runs", 0, "dataset"), None), "runs[0].dataset must be a string"),
        (_set(("runs", 0), "run"), "runs[0] must be a JSON object"),
        (_set(("current_run",), "gone"), "current_run must be null or the id of one"),
        (lambda meta: meta["runs"][0].pop("history"), "missing the key 'history' at runs[0]"),
        (lambda meta: meta.pop("current_run"), "missing the key 'current_run'"),
        (
            lambda meta: meta["runs"].extend([meta["runs"][0]] * runs.MAX_RUNS),
            f"holds {runs.MAX_RUNS + 2} runs; a project keeps at most {runs.MAX_RUNS}",
        ),
        (
            _set(("runs", 0, "layers", 0, "units"), 10**8),
            "runs[0].layers[0] ('hidden', 100,000,000 units",
        ),
    ],
)
def test_a_damaged_run_entry_is_refused_naming_the_field(tmp_path, change, expected):
    message = _load_error(_with_runs_meta(tmp_path, change))
    assert expected in message


def _with_run_arrays(tmp_path, change) -> Path:
    members = zip_members(V3)
    with np.load(io.BytesIO(members["runs.npz"])) as npz:
        arrays = {key: npz[key] for key in npz.files}
    change(arrays)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    members["runs.npz"] = buffer.getvalue()
    return write_zip(tmp_path / "damaged.nnproj", members)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda a: a.pop("r1_w3"), "run 2 ('layer 1 relu'): holds 3 arrays for it where"),
        (lambda a: a.update(r0_w2=np.zeros((3, 1), np.float32)), "run 1 ('run 1'): layer 2"),
        (lambda a: a.update(r0_w0=np.full((2, 4), np.nan, np.float32)), "NaN or infinity"),
        (lambda a: a.update(r2_w0=np.zeros(1)), "weights for run 3, but project.json lists 2"),
        (lambda a: a.update(weights=np.zeros(1)), "an array named 'weights'; expected names"),
        (lambda a: a.update(r0_w0=a["r0_w0"].astype(np.int32)), "expected floats"),
    ],
)
def test_damaged_run_weights_are_refused(tmp_path, change, expected):
    message = _load_error(_with_run_arrays(tmp_path, change))
    assert "runs.npz" in message and expected in message


def test_runs_npz_may_not_hold_pickles(tmp_path):
    members = zip_members(V3)
    buffer = io.BytesIO()
    np.savez(buffer, r0_w0=np.array([{"a": 1}], dtype=object))
    members["runs.npz"] = buffer.getvalue()
    message = _load_error(write_zip(tmp_path / "pickle.nnproj", members))
    assert "runs.npz" in message and "pickle" in message


RUN_PATHS = [("runs", *path) for path in paths_in(meta_of(V3)["runs"]) if path]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(where=st.sampled_from(RUN_PATHS), value=json_values, delete=st.booleans())
def test_any_value_anywhere_in_the_runs_loads_or_raises_project_error(where, value, delete):
    meta = meta_of(V3)
    parent = meta
    for key in where[:-1]:
        parent = parent[key]
    if delete and isinstance(parent, dict):
        del parent[where[-1]]
    else:
        parent[where[-1]] = value
    with tempfile.TemporaryDirectory() as folder:
        path = with_meta(V3, Path(folder) / "out.nnproj", meta)
        try:
            project = Project.load(path)
        except ProjectError:
            return
        except EngineError as exc:  # pragma: no cover - the assertion names the escapee
            raise AssertionError(f"{type(exc).__name__} escaped for {where}={value!r}") from exc
        for run in project.runs:  # what loaded is usable: every run restores or says why
            with contextlib.suppress(ValueError):
                edits.restore_run(project, run.id)
