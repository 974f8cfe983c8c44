"""Early stopping in the window: a check box with a patience in the training settings, saved
with the project, and a run that stops early marks the epoch whose weights it kept."""

import numpy as np
import pytest
from PySide6.QtWidgets import QCheckBox, QSpinBox
from training_fakes import project_for

from engine.data import Dataset
from engine.project import Project


@pytest.fixture
def make_window(qtbot):
    from app.main_window import MainWindow

    def make(project):
        window = MainWindow()
        qtbot.addWidget(window)
        window.set_project(project)
        return window, window.training

    return make


def test_the_check_box_sets_the_patience_and_undo_clears_it(make_window):
    window, _ = make_window(project_for("moons"))
    settings = window.training_settings
    check = settings.findChild(QCheckBox, "earlyStoppingCheck")
    patience = settings.findChild(QSpinBox, "earlyStoppingPatienceSpin")
    assert check is not None and patience is not None and not check.isChecked()
    patience.setValue(7)  # while off, the value waits
    assert window.project.training.early_stopping is None
    check.setChecked(True)
    assert window.project.training.early_stopping == 7
    patience.setValue(12)
    assert window.project.training.early_stopping == 12
    window.undo_stack.undo()
    window.undo_stack.undo()
    assert window.project.training.early_stopping is None
    assert not check.isChecked() and not patience.isEnabled()


def test_ticking_the_box_on_a_project_without_early_stopping_gives_the_default_patience(
    make_window,
):
    from engine.project.specs import DEFAULT_PATIENCE

    window, _ = make_window(Project.course())
    assert window.project.training.early_stopping is None
    window.training_settings.findChild(QCheckBox, "earlyStoppingCheck").setChecked(True)
    assert window.project.training.early_stopping == DEFAULT_PATIENCE > 1


def test_without_a_validation_split_the_check_box_is_off_limits(make_window):
    project = project_for("moons")
    project.training.validation_split = 0.0
    window, _ = make_window(project)
    assert not window.training_settings.findChild(QCheckBox, "earlyStoppingCheck").isEnabled()


def test_a_run_that_stops_early_marks_the_kept_epoch_and_says_so(make_window, qtbot):
    # Pure noise: the validation loss cannot improve for long, so patience 3 ends the run.
    rng = np.random.default_rng(0)
    noise = Dataset(
        rng.normal(size=(200, 2)).astype(np.float32),
        rng.integers(0, 2, size=(200, 1)).astype(np.float32),
        name="noise",
        class_names=["a", "b"],
    )
    project = Project.new_for_dataset(noise)
    project.training.epochs, project.training.early_stopping = 300, 3
    project.compile.learning_rate = 0.05
    window, panel = make_window(project)
    statuses = []
    panel.controller.statusChanged.connect(statuses.append)
    with qtbot.waitSignal(panel.controller.runFinished, timeout=60_000) as finished:
        panel.controller.train()
    result = finished.args[0]
    assert result.early_stopped and result.epochs < 300
    assert panel.cost_plot.best_epoch == result.best_epoch
    assert result.best_epoch <= result.epochs
    assert any(f"Kept the weights of epoch {result.best_epoch}" in text for text in statuses)
