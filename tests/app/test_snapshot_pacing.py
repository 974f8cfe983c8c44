"""The worker makes snapshots for the window's frames, not ~30 a second to be merged unseen,
and each frame still shows the run as it is when the frame is drawn."""

from __future__ import annotations

import time

import pytest
from training_fakes import FakeHost, project_for

from app.training import controller as controller_module
from app.training import process_worker
from app.training.integration import attach_training

LONG = 1_000_000


@pytest.fixture
def panel(qtbot, monkeypatch):
    # A generous frame budget: several frames a second, whatever this machine's speed.
    monkeypatch.setattr(controller_module, "FRAME_BUDGET", 0.5)
    window = FakeHost(project_for("xor", epochs=LONG))
    window.project.training.batch_size = None  # full batch: thousands of epochs a second
    qtbot.addWidget(window)
    panel = attach_training(window)
    window.show()
    yield panel
    panel.controller.shutdown()


def test_snapshots_are_made_for_the_frames_that_show_them(qtbot, panel, monkeypatch):
    """The training process sends a snapshot for each frame, made when the frame is due."""
    posts, frames = [], []
    deliver = process_worker.ProcessWorker._deliver

    def counted_deliver(worker, snap):
        posts.append(snap.made_at)
        return deliver(worker, snap)

    monkeypatch.setattr(process_worker.ProcessWorker, "_deliver", counted_deliver)
    controller = panel.controller
    apply_progress = controller._apply_progress

    # A frame's snapshot against the time it is drawn.
    def drawn(snap, *args, **kwargs):
        if snap.done:
            frames.append((snap.made_at, time.perf_counter()))
        return apply_progress(snap, *args, **kwargs)

    monkeypatch.setattr(controller, "_apply_progress", drawn)
    controller.train()
    # From the first frame on (a training process just started may still be warming up).
    qtbot.waitUntil(lambda: bool(frames), timeout=30_000)
    qtbot.wait(3000)
    assert controller.state == "running"
    controller.stop()
    qtbot.waitUntil(lambda: controller.state == "idle", timeout=10_000)
    # Made ~30 times a second before, whatever the frames' pace (the frames here are a few
    # a second: each redraw's cost sets its pace).
    assert len(frames) >= 4
    assert len(posts) <= len(frames) + 3, (len(posts), len(frames))
    # Made when the frame is due: a frame shows the run of at most a moment ago, not of the
    # previous frame's time.
    lags = sorted(drawn_at - made_at for made_at, drawn_at in frames[1:-1])
    assert lags[len(lags) // 2] < 0.1, lags
