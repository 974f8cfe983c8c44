"""Reset during a run asks first: "No" leaves the run going, "Yes" stops it (its epochs stay
in the undo history) and re-initialises the weights."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from training_fakes import live_threads

from app import commands
from app.training import dialogs


@pytest.fixture
def window(qtbot):
    from app.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.training.controller.shutdown()
    assert live_threads() == []


def start_long_run(window, qtbot):
    window.push(commands.set_spec_field(window, "training", "epochs", 100_000))
    controller = window.training.controller
    controller.train()
    qtbot.waitUntil(
        lambda: controller.worker is not None and controller.worker._done >= 2, timeout=10_000
    )
    return controller


def test_no_to_the_question_keeps_the_run_going(window, qtbot, monkeypatch):
    asked = []
    monkeypatch.setattr(dialogs, "ask_reset_during_run", lambda parent: asked.append(1) or False)
    controller = start_long_run(window, qtbot)
    qtbot.mouseClick(window.training.reset_button, Qt.MouseButton.LeftButton)
    assert asked == [1]
    assert controller.state == "running"


def test_yes_stops_keeps_the_epochs_in_undo_and_resets(window, qtbot, monkeypatch):
    monkeypatch.setattr(dialogs, "ask_reset_during_run", lambda parent: True)
    controller = start_long_run(window, qtbot)
    qtbot.mouseClick(window.training.reset_button, Qt.MouseButton.LeftButton)
    assert controller.state == "idle"
    assert window.project.epochs_trained == 0
    window.undo()
    assert window.project.epochs_trained >= 2


def test_reset_when_idle_does_not_ask(window, qtbot, monkeypatch):
    monkeypatch.setattr(
        dialogs, "ask_reset_during_run", lambda parent: pytest.fail("asked while idle")
    )
    qtbot.mouseClick(window.training.reset_button, Qt.MouseButton.LeftButton)
    assert window.project.epochs_trained == 0
