"""The installed `netbuilder` console script and `python -m app`, in real subprocesses:
commands run without importing Qt, the window path fails cleanly without a display, and
Ctrl+C (a real SIGINT) stops training and still saves."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from engine.project import Project


def console_script() -> str:
    """The installed entry point: beside this interpreter (a venv), else on PATH."""
    for candidate in (Path(sys.executable).parent / "netbuilder", shutil.which("netbuilder")):
        if candidate and Path(candidate).exists():
            return str(candidate)
    pytest.skip("the netbuilder console script is not installed (pip install -e .)")


def headless_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    path = tmp_path_factory.mktemp("entry") / "xor.nnproj"
    assert main(["new", str(path), "--builtin", "xor", "--layers", "4:tanh,1:sigmoid"]) == 0
    return path


def test_console_script_runs_a_command(project):
    result = subprocess.run(
        [console_script(), "summary", str(project)],
        capture_output=True,
        text=True,
        timeout=60,
        env=headless_env(),
    )
    assert result.returncode == 0, result.stderr
    assert "Loss: binary_crossentropy" in result.stdout


def test_console_script_reports_a_bad_file_in_one_line(tmp_path):
    missing = tmp_path / "missing.nnproj"
    result = subprocess.run(
        [console_script(), "train", str(missing)],
        capture_output=True,
        text=True,
        timeout=60,
        env=headless_env(),
    )
    assert result.returncode == 1
    assert result.stderr == f"netbuilder: error: {missing}: no such file\n"


def test_python_m_app_runs_commands_without_importing_qt(project):
    # -X importtime lists every module the interpreter imported, on stderr.
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "app", "summary", str(project)],
        capture_output=True,
        text=True,
        timeout=60,
        env=headless_env(),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Loss: binary_crossentropy" in result.stdout
    imported = [
        line.rsplit("|", 1)[-1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    ]
    assert "app.cli" in imported  # the listing is real
    assert not [m for m in imported if m.split(".")[0] in ("PySide6", "shiboken6", "pyqtgraph")]


def test_version_and_help_need_no_qt():
    code = (
        "import sys\n"
        "from app.__main__ import main\n"
        "codes = [main(['--version']), main(['--help'])]\n"
        "qt = [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))]\n"
        "print(codes, qt)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=headless_env()
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("[0, 0] []")


def test_the_window_without_a_display_fails_in_one_line(tmp_path):
    for argv in ([], ["some.nnproj"]):
        result = subprocess.run(
            [sys.executable, "-m", "app", *argv],
            capture_output=True,
            text=True,
            timeout=60,
            env=headless_env(),
            cwd=tmp_path,
        )
        assert result.returncode == 1
        assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
    # A project that exists is opened by the window, which needs a display.
    assert "no such file" in result.stderr
    (tmp_path / "some.nnproj").write_bytes(b"")
    result = subprocess.run(
        [sys.executable, "-m", "app", "some.nnproj"],
        capture_output=True,
        text=True,
        timeout=60,
        env=headless_env(),
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("netbuilder: error: cannot open the window: no display")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is POSIX")
def test_ctrl_c_in_a_real_process_stops_and_saves(project, tmp_path):
    path = tmp_path / "long.nnproj"
    shutil.copy(project, path)
    process = subprocess.Popen(
        [console_script(), "train", str(path), "--epochs", "100000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=headless_env(),
    )
    try:
        first = process.stdout.readline()  # one line per epoch when not on a terminal
        assert first.startswith("epoch 1/100000"), first + process.stderr.read()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    assert "Traceback" not in err and "interrupted after epoch" in err
    saved = Project.load(path)
    assert 1 <= saved.epochs_trained < 100000
    assert f"saved {path}" in out


def test_window_without_qts_x11_libraries_names_the_packages_to_install(monkeypatch, capsys):
    import app.__main__ as entry

    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(entry, "missing_x11_packages", lambda: ["libxcb-cursor0", "libxcb-icccm4"])
    assert entry.main([]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "sudo apt-get install libxcb-cursor0 libxcb-icccm4" in err


def test_missing_x11_packages_asks_for_each_library():
    from app.__main__ import X11_LIBRARIES, missing_x11_packages

    assert missing_x11_packages(lambda lib: None) == list(X11_LIBRARIES.values())
    assert missing_x11_packages(lambda lib: f"lib{lib}.so" if lib != "xcb-icccm" else None) == [
        "libxcb-icccm4"
    ]
