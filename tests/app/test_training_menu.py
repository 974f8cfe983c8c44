"""The Training menu: every training command of the toolbar, the timeline and the learning
tools, reachable from the keyboard, enabled exactly when its button is."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QMenu

from engine.project import edits

pytest_plugins = ["window_fixtures"]


def _menu(window) -> QMenu:
    menu = window.findChild(QMenu, "trainingMenu")
    assert menu is not None
    return menu


def _entries(menu: QMenu) -> dict[str, object]:
    return {a.objectName(): a for a in menu.actions() if a.objectName()}


def test_the_menu_sits_before_help_and_holds_every_training_command(window):
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert titles.index("Training") == titles.index("Help") - 1
    names = set(_entries(_menu(window)))
    assert {
        "actionTrainPause",
        "actionStepEpoch",
        "actionStopTraining",
        "actionResetWeights",
        "restoreEpochAction",
        "compareAction",
        "lrFinderAction",
    } <= names


def test_entries_follow_their_buttons_and_press_them(window, qtbot):
    menu = _menu(window)
    panel = window.training
    menu.aboutToShow.emit()
    entries = _entries(menu)
    assert entries["actionStopTraining"].isEnabled() == panel.stop_button.isEnabled() is False
    assert entries["actionStepEpoch"].isEnabled()
    before = window.project.epochs_trained
    entries["actionStepEpoch"].trigger()
    qtbot.waitUntil(lambda: window.project.epochs_trained == before + 1, timeout=10_000)


def test_the_speed_submenu_chooses_the_speed_as_the_combo_does(window):
    speed_menu = next(a.menu() for a in _menu(window).actions() if a.menu() is not None)
    speed_menu.aboutToShow.emit()
    actions = speed_menu.actions()
    combo = window.findChild(QComboBox, "speedCombo")
    assert [a.text() for a in actions] == [combo.itemText(i) for i in range(combo.count())]
    assert actions[combo.currentIndex()].isChecked()
    actions[1].trigger()  # 5 epochs/s
    assert combo.currentIndex() == 1
    assert edits.training_speed(window.project) == 5.0
    window.undo_stack.undo()
    assert combo.currentIndex() == combo.count() - 1  # back to full speed
