"""run(): the entry point creates the window, shows it and returns the event loop's code."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.main_window import MainWindow, run


def test_run_shows_the_window_and_returns_when_it_closes(qtbot):
    seen = []

    def close_it():
        windows = [w for w in QApplication.topLevelWidgets()
                   if isinstance(w, MainWindow) and w.isVisible()]
        seen.extend(windows)
        for window in windows:
            window.close()
        QApplication.instance().quit()

    QTimer.singleShot(50, close_it)
    assert run() == 0
    assert len(seen) == 1
    assert seen[0].windowTitle().startswith("Netbuilder — ")
