"""The training timeline in the real window: the epoch scrubber shows the network as it was
after an earlier epoch (canvas, activations, output, a mark on the cost plot), idle, paused
and while training; "Continue from here" rewinds the project as one undo step; a saved
project keeps its timeline."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QSlider

from engine.project import Project

pytest_plugins = ["window_fixtures"]


@pytest.fixture
def thinned_window(make_window, tmp_path):
    """The window on the coffee example with its timeline thinned to every 30th epoch (30,
    60, ..., 300), as the keeper thins a long run: the example keeps every epoch, and these
    tests step over the gaps between snapshots."""
    project = Project.default()
    project.snapshots = {e: w for e, w in project.snapshots.items() if e and not e % 30}
    return make_window(project.save(tmp_path / "coffee every 30.nnproj"))


def scrubber(window) -> QSlider:
    return window.findChild(QSlider, "epochScrubber")


def canvas_shows(window, weights) -> bool:
    shown = window.canvas._weights
    return shown is not None and all(
        np.array_equal(a, b) for a, b in zip(shown, weights, strict=True)
    )


def drag_to(slider: QSlider, value: int) -> None:
    """What a mouse drag does to a slider: pressed, moved, released."""
    slider.setSliderDown(True)
    slider.setSliderPosition(value)
    slider.setSliderDown(False)


def train(window, qtbot, epochs: int) -> None:
    window.training_settings.epochs_spin.setValue(epochs)
    with qtbot.waitSignal(window.training.controller.runFinished, timeout=60_000):
        qtbot.mouseClick(window.findChild(QPushButton, "trainButton"), Qt.MouseButton.LeftButton)


def test_scrubbing_shows_an_epochs_weights_views_and_cost_mark_then_live_again(
    thinned_window, qtbot
):
    window = thinned_window
    project, panel = window.project, window.training
    timeline, slider = panel.timeline, scrubber(window)
    assert sorted(project.snapshots)[0] == 30 and project.epochs_trained == 300
    assert (slider.minimum(), slider.maximum(), slider.value()) == (30, 300, 300)
    live_output = panel.boundary_plot.last_output.copy()

    drag_to(slider, 92)  # between snapshots: the nearest one is shown, the knob goes there
    snapshot = project.snapshots[90]
    qtbot.waitUntil(lambda: canvas_shows(window, snapshot), timeout=5000)
    assert slider.value() == 90 and timeline.shown_epoch == 90
    assert panel.cost_plot.marked_epoch == 90
    assert timeline.label.text() == "epoch 90 of 300"
    expected = timeline.views_for(snapshot)
    qtbot.waitUntil(lambda: np.array_equal(panel.boundary_plot.last_output, expected.output))
    assert not np.array_equal(expected.output, live_output)
    assert window.findChild(QPushButton, "restoreEpochButton").isEnabled()

    slider.setFocus()
    qtbot.keyClick(slider, Qt.Key.Key_End)  # back to the live end
    assert timeline.shown_epoch is None and panel.cost_plot.marked_epoch is None
    qtbot.waitUntil(lambda: canvas_shows(window, project.weights), timeout=5000)
    qtbot.waitUntil(lambda: np.array_equal(panel.boundary_plot.last_output, live_output))
    assert "live" in timeline.label.text()
    assert not window.findChild(QPushButton, "restoreEpochButton").isEnabled()


def test_keys_step_from_snapshot_to_snapshot(thinned_window, qtbot):
    window = thinned_window
    timeline, slider = window.training.timeline, scrubber(window)
    slider.setFocus()
    qtbot.keyClick(slider, Qt.Key.Key_Home)
    assert timeline.shown_epoch == 30
    qtbot.keyClick(slider, Qt.Key.Key_Right)  # the next epoch with a snapshot, not 31
    assert timeline.shown_epoch == 60 and slider.value() == 60
    qtbot.keyClick(slider, Qt.Key.Key_PageUp)
    assert timeline.shown_epoch == 90
    qtbot.keyClick(slider, Qt.Key.Key_Left)
    assert timeline.shown_epoch == 60
    qtbot.waitUntil(lambda: canvas_shows(window, window.project.snapshots[60]), timeout=5000)
    for _ in range(9):
        qtbot.keyClick(slider, Qt.Key.Key_Right)
    assert timeline.shown_epoch is None and slider.value() == 300  # live


def test_continue_from_here_is_one_undo_step_and_training_goes_on_from_there(thinned_window, qtbot):
    window = thinned_window
    project, panel = window.project, window.training
    before = {
        "weights": [w.copy() for w in project.weights],
        "history": {k: list(v) for k, v in project.history.items()},
        "snapshots": sorted(project.snapshots),
    }
    steps = window.undo_stack.count()
    drag_to(scrubber(window), 120)
    kept = [w.copy() for w in project.snapshots[120]]
    action = window.findChild(type(window.undo_action), "restoreEpochAction")
    assert action.isEnabled()
    qtbot.mouseClick(window.findChild(QPushButton, "restoreEpochButton"), Qt.MouseButton.LeftButton)

    assert window.undo_stack.count() == steps + 1
    assert project.epochs_trained == 120
    assert all(len(v) == 120 for v in project.history.values())
    assert sorted(project.snapshots) == [30, 60, 90, 120]
    assert all(np.array_equal(a, b) for a, b in zip(project.weights, kept, strict=True))
    x, _ = panel.cost_plot.curve_data("loss")
    assert x[-1] == 120  # the cost plot shows the cut history
    assert panel.timeline.shown_epoch is None and scrubber(window).maximum() == 120

    window.undo()
    assert project.epochs_trained == 300 and project.history == before["history"]
    assert sorted(project.snapshots) == before["snapshots"]
    assert all(np.array_equal(a, b) for a, b in zip(project.weights, before["weights"]))
    assert scrubber(window).maximum() == 300
    window.redo()
    assert project.epochs_trained == 120

    train(window, qtbot, 5)
    assert project.epochs_trained == 125
    assert project.history["loss"][:120] == before["history"]["loss"][:120]
    assert sorted(project.snapshots) == [30, 60, 90, *range(120, 126)]
    assert panel.cost_plot.curve_data("loss")[0][-1] == 125


def test_a_run_records_its_snapshots_and_an_untrained_timeline_is_off(window, qtbot):
    panel = window.training
    panel.reset_button.click()  # fresh weights: no history, no snapshots
    slider = scrubber(window)
    assert not slider.isEnabled() and panel.timeline.label.text() == "not trained yet"
    train(window, qtbot, 4)
    assert sorted(window.project.snapshots) == [0, 1, 2, 3, 4]
    assert slider.isEnabled() and (slider.minimum(), slider.maximum()) == (0, 4)
    drag_to(slider, 0)  # the initial weights
    initial = window.project.snapshots[0]
    qtbot.waitUntil(lambda: canvas_shows(window, initial), timeout=5000)


def choose_speed(window, qtbot, text: str) -> None:
    """Pick a speed with the keyboard, as a person would (the combo box has the focus)."""
    combo = window.training.speed.combo
    combo.setFocus()
    target = combo.findText(text)
    key = Qt.Key.Key_Down if target > combo.currentIndex() else Qt.Key.Key_Up
    while combo.currentIndex() != target:
        qtbot.keyClick(combo, key)


def test_scrubbed_back_during_a_run_the_views_stay_until_the_end(window, qtbot):
    panel, c = window.training, window.training.controller
    choose_speed(window, qtbot, "20 epochs/s")
    # 10 s at that pace, stopped below: still running when the newer frames are awaited,
    # however slowly a busy machine gets there (60 epochs, 3 s, once ran out first)
    window.training_settings.epochs_spin.setValue(200)
    panel.train_button.click()
    slider = scrubber(window)
    timeline = panel.timeline
    qtbot.waitUntil(lambda: timeline.live_epoch >= 303, timeout=10_000)  # the run goes on
    assert timeline.label.text() == f"epoch {timeline.live_epoch} · live"
    drag_to(slider, 302)  # an epoch of this run, from its keeper
    shown = c.keeper.weights_at(302)
    qtbot.waitUntil(lambda: canvas_shows(window, shown), timeout=5000)
    frames = []
    c.progressChanged.connect(lambda done, _planned: frames.append(done))

    def newer_frames_came():
        assert c.state == "running", f"the run ended at {timeline.live_epoch}"
        assert len(frames) >= 3, f"{len(frames)} frames"
        assert slider.maximum() > 302 + 5, f"the end is at {slider.maximum()}"

    qtbot.waitUntil(newer_frames_came, timeout=10_000)
    # Frames of newer epochs came and moved the end on; the views stayed at epoch 302.
    assert canvas_shows(window, shown) and panel.timeline.shown_epoch == 302
    assert slider.value() == 302 and panel.cost_plot.marked_epoch == 302
    assert not panel.timeline.restore_action.isEnabled()  # not while training

    panel.pause_button.click()
    qtbot.waitUntil(lambda: c.worker.paused, timeout=5000)
    drag_to(slider, 301)
    qtbot.waitUntil(lambda: canvas_shows(window, c.keeper.weights_at(301)), timeout=5000)

    slider.setFocus()
    qtbot.keyClick(slider, Qt.Key.Key_End)  # live again, though paused
    qtbot.waitUntil(lambda: canvas_shows(window, c.latest_weights), timeout=5000)
    with qtbot.waitSignal(c.runFinished, timeout=10_000):
        panel.stop_button.click()


def test_a_slow_speed_paces_the_run_and_stop_is_obeyed_at_once(window, qtbot):
    panel, c = window.training, window.training.controller
    choose_speed(window, qtbot, "5 epochs/s")
    assert c.epoch_interval == 0.2
    start = time.perf_counter()
    train(window, qtbot, 3)
    assert time.perf_counter() - start >= 0.5
    assert window.project.epochs_trained == 303

    choose_speed(window, qtbot, "1 epoch/s")
    window.training_settings.epochs_spin.setValue(10)
    panel.train_button.click()
    qtbot.waitUntil(lambda: c.worker is not None and c.worker.epochs_done >= 1, timeout=10_000)
    worker = c.worker  # now waiting out most of a second before its next epoch
    with qtbot.waitSignal(c.runFinished, timeout=5000):
        start = time.perf_counter()
        panel.stop_button.click()
        assert worker.wait(1000)
        stopped = time.perf_counter() - start
    assert stopped < 0.2  # the training thread ended at once, not after the second
    assert window.project.epochs_trained < 303 + 10


def test_a_new_speed_applies_to_the_running_epoch_at_once(window, qtbot):
    panel, c = window.training, window.training.controller
    choose_speed(window, qtbot, "1 epoch/s")
    window.training_settings.epochs_spin.setValue(20)
    start = time.perf_counter()
    panel.train_button.click()
    qtbot.waitUntil(lambda: c.worker is not None and c.worker.epochs_done >= 1, timeout=10_000)
    with qtbot.waitSignal(c.runFinished, timeout=10_000):
        choose_speed(window, qtbot, "Full speed")
    assert time.perf_counter() - start < 5  # not 20 s at 1 epoch/s
    assert window.project.epochs_trained == 320


def test_the_speed_is_undoable_and_saved_with_the_project(make_window, qtbot, tmp_path):
    window = make_window()
    choose_speed(window, qtbot, "5 epochs/s")
    assert window.project.ui["epochs_per_second"] == 5.0
    window.undo()
    assert window.training.speed.combo.currentText() == "Full speed"
    assert window.training.controller.epoch_interval == 0.0
    window.redo()
    assert window.training.speed.combo.currentText() == "5 epochs/s"
    path = window.project.save(tmp_path / "slow.nnproj")
    reopened = make_window(path)
    assert reopened.training.speed.combo.currentText() == "5 epochs/s"
    assert reopened.training.controller.epoch_interval == 0.2


def test_a_saved_project_reopens_with_its_timeline(make_window, qtbot, tmp_path):
    window = make_window()
    train(window, qtbot, 4)
    path = window.project.save(tmp_path / "timeline.nnproj")
    reopened = make_window(path)
    project = reopened.project
    assert sorted(project.snapshots) == list(range(305))  # the example keeps every epoch
    slider = scrubber(reopened)
    assert (slider.minimum(), slider.maximum()) == (0, 304)
    drag_to(slider, 302)
    qtbot.waitUntil(lambda: canvas_shows(reopened, project.snapshots[302]), timeout=5000)
    assert reopened.training.cost_plot.marked_epoch == 302


def test_pacing_and_scrubbing_leave_what_training_computes_unchanged(window, qtbot):
    panel, c = window.training, window.training.controller
    panel.reset_button.click()
    train(window, qtbot, 8)  # full speed, nobody scrubbing
    fast_history = {k: list(v) for k, v in window.project.history.items()}
    fast_weights = [w.copy() for w in window.project.weights]
    window.undo()
    assert window.project.epochs_trained == 0

    choose_speed(window, qtbot, "20 epochs/s")
    slider = scrubber(window)
    with qtbot.waitSignal(c.runFinished, timeout=30_000):
        panel.train_button.click()
        qtbot.waitUntil(lambda: panel.timeline.live_epoch >= 3, timeout=10_000)
        for epoch in (0, 2, 1):  # the first run's own snapshots, drawn while it trains
            drag_to(slider, epoch)
            qtbot.waitUntil(lambda e=epoch: canvas_shows(window, c.keeper.weights_at(e)))
    assert window.project.history == fast_history
    for got, want in zip(window.project.weights, fast_weights, strict=True):
        np.testing.assert_array_equal(got, want)
