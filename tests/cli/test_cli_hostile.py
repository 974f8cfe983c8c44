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
    thread = threading.Thread(target=lambda: result.update(code=main([str(a) for a in argv])),
                              daemon=True)
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
    return lines[0][len(prefix):]


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
    argv = {"predict": ["predict", fifo, tmp_path / "x.csv"],
            "export": ["export", "keras", fifo, "-o", tmp_path / "m.py"]}.get(command,
                                                                             [command, fifo])
    code, _, err = run(capsys, *argv, fifo=fifo)
    assert code == 1
    assert "named pipe (FIFO)" in one_line(err, fifo)


@posix_only
def test_a_fifo_as_the_csv_is_refused_at_once(tmp_path, capsys, project):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    code, _, err = run(capsys, "new", tmp_path / "n.nnproj", "--data", fifo, "--target", "y",
                       fifo=fifo)
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
