"""Compare… (issue 14): the training toolbar's compareButton opens compareDialog, which trains
the current network and a variant with one change from the same start on its own thread, and
shows both cost curves, both boundaries, each layer's dead/saturated share and the verdict.
Both runs join the project as one undo step; the project's own weights never change."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QPushButton, QTableWidget

from app import commands
from app.plots.boundary_plot import BoundaryPlot
from app.training.compare_dialog import CompareDialog
from engine.compare import Change
from engine.project import Project

pytest_plugins = ["window_fixtures"]

RELU_FIRST_LAYER = Change("activation", "relu", layer=0)
LONG = 50_000  # epochs a comparison cannot finish during a test


@pytest.fixture
def window(shown_window):
    return shown_window


def open_dialog(window, qtbot) -> CompareDialog:
    button = window.findChild(QPushButton, "compareButton")
    assert button is not None and button.isVisibleTo(window)
    assert "&" in button.text() and button.toolTip()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = window.findChild(CompareDialog, "compareDialog")
    assert dialog is not None and dialog.isVisible() and not dialog.isModal()
    return dialog


def run(dialog, qtbot, change=RELU_FIRST_LAYER, epochs=30, timeout=60_000):
    dialog.choose(change)
    dialog.epochs_spin.setValue(epochs)
    with qtbot.waitSignal(dialog.comparisonFinished, timeout=timeout) as blocker:
        qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def start_long(dialog, qtbot):
    """Start a comparison too long to finish and wait for its first curve points."""
    dialog.choose(RELU_FIRST_LAYER)
    dialog.epochs_spin.setValue(LONG)
    assert dialog.start()
    job = dialog.job
    qtbot.waitUntil(lambda: len(dialog.cost_plot.curve_data(0, "training")[0]) > 0, timeout=20_000)
    return job


def test_relu_against_sigmoid_on_the_coffee_data(window, qtbot):
    project = window.project
    weights = [w.copy() for w in project.weights]
    history = {k: list(v) for k, v in project.history.items()}
    epochs, runs_before, steps = (
        project.epochs_trained,
        list(project.runs),
        window.undo_stack.count(),
    )
    dialog = open_dialog(window, qtbot)
    assert dialog.selected_change() == RELU_FIRST_LAYER  # the course's question comes first

    result = run(dialog, qtbot)

    comparison = result.comparison
    assert not comparison.cancelled
    base, variant = comparison.outcomes
    assert base.epochs == variant.epochs == 30
    # Both curves, each exactly its run's history, validation too.
    plot = dialog.findChild(type(dialog.cost_plot), "compareCostPlot")
    for which, outcome in enumerate((base, variant)):
        for split, key in (("training", "loss"), ("validation", "val_loss")):
            x, y = plot.curve_data(which, split)
            np.testing.assert_array_equal(x, np.arange(1, 31))
            np.testing.assert_allclose(y, outcome.history[key])
    assert not np.allclose(plot.curve_data(0, "training")[1], plot.curve_data(1, "training")[1])
    # Both boundaries, over the same plane, from different networks.
    sides = [
        dialog.findChild(BoundaryPlot, name)
        for name in ("compareBoundaryBase", "compareBoundaryVariant")
    ]
    assert all(side is not None and side.kind == "boundary" for side in sides)
    assert all(side.last_output is not None for side in sides)
    assert not np.allclose(sides[0].last_output, sides[1].last_output)
    # Each layer's dead/saturated share on both sides.
    table = dialog.findChild(QTableWidget, "compareHealthTable")
    assert table.rowCount() == len(project.layers)
    assert table.item(0, 1).text().startswith("sigmoid:")
    assert table.item(0, 2).text().startswith("relu:")
    assert dialog.epochs_spin.value() == 30  # the person's choice stays for the next run
    verdict = dialog.verdict.text()
    assert dialog.verdict.objectName() == "compareVerdict"
    assert "ReLU" in verdict and "sigmoid" in verdict
    # Two runs, one undo step; the project's own training untouched.
    names = [run.name for run in project.runs[len(runs_before) :]]
    assert names == ["layer 1 sigmoid", "layer 1 relu"]
    assert window.undo_stack.count() == steps + 1
    assert project.current_run == (runs_before[-1].id if runs_before else None)
    assert all(np.array_equal(a, b) for a, b in zip(project.weights, weights))
    assert project.history == history and project.epochs_trained == epochs
    added = project.runs[-1]
    np.testing.assert_allclose(added.history["loss"], variant.history["loss"])
    window.undo()
    assert [run.id for run in project.runs] == [run.id for run in runs_before]
    assert all(np.array_equal(a, b) for a, b in zip(project.weights, weights))


def test_a_change_of_loss_is_drawn_and_judged_by_accuracy(window, qtbot):
    dialog = open_dialog(window, qtbot)
    result = run(dialog, qtbot, Change("loss", "mean_squared_error"), epochs=10)
    assert result.comparison.measure == "accuracy"
    plot = dialog.cost_plot
    assert plot.getPlotItem().getAxis("left").labelText == "accuracy"
    for which, outcome in enumerate(result.comparison.outcomes):
        np.testing.assert_allclose(
            plot.curve_data(which, "training")[1], outcome.history["accuracy"]
        )
    assert "accuracy" in dialog.side_titles[1].text()
    assert [run.name for run in window.project.runs[-2:]] == [
        "loss binary cross-entropy",
        "loss mse",
    ]


def has_finished(job) -> bool:
    """The job's thread has ended. The dialog deletes a job once it has finished (deleteLater),
    so a job whose C++ side is gone finished earlier: polling its isFinished then raises."""
    try:
        return job.isFinished()
    except RuntimeError:  # "Internal C++ object (BackgroundJob) already deleted"
        return True


def test_cancel_stops_the_comparison_within_half_a_second(window, qtbot):
    dialog = open_dialog(window, qtbot)
    runs_before = len(window.project.runs)
    job = start_long(dialog, qtbot)
    assert dialog.cancel_button.isEnabled() and not dialog.run_button.isEnabled()
    with qtbot.waitSignal(dialog.comparisonFinished, timeout=10_000) as blocker:
        clicked = time.perf_counter()
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: has_finished(job), timeout=5_000)
        stopped = time.perf_counter() - clicked
    assert stopped < 0.5
    comparison = blocker.args[0].comparison
    assert comparison.cancelled
    assert dialog.verdict.text().startswith("Cancelled")
    assert len(window.project.runs) == runs_before  # a cut-short pair is not recorded
    assert dialog.run_button.isEnabled() and not dialog.running


def test_escape_closes_the_dialog_and_stops_its_run(window, qtbot):
    dialog = open_dialog(window, qtbot)
    job = start_long(dialog, qtbot)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert has_finished(job) and not dialog.running


def test_closing_the_window_mid_comparison_stops_it_cleanly(window, qtbot):
    dialog = open_dialog(window, qtbot)
    job = start_long(dialog, qtbot)
    window.undo_stack.setClean()
    assert window.close()
    assert has_finished(job) and not dialog.running
    qtbot.wait(50)  # queued signals of the finished job arrive at nothing


def test_training_in_the_window_stops_a_comparison_and_is_refused_during_one(window, qtbot):
    dialog = open_dialog(window, qtbot)
    start_long(dialog, qtbot)
    controller = window.training.controller
    window.push(commands.set_spec_field(window, "training", "epochs", LONG))
    with qtbot.waitSignal(dialog.comparisonFinished, timeout=10_000):
        controller.train()
    assert "started training" in dialog.message.text()
    assert not dialog.start()  # while the window trains: refused, and says why
    assert dialog.message.isVisible() and "while the network trains" in dialog.message.text()
    assert not dialog.running
    controller.stop_and_wait()


def test_an_edit_during_a_comparison_changes_nothing_it_draws(window, qtbot):
    """The comparison goes on through an edit, and the window's redraw after it (which
    reseeds the engine's global generator) does not change the batches either run sees."""
    window.project.training.early_stopping = None  # both runs train every epoch
    dialog = open_dialog(window, qtbot)
    quiet = run(dialog, qtbot, epochs=3000, timeout=120_000)
    finished = []
    dialog.comparisonFinished.connect(finished.append)
    dialog.choose(RELU_FIRST_LAYER)
    assert dialog.start()
    qtbot.waitUntil(lambda: len(dialog.cost_plot.curve_data(0, "training")[0]) > 0, timeout=20_000)
    controller = window.training.controller
    redraws = []
    controller.layerStatsUpdated.connect(lambda _stats: redraws.append(dialog.running))
    assert dialog.running
    window.push(commands.set_spec_field(window, "compile", "learning_rate", 0.02))
    qtbot.waitUntil(lambda: bool(finished), timeout=120_000)
    busy = finished[0].comparison
    assert redraws and redraws[0]  # the window redrew its views while the comparison ran
    assert not busy.cancelled and not dialog.message.isVisible()
    for before, now in zip(quiet.comparison.outcomes, busy.outcomes):
        assert now.epochs == before.epochs == 3000
        assert now.history == before.history
    assert window.project.compile.learning_rate == 0.02


def test_without_a_dataset_the_comparison_is_refused(window, qtbot):
    project = Project.course()
    project.dataset = None
    project.dataset_source = None
    window.set_project(project)
    dialog = open_dialog(window, qtbot)
    dialog.run_button.click()
    assert not dialog.running
    assert dialog.message.isVisible() and "no dataset" in dialog.message.text()
    assert project.runs == []


def test_the_choices_follow_the_kind(window, qtbot):
    dialog = open_dialog(window, qtbot)
    kinds = [dialog.kind_combo.itemData(i) for i in range(dialog.kind_combo.count())]
    assert kinds == ["activation", "loss", "optimizer", "learning_rate", "batch_size"]
    dialog.kind_combo.setCurrentIndex(kinds.index("learning_rate"))
    assert not dialog.layer_combo.isEnabled()
    values = [dialog.value_combo.itemText(i) for i in range(dialog.value_combo.count())]
    assert "0.1" in values and "0.01" not in values  # the current rate is not a change
    assert dialog.current_label.text() == "(now 0.01)"
    dialog.kind_combo.setCurrentIndex(kinds.index("activation"))
    # Hidden layers only: with binary cross-entropy the output stays sigmoid.
    assert dialog.layer_combo.isEnabled() and dialog.layer_combo.count() == 2


def test_tab_walks_the_choice_then_the_buttons(window, qtbot):
    dialog = open_dialog(window, qtbot)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5_000)
    dialog.kind_combo.setFocus()
    seen = []
    for _ in range(5):
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
        seen.append(dialog.focusWidget())
    assert seen == [
        dialog.layer_combo,
        dialog.value_combo,
        dialog.epochs_spin,
        dialog.run_button,
        dialog.close_button,  # Cancel is off while nothing runs
    ]


def test_progress_is_throttled_and_the_window_keeps_its_timers(window, qtbot):
    dialog = open_dialog(window, qtbot)
    frames, ticks = [], []
    draw = dialog.frames.draw
    dialog.frames.draw = lambda items: (frames.append(len(items)), draw(items))
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    dialog.choose(RELU_FIRST_LAYER)
    dialog.epochs_spin.setValue(2000)
    qtbot.waitExposed(dialog)
    qtbot.wait(200)  # the dialog's first paint (three plots laid out) is not the run's
    timer.start()
    ended = []
    with qtbot.waitSignal(dialog.comparisonFinished, timeout=60_000) as blocker:
        start = time.perf_counter()
        dialog.start()
        # Direct: stamped on the job's thread as it ends, before the dialog draws the results.
        dialog.job.finished.connect(
            lambda: ended.append(time.perf_counter()), Qt.ConnectionType.DirectConnection
        )
    elapsed = ended[0] - start  # the thread's run; the results are drawn after it
    timer.stop()
    assert blocker.args[0].comparison.outcomes[1].epochs == 2000
    assert 0 < len(frames) <= 30 * elapsed + 2  # the epochs arrive in batches, not one by one
    gaps = np.diff([t for t in ticks if t < start + elapsed])
    assert gaps.size and gaps.max() < 0.3, gaps.max()
