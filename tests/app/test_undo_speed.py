"""Recording a long training run is one cheap undo step, and undo restores the exact history.

At 100,000 epochs the undo snapshots once deep-copied ~400,000 floats several times and froze
the window for ~0.9 s when the run ended."""

from __future__ import annotations

import time

import numpy as np

from app import commands
from engine.project import Project, RunOutcome, edits, runtime

EPOCHS = 100_000
KEYS = ("loss", "accuracy", "val_loss", "val_accuracy")


class Host:
    """The two members a command needs (see app.commands.CommandHost)."""

    def __init__(self, project):
        self.project = project
        self.edited = 0

    def current_selection(self) -> int:
        return -1

    def project_edited(self, selection: int) -> None:
        self.edited += 1


def long_history(offset: float) -> dict[str, list[float]]:
    rng = np.random.default_rng(int(offset))
    return {key: (rng.random(EPOCHS) + offset).tolist() for key in KEYS}


def test_recording_a_100000_epoch_run_is_fast_and_undo_restores_it_exactly():
    project = Project.default()
    host = Host(project)
    original = ({k: list(v) for k, v in project.history.items()}, project.epochs_trained)
    weights = [np.asarray(w) for w in runtime.build_model(project).get_weights()]
    first, second = long_history(0.0), long_history(1.0)
    expected_first = {key: list(values) for key, values in first.items()}

    run1 = commands.record_run(host, RunOutcome("finished", weights, first, EPOCHS), None, {}, 0)
    start = time.perf_counter()
    run1.redo()  # capture before, edit, capture after, restore
    assert time.perf_counter() - start < 0.2
    run2 = commands.record_run(
        host, RunOutcome("finished", weights, second, EPOCHS), None, expected_first, EPOCHS
    )
    run2.redo()
    both = {key: expected_first[key] + second[key] for key in KEYS}
    assert project.history == both and project.epochs_trained == 2 * EPOCHS

    start = time.perf_counter()
    run2.undo()
    assert time.perf_counter() - start < 0.2
    assert project.history == expected_first and project.epochs_trained == EPOCHS

    # Editing the restored history in place must not reach the snapshots undo/redo use.
    project.history["loss"][0] = -5.0
    project.history["loss"].append(9.0)
    run2.redo()
    assert project.history == both
    run2.undo()
    assert project.history == expected_first
    run1.undo()
    assert (project.history, project.epochs_trained) == original


def test_capture_of_an_unusual_history_still_copies_deeply():
    """Anything but lists of numbers (never written by the app) is deep-copied as before."""
    project = Project.default()
    project.history = {"loss": [[0.5, 0.4]]}
    state = edits.capture(project)
    project.history["loss"][0][0] = 9.0
    edits.restore(project, state)
    assert project.history == {"loss": [[0.5, 0.4]]}
