"""snapshots.npz of schema 3: the snapshots stacked ("epochs", "w0", "w1", ...), written by
Project.save, read back exactly, and every way a damaged file can get them wrong refused as a
ProjectError that names the file and the problem."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import pytest
from project_testing import npz_bytes, small_project, write_zip
from project_testing import zip_members as members_of

from engine.errors import ProjectError
from engine.project import LayerSpec, Project

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_V3 = ROOT / "tests" / "fixtures" / "project_v3.nnproj"
SHAPES = [(2, 3), (3,), (3, 1), (1,)]  # small_project's network: 2 -> 3 -> 1


def _stacked(path: Path) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(members_of(path)["snapshots.npz"]), allow_pickle=False) as npz:
        return {key: npz[key] for key in npz.files}


@pytest.fixture
def saved(tmp_path) -> Path:
    project = small_project()
    project.snapshots = {
        epoch: [np.full(shape, epoch + i / 10, np.float32) for i, shape in enumerate(SHAPES)]
        for epoch in (0, 1, 5, 9)
    }
    return project.save(tmp_path / "p.nnproj")


def _with_snapshot_arrays(saved: Path, dst: Path, arrays: dict[str, np.ndarray]) -> Path:
    members = members_of(saved)
    members["snapshots.npz"] = npz_bytes(**arrays)
    return write_zip(dst, members)


# ---------------------------------------------------------------------- round trip


def test_save_stacks_the_snapshots_in_epoch_order(saved):
    arrays = _stacked(saved)
    assert sorted(arrays) == ["epochs", "w0", "w1", "w2", "w3"]
    assert arrays["epochs"].dtype == np.int64 and arrays["epochs"].tolist() == [0, 1, 5, 9]
    for i, shape in enumerate(SHAPES):
        assert arrays[f"w{i}"].shape == (4, *shape)
        assert arrays[f"w{i}"][2].flat[0] == np.float32(5 + i / 10)


def test_snapshots_round_trip_exactly_as_read_only_arrays(tmp_path):
    rng = np.random.default_rng(3)
    original = small_project()
    original.snapshots = {
        epoch: [rng.normal(size=shape).astype(np.float32) for shape in SHAPES]
        for epoch in (12, 0, 3, 400)  # not in order: the file sorts them
    }
    loaded = Project.load(original.save(tmp_path / "p.nnproj"))
    assert list(loaded.snapshots) == [0, 3, 12, 400]
    for epoch, weights in original.snapshots.items():
        for got, want in zip(loaded.snapshots[epoch], weights, strict=True):
            assert got.dtype == want.dtype and np.array_equal(got, want)
            assert not got.flags.writeable  # views of the stacked arrays, never written
    # Saved again, the file is the same.
    again = loaded.save(tmp_path / "again.nnproj")
    assert members_of(again)["snapshots.npz"] == members_of(tmp_path / "p.nnproj")["snapshots.npz"]


def test_loaded_snapshots_survive_a_copy_continue_and_a_new_save(saved, tmp_path):
    from engine.project import edits

    project = Project.load(saved)
    copied = project.copy()
    assert np.array_equal(copied.snapshots[5][0], project.snapshots[5][0])
    edits.restore_epoch(project, 5)
    assert project.weights[0].flags.writeable  # the weights are a copy to train on
    project.weights[0][...] = 7.0
    assert project.snapshots[5][0].flat[0] == np.float32(5.0)
    assert sorted(project.snapshots) == [0, 1, 5]
    reloaded = Project.load(project.save(tmp_path / "after.nnproj"))
    assert sorted(reloaded.snapshots) == [0, 1, 5]


def test_no_snapshots_means_no_snapshots_member(tmp_path):
    project = small_project()
    project.snapshots = {}
    assert "snapshots.npz" not in members_of(project.save(tmp_path / "p.nnproj"))


def test_snapshots_of_another_input_count_are_left_out_so_they_stack(tmp_path):
    project = small_project()
    project.weights = None
    project.snapshots = {
        1: [np.zeros((5, 3), np.float32), *[np.zeros(s, np.float32) for s in SHAPES[1:]]],
        2: [np.ones(shape, np.float32) for shape in SHAPES],
    }
    loaded = Project.load(project.save(tmp_path / "p.nnproj"))
    assert sorted(loaded.snapshots) == [2]  # the newest decides the shape
    assert "1 weight snapshots" in project.warnings[-1]


def test_the_v3_fixture_holds_its_stacked_snapshot():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from make_fixtures import v3_weights
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    project = Project.load(FIXTURE_V3)
    assert list(project.snapshots) == [2]
    for got, want in zip(project.snapshots[2], v3_weights(1), strict=True):
        assert np.array_equal(got, want / 2)


# ---------------------------------------------------------------------- damaged files


def _good(saved: Path) -> dict[str, np.ndarray]:
    return _stacked(saved)


DAMAGED = [
    # (what changes, what the message says)
    (lambda a: a.update(epochs=a["epochs"].astype(np.float64)), "epochs is float64"),
    (lambda a: a.update(epochs=a["epochs"].astype(np.int32)), "epochs is int32"),
    (lambda a: a.update(epochs=a["epochs"].reshape(2, 2)), "of shape (2, 2)"),
    (lambda a: a.update(epochs=np.array([0, 5, 1, 9])), "not ascending and distinct (5 is foll"),
    (lambda a: a.update(epochs=np.array([0, 1, 1, 9])), "not ascending and distinct (1 is foll"),
    (lambda a: a.update(epochs=np.array([-3, 1, 5, 9])), "epochs holds -3; epochs are 0 or more"),
    (lambda a: a.update(epochs=np.array([0, 1, 5])), "w0 has 4 rows where epochs lists 3"),
    (lambda a: a.update(w2=a["w2"][:3]), "w2 has 3 rows where epochs lists 4"),
    (lambda a: a.update(w1=np.float32(1)), "w1 has no first dimension"),
    (lambda a: a.pop("epochs"), "has no 'epochs' array"),
    (lambda a: a.pop("w1"), "is missing w1 (it holds w0, w2, w3)"),
    (lambda a: [a.pop(k) for k in ("w0", "w1", "w2", "w3")], "holds epochs but no weight arr"),
    (lambda a: a.pop("w3"), "does not fit the network: 3 weight arrays for 2 layers"),
    (lambda a: a.update(w4=a["w3"]), "does not fit the network: 5 weight arrays for 2 layers"),
    (lambda a: a.update(w2=a["w2"][..., None]), "layer 2 kernel has shape (3, 1, 1)"),
    (lambda a: a.update(w0=np.zeros((4, 5, 3), np.float32)), "layer 1 kernel has shape (5, 3)"),
    (lambda a: a.update(w1=a["w1"].astype(np.int64)), "dtype int64; expected floats"),
    (lambda a: a["w3"].__setitem__((2, 0), np.inf), "epoch 5 holds NaN or infinity in w3"),
    (lambda a: a.update(extra=a["w0"]), "an array named 'extra'; expected 'epochs' and 'w0'"),
    (lambda a: a.update(e1_w0=a["w0"][0]), "'e1_w0', the per-epoch layout of schema 1 and 2"),
    (lambda a: a.update(w0001=a["w0"]), "an array named 'w0001'"),
]


@pytest.mark.parametrize(("change", "expected"), DAMAGED)
def test_damaged_stacked_snapshots_are_refused(saved, tmp_path, change, expected):
    arrays = _good(saved)
    change(arrays)
    path = _with_snapshot_arrays(saved, tmp_path / "bad.nnproj", arrays)
    with pytest.raises(ProjectError) as info:
        Project.load(path)
    message = str(info.value)
    assert message.startswith(f"{path}: snapshots.npz ")
    assert expected in message
    assert "damaged or was edited by hand" in message


def test_old_per_epoch_keys_in_a_schema_3_file_are_refused(saved, tmp_path):
    weights = small_project().weights
    arrays = {f"e1_w{i}": w for i, w in enumerate(weights)}
    path = _with_snapshot_arrays(saved, tmp_path / "old.nnproj", arrays)
    with pytest.raises(ProjectError, match="per-epoch layout of schema 1 and 2 files, but proj"):
        Project.load(path)


def test_a_pickled_stacked_array_is_still_refused_unloaded(saved, tmp_path):
    arrays = _good(saved)
    arrays["w0"] = np.array([object()] * 4, dtype=object)
    members = members_of(saved)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # allow_pickle defaults to True when saving
    members["snapshots.npz"] = buffer.getvalue()
    with pytest.raises(ProjectError, match="holds Python objects"):
        Project.load(write_zip(tmp_path / "pickle.nnproj", members))


def test_snapshots_whose_inputs_differ_from_the_weights_are_refused(saved, tmp_path):
    arrays = _good(saved)
    arrays["w0"] = np.zeros((4, 4, 3), np.float32)  # 4 inputs; weights.npz has 2
    path = _with_snapshot_arrays(saved, tmp_path / "bad.nnproj", arrays)
    with pytest.raises(ProjectError, match=r"layer 1 kernel has shape \(4, 3\); expected \(2, 3"):
        Project.load(path)


def test_a_network_without_layers_saves_no_snapshots(tmp_path):
    project = Project(name="empty", layers=[LayerSpec(1, "sigmoid", "out")], input_dim=2)
    project.layers = []
    project.snapshots = {1: []}
    loaded = Project.load(project.save(tmp_path / "empty.nnproj"))
    assert loaded.snapshots == {}
