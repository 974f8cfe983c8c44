"""Values project.json lets through that the engine cannot hold (issue #16): numbers of
hundreds or thousands of digits, and networks too big for memory. Each is a ProjectError
naming the file and the place in project.json, never ValueError, OverflowError or
MemoryError."""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from project_testing import small_project, write_zip, zip_members

from engine.errors import ProjectError
from engine.project import LayerSpec, Project, runtime
from engine.project.schema import MAX_PARAMETERS


def _source() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "src.nnproj"
        project = small_project(Path(folder) / "data.csv")
        project.dataset_source.params["noise"] = 0.5  # a place for a number in params
        project.save(path)
        return path.read_bytes()


SOURCE = _source()
PLACEHOLDER = "@@NUMBER@@"


def _with_literal(folder: Path, path_in_json: tuple, literal: str) -> Path:
    """A copy of SOURCE whose project.json holds the number `literal`, written as text (json
    cannot even dump an int of 5,000 digits), at `path_in_json`."""
    src = folder / "src.nnproj"
    src.write_bytes(SOURCE)
    members = zip_members(src)
    meta = json.loads(members["project.json"])
    parent = meta
    for key in path_in_json[:-1]:
        parent = parent[key]
    parent[path_in_json[-1]] = PLACEHOLDER
    text = json.dumps(meta).replace(f'"{PLACEHOLDER}"', literal)
    members["project.json"] = text.encode()
    return write_zip(folder / "out.nnproj", members)


def _numeric_places(value, prefix=()):
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _numeric_places(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _numeric_places(child, (*prefix, index))
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield prefix


with tempfile.TemporaryDirectory() as _folder:
    (Path(_folder) / "s.nnproj").write_bytes(SOURCE)
    PLACES = sorted(
        _numeric_places(json.loads(zip_members(Path(_folder) / "s.nnproj")["project.json"])),
        key=str,
    )


@pytest.mark.parametrize(
    ("place", "literal", "fragment"),
    [
        (("layers", 0, "units"), "9" * 5000, "layers[0].units"),
        (("compile", "learning_rate"), "1" * 400, "compile.learning_rate"),
        (("compile", "learning_rate"), "0." + "1" * 400, "compile.learning_rate"),
        (("layers", 1, "l2"), "7" * 400, "layers[1].l2"),
        (("history", "loss", 0), "5" * 400, "history.loss[0]"),
        (("training", "seed"), "3" * 4500, "training.seed"),
        (("training", "epochs"), "9" * 30, "training.epochs"),
    ],
)
def test_a_number_too_long_for_python_is_a_project_error_naming_its_place(
    tmp_path, place, literal, fragment
):
    path = _with_literal(tmp_path, place, literal)
    with pytest.raises(ProjectError) as info:
        Project.load(path)
    message = str(info.value)
    assert message.startswith(f"{path}: project.json {fragment}"), message
    assert len(message) < 400  # the number is described, not printed


def test_a_huge_noise_leaves_the_project_without_data_instead_of_raising(tmp_path):
    src = tmp_path / "b.nnproj"
    project = Project.course()
    project.dataset_source.params["noise"] = 0.1
    project.save(src)
    members = zip_members(src)
    text = members["project.json"].decode().replace('"noise": 0.1', '"noise": ' + "9" * 400)
    members["project.json"] = text.encode()
    loaded = Project.load(write_zip(tmp_path / "noise.nnproj", members))
    assert loaded.dataset is None
    assert any("noise" in w for w in loaded.warnings)


@pytest.mark.parametrize("schema", [2, 3])
@pytest.mark.parametrize("key", ["e" + "1" * 5000 + "_w0", "w" + "1" * 5000])
def test_a_snapshot_key_of_5000_digits_is_a_project_error(tmp_path, schema, key):
    src = tmp_path / "src.nnproj"
    src.write_bytes(SOURCE)
    members = zip_members(src)
    # Schema 2 stored a member per array per epoch, schema 3 stacks them ("epochs", "w0"...).
    with np.load(io.BytesIO(members["snapshots.npz"])) as npz:
        arrays = {"epochs": npz["epochs"], "w0": npz["w0"]}
    if schema == 2:
        meta = json.loads(members["project.json"])
        meta["schema_version"] = 2
        members["project.json"] = json.dumps(meta).encode()
        arrays = {"e1_w0": arrays["w0"][0]}
    arrays[key] = arrays.pop("w0") if schema == 3 else arrays.pop("e1_w0")
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    members["snapshots.npz"] = buffer.getvalue()
    path = write_zip(tmp_path / "snap.nnproj", members)
    with pytest.raises(ProjectError) as info:
        Project.load(path)
    assert str(info.value).startswith(f"{path}: snapshots.npz holds an array named")


LITERALS = st.one_of(
    st.integers(300, 5000).map(lambda n: "9" * n),
    st.integers(300, 5000).map(lambda n: "-" + "9" * n),
    st.integers(300, 5000).map(lambda n: "0." + "1" * n),
    st.integers(300, 5000).map(lambda n: "1" * n + ".5"),
    st.sampled_from(["1e999", "-1e999", "1e-999", "1e308", str(10**12), str(2**64)]),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(place=st.sampled_from(PLACES), literal=LITERALS)
def test_any_huge_number_anywhere_loads_or_raises_a_project_error_naming_the_file(place, literal):
    with tempfile.TemporaryDirectory() as folder:
        path = _with_literal(Path(folder), place, literal)
        try:
            project = Project.load(path)
        except ProjectError as exc:
            assert str(exc).startswith(str(path)), exc  # noqa: PT017 - loading may succeed
            return
        with contextlib.suppress(ProjectError):
            runtime.build_model(project)


# ---------------------------------------------------------------------- networks too big


@pytest.mark.parametrize("units", [[10**9, 1], [10**5, 10**5, 1]])
def test_a_network_too_big_for_memory_is_refused_when_opened(tmp_path, units):
    project = Project.course()
    project.layers = [LayerSpec(n, "relu", f"layer{i + 1}") for i, n in enumerate(units)]
    project.weights = None
    path = tmp_path / "huge.nnproj"
    project.save(path)  # the file is small: the network is only numbers in project.json
    with pytest.raises(ProjectError) as info:
        Project.load(path)
    message = str(info.value)
    big = 0 if units[0] == 10**9 else 1
    assert message.startswith(f"{path}: project.json layers[{big}] ('layer{big + 1}'")
    assert f"{MAX_PARAMETERS:,}" in message


def test_building_a_network_too_big_for_memory_is_refused_naming_the_layer():
    project = Project.course()
    project.layers = [
        LayerSpec(10**5, "relu", "wide"),
        LayerSpec(10**5, "relu", "wider"),
        LayerSpec(1, "sigmoid", "out"),
    ]
    with pytest.raises(ProjectError, match=r"layers\[1\] \('wider'"):
        runtime.build_model(project)
    with pytest.raises(ProjectError, match="wider"):
        runtime.initial_weights(project)


def test_the_biggest_allowed_network_is_still_a_real_one():
    project = Project.course()
    project.layers = [
        LayerSpec(256, "relu", "a"),
        LayerSpec(128, "relu", "b"),
        LayerSpec(10, "softmax", "c"),
    ]
    project.compile.loss = "sparse_categorical_crossentropy"
    project.input_dim = 784
    project.dataset = None
    assert runtime.build_model(project).count_params() == 235_146 < MAX_PARAMETERS
