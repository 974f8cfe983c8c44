"""The worker makes snapshots for the window's frames, not ~30 a second to be merged unseen,
and each frame still shows the run as it is when the frame is drawn."""

from __future__ import annotations

import time

import pytest
from training_fakes import FakeHost, project_for

from app.training import controller as controller_module
from app.training import worker as worker_module
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
    posts, frames = [], []
    post = worker_module.TrainingWorker._post

    def counted_post(worker, *args, **kwargs):
        posts.append(time.perf_counter())
        return post(worker, *args, **kwargs)

    monkeypatch.setattr(worker_module.TrainingWorker, "_post", counted_post)
    controller = panel.controller

    # A frame's snapshot against the run when it is drawn: (its epochs, the worker's, when).
    def drawn(done, _planned):
        if controller.worker is not None and done:
            frames.append((done, controller.worker.epochs_done, time.perf_counter()))

    controller.progressChanged.connect(drawn)
    started = time.perf_counter()
    controller.train()
    qtbot.wait(3000)
    assert controller.state == "running"
    controller.stop()
    qtbot.waitUntil(lambda: controller.state == "idle", timeout=10_000)
    # Made ~30 times a second before, whatever the frames' pace (the frames here are a few
    # a second: each redraw's cost sets its pace).
    assert len(frames) >= 4
    assert len(posts) <= len(frames) + 3, (len(posts), len(frames))
    # Made when the frame is due: a frame shows the epochs of at most a moment ago, not of
    # the previous frame's time.
    epochs_per_second = frames[-1][1] / (frames[-1][2] - started)
    lags = sorted((now - shown) / epochs_per_second for shown, now, _ in frames[1:-1])
    assert lags[len(lags) // 2] < 0.1, lags
