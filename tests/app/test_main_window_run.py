"""run(): the entry point creates the window, shows it and returns the event loop's code.

The real app.exec() is replaced: once a QApplication's exec() has returned, Qt refuses every
later event loop in the process (pytest-qt's waits would all time out)."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from app.main_window import MainWindow, run


def test_run_shows_the_window_and_returns_the_loops_exit_code(qtbot, monkeypatch):
    monkeypatch.setattr(QApplication, "exec", lambda *args: 7)
    # Hold the wrappers themselves: a set of id()s would let a window that is deleted meanwhile
    # hand its id to the new one, which then looks old.
    before = list(QApplication.topLevelWidgets())
    assert run() == 7
    windows = [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, MainWindow) and not any(w is old for old in before)
    ]
    assert len(windows) == 1
    window = windows[0]
    qtbot.addWidget(window)
    assert window.isVisible()
    assert window.windowTitle().startswith("Netbuilder — ")
    assert QApplication.applicationName() == "Netbuilder"
    assert not QApplication.windowIcon().isNull()
