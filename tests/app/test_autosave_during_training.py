"""Autosave and training: a save that falls due while a run trains waits for the run's end (the
saving thread would take its CPU and GIL from the training thread), then saves with the run's
result in it; a pause lets it through, and a very long run is still saved now and then."""

from __future__ import annotations

import pytest

from app import autosave
from app.training.controller import IDLE, PAUSED, RUNNING
from engine.project import Project

pytest_plugins = ["window_fixtures"]


@pytest.fixture
def training_window(make_window, qtbot):
    window = make_window()
    window.show()
    window.canvas.layerInsertRequested.emit(0, "tanh")  # an unsaved edit before the run
    controller = window.training.controller
    controller.set_speed(100)  # 100 epochs per second: the run lasts while the test looks
    window.project.training.epochs = 2000
    yield window
    controller.stop_and_wait()


def start(window, qtbot):
    controller = window.training.controller
    assert controller.train()
    qtbot.waitUntil(lambda: controller.worker is not None and controller.worker.epochs_done > 0)
    assert controller.state == RUNNING


def test_a_save_due_during_a_run_waits_and_is_made_with_the_run_when_it_ends(
    training_window, qtbot
):
    window, saver = training_window, training_window.autosaver
    before = window.project.epochs_trained
    start(window, qtbot)
    assert saver.save_in_background() is None  # the timer's tick: held back
    assert not saver.recovery_path.exists()
    window.training.controller.stop()
    qtbot.waitUntil(lambda: window.training.controller.state == IDLE, timeout=10_000)
    saver.wait()
    recovered = Project.load(saver.recovery_path)
    trained = window.project.epochs_trained
    assert trained > before
    assert recovered.epochs_trained == trained  # the run's result is in the saved file
    assert [layer.activation for layer in recovered.layers][0] == "tanh"  # and the edit


def test_without_a_held_save_the_end_of_a_run_writes_nothing_extra(training_window, qtbot):
    window, saver = training_window, training_window.autosaver
    start(window, qtbot)
    window.training.controller.stop()
    qtbot.waitUntil(lambda: window.training.controller.state == IDLE, timeout=10_000)
    saver.wait()
    assert not saver.recovery_path.exists()  # the minute's timer decides, as before


def test_a_pause_lets_the_held_save_through(training_window, qtbot):
    window, saver = training_window, training_window.autosaver
    start(window, qtbot)
    assert saver.save_in_background() is None
    window.training.controller.pause()
    qtbot.waitUntil(lambda: window.training.controller.state == PAUSED, timeout=10_000)
    saver.wait()
    assert saver.recovery_path.is_file()


def test_a_long_run_is_saved_once_the_hold_has_lasted_its_limit(
    training_window, qtbot, monkeypatch
):
    window, saver = training_window, training_window.autosaver
    start(window, qtbot)
    assert saver.save_in_background() is None  # held from now on
    monkeypatch.setattr(autosave, "MAX_HOLD_S", 0.0)  # ... and the limit has passed
    thread = saver.save_in_background()
    assert thread is not None
    assert window.training.controller.state == RUNNING
    saver.wait()
    assert saver.recovery_path.is_file()
    monkeypatch.setattr(autosave, "MAX_HOLD_S", 300.0)
    assert saver.save_in_background() is None  # the next tick is held again, for the limit


def slow_saves(monkeypatch, seconds: float) -> None:
    import time

    real_save = Project.save

    def slow_save(project, path):
        time.sleep(seconds)  # a large history or embedded dataset takes a while to write
        real_save(project, path)

    monkeypatch.setattr(Project, "save", slow_save)


def test_a_run_starts_once_a_save_in_progress_is_written(training_window, monkeypatch):
    window, saver = training_window, training_window.autosaver
    slow_saves(monkeypatch, 0.6)
    thread = saver.save_in_background()
    assert thread is not None and thread.is_alive()
    assert window.training.controller.train()
    assert not thread.is_alive()  # written before the worker started, not beside it
    assert saver.recovery_path.is_file()
    assert window.training.controller.state == RUNNING


def test_a_run_waits_for_a_long_save_one_second_at_most(training_window, monkeypatch):
    import time

    window, saver = training_window, training_window.autosaver
    slow_saves(monkeypatch, 3.0)
    thread = saver.save_in_background()
    started = time.perf_counter()
    assert window.training.controller.train()
    waited = time.perf_counter() - started
    assert autosave.SAVE_BEFORE_RUN_S <= waited < 2.5
    assert thread.is_alive()  # still writing; the run goes on beside it
    assert window.training.controller.state == RUNNING
    saver.wait()
    assert saver.recovery_path.is_file()
