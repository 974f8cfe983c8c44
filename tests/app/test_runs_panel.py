"""The runs panel (issue 14): every training from fresh weights is a row; ticking one draws
its curves over the cost plot; rename, delete and restore are undo steps; it is saved with
the project and works from the keyboard. The real window, real training runs."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLineEdit,
    QPushButton,
    QStyle,
    QStyleOptionViewItem,
)

from app import commands
from app.training import runs_dock
from app.training.runs_panel import CURRENT_ROLE, MIN_NAME_WIDTH, RunsView
from engine.project import Project

pytest_plugins = ["window_fixtures"]


def train(window, qtbot) -> None:
    controller = window.training.controller
    with qtbot.waitSignal(controller.runFinished, timeout=30_000):
        assert controller.train()


def start_course(window, epochs: int = 4) -> None:
    """The course network, untrained and without runs, training `epochs` epochs a Train."""
    window.set_project(Project.course())
    window.push(commands.set_spec_field(window, "training", "epochs", epochs))
    assert window.project.runs == []


def two_runs(window, qtbot):
    """Run 1: the course's sigmoids at lr 0.01. Run 2: layer 1 relu, lr 0.05 (current)."""
    start_course(window)
    train(window, qtbot)
    window.push(commands.set_layer_field(window, 0, "activation", "relu"))
    window.push(commands.set_spec_field(window, "compile", "learning_rate", 0.05))
    train(window, qtbot)
    return window.project.runs


def panel_of(window):
    return window.training.runs.runs_panel


def names(window) -> list[str]:
    model = panel_of(window).model
    return [model.item(row, 0).text() for row in range(model.rowCount())]


def key_text(cost_plot) -> str:
    """The cost plot's key as a person reads it."""
    document = QTextDocument()
    document.setHtml(cost_plot.key.text())
    return document.toPlainText().replace("\xa0", " ")


def click_check_box(view: RunsView, qtbot, row: int) -> None:
    """A real click on the tick box of `row`, where the style draws it."""
    index = view.model().index(row, 0)
    option = QStyleOptionViewItem()
    view.itemDelegateForColumn(0).initStyleOption(option, index)
    option.rect = view.visualRect(index)
    box = view.style().subElementRect(QStyle.SubElement.SE_ItemViewItemCheckIndicator, option, view)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=box.center())


def test_two_trainings_from_fresh_weights_are_two_named_rows(window, qtbot):
    runs = two_runs(window, qtbot)
    assert [run.name for run in runs] == ["run 1", "layer 1 relu, lr 0.05"]
    assert names(window) == ["run 1", "layer 1 relu, lr 0.05"]
    panel = panel_of(window)
    model = panel.model
    # The figures columns: epochs, final loss, val loss, accuracy (in percent).
    figures = runs[1].final_figures()
    assert model.item(1, 1).text() == "4"
    assert model.item(1, 2).text() == f"{figures['loss']:.4g}"
    assert model.item(1, 3).text() == f"{figures['val_loss']:.4g}"
    assert model.item(1, 4).text() == f"{100 * figures['val_accuracy']:.1f}%"
    assert model.headerData(4, Qt.Orientation.Horizontal) == "Accuracy"
    # The current run (the second) is bold, says "current", and is always ticked.
    current = model.item(1, 0)
    assert current.data(CURRENT_ROLE) and current.font().bold()
    assert not model.item(0, 0).font().bold()
    option = QStyleOptionViewItem()
    panel.view.itemDelegateForColumn(0).initStyleOption(option, current.index())
    assert option.text == "layer 1 relu, lr 0.05 · current"
    assert current.checkState() == Qt.CheckState.Checked and not current.isCheckable()
    # Each row's tooltip holds the settings that made it.
    tip = model.item(0, 2).toolTip()
    assert "Layers: 25 sigmoid → 15 sigmoid → 1 sigmoid" in tip
    assert "learning rate 0.01" in tip and "Batch size 32" in tip and "4 epochs" in tip
    assert "Binary cross-entropy" in tip and "Adam" in tip
    assert "25 relu" in model.item(1, 0).toolTip()


def test_a_ticked_run_draws_its_curves_on_the_cost_plot_and_untick_removes_them(window, qtbot):
    window.show()
    first, _second = two_runs(window, qtbot)
    panel, overlays = panel_of(window), window.training.runs.overlays
    cost = window.training.cost_plot
    assert overlays.run_ids == []
    click_check_box(panel.view, qtbot, 0)
    assert panel.model.item(0, 0).checkState() == Qt.CheckState.Checked
    assert window.project.ui["runs_shown"] == [first.id]
    assert overlays.run_ids == [first.id]
    for name, key in (("loss", "loss"), ("val_loss", "val_loss"), ("metric", "accuracy")):
        x, y = overlays.curve_data(first.id, name)
        np.testing.assert_array_equal(x, np.arange(1, 5))
        np.testing.assert_allclose(y, first.history[key])
    curves = overlays.curves_of(first.id)
    loss_items = cost.loss_plot.getPlotItem().items
    assert all(
        curve in loss_items or curve in cost.metric_plot.getPlotItem().items for curve in curves
    )
    assert "run 1" in key_text(cost)  # the key names it
    # Its own colour, not the live blue or orange; validation dashed.
    pen = overlays._drawn[first.id].curves["val_loss"].opts["pen"]
    assert pen.style() == Qt.PenStyle.DashLine
    assert pen.color().getRgb()[:3] not in ((31, 119, 180), (255, 127, 14))
    # The live curves are still the current run's.
    np.testing.assert_allclose(cost.curve_data("loss")[1], window.project.history["loss"])
    click_check_box(panel.view, qtbot, 0)
    assert overlays.run_ids == []
    assert not any(curve in cost.loss_plot.getPlotItem().items for curve in curves)
    assert "run 1" not in key_text(cost)
    window.undo()  # the untick was one undo step: the curves come back
    assert overlays.run_ids == [first.id]


def test_rename_in_place_changes_the_run_and_undo_reverts(window, qtbot):
    window.show()
    two_runs(window, qtbot)
    view = panel_of(window).view
    view.setFocus()
    view.setCurrentIndex(view.model().index(0, 2))
    qtbot.keyClick(view, Qt.Key.Key_F2)
    editor = view.findChild(QLineEdit)
    assert editor is not None and editor.text() == "run 1"
    editor.setText("all sigmoid")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the view commits it in a queued call
    qtbot.waitUntil(lambda: window.project.runs[0].name == "all sigmoid")
    assert names(window)[0] == "all sigmoid"
    window.undo()
    assert window.project.runs[0].name == "run 1"
    assert names(window)[0] == "run 1"
    # A name another run has is refused, and the row keeps the run's name.
    item = view.model().item(0, 0)
    item.setText("layer 1 relu, lr 0.05")
    assert window.project.runs[0].name == "run 1"
    assert names(window)[0] == "run 1"
    assert "already called" in window.statusBar().currentMessage()


def test_delete_key_deletes_the_run_not_a_layer_and_undo_brings_it_back(window, qtbot):
    window.show()
    window.activateWindow()
    first, second = two_runs(window, qtbot)
    panel = panel_of(window)
    panel.view.setFocus()
    panel.select_run(first.id)
    panel.toggle_selected()  # ticked: the delete forgets that too
    assert window.training.runs.overlays.run_ids == [first.id]
    layers = len(window.project.layers)
    qtbot.keyClick(panel.view, Qt.Key.Key_Delete)
    assert [run.id for run in window.project.runs] == [second.id]
    assert len(window.project.layers) == layers  # the window's Delete Layer kept out
    assert names(window) == ["layer 1 relu, lr 0.05"]
    assert window.training.runs.overlays.run_ids == []
    window.undo()
    assert [run.id for run in window.project.runs] == [first.id, second.id]
    assert names(window) == ["run 1", "layer 1 relu, lr 0.05"]
    assert window.training.runs.overlays.run_ids == [first.id]


def test_restore_brings_settings_and_weights_back_as_one_undo_step(window, qtbot):
    window.show()
    first, second = two_runs(window, qtbot)
    panel = panel_of(window)
    steps = window.undo_stack.count()
    panel.select_run(first.id)
    button = panel.findChild(QPushButton, "restoreRunButton")
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    project = window.project
    assert window.undo_stack.count() == steps + 1
    assert [layer.activation for layer in project.layers] == ["sigmoid"] * 3
    assert project.compile.learning_rate == 0.01
    assert project.current_run == first.id
    for restored, kept in zip(project.weights, first.weights):
        np.testing.assert_array_equal(restored, kept)
    assert window.canvas._weights is project.weights  # the canvas draws the run's weights
    assert window.inspector.activation_combo.currentData() == "sigmoid"
    np.testing.assert_allclose(
        window.training.cost_plot.curve_data("loss")[1], first.history["loss"]
    )
    assert panel.model.item(0, 0).data(CURRENT_ROLE)
    window.undo()  # one step takes all of it back
    assert [layer.activation for layer in project.layers] == ["relu", "sigmoid", "sigmoid"]
    assert project.compile.learning_rate == 0.05
    assert project.current_run == second.id
    for now, kept in zip(project.weights, second.weights):
        np.testing.assert_array_equal(now, kept)


def test_restore_is_off_while_training_and_asks_only_over_work_in_no_run(
    window, qtbot, monkeypatch, answers, tmp_path
):
    window.show()
    first, _second = two_runs(window, qtbot)
    panel, dock = panel_of(window), window.training.runs
    asked = []
    monkeypatch.setattr(
        runs_dock, "ask_restore_over_changes", lambda parent, name: asked.append(name) or False
    )
    # Right after a training the network is its current run: nothing to lose, no question.
    assert not runs_dock.work_outside_runs(window)
    # An edit since is in no run: the question comes, and No leaves the project alone.
    window.push(commands.set_layer_field(window, 1, "units", 7))
    panel.select_run(first.id)
    panel.restore_selected()
    assert asked == ["run 1"] and window.project.layers[1].units == 7
    # Saved, the project is clean: restoring asks nothing (the file keeps the work).
    answers.save_path = str(tmp_path / "edited.nnproj")
    window.save_action.trigger()
    assert window.undo_stack.isClean()
    panel.restore_selected()
    assert asked == ["run 1"] and window.project.current_run == first.id
    window.undo()
    # While training, Restore is off.
    window.push(commands.set_spec_field(window, "training", "epochs", 2000))
    controller = window.training.controller
    assert controller.train()
    qtbot.waitUntil(lambda: not panel.restore_button.isEnabled())
    assert "Stop training" in panel.restore_button.toolTip()
    assert not dock.restore(first.id)
    with qtbot.waitSignal(controller.runFinished, timeout=30_000):
        controller.stop()
    assert panel.restore_button.isEnabled()


def test_save_and_reopen_keeps_the_runs_and_the_ticked_curves(make_window, qtbot, tmp_path):
    window = make_window()
    window.show()
    first, second = two_runs(window, qtbot)
    panel_of(window).select_run(first.id)
    panel_of(window).toggle_selected()
    path = tmp_path / "runs.nnproj"
    window.project.save(path)

    reopened = make_window(path)
    assert [run.name for run in reopened.project.runs] == [first.name, second.name]
    assert names(reopened) == [first.name, second.name]
    assert panel_of(reopened).model.item(0, 0).checkState() == Qt.CheckState.Checked
    overlays = reopened.training.runs.overlays
    assert overlays.run_ids == [first.id]
    np.testing.assert_allclose(overlays.curve_data(first.id, "loss")[1], first.history["loss"])
    colour = overlays._drawn[first.id].colour
    assert colour == window.training.runs.overlays._drawn[first.id].colour


def test_keyboard_tab_space_enter(window, qtbot):
    window.show()
    window.activateWindow()
    first, second = two_runs(window, qtbot)
    dock = window.findChild(QDockWidget, "runsDock")
    dock.show()
    dock.raise_()
    panel = panel_of(window)
    view = panel.view
    assert view.focusPolicy() & Qt.FocusPolicy.TabFocus
    panel.select_run(first.id)
    # Shift+Tab from the Restore button under it lands in the list.
    panel.restore_button.setFocus()
    assert QApplication.focusWidget() is panel.restore_button
    qtbot.keyClick(panel.restore_button, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.focusWidget() is view
    epochs = window.project.epochs_trained
    qtbot.keyClick(view, Qt.Key.Key_Space)  # ticks the run, does not start training
    assert window.training.controller.state == "idle"
    assert window.project.epochs_trained == epochs
    assert window.training.runs.overlays.run_ids == [first.id]
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert window.training.runs.overlays.run_ids == []
    qtbot.keyClick(view, Qt.Key.Key_Return)  # restores
    assert window.project.current_run == first.id
    assert window.project.layers[0].activation == "sigmoid"


@pytest.mark.parametrize("size", [(1400, 900), (1024, 700)])
def test_the_runs_dock_is_a_tab_beside_the_activations(window, size):
    window.resize(*size)
    window.show()
    QApplication.processEvents()
    dock = window.findChild(QDockWidget, "runsDock")
    activations = window.findChild(QDockWidget, "activationDock")
    assert dock in window.tabifiedDockWidgets(activations)
    assert "Runs" in [action.text() for action in window.view_menu.actions()]
    dock.raise_()
    QApplication.processEvents()
    view = panel_of(window).view
    assert view.isVisible() and view.height() >= 60 and view.width() >= 250
    # A narrow panel drops the epochs and loss columns before the name gets squeezed.
    assert view.columnWidth(0) >= MIN_NAME_WIDTH
    assert view.isColumnHidden(1) == (size[0] < 1200)


def test_the_context_menu_offers_restore_rename_delete_and_the_tick(window, qtbot):
    window.show()
    first, second = two_runs(window, qtbot)
    panel = panel_of(window)
    view = panel.view
    view.customContextMenuRequested.emit(view.visualRect(view.model().index(0, 3)).center())
    menu = panel.menu
    actions = {a.text().split("\t")[0]: a for a in menu.actions() if a.text()}
    assert list(actions) == ["Restore", "Rename", "Delete", "Show on the Cost Plot"]
    assert panel.selected_run_id() == first.id
    actions["Show on the Cost Plot"].trigger()
    assert window.training.runs.overlays.run_ids == [first.id]
    menu.close()
    view.customContextMenuRequested.emit(view.visualRect(view.model().index(0, 0)).center())
    next(a for a in panel.menu.actions() if a.text().startswith("Delete")).trigger()
    assert [run.id for run in window.project.runs] == [second.id]
    panel.menu.close()


def test_ticked_curves_are_drawn_once_not_during_training(window, qtbot):
    window.show()
    first, _second = two_runs(window, qtbot)
    panel_of(window).select_run(first.id)
    panel_of(window).toggle_selected()
    overlays = window.training.runs.overlays
    curves = overlays.curves_of(first.id)
    calls = []
    for curve in curves:
        curve.setData = lambda *a, **k: calls.append(a)
    window.push(commands.set_spec_field(window, "training", "epochs", 40))
    train(window, qtbot)  # continues the current run: 40 more epochs, many frames
    assert window.project.epochs_trained == 44
    assert overlays.curves_of(first.id) == curves and calls == []


def test_runs_of_another_task_keep_their_loss_curves_not_a_foreign_metric(window, qtbot):
    window.show()
    start_course(window)
    train(window, qtbot)
    coffee = window.project.runs[0]
    panel, overlays = panel_of(window), window.training.runs.overlays
    cost = window.training.cost_plot
    window.training.controller.reset()  # no live history: the plot still shows accuracy
    panel.select_run(coffee.id)
    panel.toggle_selected()
    assert cost.metric == "accuracy" and cost.metric_plot.isVisible()
    assert overlays.curve_data(coffee.id, "metric")[1].size == 4
    # A regression (no metric): the coffee run's accuracy is not drawn on it, its loss is.
    combo = window.dataset_panel.builtin_combo
    combo.setCurrentIndex(combo.findData("sine"))
    combo.activated.emit(combo.currentIndex())
    window.push(commands.set_spec_field(window, "training", "epochs", 3))
    assert window.project.compile.metrics == []
    draws = []
    overlays._draw_metric = lambda drawn: draws.append(drawn)  # counts redraws from here
    train(window, qtbot)
    assert cost.metric is None and not cost.metric_plot.isVisible()
    assert overlays.curve_data(coffee.id, "metric")[1].size == 0
    assert len(draws) <= 1  # once when the task changed, not with every epoch
    np.testing.assert_allclose(overlays.curve_data(coffee.id, "loss")[1], coffee.history["loss"])
    assert [panel.model.item(row, 4).text() != "" for row in range(2)] == [True, False]
