"""Hostile or unlucky files (issue #16): special files, lying zips, killed saves. Every one
ends in a ProjectError or DatasetError that names the file, promptly and in bounded memory;
a test that could hang on a regression runs the loader in a thread or a subprocess with a
deadline instead of hanging the suite."""

from __future__ import annotations

import io
import json
import os
import signal
import struct
import subprocess
import sys
import textwrap
import threading
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest
from project_testing import small_project, write_zip, zip_members

from engine import data
from engine.errors import DatasetError, ProjectError
from engine.files import atomic_write, read_bounded, remove_stale_temporaries
from engine.project import Project, container

posix_only = pytest.mark.skipif(os.name != "posix", reason="FIFOs and /dev/zero are POSIX")


@pytest.fixture
def saved(tmp_path) -> Path:
    path = tmp_path / "small.nnproj"
    project = small_project(tmp_path / "data.csv")
    project.load_dataset()  # a dataset is embedded only once it was loaded
    project.save(path)
    assert "dataset.csv" in zip_members(path)
    return path


def finishes(call, fifo: Path | None = None, seconds: float = 10.0):
    """Run `call` in a thread; return what it raised (or returned). If it is still running
    after `seconds` (blocked on a FIFO), open the FIFO's other end to unblock it and fail."""
    outcome: dict = {}

    def target():
        try:
            outcome["value"] = call()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        if fifo is not None:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            os.close(fd)
        thread.join(5)
        pytest.fail(f"still running after {seconds} s: it hangs on the special file")
    return outcome.get("error", outcome.get("value"))


# ---------------------------------------------------------------------- special files


@posix_only
@pytest.mark.parametrize("loader", ["project", "csv", "npz", "preview"])
def test_a_fifo_is_refused_without_blocking(tmp_path, loader):
    fifo = tmp_path / ("pipe.nnproj" if loader == "project" else "pipe.csv")
    os.mkfifo(fifo)
    call = {
        "project": lambda: Project.load(fifo),
        "csv": lambda: data.load_csv(fifo, target="y"),
        "npz": lambda: data.load_npz(fifo),
        "preview": lambda: data.preview_csv(fifo),
    }[loader]
    error = finishes(call, fifo)
    assert isinstance(error, (ProjectError, DatasetError)), error
    assert str(fifo) in str(error) and "named pipe (FIFO)" in str(error)


@posix_only
def test_a_symlink_to_a_fifo_is_refused_too(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "project.nnproj"
    link.symlink_to(fifo)
    error = finishes(lambda: Project.load(link), fifo)
    assert isinstance(error, ProjectError) and "named pipe" in str(error)


def _in_subprocess(code: str, memory_mb: int = 1024, timeout: float = 60):
    """Run `code` in a child Python with its address space capped (RLIMIT_AS) and a
    deadline, so a regression that reads /dev/zero whole fails instead of eating the RAM."""
    prelude = (
        "import resource\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({memory_mb} << 20, {memory_mb} << 20))\n"
    )
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=Path(__file__).resolve().parents[2],
    )


@posix_only
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_symlink_to_an_endless_device_is_refused_before_reading(tmp_path, device):
    if not Path(device).exists():
        pytest.skip(f"no {device}")
    link = tmp_path / "project.nnproj"
    link.symlink_to(device)
    csv_link = tmp_path / "data.csv"
    csv_link.symlink_to(device)
    result = _in_subprocess(f"""
        from engine.errors import EngineError
        from engine.project import Project
        from engine import data
        for call in (lambda: Project.load({str(link)!r}),
                     lambda: data.load_csv({str(csv_link)!r}, target=0)):
            try:
                call()
            except EngineError as exc:
                print(type(exc).__name__, exc)
    """)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2, result.stdout
    assert lines[0].startswith("ProjectError") and "character device" in lines[0]
    assert lines[1].startswith("DatasetError") and "character device" in lines[1]


def test_read_bounded_stops_at_its_limit(tmp_path):
    path = tmp_path / "big.bin"
    path.write_bytes(bytes(1000))
    assert read_bounded(path, 1000) == bytes(1000)
    with pytest.raises(OSError, match="1,000 bytes, more than the 999 allowed"):
        read_bounded(path, 999)


# ---------------------------------------------------------------------- lying zips


def _lie_about_size(data: bytes, member: str, declared: int) -> bytes:
    """The zip `data` with `member`'s uncompressed size set to `declared` in both its local
    header and the central directory (what a hand-made zip bomb does)."""
    out = bytearray(data)
    name = member.encode()
    for signature, size_offset, name_offset in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := out.find(signature, start)) >= 0:
            if out[start + name_offset : start + name_offset + len(name)] == name:
                struct.pack_into("<I", out, start + size_offset, declared)
            start += 4
    return bytes(out)


def test_a_member_that_lies_about_its_size_is_not_inflated_past_the_lie(saved, tmp_path):
    members = zip_members(saved)
    members["dataset.csv"] = bytes(100 * 1024**2)  # deflates to ~100 KB
    honest = write_zip(tmp_path / "honest.nnproj", members).read_bytes()
    lying = tmp_path / "lying.nnproj"
    lying.write_bytes(_lie_about_size(honest, "dataset.csv", 1000))
    tracemalloc.start()
    try:
        with pytest.raises(ProjectError) as info:
            Project.load(lying)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(lying) in str(info.value) and "dataset.csv" in str(info.value)
    assert peak < 20 * 1024**2, f"inflated {peak:,} bytes for a member declaring 1,000"


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
@pytest.mark.parametrize("member", ["project.json", "dataset.csv", "weights.npz"])
def test_only_stored_and_deflate_members_are_unpacked(saved, tmp_path, method, member):
    members = zip_members(saved)
    path = tmp_path / "bz.nnproj"
    with zipfile.ZipFile(path, "w") as archive:
        for name, payload in members.items():
            archive.writestr(
                name, payload, compress_type=method if name == member else zipfile.ZIP_DEFLATED
            )
    with pytest.raises(ProjectError) as info:
        Project.load(path)
    message = str(info.value)
    assert message.startswith(str(path)) and member in message
    assert f"method {method}" in message and "stored and deflate" in message


def test_arrays_inside_an_npz_member_must_be_stored_or_deflated(saved, tmp_path):
    members = zip_members(saved)
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", compression=zipfile.ZIP_BZIP2) as archive:
        for key, array in np.load(io.BytesIO(members["weights.npz"])).items():
            buffer = io.BytesIO()
            np.save(buffer, array)
            archive.writestr(f"{key}.npy", buffer.getvalue())
    members["weights.npz"] = inner.getvalue()
    with pytest.raises(ProjectError, match="method 12"):
        Project.load(write_zip(tmp_path / "inner.nnproj", members))


def test_an_embedded_dataset_over_its_bound_is_refused_naming_the_bound(
    saved, tmp_path, monkeypatch
):
    members = zip_members(saved)
    members["dataset.csv"] = b"a,b,label\n" + b"1,2,yes\n3,4,no\n" * 1000
    path = write_zip(tmp_path / "big.nnproj", members)
    monkeypatch.setattr(container, "MAX_DATASET_BYTES", 10_000)
    with pytest.raises(ProjectError) as info:
        Project.load(path)
    assert "dataset.csv" in str(info.value) and "10,000 bytes" in str(info.value)


def test_the_embedded_dataset_bound_is_one_the_loader_handles():
    # 1.9 GB took 6 GB of memory and hung every front end; loading costs ~3x the CSV.
    assert container.MAX_DATASET_BYTES <= 256 * 1024**2
    from engine.project.document import EMBED_LIMIT_BYTES

    assert container.MAX_DATASET_BYTES >= EMBED_LIMIT_BYTES  # what Netbuilder embeds fits


def test_a_json_member_lying_about_its_size_is_cut_at_the_json_bound(saved, tmp_path, monkeypatch):
    members = zip_members(saved)
    meta = json.loads(members["project.json"])
    meta["ui"] = {"pad": "x" * 200_000}
    members["project.json"] = json.dumps(meta).encode()
    honest = write_zip(tmp_path / "honest.nnproj", members).read_bytes()
    lying = tmp_path / "lying.nnproj"
    lying.write_bytes(_lie_about_size(honest, "project.json", 100))
    monkeypatch.setattr(container, "MAX_JSON_BYTES", 50_000)
    with pytest.raises(ProjectError, match="project.json"):
        Project.load(lying)


# ---------------------------------------------------------------------- killed saves


def test_a_save_killed_mid_write_leaves_a_temp_file_the_next_save_removes(tmp_path):
    target = tmp_path / "p.nnproj"
    target.write_bytes(b"old")
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import sys, time
            from engine.files import atomic_write
            def write(handle):
                handle.write(b"x" * 1000)
                handle.flush()
                print("writing", flush=True)
                time.sleep(60)
            atomic_write({str(target)!r}, write)
        """),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert child.stdout.readline().strip() == "writing"
        leftovers = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        assert len(leftovers) == 1 and f"pid-{child.pid}" in leftovers[0].name
        # While the writer lives, another save leaves its temp file alone.
        atomic_write(target, b"mine")
        assert leftovers[0].exists()
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert leftovers[0].exists()  # kill -9: nobody cleaned up
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["p.nnproj"]


def test_stale_temp_files_of_other_targets_and_unknown_names_are_kept(tmp_path):
    target = tmp_path / "p.nnproj"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    ).stdout.strip()
    stale = tmp_path / f".p.nnproj.pid-{dead}.abc.tmp"
    other = tmp_path / f".q.nnproj.pid-{dead}.abc.tmp"
    foreign = tmp_path / ".p.nnproj.abc.tmp"  # not ours to judge: no pid in its name
    for path in (stale, other, foreign):
        path.write_bytes(b"x")
    assert remove_stale_temporaries(target) == [stale]
    assert other.exists() and foreign.exists() and not stale.exists()


# ---------------------------------------------------------------------- outside files

SSH_KEY = (
    b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n"
    b"-----END OPENSSH PRIVATE KEY-----\n"
)


def _project_pointing_at(tmp_path: Path, outside: Path) -> Path:
    """A project (as someone might send it) whose dataset path points at `outside`, with no
    hash and no embedded copy."""
    path = tmp_path / "sent" / "gift.nnproj"
    path.parent.mkdir()
    small_project(tmp_path / "sent" / "data.csv").save(path)
    members = zip_members(path)
    members.pop("dataset.csv", None)
    meta = json.loads(members["project.json"])
    meta["dataset"].update(path=str(outside), absolute_path=str(outside), sha256=None)
    members["project.json"] = json.dumps(meta).encode()
    return write_zip(path, members)


@pytest.mark.parametrize("save", ["save", "train"])
def test_a_project_never_embeds_a_file_it_did_not_load_as_its_dataset(tmp_path, save):
    secret = tmp_path / "home" / ".ssh" / "id_ed25519"
    secret.parent.mkdir(parents=True)
    secret.write_bytes(SSH_KEY)
    path = _project_pointing_at(tmp_path, secret)
    project = Project.load(path)
    assert project.dataset is None and project.warnings  # "opened without data"
    if save == "train":  # what `netbuilder train` does after training: save in place
        from engine.project import runtime

        project.weights = runtime.initial_weights(project)
    project.save(path)
    members = zip_members(path)
    assert "dataset.csv" not in members
    assert all(SSH_KEY[:20] not in payload for payload in members.values())


def test_the_embedded_copy_is_the_bytes_that_were_parsed(tmp_path):
    csv_path = tmp_path / "data.csv"
    path = tmp_path / "p.nnproj"
    project = small_project(csv_path)
    project.load_dataset()
    project.save(path)
    loaded = Project.load(path)
    parsed = loaded.dataset.n_samples
    csv_path.write_text(csv_path.read_text() + "9.0,9.0,yes\n")  # changed after loading
    loaded.save(path)
    embedded = zip_members(path)["dataset.csv"].decode()
    assert embedded.count("\n") - 1 == parsed  # the rows that were loaded, not the new file
