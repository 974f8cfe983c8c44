"""The real window with the real training integration: a Train press becomes one undo step,
and an architecture edit during a run asks the training guard first."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

# Fixtures: window, make_window, answers, config_dir (temporary settings folder).
pytest_plugins = ["window_fixtures"]


def test_train_button_records_one_undoable_step(window, qtbot):
    project = window.project
    before_epochs, before_loss = project.epochs_trained, list(project.history.get("loss", []))
    window.training_settings.epochs_spin.setValue(3)
    window.undo_stack.clear()
    button = window.findChild(QPushButton, "trainButton")
    with qtbot.waitSignal(window.training.controller.runFinished, timeout=30_000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert project.epochs_trained == before_epochs + 3
    assert window.undo_stack.count() == 1
    assert window.isWindowModified()
    window.undo()
    assert project.epochs_trained == before_epochs
    assert project.history.get("loss", []) == before_loss


def test_window_exposes_what_training_needs(window):
    assert callable(window.training_guard)  # installed by attach_training
    assert window.findChild(QPushButton, "stopButton") is not None
    view_menu = [a.text() for a in window.view_menu.actions()]
    assert "Cost" in view_menu  # the training docks are listed in View
