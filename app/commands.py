"""Undo commands: every edit of the project is one QUndoCommand on the window's QUndoStack.

Commands are snapshot-based: the first redo() runs an edit function (from
engine/project/edits.py) and records the project's document state before and after; undo and
redo then restore those snapshots exactly. This keeps each edit written once, Qt-free, and
makes "undo restores the exact state" true by construction.

A command talks to its host (the main window) through two members:
``host.project`` (the current Project) and ``host.project_edited(selection)`` (refresh the
views, select layer `selection`, emit projectChanged).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Any, Protocol

from PySide6.QtGui import QUndoCommand

from engine.project import Project, RunOutcome, edits, runtime

# Commands with the same merge key that follow each other within this many seconds become
# one undo step: dragging a spin box from 4 to 40 is one edit, not 36.
MERGE_WINDOW_S = 2.0
_MERGE_ID = 0x4E42  # "NB"; all mergeable commands share it and compare merge keys instead


class CommandHost(Protocol):
    project: Project

    def current_selection(self) -> int: ...

    def project_edited(self, selection: int) -> None: ...


class ProjectCommand(QUndoCommand):
    """Apply `edit(project)` and make it undoable.

    `edit` may return an int: the layer to select afterwards (otherwise the selection stays).
    `merge_key`: consecutive commands with an equal, non-None key merge into one step.
    `structural`: the edit changes the architecture or the data, so a running training run
    must be asked first (see MainWindow.push / training_guard).
    """

    def __init__(
        self,
        host: CommandHost,
        text: str,
        edit: Callable[[Project], Any],
        *,
        merge_key: Hashable | None = None,
        structural: bool = False,
    ):
        super().__init__(text)
        self.host = host
        self.edit = edit
        self.merge_key = merge_key
        self.structural = structural
        self._before: dict[str, Any] | None = None
        self._after: dict[str, Any] | None = None
        self._selection_before = -1
        self._selection_after = -1
        self._time = time.monotonic()

    def prepare(self) -> None:
        """Run the edit now and record the states before and after it.

        MainWindow.push calls this before QUndoStack.push, because an exception raised inside
        redo() (called from C++) cannot reach the caller: a failed edit must raise here, leave
        the project as it was, and never reach the stack."""
        if self._after is not None:
            return
        project = self.host.project
        self._selection_before = self.host.current_selection()
        self._before = edits.capture(project)
        try:
            result = self.edit(project)
        except Exception:
            edits.restore(project, self._before)
            raise
        self._selection_after = result if isinstance(result, int) else self._selection_before
        self._after = edits.capture(project)

    def redo(self) -> None:
        self.prepare()
        edits.restore(self.host.project, self._after)
        self.host.project_edited(self._selection_after)

    def undo(self) -> None:
        edits.restore(self.host.project, self._before)
        self.host.project_edited(self._selection_before)

    def id(self) -> int:  # noqa: A003 - Qt's name
        return _MERGE_ID if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        if not isinstance(other, ProjectCommand) or other.merge_key != self.merge_key:
            return False
        if other._time - self._time > MERGE_WINDOW_S:
            return False
        self._after = other._after
        self._selection_after = other._selection_after
        self._time = other._time
        return True


# --- factories for the edits the canvas, palette and inspector request ---------------------


def insert_layer(
    host: CommandHost, index: int, activation: str, units: int | None = None
) -> ProjectCommand:
    return ProjectCommand(
        host,
        f"Insert {activation} layer",
        lambda p: edits.insert_layer(p, index, activation, units),
        structural=True,
    )


def delete_layer(host: CommandHost, index: int) -> ProjectCommand:
    return ProjectCommand(
        host, "Delete layer", lambda p: edits.delete_layer(p, index), structural=True
    )


def move_layer(host: CommandHost, from_index: int, to_index: int) -> ProjectCommand:
    return ProjectCommand(
        host, "Move layer", lambda p: edits.move_layer(p, from_index, to_index), structural=True
    )


def duplicate_layer(host: CommandHost, index: int) -> ProjectCommand:
    return ProjectCommand(
        host, "Duplicate layer", lambda p: edits.duplicate_layer(p, index), structural=True
    )


_FIELD_LABELS = {
    "units": "units",
    "activation": "activation",
    "name": "layer name",
    "kernel_initializer": "initializer",
    "l2": "L2 penalty",
}


def set_layer_field(host: CommandHost, index: int, field: str, value: Any) -> ProjectCommand:
    """Change one field of layer `index`; repeated changes of the same field merge."""
    return ProjectCommand(
        host,
        f"Change {_FIELD_LABELS.get(field, field)}",
        lambda p: edits.set_layer_field(p, index, field, value),
        merge_key=("layer", index, field),
        structural=field != "name",
    )


def set_spec_field(
    host: CommandHost, spec: str, field: str, value: Any, label: str | None = None
) -> ProjectCommand:
    """Change `project.<spec>.<field>` (spec is "compile" or "training")."""

    def edit(project: Project) -> None:
        if (spec, field) == ("compile", "loss"):
            edits.set_loss(project, value)
            return
        target = getattr(project, spec)
        if not hasattr(target, field):
            raise AttributeError(f"{type(target).__name__} has no field {field!r}")
        setattr(target, field, value)

    return ProjectCommand(
        host, f"Change {label or field.replace('_', ' ')}", edit, merge_key=(spec, field)
    )


# Data edits in quick succession are one step: a CSV import (dataset, then its scaling) or
# dragging the panel's noise/sample-count spin boxes.
_DATA_MERGE_KEY = ("data",)


def change_dataset(host: CommandHost, source: Any, dataset: Any) -> ProjectCommand:
    """Switch dataset; the output units follow the classes in the same undo step."""
    name = getattr(dataset, "name", None) or "dataset"
    return ProjectCommand(
        host,
        f"Use dataset {name}",
        lambda p: edits.apply_dataset(p, source, dataset),
        merge_key=_DATA_MERGE_KEY,
        structural=True,
    )


def change_scaling(host: CommandHost, kind: str) -> ProjectCommand:
    return ProjectCommand(
        host,
        f"Scale inputs: {kind}",
        lambda p: edits.set_scaling(p, kind),
        merge_key=_DATA_MERGE_KEY,
        structural=True,
    )


def record_run(
    host: CommandHost,
    outcome: RunOutcome,
    scaler_config: dict | None,
    base_history: dict,
    base_epochs: int,
    snapshots: dict | None = None,
) -> ProjectCommand:
    """Store a finished training run as one undoable step (engine.project.runtime.record_run):
    its weights, its history after base_history (the project's when the run started, of
    base_epochs epochs), the scaler its inputs went through, and its per-epoch weight
    snapshots (epoch -> weights) when given."""
    epochs = int(base_epochs) + int(outcome.epochs)
    return ProjectCommand(
        host,
        f"Train to epoch {epochs}",
        lambda p: runtime.record_run(
            p, outcome, scaler_config, base_history, base_epochs, snapshots=snapshots
        ),
    )


def restore_epoch(host: CommandHost, epoch: int) -> ProjectCommand:
    """Continue from here: the network as it was after `epoch` epochs (weights, history and
    snapshots cut there) becomes the project's, as one undoable step."""
    return ProjectCommand(
        host, f"Continue from epoch {epoch}", lambda p: edits.restore_epoch(p, epoch)
    )


def set_training_speed(host: CommandHost, epochs_per_second: float | None) -> ProjectCommand:
    """Pace training (None: full speed); saved with the project, so a lesson reopens slow.
    Changes in quick succession are one step."""
    return ProjectCommand(
        host,
        "Change training speed",
        lambda p: edits.set_training_speed(p, epochs_per_second),
        merge_key=("ui", "training_speed"),
    )


def reset_weights(host: CommandHost, weights: list) -> ProjectCommand:
    """Start again from `weights` (fresh initial weights): history and snapshots cleared."""
    weights = [w.copy() for w in weights]

    def edit(project: Project) -> None:
        edits.reset_training(project)
        project.weights = [w.copy() for w in weights]

    return ProjectCommand(host, "Reset weights", edit)


class _RenameCommand(ProjectCommand):
    """The name is left out of the document snapshots (Save As renames without an undo
    step), so this one command puts the name back itself."""

    def prepare(self) -> None:
        if self._after is not None:
            return
        self._old_name = self.host.project.name
        super().prepare()
        self._new_name = self.host.project.name

    def redo(self) -> None:
        self.prepare()
        self.host.project.name = self._new_name
        super().redo()

    def undo(self) -> None:
        self.host.project.name = self._old_name
        super().undo()


def rename_project(host: CommandHost, name: str) -> ProjectCommand:
    return _RenameCommand(host, "Rename project", lambda p: edits.rename_project(p, name))
