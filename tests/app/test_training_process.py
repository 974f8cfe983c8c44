"""The window's runs train in a process of their own (app/training/process_worker.py): the
engine there is the one that trains, the window's controls reach it, and a process that dies
mid-run is reported without losing anything of the project."""

from __future__ import annotations

import os

import numpy as np
import pytest
from training_fakes import finish, project_for

from app.training.process_worker import SUPPORTED, TrainingProcess

pytest_plugins = ["panel_fixtures"]
pytestmark = pytest.mark.skipif(not SUPPORTED, reason="runs train on a thread here")
LONG = 1_000_000


def test_the_engine_of_another_process_trains_the_run(qtbot, make_panel, monkeypatch):
    from engine.project import runtime

    def not_here(*args, **kwargs):
        raise AssertionError("the window's process trained the run")

    monkeypatch.setattr(runtime, "fit_run", not_here)
    window, panel = make_panel(project_for("moons", epochs=30))
    pids = []
    panel.controller.stateChanged.connect(
        lambda _state: panel.controller.worker is not None and pids.append(panel.controller.worker)
    )
    panel.controller.train()
    result = finish(qtbot, panel)
    assert result.outcome == "finished" and window.project.epochs_trained == 30
    assert len(window.project.history["loss"]) == 30
    assert pids and pids[0].process.pid != os.getpid()


def test_a_new_learning_rate_reaches_the_training_process(qtbot, make_panel):
    window, panel = make_panel(project_for("xor", epochs=LONG, learning_rate=0.05))
    c = panel.controller
    seen = []
    c.weightsUpdated.connect(lambda weights: seen.append([np.array(w) for w in weights]))
    c.train()
    qtbot.waitUntil(lambda: len(seen) >= 2, timeout=10_000)
    assert not np.allclose(seen[-1][0], seen[-2][0], atol=1e-6)  # it learns
    window.edit(learning_rate=1e-12)  # Adam's steps are about the learning rate in size
    qtbot.wait(500)  # an epoch or two may still have the old rate
    count = len(seen)
    qtbot.waitUntil(lambda: len(seen) >= count + 2, timeout=10_000)
    np.testing.assert_allclose(seen[-1][0], seen[-2][0], atol=1e-8)
    c.stop()
    finish(qtbot, panel)


def test_a_training_process_that_dies_is_reported_and_the_project_keeps_its_state(
    qtbot, make_panel
):
    window, panel = make_panel(project_for("xor", epochs=LONG))
    c = panel.controller
    before = window.undo_stack.count()
    c.train()
    qtbot.waitUntil(lambda: c.worker is not None and c.worker.epochs_done > 0, timeout=10_000)
    c.worker.process.kill()  # as the system's out-of-memory killer would
    result = finish(qtbot, panel)
    assert result.outcome == "failed"
    text = panel.banner.label.text()
    assert "training process ended unexpectedly" in text and "Train again" in text
    assert window.project.epochs_trained == 0 and window.undo_stack.count() == before
    assert c.state == "idle"
    window.project.training.epochs = 5
    c.train()  # a new process trains the next run
    assert finish(qtbot, panel).outcome == "finished"
    assert window.project.epochs_trained == 5


def test_a_training_process_ends_when_the_window_closes_its_connection():
    process = TrainingProcess()
    assert process.alive()
    process.close(timeout=30)
    assert process.process.returncode == 0  # it ended by itself, not killed


def test_a_failure_in_the_window_s_end_of_a_run_is_reported_not_lost(
    qtbot, make_panel, monkeypatch
):
    from app.training import process_worker

    def broken(worker, snap):
        raise RuntimeError("simulated bug reading a snapshot")

    monkeypatch.setattr(process_worker.ProcessWorker, "_deliver", broken)
    window, panel = make_panel(project_for("xor", epochs=LONG))
    c = panel.controller
    c.train()
    result = finish(qtbot, panel)
    assert result.outcome == "failed" and "simulated bug" in result.details
    assert "Training failed: RuntimeError: simulated bug" in panel.banner.label.text()
    assert window.project.epochs_trained == 0 and c.state == "idle"
    monkeypatch.undo()
    window.project.training.epochs = 5
    c.train()  # the killed process is replaced
    assert finish(qtbot, panel).outcome == "finished"


def test_the_training_process_keeps_nothing_of_a_run_that_ended(qtbot):
    """Each run's worker and its callbacks referred to each other: the idle process kept
    every run it had trained (its memory grew ~3 MB a run)."""
    import copy
    import gc
    import threading
    import time
    from multiprocessing import Pipe

    from app.training import training_process
    from app.training.prepare import PreparedCache
    from app.training.worker import RunSpec
    from engine import utils
    from engine.project import Project, runtime
    from engine.snapshot_keeper import EpochSnapshots

    window_end, process_end = Pipe()
    server = threading.Thread(target=training_process.serve, args=(process_end,))
    server.start()
    project = Project.course()
    prepared = PreparedCache().get(project)

    def live_runs():
        gc.collect()
        return sum(isinstance(o, training_process._Run) for o in gc.get_objects())

    try:
        for _ in range(3):
            request = training_process.RunRequest(
                model=runtime.build_model(project, seed=0),
                prepared=prepared,
                spec=RunSpec(epochs=5, training=project.training),
                callbacks=[EpochSnapshots()],
                generator=copy.deepcopy(utils.rng()),
            )
            window_end.send(("run", request))
            while (message := window_end.recv())[0] != "done":
                pass
            assert message[1].outcome == "finished" and message[1].epochs == 5
        deadline = time.monotonic() + 10
        while live_runs() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert live_runs() == 0
    finally:
        window_end.close()  # the process side stops serving
        server.join(10)
    assert not server.is_alive()


def test_the_process_trains_a_model_built_there_exactly_like_the_window_s():
    """A model that arrived pickled trained 2-4% more slowly than one built in the process:
    the process builds it anew from its description and weights, losing nothing."""
    import pickle

    from app.training.training_process import built_here
    from engine.project import LayerSpec, runtime
    from engine.utils import set_random_seed

    project = project_for("moons", epochs=30, learning_rate=0.03)
    project.layers = [LayerSpec(6, "tanh", l2=0.01), LayerSpec(1, "sigmoid")]
    window_model = runtime.build_model(project, seed=1)
    window_model.optimizer.learning_rate = 0.02  # changed in the window before the run
    sent = pickle.loads(pickle.dumps(window_model))
    here = built_here(sent)
    assert here is not sent
    assert here.get_config() == window_model.get_config()
    assert here.get_compile_config() == window_model.get_compile_config()
    assert here.layers[0].kernel_regularizer is not None
    prepared = runtime.prepare_data(project)
    histories = []
    for model in (window_model, here):
        set_random_seed(7)
        outcome = runtime.fit_run(model, prepared, project.training, 30)
        histories.append(outcome.history["loss"])
    np.testing.assert_array_equal(histories[0], histories[1])
