"""A small stand-in for the main window, so the training controller can be tested on its own:
a QMainWindow with `project`, `projectChanged`, an undo stack and `record_run` built on
the real undo command (app.commands.record_run). No tests live here."""

from __future__ import annotations

import threading

from PySide6.QtCore import Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QLabel, QMainWindow

from app import commands
from engine.data import builtin
from engine.project import LayerSpec, Project


class FakeCanvas(QLabel):
    def __init__(self):
        super().__init__("canvas")
        self.weights_seen = 0
        self.last_weights = None

    def set_weights(self, weights):
        self.weights_seen += 1
        self.last_weights = weights


class FakeHost(QMainWindow):
    projectChanged = Signal()

    def __init__(self, project: Project | None = None):
        super().__init__()
        self.project = project if project is not None else Project.course()
        self.undo_stack = QUndoStack(self)
        self.training_guard = None
        self.canvas = FakeCanvas()
        self.setCentralWidget(self.canvas)
        self.recorded = []
        self.statuses = []
        self.resize(1200, 800)

    def current_selection(self) -> int:
        return -1

    def project_edited(self, selection: int) -> None:
        self.projectChanged.emit()

    def push(self, command) -> None:
        self.undo_stack.push(command)

    def record_run(self, outcome, scaler_config, base_history, base_epochs, snapshots=None):
        assert threading.current_thread() is threading.main_thread()
        self.recorded.append(outcome)
        self.push(
            commands.record_run(
                self, outcome, scaler_config, base_history, base_epochs, snapshots=snapshots
            )
        )

    def reset_weights(self, weights) -> None:
        assert threading.current_thread() is threading.main_thread()
        self.push(commands.reset_weights(self, weights))

    def status_message(self, text: str) -> None:
        self.statuses.append(text)

    def edit(self, **compile_fields) -> None:
        """Change compile settings as the inspector would (one undoable command each)."""
        for field, value in compile_fields.items():
            self.push(commands.set_spec_field(self, "compile", field, value))


def project_for(
    name: str = "coffee", layers=None, epochs: int = 20, n_samples=None, **compile_fields
) -> Project:
    """A trainable project on the built-in dataset `name`."""
    dataset = builtin(name, n_samples=n_samples) if n_samples else builtin(name)
    project = Project.new_for_dataset(dataset)
    # These runs last the epochs a test asks for: no early stop part-way.
    project.training.early_stopping = None
    if layers is not None:
        project.layers = [LayerSpec(units, act) for units, act in layers]
    project.training.epochs = epochs
    for field, value in compile_fields.items():
        setattr(project.compile, field, value)
    return project


def live_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t is not threading.main_thread()]


def finish(qtbot, panel, timeout=30_000):
    """The outcome of the panel's run, once it has finished."""
    with qtbot.waitSignal(panel.controller.runFinished, timeout=timeout) as blocker:
        pass
    return blocker.args[0]
