"""A run's end is two turns of the GUI thread's event loop, its final state shown and then
recorded, so the window answers in between (together they were its longest stall)."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer
from training_fakes import FakeHost, project_for

from app.training.integration import attach_training


def test_the_final_state_is_shown_then_recorded_in_a_later_turn(qtbot):
    window = FakeHost(project_for("moons", epochs=40))
    qtbot.addWidget(window)
    panel = attach_training(window)
    window.show()
    c = panel.controller
    order = []

    def progress(done, planned):
        if done == planned and "final shown" not in order:
            order.append("final shown")
            # A timer that falls due while the final state is shown (as a 10-ms timer of the
            # window would): it fires before the recording only if the recording waits for
            # a later turn of the event loop, after the timers that are due.
            QTimer.singleShot(1, lambda: order.append("event loop turned"))
            time.sleep(0.005)

    c.progressChanged.connect(progress)
    c.runFinished.connect(lambda _result: order.append("recorded"))
    c.train()
    qtbot.waitUntil(lambda: "recorded" in order, timeout=20_000)
    assert order[:3] == ["final shown", "event loop turned", "recorded"], order
    assert window.project.epochs_trained == 40 and c.state == "idle" and c.worker is None
    c.shutdown()


def test_a_stop_and_wait_between_the_turns_records_the_run_once(qtbot):
    window = FakeHost(project_for("moons", epochs=40))
    qtbot.addWidget(window)
    panel = attach_training(window)
    window.show()
    c = panel.controller
    finished = []
    c.runFinished.connect(finished.append)

    def progress(done, planned):
        if done == planned and c.worker is not None and not finished:
            # e.g. an edit's guard right after the run's final state was shown
            QTimer.singleShot(0, lambda: c.stop_and_wait())

    c.progressChanged.connect(progress)
    c.train()
    qtbot.waitUntil(lambda: bool(finished), timeout=20_000)
    qtbot.wait(100)
    assert len(finished) == 1 and window.undo_stack.count() == 1
    assert window.project.epochs_trained == 40 and c.state == "idle"
    c.shutdown()
