"""The .nnproj container: atomic saving, and refusing damaged or unsafe files with a
ProjectError that names the file and says what to do."""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from project_testing import (
    json_values,
    meta_of,
    paths_in,
    small_project,
    with_meta,
    write_zip,
    zip_members,
)

from engine.errors import EngineError, ProjectError
from engine.project import SCHEMA_VERSION, Project, runtime
from engine.project import container as project_io


@pytest.fixture
def saved(tmp_path) -> Path:
    path = tmp_path / "small.nnproj"
    small_project(tmp_path / "data.csv").save(path)
    return path


# ---------------------------------------------------------------------- atomic saving

WRITE_STEPS = {
    "mkstemp": (tempfile, "mkstemp"),
    "savez": (np, "savez"),
    "writestr": (zipfile.ZipFile, "writestr"),
    "zip_directory": (zipfile.ZipFile, "_write_end_record"),  # the zip's table of contents
    "fsync": (os, "fsync"),
    "chmod": (os, "chmod"),
    "replace": (os, "replace"),
}


@pytest.mark.parametrize("step", sorted(WRITE_STEPS))
def test_a_failure_at_any_write_step_leaves_the_previous_file_intact(saved, monkeypatch, step):
    before = saved.read_bytes()
    files_before = sorted(p.name for p in saved.parent.iterdir())
    project = Project.load(saved)
    project.name = "changed"

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    owner, attribute = WRITE_STEPS[step]
    monkeypatch.setattr(owner, attribute, fail)
    with pytest.raises(ProjectError) as info:
        project.save(saved)
    monkeypatch.undo()

    message = str(info.value)
    assert str(saved) in message and "No space left on device" in message
    assert "previous file is unchanged" in message
    assert saved.read_bytes() == before
    assert sorted(p.name for p in saved.parent.iterdir()) == files_before  # no temp file left
    assert Project.load(saved).name == "small"


def test_an_interrupt_while_writing_removes_the_temp_file_and_propagates(saved, monkeypatch):
    before = saved.read_bytes()

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(zipfile.ZipFile, "writestr", interrupt)
    with pytest.raises(KeyboardInterrupt):
        small_project().save(saved)
    monkeypatch.undo()
    assert saved.read_bytes() == before
    assert [p.name for p in saved.parent.iterdir() if p.suffix == ".tmp"] == []


def test_a_value_json_cannot_hold_fails_the_save_without_touching_the_file(saved):
    before = saved.read_bytes()
    project = small_project()
    project.ui = {"zoom": float("nan")}
    with pytest.raises(ProjectError, match="previous file is unchanged"):
        project.save(saved)
    assert saved.read_bytes() == before


def test_saving_into_a_missing_folder_says_so(tmp_path):
    with pytest.raises(ProjectError, match="does not exist"):
        small_project().save(tmp_path / "nowhere" / "p.nnproj")


def test_saving_keeps_the_permissions_of_the_file_it_replaces(saved):
    os.chmod(saved, 0o640)
    small_project().save(saved)
    assert (os.stat(saved).st_mode & 0o777) == 0o640


def test_a_new_file_gets_normal_permissions_not_the_private_temp_ones(tmp_path):
    path = small_project().save(tmp_path / "new.nnproj")
    umask = os.umask(0)
    os.umask(umask)
    assert (os.stat(path).st_mode & 0o777) == (0o666 & ~umask)


def test_saving_through_a_symlink_replaces_the_target_not_the_link(tmp_path):
    real = small_project().save(tmp_path / "real.nnproj")
    link = tmp_path / "link.nnproj"
    link.symlink_to(real)
    project = small_project()
    project.name = "via link"
    project.save(link)
    assert link.is_symlink()
    assert meta_of(real)["name"] == "via link"


def test_the_file_is_a_zip_of_the_documented_members(saved):
    members = zip_members(saved)
    assert set(members) == {"project.json", "weights.npz", "snapshots.npz", "dataset.csv"}
    meta = json.loads(members["project.json"])
    assert meta["format"] == "netbuilder-project"
    assert meta["schema_version"] == SCHEMA_VERSION
    with np.load(io.BytesIO(members["snapshots.npz"]), allow_pickle=False) as npz:
        # Stacked (schema 3): the epochs, then each weight array of every snapshot.
        assert sorted(npz.files) == ["epochs", "w0", "w1", "w2", "w3"]
        assert npz["epochs"].dtype == np.int64 and npz["epochs"].tolist() == [1, 2]
        assert npz["w0"].shape == (2, 2, 3) and npz["w3"].shape == (2, 1)


# ---------------------------------------------------------------------- refused files


def load_error(path) -> str:
    with pytest.raises(ProjectError) as info:
        Project.load(path)
    message = str(info.value)
    assert str(path) in message  # every message names the file
    return message


def test_missing_file(tmp_path):
    assert "no such file" in load_error(tmp_path / "gone.nnproj")


def test_a_folder(tmp_path):
    assert "folder" in load_error(tmp_path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.nnproj"
    path.write_bytes(b"")
    assert "empty" in load_error(path)


def test_not_a_zip(tmp_path):
    path = tmp_path / "text.nnproj"
    path.write_text("hello, I am a CSV file\n1,2,3\n")
    assert "not a zip archive" in load_error(path)


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9, 0.99])
def test_truncated_file(saved, keep):
    data = saved.read_bytes()
    saved.write_bytes(data[: int(len(data) * keep)])
    message = load_error(saved)
    assert "truncated" in message or "damaged" in message


def test_no_project_json(saved, tmp_path):
    members = zip_members(saved)
    del members["project.json"]
    message = load_error(write_zip(tmp_path / "nojson.nnproj", members))
    assert "no project.json" in message and "weights.npz" in message


def test_invalid_json_says_where(saved, tmp_path):
    members = zip_members(saved)
    members["project.json"] = b'{"format": "netbuilder-project",\n "schema_version": 1,,}'
    message = load_error(write_zip(tmp_path / "bad.nnproj", members))
    assert "not valid JSON" in message and "line 2" in message


def test_json_that_is_not_an_object(saved, tmp_path):
    members = zip_members(saved)
    members["project.json"] = b"[1, 2, 3]"
    assert "JSON list" in load_error(write_zip(tmp_path / "list.nnproj", members))


def test_json_that_is_not_utf8(saved, tmp_path):
    members = zip_members(saved)
    members["project.json"] = b'{"name": "\xff\xfe"}'
    assert "not UTF-8" in load_error(write_zip(tmp_path / "latin.nnproj", members))


def test_wrong_format_name(saved, tmp_path):
    meta = meta_of(saved)
    meta["format"] = "keras-model"
    message = load_error(with_meta(saved, tmp_path / "keras.nnproj", meta))
    assert "format='keras-model'" in message and "not a Netbuilder project" in message


def test_a_newer_schema_is_refused_with_both_versions(saved, tmp_path):
    meta = meta_of(saved)
    meta["schema_version"] = 7
    message = load_error(with_meta(saved, tmp_path / "future.nnproj", meta))
    assert (
        f"made by a newer Netbuilder (schema 7; this one reads up to {SCHEMA_VERSION})" in message
    )
    assert "Update Netbuilder" in message


@pytest.mark.parametrize("version", [0, -1, "1", 1.0, None, True])
def test_a_schema_version_that_is_not_a_positive_integer(saved, tmp_path, version):
    meta = meta_of(saved)
    meta["schema_version"] = version
    assert "schema_version" in load_error(with_meta(saved, tmp_path / "v.nnproj", meta))


@pytest.mark.parametrize(
    "name", ["/etc/passwd", "../evil.txt", "data/../../x", "\\win.ini", "C:/boot.ini", "a\\..\\b"]
)
def test_members_with_absolute_or_parent_paths_are_refused(saved, tmp_path, name):
    members = zip_members(saved)
    members[name] = b"x"
    message = load_error(write_zip(tmp_path / "unsafe.nnproj", members))
    assert "unsafe path" in message and repr(name) in message


def test_duplicate_members_are_refused(saved, tmp_path):
    members = zip_members(saved)
    path = write_zip(tmp_path / "dup.nnproj", members)
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(path, "a") as archive:
        archive.writestr("project.json", b"{}")
    assert "twice" in load_error(path)


def test_oversized_contents_are_refused_before_unpacking(saved, tmp_path, monkeypatch):
    members = zip_members(saved)
    members["padding.bin"] = bytes(3_000_000)  # deflates to a few KB
    path = write_zip(tmp_path / "bomb.nnproj", members)
    assert path.stat().st_size < 100_000
    monkeypatch.setattr(project_io, "MAX_TOTAL_BYTES", 2_000_000)
    real_read = zipfile.ZipFile.read
    unpacked = []
    monkeypatch.setattr(
        zipfile.ZipFile,
        "read",
        lambda self, name, *a: unpacked.append(name) or real_read(self, name, *a),
    )
    message = load_error(path)
    assert "zip bomb" in message and "3,0" in message
    assert unpacked == []


def test_the_size_limit_is_two_gigabytes():
    assert project_io.MAX_TOTAL_BYTES == 2 * 1024**3


def test_object_arrays_are_refused_never_unpickled(saved, tmp_path, monkeypatch):
    members = zip_members(saved)
    weights = dict(np.load(io.BytesIO(members["weights.npz"])))
    weights["w0"] = np.array([{"boom": 1}, None], dtype=object)
    buffer = io.BytesIO()
    np.savez(buffer, **weights)  # np.savez pickles object arrays
    members["weights.npz"] = buffer.getvalue()
    import pickle

    def no_unpickling(*args, **kwargs):
        raise AssertionError("a project file was unpickled")

    monkeypatch.setattr(pickle, "load", no_unpickling)
    monkeypatch.setattr(pickle, "loads", no_unpickling)
    message = load_error(write_zip(tmp_path / "pickle.nnproj", members))
    assert "pickle" in message and "refused" in message


def test_an_npz_member_that_is_not_an_npy_array_is_refused(saved, tmp_path):
    members = zip_members(saved)
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        buffer = io.BytesIO()
        np.save(buffer, np.zeros((2, 3), np.float32))
        archive.writestr("w0.npy", buffer.getvalue())
        archive.writestr("payload.py", b"print('hi')")
    members["weights.npz"] = inner.getvalue()
    assert "not a plain .npy array" in load_error(write_zip(tmp_path / "odd.nnproj", members))


def test_an_array_header_claiming_more_data_than_stored_is_refused(saved, tmp_path):
    members = zip_members(saved)
    buffer = io.BytesIO()
    header = {"descr": "<f4", "fortran_order": False, "shape": (4_000_000_000,)}
    np.lib.format.write_array_header_1_0(buffer, header)
    forged = buffer.getvalue() + bytes(16)  # 16 bytes stored, 16 GB claimed
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("w0.npy", forged)
    members["weights.npz"] = inner.getvalue()
    message = load_error(write_zip(tmp_path / "forged.nnproj", members))
    assert "claims shape (4000000000,)" in message


def test_a_damaged_compressed_member_is_reported_as_damaged(saved, tmp_path):
    data = bytearray(saved.read_bytes())
    with zipfile.ZipFile(saved) as archive:
        info = archive.getinfo("project.json")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for offset in range(start + 5, start + 25):
        data[offset] ^= 0xA5
    path = tmp_path / "flipped.nnproj"
    path.write_bytes(bytes(data))
    assert "damaged" in load_error(path)


# ---------------------------------------------------------------------- fuzzing


def _fuzz_source() -> bytes:
    """A small valid project with its dataset embedded (its file gone), so every member is
    read when loading."""
    with tempfile.TemporaryDirectory() as folder:
        csv = Path(folder) / "data.csv"
        path = Path(folder) / "fuzz.nnproj"
        small_project(csv).save(path)
        csv.unlink()
        return path.read_bytes()


FUZZ_SOURCE = _fuzz_source()


def _load_bytes(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzzed.nnproj"
        path.write_bytes(data)
        _load_and_build(path)


def _load_and_build(path: Path) -> None:
    """Opening either fails with ProjectError, or gives a project whose model builds (or
    refuses with ProjectError): nothing else may escape."""
    try:
        project = Project.load(path)
    except ProjectError:
        return
    with contextlib.suppress(ProjectError):
        runtime.build_model(project)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    edits=st.lists(
        st.tuples(st.integers(0, len(FUZZ_SOURCE) - 1), st.integers(0, 255)),
        min_size=1,
        max_size=8,
    ),
    cut=st.one_of(st.none(), st.integers(0, len(FUZZ_SOURCE))),
)
def test_mangled_bytes_either_load_or_raise_project_error(edits, cut):
    data = bytearray(FUZZ_SOURCE)
    for position, value in edits:
        data[position] = value
    if cut is not None:
        del data[cut:]
    _load_bytes(bytes(data))


def _stored_source() -> tuple[bytes, int, int]:
    """The fuzz project re-zipped without compression, so byte edits reach project.json's
    text (and the validator) instead of breaking the deflate stream. Returns the file and the
    offsets of project.json's text in it."""
    with tempfile.TemporaryDirectory() as folder:
        src = Path(folder) / "src.nnproj"
        src.write_bytes(FUZZ_SOURCE)
        members = zip_members(src)
        path = write_zip(Path(folder) / "stored.nnproj", members, zipfile.ZIP_STORED)
        data = path.read_bytes()
    start = data.index(members["project.json"])
    return data, start, start + len(members["project.json"])


STORED_SOURCE, JSON_START, JSON_END = _stored_source()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    edits=st.lists(
        st.tuples(
            st.integers(JSON_START, JSON_END - 1),
            st.sampled_from(list(b'0123456789-.,:{}[]"eEnulltrfa x\\')),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_mangled_project_json_either_loads_or_raises_project_error(edits):
    # The zip's CRC would catch these edits; recompute it so they reach json and the checks.
    data = bytearray(STORED_SOURCE)
    for position, value in edits:
        data[position] = value
    text = bytes(data[JSON_START:JSON_END])
    with tempfile.TemporaryDirectory() as folder:
        src = Path(folder) / "src.nnproj"
        src.write_bytes(STORED_SOURCE)
        members = zip_members(src)
        members["project.json"] = text
        _load_bytes(write_zip(Path(folder) / "out.nnproj", members).read_bytes())


def _fuzz_meta() -> dict:
    with tempfile.TemporaryDirectory() as folder:
        src = Path(folder) / "src.nnproj"
        src.write_bytes(FUZZ_SOURCE)
        return meta_of(src)


META = _fuzz_meta()
META_PATHS = [p for p in paths_in(META) if p]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(where=st.sampled_from(META_PATHS), value=json_values, delete=st.booleans())
def test_any_value_anywhere_in_project_json_loads_or_raises_project_error(where, value, delete):
    meta = json.loads(json.dumps(META))
    parent = meta
    for key in where[:-1]:
        parent = parent[key]
    if delete and isinstance(parent, dict):
        del parent[where[-1]]
    else:
        parent[where[-1]] = value
    with tempfile.TemporaryDirectory() as folder:
        src = Path(folder) / "src.nnproj"
        src.write_bytes(FUZZ_SOURCE)
        path = with_meta(src, Path(folder) / "out.nnproj", meta)
        try:
            _load_and_build(path)
        except EngineError as exc:  # pragma: no cover - the assertion names the escapee
            raise AssertionError(f"{type(exc).__name__} escaped for {where}={value!r}") from exc


def test_text_is_deflated_and_arrays_are_stored(saved):
    with zipfile.ZipFile(saved) as archive:
        kinds = {info.filename: info.compress_type for info in archive.infolist()}
    assert kinds == {
        "project.json": zipfile.ZIP_DEFLATED,
        "dataset.csv": zipfile.ZIP_DEFLATED,
        "weights.npz": zipfile.ZIP_STORED,
        "snapshots.npz": zipfile.ZIP_STORED,
    }
