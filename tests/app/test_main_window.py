"""The main window: names, menus, save/open, unsaved-changes prompt, broken files, settings,
autosave and recovery, and a rendered screenshot."""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QWidget

from app import settings as app_settings
from engine.data import builtin
from engine.project import DatasetSource, RunOutcome

# Fixtures: window, make_window, answers, config_dir (temporary settings folder).
pytest_plugins = ["window_fixtures"]


def test_window_has_the_named_parts(window):
    for name in (
        "layerPalette",
        "networkCanvas",
        "layerInspector",
        "datasetPanel",
        "advisorPanel",
        "lossCombo",
        "optimizerCombo",
        "learningRateSpin",
        "batchSizeSpin",
        "epochsSpin",
    ):
        assert window.findChild(QWidget, name) is not None, name
    docks = {d.objectName() for d in window.findChildren(QDockWidget)}
    assert {"paletteDock", "datasetDock", "inspectorDock", "advisorDock"} <= docks
    assert window.windowTitle() == "Netbuilder — Coffee roasting[*]"
    assert not window.windowIcon().isNull()


def test_menus_hold_the_standard_actions(window):
    menus = {a.text().replace("&", ""): a.menu() for a in window.menuBar().actions()}
    assert list(menus) == ["File", "Edit", "View", "Training", "Help"]

    def texts(menu):
        return [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]

    assert texts(menus["File"]) == [
        "New",
        "Open…",
        "Open Recent",
        "Save",
        "Save As…",
        "Rename Project…",
        "Import Dataset…",
        "Export Keras Script…",
        "Export Image…",
        "Quit",
    ]
    assert {
        "Undo",
        "Redo",
        "Delete Layer",
        "Duplicate Layer",
        "Add Layer",
        "Move Layer Left",
        "Move Layer Right",
        "Copy as Keras Code",
    } <= set(texts(menus["Edit"]))
    view = texts(menus["View"])
    for dock in window.findChildren(QDockWidget):
        assert dock.windowTitle() in view
    assert "Reset Layout" in view
    assert texts(menus["Help"]) == [
        "Choosing Activations",
        "Keyboard Shortcuts",
        "About Netbuilder",
    ]
    shortcuts = dict(window.shortcut_rows())
    assert shortcuts["New"] and shortcuts["Save As"] and shortcuts["Delete Layer"]


def test_view_menu_toggles_docks(window):
    window.show()
    dock = window.advisor_dock
    dock.toggleViewAction().trigger()
    assert not dock.isVisible()
    window.reset_layout_action.trigger()
    assert dock.isVisible()


def test_save_then_open_restores_everything(make_window, answers, tmp_path):
    window = make_window()
    project = window.project
    iris = builtin("iris")
    window.dataset_panel.datasetChangeRequested.emit(DatasetSource.from_dataset(iris), iris)
    window.canvas.layerInsertRequested.emit(0, "tanh")
    window.training_settings.specFieldChanged.emit("compile", "learning_rate", 0.003)
    window.training_settings.specFieldChanged.emit("training", "batch_size", None)
    weights = [np.arange(8, dtype=np.float32).reshape(4, 2) / 10]
    dims = [4] + [layer.units for layer in project.layers]
    weights = []
    for n_in, n_out in zip(dims[:-1], dims[1:]):
        weights += [np.full((n_in, n_out), 0.25, np.float32), np.zeros(n_out, np.float32)]
    window.record_run(RunOutcome("finished", weights, {"loss": [1.0, 0.5]}, 2), None, {}, 0)
    assert window.isWindowModified()

    answers.save_path = str(tmp_path / "mine")  # the .nnproj suffix is added
    assert window.save_as_action.isEnabled()
    window.save_as_action.trigger()
    saved = tmp_path / "mine.nnproj"
    assert saved.is_file()
    assert not window.isWindowModified()
    assert app_settings.recent_files(window.settings)[0] == str(saved)

    other = make_window(saved)
    assert answers.errors == []
    reopened = other.project
    assert reopened.to_dict() == project.to_dict()
    assert reopened.dataset.name == iris.name
    assert reopened.layers[0].activation == "tanh"
    assert reopened.training.batch_size is None
    assert reopened.epochs_trained == 2
    for a, b in zip(reopened.weights, project.weights):
        assert np.array_equal(a, b)
    assert not other.isWindowModified()
    assert other.undo_stack.count() == 0


def test_save_without_a_path_asks_for_one_and_cancel_saves_nothing(window, answers):
    window.canvas.layerInsertRequested.emit(0, "relu")
    answers.save_path = ""
    assert window.files.save() is False
    assert window.isWindowModified()


@pytest.mark.parametrize(
    ("answer", "expect_new"), [("cancel", False), ("discard", True), ("save", True)]
)
def test_new_with_unsaved_changes_asks(window, answers, tmp_path, answer, expect_new):
    window.canvas.layerInsertRequested.emit(0, "relu")
    layers_before = len(window.project.layers)
    answers.unsaved = answer
    answers.save_path = str(tmp_path / "kept.nnproj")
    window.new_action.trigger()
    assert answers.asked_unsaved == 1
    if expect_new:
        assert window.project.name == "Untitled"
        assert len(window.project.layers) == 3
        assert not window.isWindowModified()
    else:
        assert len(window.project.layers) == layers_before
        assert window.isWindowModified()
    assert (tmp_path / "kept.nnproj").exists() == (answer == "save")


def test_closing_with_unsaved_changes_can_be_cancelled(window, answers):
    window.show()
    window.canvas.layerInsertRequested.emit(0, "relu")
    answers.unsaved = "cancel"
    assert window.close() is False
    assert window.isVisible()
    answers.unsaved = "discard"
    assert window.close() is True


def test_closing_a_clean_window_does_not_ask(window, answers):
    window.show()
    assert window.close() is True
    assert answers.asked_unsaved == 0


def test_opening_a_broken_project_shows_the_problem_and_changes_nothing(window, answers, tmp_path):
    broken = tmp_path / "broken.nnproj"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("project.json", "{ not json")
    window.canvas.layerInsertRequested.emit(0, "relu")
    before = window.project.to_dict()
    assert window.files.open_path(broken, ask=False) is False
    assert len(answers.errors) == 1
    title, text = answers.errors[0]
    assert "broken.nnproj" in text and "unchanged" in text
    assert window.project.to_dict() == before
    assert window.undo_stack.count() == 1  # the edit is still undoable


def test_opening_a_csv_by_mistake_names_the_file(window, answers, tmp_path):
    csv = tmp_path / "data.csv"
    csv.write_text("a,b\n1,2\n")
    answers.open_path = str(csv)
    window.open_action.trigger()
    assert answers.errors and "data.csv" in answers.errors[0][1]


def test_open_recent_lists_saved_files(window, answers, tmp_path):
    answers.save_path = str(tmp_path / "one.nnproj")
    window.files.save_as()
    window.recent_menu.aboutToShow.emit()
    entries = [a.text() for a in window.recent_menu.actions()]
    assert entries[0] == "&1 one.nnproj"


def test_geometry_and_dock_state_persist(make_window, config_dir):
    first = make_window()
    # Sized before it shows, as on a small screen: the window then lays its panels out
    # compactly (side panels in tabs), which fits 760 px; the full layout needs ~820.
    first.resize(760, 620)
    first.show()
    first.advisor_dock.hide()
    assert first.close()
    assert (config_dir / "netbuilder.ini").is_file()
    second = make_window()
    second.show()
    assert (second.width(), second.height()) == (760, 620)
    assert not second.advisor_dock.isVisible()


def test_settings_never_touch_the_real_location(config_dir):
    settings = app_settings.open_settings()
    assert Path(settings.fileName()).parent == config_dir


def test_autosave_writes_a_recovery_file_only_with_unsaved_changes(window):
    saver = window.autosaver
    assert saver.timer.isActive() and saver.timer.interval() == 60_000
    assert saver.save_now() is False  # nothing to save
    window.canvas.layerInsertRequested.emit(0, "elu")
    assert saver.save_now() is True
    assert saver.recovery_path.is_file()
    assert window.project.path is None  # the real project still has no file


def test_the_timer_saves_on_a_thread_and_the_window_does_not_wait(window, monkeypatch):
    import threading

    from engine.project import Project

    saver = window.autosaver
    assert saver.save_in_background() is None  # nothing unsaved: nothing starts
    window.canvas.layerInsertRequested.emit(0, "elu")
    release = threading.Event()
    real_save = Project.save

    def slow_save(project, path):
        release.wait(10)  # a large embedded dataset takes seconds to compress
        real_save(project, path)

    monkeypatch.setattr(Project, "save", slow_save)
    started = time.perf_counter()
    thread = saver.save_in_background()
    assert thread is not None and time.perf_counter() - started < 0.5
    assert thread.is_alive() and not saver.recovery_path.exists()
    assert saver.save_in_background() is None  # one save at a time
    window.canvas.layerInsertRequested.emit(0, "tanh")  # the window keeps working meanwhile
    release.set()
    saver.wait()
    recovered = Project.load(saver.recovery_path)
    assert [layer.activation for layer in recovered.layers][:1] == ["elu"]  # the snapshot


def test_a_failed_background_save_is_reported_in_the_status_bar(window, qtbot, monkeypatch):
    from engine.errors import ProjectError
    from engine.project import Project

    def failing_save(project, path):
        raise ProjectError(f"Could not save {path}: the disk is full.")

    monkeypatch.setattr(Project, "save", failing_save)
    window.canvas.layerInsertRequested.emit(0, "elu")
    window.autosaver.save_in_background()
    window.autosaver.wait()
    qtbot.waitUntil(lambda: "Autosave failed" in window.statusBar().currentMessage(), timeout=2000)
    assert "the disk is full" in window.statusBar().currentMessage()


def _crash(window) -> None:
    """What a crash leaves: the recovery file, and a lock no running process holds."""
    window.autosaver.timer.stop()
    window.autosaver.lock.unlock()
    window.autosaver.discard = lambda: None  # closing the test's window must not tidy up


def test_recovery_is_offered_and_restores_the_work(make_window, answers):
    crashed = make_window()
    crashed.canvas.layerInsertRequested.emit(0, "elu")
    crashed.autosaver.save_now()
    _crash(crashed)

    restarted = make_window()
    assert restarted.offer_recovery() is True
    assert restarted.project.layers[0].activation == "elu"
    assert restarted.isWindowModified()  # restored work is not saved yet
    # Adopted: the work is in the restarted window's own file, and not offered again.
    assert restarted.autosaver.recovery_path.is_file()
    assert not crashed.autosaver.recovery_path.exists()
    assert make_window().autosaver.pending() is None


def test_declining_recovery_deletes_it(make_window, answers):
    crashed = make_window()
    crashed.canvas.layerInsertRequested.emit(0, "elu")
    crashed.autosaver.save_now()
    _crash(crashed)
    answers.restore = False
    restarted = make_window()
    assert restarted.offer_recovery() is False
    assert not crashed.autosaver.recovery_path.exists()


def test_recovery_older_than_the_last_save_is_not_offered(make_window, answers, tmp_path):
    window = make_window()
    window.canvas.layerInsertRequested.emit(0, "elu")
    answers.save_path = str(tmp_path / "p.nnproj")
    window.files.save_as()
    window.canvas.layerInsertRequested.emit(0, "tanh")
    window.autosaver.save_now()
    past = time.time() - 100
    os.utime(window.autosaver.recovery_path, (past, past))
    _crash(window)
    assert make_window().autosaver.pending() is None


def test_clean_exit_deletes_the_recovery_file(window, answers):
    window.show()
    window.canvas.layerInsertRequested.emit(0, "elu")
    window.autosaver.save_now()
    answers.unsaved = "discard"
    assert window.close()
    assert not window.autosaver.recovery_path.exists()


def test_copy_as_keras_code(window):
    window.copy_keras_action.trigger()
    code = QApplication.clipboard().text()
    assert "Dense" in code and "compile" in code


def test_export_keras_script(window, answers, tmp_path):
    answers.save_path = str(tmp_path / "model.py")
    window.export_action.trigger()
    assert (tmp_path / "model.py").is_file()
    assert answers.errors == []


def test_render_window_to_png(window, tmp_path):
    window.resize(1400, 900)
    window.show()
    QApplication.processEvents()
    out = tmp_path / "window.png"
    assert window.grab().save(str(out))
    assert out.stat().st_size > 10_000


def test_delete_key_in_a_text_field_edits_text_not_the_network(window, qtbot):
    window.show()
    window.canvas.select_layer(0)
    field = window.inspector.name_edit
    field.setFocus()
    field.setCursorPosition(0)
    n = len(window.project.layers)
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    assert len(window.project.layers) == n
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key.Key_Delete)
    assert len(window.project.layers) == n - 1
    assert window.undo_stack.count() == 1  # one delete, not two


def test_keyboard_shortcuts_dialog_lists_the_actions(window):
    window.shortcuts_action.trigger()
    table = window.findChild(QWidget, "shortcutTable")
    names = {table.item(row, 0).text() for row in range(table.rowCount())}
    assert {"Undo", "Redo", "Delete Layer", "Open", "Save"} <= names


def test_undo_after_save_as_keeps_the_new_name(window, answers, tmp_path):
    window.files.new_project()
    window.canvas.layerInsertRequested.emit(0, "relu")
    answers.save_path = str(tmp_path / "renamed.nnproj")
    window.files.save_as()
    assert window.windowTitle() == "Netbuilder — renamed[*]"
    window.undo()
    assert window.project.name == "renamed"
    assert window.isWindowModified()


def test_starting_with_a_broken_file_keeps_the_default_project(qtbot, tmp_path, capsys):
    from app.main_window import MainWindow

    broken = tmp_path / "bad.nnproj"
    broken.write_bytes(b"not a zip")
    window = MainWindow(broken)
    qtbot.addWidget(window)
    assert window.project.name == "Coffee roasting"
    assert "bad.nnproj" in capsys.readouterr().out  # the (sandboxed) error box's text


def test_choosing_activations_tells_the_courses_advice(window):
    window.activations_help_action.trigger()
    box = window.findChild(QWidget, "activationHelp")
    text = box.text()
    for phrase in ("binary classification", "ReLU", "linear regression", "logistic regression"):
        assert phrase in text
    assert not box.isModal()


def test_undo_action_names_the_step_but_the_toolbar_stays_short(window):
    window.canvas.layerUnitsChangeRequested.emit(0, 5)
    assert window.undo_action.text() == "&Undo Change units"
    assert window.undo_action.iconText() == "Undo"
    assert "Change units" in window.undo_action.toolTip()
    window.undo()
    assert window.redo_action.text() == "&Redo Change units"


def test_standard_shortcuts(window):
    def keys(action):
        return {k.toString() for k in action.shortcuts()}

    assert "Ctrl+N" in keys(window.new_action) and "Ctrl+O" in keys(window.open_action)
    assert "Ctrl+S" in keys(window.save_action)
    assert "Ctrl+Shift+S" in keys(window.save_as_action)
    assert "Ctrl+Z" in keys(window.undo_action)
    assert "Ctrl+Shift+Z" in keys(window.redo_action)
    assert "Ctrl+Q" in keys(window.quit_action)
    assert "Del" in keys(window.delete_layer_action)


def test_new_and_open_ask_the_training_guard_first(window, answers, tmp_path):
    asked = []
    window.training_guard = lambda: asked.append(1) or False
    name = window.project.name
    assert window.files.new_project() is False
    answers.open_path = str(tmp_path / "x.nnproj")
    assert window.files.open_dialog() is False
    assert asked == [1, 1] and window.project.name == name


def test_a_failed_save_says_why_and_keeps_the_changes_unsaved(window, answers, tmp_path):
    window.canvas.layerInsertRequested.emit(0, "relu")
    answers.save_path = str(tmp_path / "no-such-folder" / "p.nnproj")
    assert window.files.save_as() is False
    assert answers.errors and "p.nnproj" in answers.errors[0][1]
    assert window.isWindowModified()
    assert window.project.path is None


def test_a_failed_save_as_keeps_the_untitled_name(window, answers, tmp_path):
    window.files.new_project()
    answers.save_path = str(tmp_path / "missing" / "named.nnproj")
    assert window.files.save_as() is False
    assert window.project.name == "Untitled"
