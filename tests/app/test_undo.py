"""Every edit the canvas, palette and dataset panel request is one undo step, and undo/redo
restore the exact project state."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app import commands
from engine.data import builtin
from engine.project import DatasetSource, RunOutcome

# Fixtures: window, make_window, answers, config_dir (temporary settings folder).
pytest_plugins = ["window_fixtures"]


def state(project) -> str:
    """Everything the file stores, as JSON, plus the weights' bytes."""
    doc = json.dumps(project.to_dict(), sort_keys=True, default=str)
    weights = [np.asarray(w).tobytes() for w in (project.weights or [])]
    return doc + repr(weights)


def architecture(project):
    return [(layer.units, layer.activation) for layer in project.layers]


def check_undo_redo(window, before: str, after: str) -> None:
    assert state(window.project) == after
    window.undo()
    assert state(window.project) == before
    window.redo()
    assert state(window.project) == after


def test_canvas_insert_request_is_undoable(window):
    before = state(window.project)
    n = len(window.project.layers)
    window.canvas.layerInsertRequested.emit(1, "tanh")
    assert len(window.project.layers) == n + 1
    assert window.project.layers[1].activation == "tanh"
    assert window.current_selection() == 1  # the new layer is selected
    check_undo_redo(window, before, state(window.project))
    assert window.undo_stack.count() == 1


def test_canvas_move_delete_duplicate_requests_are_undoable(window):
    original = architecture(window.project)
    for emit, expected in (
        (lambda c: c.layerMoveRequested.emit(0, 1), [original[1], original[0], original[2]]),
        (lambda c: c.layerDeleteRequested.emit(0), original[1:]),
        (
            lambda c: c.layerDuplicateRequested.emit(1),
            [original[0], original[1], original[1], original[2]],
        ),
        (lambda c: c.layerUnitsChangeRequested.emit(0, 7), [(7, original[0][1])] + original[1:]),
        (
            lambda c: c.layerActivationChangeRequested.emit(2, "linear"),
            original[:2] + [(original[2][0], "linear")],
        ),
    ):
        before = state(window.project)
        emit(window.canvas)
        assert architecture(window.project) == expected
        check_undo_redo(window, before, state(window.project))
        window.undo()
        assert architecture(window.project) == original


def test_architecture_edit_forgets_trained_weights_and_undo_brings_them_back(window):
    project = window.project
    trained_before, history_before = project.epochs_trained, dict(project.history)
    weights = [
        np.full((2, 25), 0.5),
        np.zeros(25),
        np.ones((25, 15)),
        np.zeros(15),
        np.ones((15, 1)),
        np.zeros(1),
    ]
    window.record_run(RunOutcome("finished", weights, {"loss": [0.7, 0.5]}, 2), None, {}, 0)
    assert project.epochs_trained == 2 and project.history == {"loss": [0.7, 0.5]}
    window.canvas.layerUnitsChangeRequested.emit(1, 4)
    assert project.weights is None and project.epochs_trained == 0
    window.undo()
    assert project.epochs_trained == 2
    assert np.array_equal(project.weights[0], weights[0])
    window.undo()  # the training run itself is one step
    assert project.epochs_trained == trained_before and project.history == history_before


def test_impossible_edit_is_refused_without_trace(window):
    before = state(window.project)
    window.canvas.layerUnitsChangeRequested.emit(0, 0)
    assert state(window.project) == before
    assert window.undo_stack.count() == 0
    assert "units" in window.statusBar().currentMessage()


def test_deleting_the_last_layer_is_refused(window):
    while len(window.project.layers) > 1:
        window.canvas.layerDeleteRequested.emit(0)
    window.canvas.layerDeleteRequested.emit(0)
    assert len(window.project.layers) == 1
    assert not window.delete_layer_action.isEnabled()


def test_palette_add_layer_inserts_before_the_output(window):
    n = len(window.project.layers)
    window.palette.addLayerRequested.emit("elu")
    assert window.project.layers[n - 1].activation == "elu"
    assert window.project.layers[n].activation == "sigmoid"  # output stays last


def test_menu_actions_edit_the_selected_layer(window):
    window.canvas.select_layer(1)
    original = architecture(window.project)
    window.move_up_action.trigger()
    assert architecture(window.project) == [original[1], original[0], original[2]]
    assert window.current_selection() == 0
    window.duplicate_layer_action.trigger()
    assert len(window.project.layers) == 4
    window.delete_layer_action.trigger()  # deletes the copy; layer 1 (the 25) is selected
    assert window.current_selection() == 1
    window.move_up_action.trigger()
    assert architecture(window.project) == original
    window.move_down_action.trigger()
    assert architecture(window.project) == [original[1], original[0], original[2]]
    window.undo_action.trigger()
    for _ in range(4):
        window.undo_action.trigger()
    assert architecture(window.project) == original
    assert window.undo_stack.index() == 0


def test_dataset_change_makes_the_output_follow_the_classes_in_one_step(window):
    before = state(window.project)
    iris = builtin("iris")
    window.dataset_panel.datasetChangeRequested.emit(DatasetSource.from_dataset(iris), iris)
    assert window.project.dataset is iris
    assert window.project.layers[-1].units == 3
    assert window.undo_stack.count() == 1
    check_undo_redo(window, before, state(window.project))
    window.undo()
    assert window.project.layers[-1].units == 1
    assert window.project.dataset.name != iris.name


def test_scaling_change_is_undoable(window):
    window.dataset_panel.scalingChangeRequested.emit("minmax")
    assert window.project.training.scaling == "minmax"
    window.undo()
    assert window.project.training.scaling == "standardize"


def test_consecutive_changes_of_one_field_merge_into_one_step(window):
    start = window.project.layers[0].units
    for units in (26, 27, 28, 29):
        window.canvas.layerUnitsChangeRequested.emit(0, units)
    assert window.undo_stack.count() == 1
    window.undo()
    assert window.project.layers[0].units == start
    window.redo()
    assert window.project.layers[0].units == 29


def test_changes_of_different_fields_do_not_merge(window):
    window.canvas.layerUnitsChangeRequested.emit(0, 3)
    window.canvas.layerUnitsChangeRequested.emit(1, 3)
    assert window.undo_stack.count() == 2


def test_training_guard_can_cancel_structural_edits_but_not_settings(window):
    asked = []
    window.training_guard = lambda: asked.append(1) or False
    n = len(window.project.layers)
    window.canvas.layerInsertRequested.emit(0, "relu")
    assert len(window.project.layers) == n and asked == [1]
    window.training_settings.specFieldChanged.emit("compile", "learning_rate", 0.05)
    assert window.project.compile.learning_rate == 0.05  # live-tunable while training
    assert asked == [1]
    window.training_guard = None
    window.canvas.layerInsertRequested.emit(0, "relu")
    window.training_guard = lambda: False
    window.undo()  # undoing an architecture edit is also guarded
    assert len(window.project.layers) == n + 1


def test_every_edit_emits_project_changed(window, qtbot):
    with qtbot.waitSignal(window.projectChanged, timeout=1000):
        window.canvas.layerInsertRequested.emit(0, "relu")
    with qtbot.waitSignal(window.projectChanged, timeout=1000):
        window.undo()
    with qtbot.waitSignal(window.projectChanged, timeout=1000):
        window.redo()


def test_modified_marker_follows_the_clean_state(window):
    assert not window.isWindowModified()
    assert window.windowTitle() == f"Netbuilder — {window.project.name}[*]"
    window.canvas.layerInsertRequested.emit(0, "relu")
    assert window.isWindowModified()
    window.undo()
    assert not window.isWindowModified()


@pytest.mark.parametrize(
    ("field", "value"), [("units", 9), ("activation", "tanh"), ("name", "wide"), ("l2", 0.01)]
)
def test_layer_field_command_outside_the_window(window, field, value):
    command = commands.set_layer_field(window, 0, field, value)
    window.push(command)
    assert getattr(window.project.layers[0], field) == value
    window.undo()
    assert getattr(window.project.layers[0], field) != value


def test_real_palette_drop_on_the_canvas_inserts_at_the_gap_and_undoes(window, qtbot):
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    before = state(window.project)
    view = window.canvas
    pos = view.gap_view_pos(1)  # between the first and second layer
    mime = window.palette.mimeData("tanh")
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    args = (mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    target = view.viewport()
    QApplication.sendEvent(target, QDragEnterEvent(pos, actions, *args))
    QApplication.sendEvent(target, QDragMoveEvent(pos, actions, *args))
    QApplication.sendEvent(target, QDropEvent(QPointF(pos), actions, *args))
    assert architecture(window.project)[1] == (16, "tanh")
    assert window.undo_stack.count() == 1
    check_undo_redo(window, before, state(window.project))


def test_import_dataset_menu_opens_the_panels_import(window, monkeypatch):
    calls = []
    monkeypatch.setattr(window.dataset_panel, "open_import_dialog", lambda: calls.append(1))
    window.import_action.trigger()
    assert calls == [1]


def test_csv_import_dataset_and_scaling_are_one_undo_step(window):
    before = state(window.project)
    sine = builtin("sine", n_samples=30)
    window.dataset_panel.datasetChangeRequested.emit(DatasetSource.from_dataset(sine), sine)
    window.dataset_panel.scalingChangeRequested.emit("none")
    assert window.undo_stack.count() == 1
    assert window.project.training.scaling == "none"
    assert window.project.dataset is sine
    check_undo_redo(window, before, state(window.project))
