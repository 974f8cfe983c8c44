"""The window paints on its GUI thread alone: Qt's fill helper threads are off
(app/paint_threads.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app import main_window
from app.paint_threads import NO_GUI_THREAD_POOL, paint_on_the_gui_thread

ROOT = Path(__file__).resolve().parents[2]


def test_the_helpers_are_turned_off_unless_the_person_set_the_variable():
    environ = {}
    assert paint_on_the_gui_thread(environ) is True
    assert environ == {NO_GUI_THREAD_POOL: "1"}
    kept = {NO_GUI_THREAD_POOL: ""}  # Qt asks only whether it is set: kept as it is
    assert paint_on_the_gui_thread(kept) is False
    assert kept == {NO_GUI_THREAD_POOL: ""}


def test_the_window_sets_it_before_its_first_paint(qtbot, monkeypatch):
    monkeypatch.delenv(NO_GUI_THREAD_POOL, raising=False)
    seen = {}

    class Window(main_window.MainWindow):
        def __init__(self, path=None):
            seen["set"] = os.environ.get(NO_GUI_THREAD_POOL)  # before anything is painted
            super().__init__(path)
            qtbot.addWidget(self)
            self.dialogs.ask_unsaved_changes = lambda name: "discard"

    monkeypatch.setattr(main_window, "MainWindow", Window)
    monkeypatch.setattr(QApplication, "exec", lambda self: 0)
    assert main_window.run() == 0
    assert seen == {"set": "1"}


PAINT_AND_LIST_THREADS = """
import os, sys
sys.path.insert(0, sys.argv[1])
from PySide6.QtWidgets import QApplication
from app.paint_threads import paint_on_the_gui_thread
if sys.argv[2] == "off":
    paint_on_the_gui_thread()
app = QApplication([])
from app.main_window import MainWindow
window = MainWindow()
window.resize(1400, 900)
window.show()
for _ in range(30):
    app.processEvents()
window.grab()
names = [open(f"/proc/self/task/{t}/comm").read().strip() for t in os.listdir("/proc/self/task")]
print(sum(name.startswith("Thread (pooled)") for name in names))
os._exit(0)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc for the threads")
def test_qt_really_paints_without_helper_threads_when_it_is_set():
    """Guards the variable's name and effect against a Qt upgrade: the window's paints start
    Qt's fill helpers (two threads here) unless it is set."""

    def helpers(mode: str) -> int:
        env = {k: v for k, v in os.environ.items() if k != NO_GUI_THREAD_POOL}
        env["QT_QPA_PLATFORM"] = "offscreen"
        out = subprocess.run(
            [sys.executable, "-c", PAINT_AND_LIST_THREADS, str(ROOT), mode],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            check=True,
        ).stdout
        return int(out.strip().splitlines()[-1])

    assert helpers("off") == 0
    if (os.cpu_count() or 1) > 1:  # Qt starts no helpers on one core
        assert helpers("on") >= 1
