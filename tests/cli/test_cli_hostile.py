"""Hostile inputs on the command line (issue #16): whatever the file, exit 1 and one line
`netbuilder: error: <file>: <what is wrong>`, no traceback, no hang."""

from __future__ import annotations

import os
import threading

import pytest

from app.cli import main
from app.cli.errors import report

posix_only = pytest.mark.skipif(os.name != "posix", reason="FIFOs and symlinks are POSIX")


def run(capsys, *argv, fifo=None, seconds=20.0):
    """main(argv) in a thread with a deadline: a command blocked on a FIFO fails the test
    (after its other end is opened to release it) instead of hanging the suite."""
    capsys.readouterr()
    result = {}
    thread = threading.Thread(
        target=lambda: result.update(code=main([str(a) for a in argv])), daemon=True
    )
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        if fifo is not None:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        thread.join(5)
        pytest.fail(f"netbuilder {' '.join(map(str, argv))} hangs")
    out, err = capsys.readouterr()
    return result.get("code"), out, err


def one_line(err: str, file) -> str:
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    prefix = f"netbuilder: error: {file}: "
    assert lines[0].startswith(prefix), lines[0]
    return lines[0][len(prefix) :]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    path = tmp_path_factory.mktemp("p") / "xor.nnproj"
    assert main(["new", str(path), "--builtin", "xor", "--layers", "4:tanh,1:sigmoid"]) == 0
    return path


@posix_only
@pytest.mark.parametrize("command", ["summary", "evaluate", "train", "predict", "export"])
def test_a_fifo_as_the_project_is_refused_at_once(tmp_path, capsys, command):
    fifo = tmp_path / "pipe.nnproj"
    os.mkfifo(fifo)
    argv = {
        "predict": ["predict", fifo, tmp_path / "x.csv"],
        "export": ["export", "keras", fifo, "-o", tmp_path / "m.py"],
    }.get(command, [command, fifo])
    code, _, err = run(capsys, *argv, fifo=fifo)
    assert code == 1
    assert "named pipe (FIFO)" in one_line(err, fifo)


@posix_only
def test_a_fifo_as_the_csv_is_refused_at_once(tmp_path, capsys, project):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    code, _, err = run(
        capsys, "new", tmp_path / "n.nnproj", "--data", fifo, "--target", "y", fifo=fifo
    )
    assert code == 1 and "named pipe (FIFO)" in one_line(err, fifo)
    code, _, err = run(capsys, "predict", project, fifo, fifo=fifo)
    assert code == 1 and "named pipe (FIFO)" in one_line(err, fifo)
    assert not (tmp_path / "n.nnproj").exists()


@posix_only
def test_a_symlink_loop_is_one_line_not_a_traceback(tmp_path, capsys):
    loop = tmp_path / "loop.nnproj"
    loop.symlink_to(loop)
    code, _, err = run(capsys, "summary", loop)
    assert code == 1
    assert "symbolic links" in one_line(err, loop)


@posix_only
def test_the_reporter_never_raises_even_for_a_path_it_cannot_resolve(tmp_path, capsys):
    loop = tmp_path / "a"
    (tmp_path / "b").symlink_to(loop)
    loop.symlink_to(tmp_path / "b")
    assert report(loop, f"{loop}: broken") == 1
    assert capsys.readouterr().err == f"netbuilder: error: {loop}: broken\n"


# ---------------------------------------------------------------------- broken CSVs, full disks


def test_predict_refuses_a_number_float32_cannot_hold_naming_its_line(tmp_path, capsys, project):
    from engine.project import Project

    names = Project.load(project).dataset.feature_names
    table = tmp_path / "big.csv"
    table.write_text(f"{','.join(names)}\n1,1\n1e308,0.5\n")
    with _no_runtime_warning():
        code, out, err = run(capsys, "predict", project, table)
    assert code == 1 and out == ""
    what = one_line(err, table)
    assert what.startswith(f"line 3, column {names[0]!r} holds '1e308'"), what


class _no_runtime_warning:
    """NumPy's 'overflow encountered in cast' must not reach the person."""

    def __enter__(self):
        import warnings

        self._catch = warnings.catch_warnings()
        self._catch.__enter__()
        warnings.simplefilter("error", RuntimeWarning)

    def __exit__(self, *exc):
        return self._catch.__exit__(*exc)


def test_a_header_cell_of_200000_characters_is_read_not_called_empty(tmp_path, capsys):
    table = tmp_path / "wide.csv"
    table.write_text("x" * 200_000 + ",b,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n")
    code, out, err = run(capsys, "new", tmp_path / "w.nnproj", "--data", table, "--target", "y")
    assert code == 0, err
    assert "4 samples" in out


def test_a_first_line_longer_than_the_sample_is_named_as_such(tmp_path, capsys):
    table = tmp_path / "wider.csv"
    table.write_text("x" * 300_000 + ",b,y\n1,2,0\n3,4,1\n")
    code, _, err = run(capsys, "new", tmp_path / "w.nnproj", "--data", table, "--target", "y")
    assert code == 1
    assert one_line(err, table).startswith("line 1: the first line is longer than 262,144")


def _disk_full_after(monkeypatch, n_ok: int):
    """Fault injection: os.fsync works `n_ok` times, then the disk is full."""
    real = os.fsync
    calls = []

    def fsync(fd):
        calls.append(fd)
        if len(calls) > n_ok:
            raise OSError(28, "No space left on device")
        return real(fd)

    monkeypatch.setattr(os, "fsync", fsync)


@pytest.mark.parametrize("n_ok", [0, 1, 2])
def test_export_on_a_full_disk_writes_nothing_at_all(tmp_path, capsys, project, monkeypatch, n_ok):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    _disk_full_after(monkeypatch, n_ok)
    code, _, err = run(capsys, "export", "keras", project, "-o", out_dir / "model.py")
    monkeypatch.undo()
    assert code == 1 and "No space left on device" in err and "Traceback" not in err
    assert sorted(p.name for p in out_dir.iterdir()) == []  # no weights without their script


def test_new_on_a_full_disk_does_not_claim_a_previous_file(tmp_path, capsys, monkeypatch):
    out = tmp_path / "fresh.nnproj"
    _disk_full_after(monkeypatch, 0)
    code, _, err = run(capsys, "new", out, "--builtin", "xor")
    monkeypatch.undo()
    what = one_line(err, out)
    assert code == 1 and "No space left on device" in what
    assert "previous file" not in what and "No file was written" in what
    assert list(tmp_path.iterdir()) == []
