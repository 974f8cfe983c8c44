"""Find learning rate (issue 14): the lrFinderButton beside the learning-rate field opens
lrFinderDialog, which runs the engine's range test on its own thread and draws the smoothed
loss against the rate on a log axis (lrFinderPlot) with the suggestion and the current rate
marked. "Apply" sets the rate as one undoable edit; the search itself changes nothing."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from app.training.lr_finder_dialog import LRFinderDialog, applicable_rate

pytest_plugins = ["window_fixtures"]


@pytest.fixture
def window(shown_window):
    return shown_window


def search(window, qtbot) -> tuple[LRFinderDialog, object]:
    button = window.training_settings.findChild(QPushButton, "lrFinderButton")
    assert button is not None and "&" in button.text() and button.toolTip()
    window.training_settings_dock.raise_()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = window.findChild(LRFinderDialog, "lrFinderDialog")
    assert dialog is not None and dialog.isVisible() and not dialog.isModal()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=30_000)
    assert not dialog.running
    return dialog, dialog.result


def untrained(window) -> None:
    """Reset the coffee project's weights, so the curve falls before it explodes."""
    window.training.controller.reset()
    assert window.project.epochs_trained == 0


def test_the_curve_is_the_searchs_and_the_suggestion_is_marked(window, qtbot):
    untrained(window)
    project = window.project
    weights = [w.copy() for w in project.weights]
    steps = window.undo_stack.count()
    dialog, result = search(window, qtbot)
    assert result.suggestion is not None and result.steps_done > 20
    plot = dialog.findChild(type(dialog.plot), "lrFinderPlot")
    assert plot.getPlotItem().getAxis("bottom").logMode  # a log x axis
    x, y = dialog.curve.getOriginalDataset()
    np.testing.assert_array_equal(x, result.rates)
    np.testing.assert_array_equal(y, result.smoothed)
    line = dialog.suggestion_line
    assert line.isVisible()
    assert math.isclose(10 ** line.value(), result.suggestion, rel_tol=1e-9)
    rate = applicable_rate(result.suggestion)
    assert f"{rate:g}" in line.label.format
    current = dialog.current_line
    assert current.isVisible() and math.isclose(10 ** current.value(), 0.01, rel_tol=1e-9)
    assert "current 0.01" in current.label.format
    assert dialog.apply_button.text().replace("&", "") == f"Apply {rate:g}"
    # The search changed nothing: weights, history, epochs, settings, undo history.
    assert all(np.array_equal(a, b) for a, b in zip(project.weights, weights))
    assert project.history == {} and project.epochs_trained == 0
    assert project.compile.learning_rate == 0.01
    assert window.undo_stack.count() == steps


def test_apply_sets_the_rate_in_one_undoable_step(window, qtbot):
    untrained(window)
    dialog, result = search(window, qtbot)
    history = {k: list(v) for k, v in window.project.history.items()}
    rate = applicable_rate(result.suggestion)
    assert rate != 0.01
    steps = window.undo_stack.count()
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    assert window.project.compile.learning_rate == rate
    assert window.training_settings.learning_rate_spin.value() == pytest.approx(rate)
    assert window.undo_stack.count() == steps + 1
    assert not dialog.apply_button.isEnabled()  # already the project's rate
    assert math.isclose(10 ** dialog.current_line.value(), rate, rel_tol=1e-9)
    qtbot.keyClick(dialog, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.project.compile.learning_rate == 0.01
    assert window.project.history == history
    assert dialog.apply_button.isEnabled()


def test_a_trained_network_is_searched_from_its_weights_and_left_as_it_was(window, qtbot):
    project = window.project  # the coffee example, trained
    weights = [w.copy() for w in project.weights]
    history = {k: list(v) for k, v in project.history.items()}
    epochs = project.epochs_trained
    _dialog, result = search(window, qtbot)
    assert result.steps_done > 0
    assert all(np.array_equal(a, b) for a, b in zip(project.weights, weights))
    assert project.history == history and project.epochs_trained == epochs


def test_without_a_dataset_the_search_is_refused_and_esc_closes(window, qtbot):
    from engine.project import Project

    project = Project.course()
    project.dataset = None
    project.dataset_source = None
    window.set_project(project)
    window.training_settings.lr_finder_button.click()
    dialog = window.findChild(LRFinderDialog, "lrFinderDialog")
    assert not dialog.running and dialog.result is None
    assert dialog.message.isVisible() and "no dataset" in dialog.message.text()
    assert not dialog.apply_button.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
