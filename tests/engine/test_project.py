"""The project document: round trips through the file, the checks on project.json and the
weights, and a dataset that moved or changed."""

from __future__ import annotations

import io
import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
from project_testing import CSV_TEXT, meta_of, npz_bytes, small_project, with_meta, write_zip
from project_testing import zip_members as members_of

from engine.errors import ProjectError
from engine.project import DatasetSource, LayerSpec, Project
from engine.project import document as project_module


def same_history(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        np.array_equal(np.asarray(a[k]), np.asarray(b[k]), equal_nan=True) for k in a
    )


# ---------------------------------------------------------------------- round trip


def test_save_and_load_keep_every_part_of_the_project(tmp_path):
    original = small_project(tmp_path / "data.csv")
    path = original.save(tmp_path / "p.nnproj")
    loaded = Project.load(path)

    assert loaded.path == path and loaded.warnings == []
    for part in (
        "name",
        "layers",
        "compile",
        "training",
        "scaler",
        "epochs_trained",
        "ui",
        "input_dim",
    ):
        assert getattr(loaded, part) == getattr(original, part), part
    assert loaded.dataset_source.path == str(tmp_path / "data.csv")
    assert loaded.dataset_source.sha256 == original.dataset_source.sha256 is not None
    assert same_history(loaded.history, original.history)
    assert math.isnan(loaded.history["loss"][2])  # a diverged epoch survives as NaN
    for got, want in zip(loaded.weights, original.weights, strict=True):
        assert got.dtype == want.dtype and np.array_equal(got, want)  # bit-identical
    assert loaded.snapshots.keys() == original.snapshots.keys()
    for epoch in original.snapshots:
        for got, want in zip(loaded.snapshots[epoch], original.snapshots[epoch], strict=True):
            assert np.array_equal(got, want)
    assert loaded.dataset.n_samples == 5 and loaded.dataset.n_features == 2
    assert loaded.dataset_bytes == CSV_TEXT.encode()


def test_saving_again_gives_the_same_project_json(tmp_path):
    path = small_project(tmp_path / "data.csv").save(tmp_path / "p.nnproj")
    first = meta_of(path)
    Project.load(path).save()
    assert meta_of(path) == first


def test_to_dict_and_from_dict_round_trip_without_a_file():
    project = small_project()
    data = json.loads(json.dumps(project.to_dict()))  # really JSON-safe
    back = Project.from_dict(data)
    assert back.layers == project.layers and back.compile == project.compile
    assert back.training == project.training and back.scaler == project.scaler
    assert same_history(back.history, project.history)
    assert back.weights is None  # weights are not part of the JSON


def test_history_nan_is_written_as_json_null(tmp_path):
    path = small_project().save(tmp_path / "p.nnproj")
    assert meta_of(path)["history"]["loss"] == [0.9, 0.7, None]


def test_an_untrained_project_round_trips_without_weights(tmp_path):
    project = small_project(trained=False)
    loaded = Project.load(project.save(tmp_path / "p.nnproj"))
    assert loaded.weights is None and loaded.history == {} and loaded.snapshots == {}
    assert "snapshots.npz" not in members_of(tmp_path / "p.nnproj")


def test_save_without_a_path_needs_save_as():
    with pytest.raises(ProjectError, match="Save As"):
        small_project().save()


# ---------------------------------------------------------------------- the dataset file


def test_the_dataset_path_is_stored_relative_to_the_project(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "work").mkdir()
    path = small_project(tmp_path / "data" / "d.csv").save(tmp_path / "work" / "p.nnproj")
    stored = meta_of(path)["dataset"]
    assert stored["path"] == "../data/d.csv"
    assert stored["absolute_path"] == str(tmp_path / "data" / "d.csv")


def test_a_project_moved_with_its_data_finds_the_data_by_the_relative_path(tmp_path):
    folder = tmp_path / "a"
    folder.mkdir()
    small_project(folder / "d.csv").save(folder / "p.nnproj")
    moved = shutil.copytree(folder, tmp_path / "b")
    shutil.rmtree(folder)
    loaded = Project.load(moved / "p.nnproj")
    assert loaded.warnings == []
    assert loaded.dataset_source.path == str(moved / "d.csv")


def test_a_project_moved_without_its_data_finds_it_where_it_was(tmp_path):
    small_project(tmp_path / "d.csv").save(tmp_path / "p.nnproj")
    (tmp_path / "elsewhere").mkdir()
    shutil.move(tmp_path / "p.nnproj", tmp_path / "elsewhere" / "p.nnproj")
    loaded = Project.load(tmp_path / "elsewhere" / "p.nnproj")
    assert loaded.warnings == []
    assert loaded.dataset_source.path == str(tmp_path / "d.csv")


def test_a_moved_dataset_file_opens_with_the_embedded_copy_and_a_warning(tmp_path):
    csv = tmp_path / "d.csv"
    path = small_project(csv).save(tmp_path / "p.nnproj")
    original_x = Project.load(path).dataset.x
    csv.unlink()
    loaded = Project.load(path)
    assert np.array_equal(loaded.dataset.x, original_x)
    [warning] = loaded.warnings
    assert str(csv) in warning and "not found" in warning and "embedded" in warning
    assert "Relink" in warning


def test_a_changed_dataset_file_opens_with_the_embedded_copy_and_a_warning(tmp_path):
    csv = tmp_path / "d.csv"
    path = small_project(csv).save(tmp_path / "p.nnproj")
    csv.write_text(CSV_TEXT + "9.0,9.0,yes\n")
    loaded = Project.load(path)
    assert loaded.dataset.n_samples == 5  # the saved data, not the edited file
    [warning] = loaded.warnings
    assert "has changed" in warning and "SHA-256" in warning and "embedded" in warning


def test_a_large_dataset_is_not_embedded_and_a_missing_one_opens_without_data(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(project_module, "EMBED_LIMIT_BYTES", 10)
    csv = tmp_path / "d.csv"
    path = small_project(csv).save(tmp_path / "p.nnproj")
    assert "dataset.csv" not in members_of(path)
    assert meta_of(path)["dataset"]["sha256"] is not None  # still checked when reopened
    moved = tmp_path / "moved.csv"
    csv.rename(moved)

    loaded = Project.load(path)
    assert loaded.dataset is None and loaded.weights is not None
    [warning] = loaded.warnings
    assert "without data" in warning and "relink" in warning

    loaded.relink_dataset(moved)
    assert loaded.dataset.n_samples == 5
    loaded.save()
    again = Project.load(path)
    assert again.warnings == [] and again.dataset_source.path == str(moved)


def test_relinking_to_a_different_file_accepts_its_new_contents(tmp_path):
    path = small_project(tmp_path / "d.csv").save(tmp_path / "p.nnproj")
    other = tmp_path / "other.csv"
    other.write_text(CSV_TEXT + "4.0,4.0,no\n")
    project = Project.load(path)
    project.relink_dataset(other)
    assert project.dataset.n_samples == 6
    project.save()
    reopened = Project.load(path)
    assert reopened.warnings == [] and reopened.dataset.n_samples == 6
    assert members_of(path)["dataset.csv"] == other.read_bytes()


def test_relinking_a_builtin_dataset_is_refused():
    project = Project(dataset_source=DatasetSource(kind="builtin", name="xor"))
    with pytest.raises(ProjectError, match="Only a dataset read from a CSV file"):
        project.relink_dataset("x.csv")


def test_a_builtin_dataset_is_recreated_not_embedded(tmp_path):
    project = Project(
        name="xor",
        layers=[LayerSpec(4, "relu", "h"), LayerSpec(1, "sigmoid", "o")],
        dataset_source=DatasetSource(
            kind="builtin", name="xor", params={"n_samples": 40, "seed": 2}
        ),
    )
    expected = project.load_dataset()
    path = project.save(tmp_path / "xor.nnproj")
    assert "dataset.csv" not in members_of(path)
    loaded = Project.load(path)
    assert np.array_equal(loaded.dataset.x, expected.x)
    assert np.array_equal(loaded.dataset.y, expected.y)


def test_an_unknown_builtin_dataset_opens_without_data_and_says_so(tmp_path):
    project = Project(
        layers=[LayerSpec(1, "sigmoid", "o")],
        dataset_source=DatasetSource(kind="builtin", name="no_such_data"),
    )
    loaded = Project.load(project.save(tmp_path / "p.nnproj"))
    assert loaded.dataset is None
    assert "no_such_data" in loaded.warnings[0] and "without data" in loaded.warnings[0]


# ---------------------------------------------------------------------- bad project.json


@pytest.fixture
def saved(tmp_path) -> Path:
    return small_project(tmp_path / "data.csv").save(tmp_path / "p.nnproj")


def _set(meta: dict, dotted: str, value) -> None:
    *parents, last = dotted.split(".")
    for key in parents:
        meta = meta[int(key)] if isinstance(meta, list) else meta[key]
    if value is _DELETE:
        del meta[last]
    elif isinstance(meta, list):
        meta[int(last)] = value
    else:
        meta[last] = value


_DELETE = object()

BAD_VALUES = [
    ("layers", _DELETE, "missing the key 'layers' at the top level"),
    ("layers", {"units": 3}, "layers must be a JSON list"),
    ("layers.0", [3, "relu"], "layers[0] must be a JSON object"),
    ("layers.0.units", "3", "layers[0].units must be an integer >= 1; received '3'"),
    ("layers.0.units", 0, "layers[0].units must be an integer >= 1; received 0"),
    ("layers.0.units", True, "layers[0].units must be an integer"),
    ("layers.1.activation", _DELETE, "missing the key 'activation' at layers[1]"),
    ("layers.1.activation", "swishy", "names the activation 'swishy'"),
    ("layers.0.type", "Conv2D", "layers[0].type must be one of 'Dense'"),
    ("layers.0.kernel_initializer", "orthogonal", "names the initializer 'orthogonal'"),
    ("layers.0.l2", -0.1, "layers[0].l2 must be a number in [0.0, inf]"),
    ("compile.loss", "hinge", "names the loss 'hinge'"),
    ("compile.loss", 3, "compile.loss must be a string"),
    ("compile.optimizer", "adagrad", "names the optimizer 'adagrad'"),
    ("compile.learning_rate", "fast", "compile.learning_rate must be a number"),
    ("compile.learning_rate", 0, "compile.learning_rate must be a positive number"),
    ("compile.momentum", 1.5, "compile.momentum must be a number in [0.0, 1.0)"),
    ("compile.metrics", "accuracy", "compile.metrics must be a JSON list"),
    ("compile.metrics", ["accuracy", "f1"], "compile.metrics[1] names the metric 'f1'"),
    ("compile.from_logits", "no", "compile.from_logits must be true or false"),
    ("compile", None, "compile must be a JSON object"),
    ("training.epochs", 1.5, "training.epochs must be an integer >= 1"),
    ("training.batch_size", 0, "training.batch_size must be an integer >= 1 or null"),
    ("training.validation_split", 1.0, "training.validation_split must be a number in [0.0"),
    ("training.scaling", "robust", "training.scaling must be one of 'standardize'"),
    ("training.seed", -1, "training.seed must be an integer >= 0"),
    ("dataset.kind", "sql", "dataset.kind must be one of 'builtin', 'csv'"),
    ("dataset.params", [], "dataset.params must be a JSON object"),
    ("scaler", {"kind": "standardize", "offset": [1], "scale": [0]}, "scaler must be"),
    ("history.loss", "low", "history.loss must be a list of numbers"),
    ("history", [], "history must be a JSON object"),
    ("epochs_trained", -3, "epochs_trained must be an integer >= 0"),
    ("weight_arrays", 3, "weight_arrays must be 0 or 4 (2 per layer)"),
    ("ui", "wide", "ui must be a JSON object"),
    ("name", None, "name must be a string"),
]


@pytest.mark.parametrize(
    ("where", "value", "expected"), BAD_VALUES, ids=[f"{w}={v!r}"[:40] for w, v, _ in BAD_VALUES]
)
def test_wrong_or_missing_values_name_the_place_and_the_value(
    saved, tmp_path, where, value, expected
):
    meta = meta_of(saved)
    _set(meta, where, value)
    with pytest.raises(ProjectError) as info:
        Project.load(with_meta(saved, tmp_path / "bad.nnproj", meta))
    message = str(info.value)
    assert expected in message
    assert str(tmp_path / "bad.nnproj") in message


def test_an_unknown_name_lists_the_known_ones(saved, tmp_path):
    meta = meta_of(saved)
    meta["layers"][0]["activation"] = "not_an_activation"
    with pytest.raises(ProjectError, match=r"known: linear, sigmoid, relu"):
        Project.load(with_meta(saved, tmp_path / "bad.nnproj", meta))


# ---------------------------------------------------------------------- bad weights


def _with_weights(saved: Path, dst: Path, **arrays) -> Path:
    members = members_of(saved)
    members["weights.npz"] = npz_bytes(**arrays)
    return write_zip(dst, members)


def _good_weights() -> dict[str, np.ndarray]:
    return {f"w{i}": w for i, w in enumerate(small_project().weights)}


def test_missing_weights_member(saved, tmp_path):
    members = members_of(saved)
    del members["weights.npz"]
    with pytest.raises(ProjectError, match=r"weights.npz is missing the arrays w0, w1, w2, w3"):
        Project.load(write_zip(tmp_path / "bad.nnproj", members))


def test_a_missing_weight_array(saved, tmp_path):
    weights = _good_weights()
    del weights["w3"]
    with pytest.raises(ProjectError, match="missing the arrays w3"):
        Project.load(_with_weights(saved, tmp_path / "bad.nnproj", **weights))


def test_an_extra_weight_array(saved, tmp_path):
    weights = _good_weights() | {"w9": np.zeros(2, np.float32)}
    with pytest.raises(ProjectError, match="unexpected arrays w9"):
        Project.load(_with_weights(saved, tmp_path / "bad.nnproj", **weights))


@pytest.mark.parametrize(
    ("key", "array", "expected"),
    [
        (
            "w2",
            np.zeros((4, 1), np.float32),
            r"layer 2 kernel has shape \(4, 1\); expected \(3, 1\)",
        ),
        ("w1", np.zeros((3, 1), np.float32), r"layer 1 bias has shape \(3, 1\); expected \(3,\)"),
        ("w0", np.zeros((2, 3), np.int64), "dtype int64; expected floats"),
        ("w0", np.zeros(6, np.float32), r"layer 1 kernel has shape \(6,\)"),
        ("w3", np.array([np.nan], np.float32), "layer 2 weights contain NaN or infinity"),
    ],
)
def test_weights_of_the_wrong_shape_or_type(saved, tmp_path, key, array, expected):
    weights = _good_weights() | {key: array}
    with pytest.raises(ProjectError, match=expected) as info:
        Project.load(_with_weights(saved, tmp_path / "bad.nnproj", **weights))
    assert "does not fit the network" in str(info.value)


def test_weights_that_disagree_with_input_dim(saved, tmp_path):
    meta = meta_of(saved)
    meta["input_dim"] = 5
    with pytest.raises(ProjectError, match="weights.npz has 2 inputs but project.json says"):
        Project.load(with_meta(saved, tmp_path / "bad.nnproj", meta))


def _v2_with_snapshots(saved: Path, dst: Path, **snapshots: np.ndarray) -> Path:
    """`saved` as a schema-2 file whose snapshots.npz holds `snapshots` in the per-epoch
    layout schema 2 wrote ("e{epoch}_w{i}")."""
    members = members_of(saved)
    meta = json.loads(members["project.json"])
    meta["schema_version"] = 2
    for key in ("runs", "current_run"):
        meta.pop(key)
    members["project.json"] = json.dumps(meta).encode()
    members.pop("runs.npz", None)
    members["snapshots.npz"] = npz_bytes(**snapshots)
    return write_zip(dst, members)


def test_a_v2_snapshot_of_the_wrong_shape(saved, tmp_path):
    snapshots = {f"e1_w{i}": w for i, w in enumerate(small_project().weights)}
    snapshots["e1_w2"] = np.zeros((7, 1), np.float32)
    path = _v2_with_snapshots(saved, tmp_path / "bad.nnproj", **snapshots)
    with pytest.raises(
        ProjectError, match=r"snapshots.npz does not fit the network: layer 2 kernel has shape"
    ):
        Project.load(path)


def test_a_v2_snapshot_with_a_badly_named_array(saved, tmp_path):
    path = _v2_with_snapshots(saved, tmp_path / "bad.nnproj", epoch_one=np.zeros(1, np.float32))
    with pytest.raises(ProjectError, match="'epoch_one'; expected names like 'e12_w0'"):
        Project.load(path)


def test_v2_snapshots_not_numbered_from_zero(saved, tmp_path):
    weights = small_project().weights
    snapshots = {f"e1_w{i + 1}": w for i, w in enumerate(weights)}
    path = _v2_with_snapshots(saved, tmp_path / "bad.nnproj", **snapshots)
    with pytest.raises(ProjectError, match="epoch 1 does not fit the network: arrays are not num"):
        Project.load(path)


def test_v2_snapshots_whose_epochs_differ_in_shape(saved, tmp_path):
    weights = small_project().weights
    snapshots = {f"e{e}_w{i}": w for e in (1, 2) for i, w in enumerate(weights)}
    snapshots["e1_w0"] = np.zeros((5, 3), np.float32)
    path = _v2_with_snapshots(saved, tmp_path / "bad.nnproj", **snapshots)
    with pytest.raises(ProjectError) as info:
        Project.load(path)
    assert str(info.value).startswith(f"{path}: snapshots.npz epoch 1 does not fit the network")
    assert "(5, 3)" in str(info.value) and "where epoch 2 has" in str(info.value)


def test_v2_snapshots_with_two_arrays_for_one_place(saved, tmp_path):
    snapshots = {f"e1_w{i}": w for i, w in enumerate(small_project().weights)}
    snapshots["e01_w0"] = snapshots["e1_w0"]
    path = _v2_with_snapshots(saved, tmp_path / "bad.nnproj", **snapshots)
    with pytest.raises(ProjectError, match="holds two arrays for epoch 1, w0"):
        Project.load(path)


def test_v2_snapshots_of_integers(saved, tmp_path):
    snapshots = {f"e3_w{i}": w for i, w in enumerate(small_project().weights)}
    snapshots["e3_w1"] = np.zeros(3, np.int32)
    path = _v2_with_snapshots(saved, tmp_path / "bad.nnproj", **snapshots)
    with pytest.raises(ProjectError, match="epoch 3 does not fit the network: w1 is int32; expec"):
        Project.load(path)


def test_v2_snapshots_open_stacked_with_their_values(saved, tmp_path):
    weights = small_project().weights
    snapshots = {f"e{e}_w{i}": w * e for e in (0, 2, 10) for i, w in enumerate(weights)}
    project = Project.load(_v2_with_snapshots(saved, tmp_path / "v2.nnproj", **snapshots))
    assert sorted(project.snapshots) == [0, 2, 10]
    for epoch, arrays in project.snapshots.items():
        for got, want in zip(arrays, weights, strict=True):
            assert got.dtype == np.float32 and np.array_equal(got, want * epoch)
    # Saved again, the file holds them stacked.
    project.save(tmp_path / "v3.nnproj")
    with np.load(io.BytesIO(members_of(tmp_path / "v3.nnproj")["snapshots.npz"])) as npz:
        assert sorted(npz.files) == ["epochs", "w0", "w1", "w2", "w3"]
        assert npz["epochs"].tolist() == [0, 2, 10]


# ---------------------------------------------------------------------- files stay openable


def test_weights_that_no_longer_fit_are_left_out_so_the_file_still_opens(tmp_path):
    project = small_project()
    project.layers[0].units = 5  # edited after training, weights not cleared
    path = project.save(tmp_path / "p.nnproj")
    assert "did not fit the network" in project.warnings[-1]
    assert "the trained weights and 2 weight snapshots" in project.warnings[-1]
    assert project.weights is not None  # only the file leaves them out
    loaded = Project.load(path)
    assert loaded.weights is None and loaded.snapshots == {} and loaded.layers[0].units == 5
    assert set(members_of(path)) == {"project.json", "weights.npz"}


def test_to_dict_of_a_project_with_stale_weights_is_still_valid():
    project = small_project()
    project.layers.append(LayerSpec(2, "softmax", "extra"))
    assert Project.from_dict(project.to_dict()).layers[-1].units == 2


@pytest.mark.parametrize("data", [[1, 2], {"format": "other"}, {}])
def test_from_dict_refuses_what_is_not_a_project_dict(data):
    with pytest.raises(ProjectError, match="expected a project dict"):
        Project.from_dict(data)
