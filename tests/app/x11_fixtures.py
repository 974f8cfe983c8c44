"""A real X server for behaviour the offscreen platform does not show: X11's own key
bindings (QKeySequence.StandardKey lists differ per platform), focus and the wheel.

`x11_display` starts one Xvfb for the session (skips when the binary is missing); the `x11`
fixture runs a Python script on the xcb platform in a subprocess (Qt allows one platform per
process, and this pytest process is offscreen) and fails unless the script's assertions
passed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PRELUDE = """
import os, sys
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv)
assert app.platformName() == "xcb", app.platformName()
from app.main_window import MainWindow

def shown_window():
    window = MainWindow()
    window.resize(1400, 900)
    window.show()
    QTest.qWaitForWindowExposed(window)
    window.activateWindow()
    QTest.qWait(100)
    return window
"""


@pytest.fixture(scope="session")
def x11_display(tmp_path_factory):
    binary = shutil.which("Xvfb")
    if binary is None:
        pytest.skip("Xvfb is not installed: the X11-only tests need a real X server")
    read, write = os.pipe()
    log = tmp_path_factory.mktemp("xvfb") / "xvfb.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [binary, "-displayfd", str(write), "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
            pass_fds=(write,),
            stdout=out,
            stderr=out,
        )
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    if not number:
        server.kill()
        pytest.skip(f"Xvfb did not start: {log.read_text(errors='replace')[-500:]}")
    yield f":{number}"
    server.terminate()
    server.wait(timeout=10)


def run_on_x11(display: str, script: str, tmp_path: Path, timeout: int = 120) -> str:
    """Run PRELUDE + `script` on the X server; fail with its output unless it printed OK."""
    env = dict(
        os.environ,
        DISPLAY=display,
        QT_QPA_PLATFORM="xcb",
        NETBUILDER_CONFIG_DIR=str(tmp_path / "x11-config"),
    )
    env.pop("WAYLAND_DISPLAY", None)
    code = PRELUDE + textwrap.dedent(script) + "\nprint('OK')\nsys.stdout.flush()\nos._exit(0)\n"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=timeout
    )
    output = done.stdout + done.stderr
    if "could not connect to display" in output or "no Qt platform plugin" in output:
        pytest.skip(f"the xcb platform does not start here: {output[-300:]}")
    assert done.returncode == 0 and "OK" in done.stdout.splitlines(), output[-3000:]
    return output


@pytest.fixture
def x11(x11_display, tmp_path):
    """x11(script) -> the script's output; the script runs after PRELUDE on the X server."""
    return lambda script, timeout=120: run_on_x11(x11_display, script, tmp_path, timeout)
