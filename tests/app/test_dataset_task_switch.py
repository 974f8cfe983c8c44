"""Switching to a dataset of another task (binary, multiclass, regression) gives the output
layer and loss the course's choice for it, so the network trains at once; switching within a
task keeps what the person chose."""

from __future__ import annotations

import pytest

from engine.data import builtin
from engine.project import DatasetSource, Project, runtime
from engine.project import edits as project_edits


def _switch(project: Project, name: str) -> None:
    dataset = builtin(name)
    project_edits.apply_dataset(project, DatasetSource(kind="builtin", name=name), dataset)


def _output(project: Project) -> tuple[int, str, str]:
    return project.layers[-1].units, project.layers[-1].activation, project.compile.loss


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("iris", (3, "softmax", "sparse_categorical_crossentropy")),
        ("blobs", (3, "softmax", "sparse_categorical_crossentropy")),
        ("sine", (1, "linear", "mean_squared_error")),
        ("xor", (1, "sigmoid", "binary_crossentropy")),
    ],
)
def test_the_output_and_loss_follow_a_change_of_task(name, expected):
    project = Project.course()  # binary: 1 sigmoid unit, binary cross-entropy
    _switch(project, "sine")  # regression first, so that xor is a change of task too
    _switch(project, name)
    assert _output(project) == expected
    assert project.compile.metrics == ([] if expected[2] == "mean_squared_error" else ["accuracy"])
    runtime.build_model(project)  # the pair is one the engine accepts


def test_a_choice_that_suits_the_new_task_is_kept():
    project = Project.course()
    _switch(project, "sine")
    project.layers[-1].activation = "relu"  # a non-negative regression output: still fine
    project_edits.set_loss(project, "mean_absolute_error")
    _switch(project, "linear")  # regression to regression: nothing to fix
    assert _output(project) == (1, "relu", "mean_absolute_error")


def test_within_the_same_task_the_persons_loss_is_kept():
    project = Project.course()
    project_edits.set_loss(project, "mean_squared_error")  # sigmoid + MSE on a binary target
    _switch(project, "xor")  # binary to binary
    assert _output(project) == (1, "sigmoid", "mean_squared_error")


def test_picking_iris_in_the_window_trains_at_once(qtbot):
    from app.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    combo = window.dataset_panel.builtin_combo
    combo.setCurrentIndex(combo.findText("iris"))
    combo.activated.emit(combo.currentIndex())  # what a person's pick sends
    qtbot.waitUntil(lambda: window.project.dataset.name == "iris", timeout=2000)
    assert _output(window.project) == (3, "softmax", "sparse_categorical_crossentropy")

    controller = window.training.controller
    with qtbot.waitSignal(controller.runFinished, timeout=30_000):
        controller.step()
    assert window.project.epochs_trained == 1
    assert "accuracy" in window.project.history

    window.undo_stack.undo()  # the training step
    window.undo_stack.undo()  # the dataset switch, with its output and loss, in one step
    assert window.project.dataset.name == "coffee"
    assert _output(window.project) == (1, "sigmoid", "binary_crossentropy")
    controller.shutdown()
