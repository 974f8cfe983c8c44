"""The worker's snapshots carry every epoch's logs exactly once, in order, and they agree with
the run's final history (the worker reads them from the engine's History, and the epoch just
finished from its logs, because the engine records it only after the worker's hook)."""

from __future__ import annotations

import gc
import math

from PySide6.QtCore import Qt
from training_fakes import project_for

from app.training import worker as worker_module
from app.training.prepare import PreparedCache
from app.training.worker import RunSpec, TrainingWorker
from engine.project import runtime


def run_worker(qtbot, epochs: int, batch_size):
    project = project_for("xor", epochs=epochs)
    model = runtime.build_model(project, seed=project.training.seed)
    prepared = PreparedCache().get(project)
    project.training.batch_size = batch_size
    worker = TrainingWorker(model, prepared, RunSpec(epochs=epochs, training=project.training))
    received = []
    # Direct: taken on the worker thread as each snapshot is posted, so none are merged away
    # unseen by the test (take_snapshot is thread-safe).
    worker.snapshotReady.connect(
        lambda: received.append(worker.take_snapshot()), Qt.ConnectionType.DirectConnection
    )
    with qtbot.waitSignal(worker.finished, timeout=20_000):
        worker.start()
    worker.wait()
    return worker, [snap for snap in received if snap is not None]


def test_every_epoch_reaches_the_snapshots_once_and_in_order(qtbot, monkeypatch):
    monkeypatch.setattr(worker_module, "SNAPSHOT_INTERVAL", 0.0)  # a snapshot every epoch
    worker, snaps = run_worker(qtbot, epochs=40, batch_size=16)
    result = worker.result
    assert result.outcome == "finished" and result.epochs == 40
    assert set(result.history) >= {"loss", "val_loss"}
    for key, values in result.history.items():
        assert len(values) == 40 and all(math.isfinite(v) for v in values), key
        streamed = [v for snap in snaps for v in snap.logs.get(key, [])]
        assert streamed == values, key
    assert [snap.done for snap in snaps] == sorted(snap.done for snap in snaps)
    assert snaps[-1].done == 40 and snaps[-1].samples == 40 * len(worker.prepared.x_train)


def test_throttled_snapshots_still_deliver_every_epoch_and_gc_is_unfrozen(qtbot):
    worker, snaps = run_worker(qtbot, epochs=300, batch_size=None)
    history = worker.result.history
    assert len(history["loss"]) == 300
    assert [v for snap in snaps for v in snap.logs["loss"]] == history["loss"]
    assert len(snaps) < 300  # merged: at most ~30 per second
    assert gc.get_freeze_count() == 0  # the run's GC freeze ends with the run
