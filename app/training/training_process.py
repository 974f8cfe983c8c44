"""The training process: where the window's runs train (started by process_worker.py).

Why a process: in the window's own process the engine and the GUI thread share one GIL, so
the training had to stand aside while a frame was drawn, and the two still slowed each other
between frames (see the README's round 11). Here the run is a TrainingWorker as before, run on
this process's main thread; the window keeps a ProcessWorker that looks the same to the rest
of the app.

    python -m app.training.training_process FD     (FD: its end of a socket pair)

It serves runs one after another until the window closes the connection. Messages are pickled
tuples:
  window -> here: ("run", RunRequest), ("call", method name, args) for the worker's controls.
  here -> window (pickled by app/training/wire.py, the run's view setup's largest inputs by
  name): ("snapshot", Snapshot, progress), ("paused", bool),
                  ("done", RunOutcome, progress, {"run": CPU seconds of the run,
                  "snapshots": of them making and sending snapshots, "started" and "ended":
                  its perf_counter times}) (for benchmarks).
progress: {index in the run's callbacks: what that callback's export_progress returned}, for
the callbacks the window reads while a run goes on (the epoch snapshots, gradient statistics).
"""

from __future__ import annotations

import gc
import pickle
import queue
import signal
import sys
import threading
import time
from dataclasses import dataclass, field

from app.training import wire


@dataclass
class RunRequest:
    """Everything a run needs, as the window built it (see TrainingWorker's arguments)."""

    model: object
    prepared: object  # None with prepared_held: the data of the process's last run
    spec: object
    setup: object = None  # None with setup_held: the last run's (its choice then view_choice)
    prepared_held: bool = False
    setup_held: bool = False
    view_choice: tuple | None = None  # the window's setup's .choice (the plane, the rows)
    callbacks: list = field(default_factory=list)
    epoch_interval: float = 0.0
    views_wanted: bool = True
    post_at: float | None = None  # time.perf_counter() times are the machine's monotonic clock
    # The engine's generator as the window left it: the run shuffles as it would have there,
    # so a run's history is the same as on a thread of the window (or from the command line).
    generator: object = None


def tracked(callbacks) -> list[int]:
    """The indices of the callbacks whose progress travels to the window."""
    return [i for i, cb in enumerate(callbacks) if hasattr(cb, "export_progress")]


class _Run:
    """One run here: the worker, and what of its callbacks the window already has."""

    def __init__(self, request: RunRequest, send):
        from PySide6.QtCore import Qt

        from app.training.worker import TrainingWorker
        from engine.utils import install_generator

        self.send = send
        model = built_here(request.model)  # (before the generator: building draws weights)
        if request.generator is not None:
            install_generator(request.generator)
        worker = TrainingWorker(model, request.prepared, request.spec, request.setup)
        worker.extra_callbacks = list(request.callbacks)
        worker.epoch_interval = request.epoch_interval
        worker.views_wanted = request.views_wanted
        if request.post_at is not None:
            worker.post_at(request.post_at)
        self.worker = worker
        self.snapshot_cpu = 0.0  # CPU seconds spent making and sending snapshots
        worker._post = self._timed(worker._post)
        self._marks = {i: None for i in tracked(worker.extra_callbacks)}
        # Emitted on the training thread; sent from it at once (the worker's one-slot mailbox
        # is emptied each time, so every post notifies).
        direct = Qt.ConnectionType.DirectConnection
        worker.snapshotReady.connect(self._send_snapshot, direct)
        worker.pausedChanged.connect(lambda paused: self.send(("paused", bool(paused))), direct)

    def _timed(self, post):
        def timed_post(*args, **kwargs):
            began = time.thread_time()
            try:
                return post(*args, **kwargs)
            finally:
                self.snapshot_cpu += time.thread_time() - began

        return timed_post

    def progress(self) -> dict:
        callbacks = self.worker.extra_callbacks
        out = {}
        for i, mark in self._marks.items():
            out[i], self._marks[i] = callbacks[i].export_progress(mark)
        return out

    def _send_snapshot(self) -> None:
        began = time.thread_time()
        snap = self.worker.take_snapshot()
        if snap is not None:
            self.send(("snapshot", snap, self.progress()))
        self.snapshot_cpu += time.thread_time() - began

    def close(self) -> None:
        """Drop the worker's connections to this run (a cycle: each refers to the other), so
        the run is freed when the process is idle again (its memory grew ~3 MB a run)."""
        self.worker.snapshotReady.disconnect()
        self.worker.pausedChanged.disconnect()
        self.worker = None

    def execute(self) -> None:
        began, started = time.thread_time(), time.perf_counter()
        self.worker.run()  # this thread: the process has nothing else to do meanwhile
        self._send_snapshot()  # anything posted and not yet sent
        cpu = {
            "run": time.thread_time() - began,
            "snapshots": self.snapshot_cpu,
            "started": started,
            "ended": time.perf_counter(),
        }
        self.send(("done", _sendable(self.worker.result), self.progress(), cpu))


def built_here(model):
    """The window's model built anew in this process, from its description, compile settings
    and weights. Why: the model as unpickled trained 2-4% more slowly than the same model
    built here (the default project, pairs of 10,000-epoch fits in one process: 1.025-1.037x;
    rebuilt: 1.003x), for a reason not found (the same code path, arrays with the same
    flags). Nothing is lost: the window's model has never trained, so its optimizer holds
    no state, and the weights drawn here are replaced by the window's."""
    from engine.sequential import Sequential

    if not model.built or not model.compiled:
        return model
    fresh = Sequential.from_config(model.get_config())
    fresh.compile_from_config(model.get_compile_config())
    fresh.set_weights(model.get_weights())
    return fresh


def _sendable(result):
    """The outcome, with its exception replaced by a plain one if that one cannot travel
    (an exception class with its own constructor arguments may not unpickle)."""
    if result is not None and result.error is not None:
        try:
            pickle.loads(pickle.dumps(result.error))
        except Exception:  # noqa: BLE001 - whatever it is, its text still reaches the person
            result.error = RuntimeError(f"{type(result.error).__name__}: {result.error}")
    return result


def hold(held: dict, request: RunRequest) -> RunRequest:
    """The request with the data and setup this process holds put in (or kept for later)."""
    for name in ("prepared", "setup"):
        if getattr(request, f"{name}_held"):
            setattr(request, name, held[name])
        else:
            held[name] = getattr(request, name)
    if request.setup is not None and request.view_choice is not None:
        request.setup.choose(request.view_choice)
    return request


def serve(conn) -> None:
    """Serve runs from `conn` until the window closes it."""
    send_lock = threading.Lock()

    def send(message) -> None:
        data = wire.dumps(message)
        with send_lock:
            conn.send_bytes(data)

    runs: queue.Queue = queue.Queue()
    held = {"prepared": None, "setup": None}  # kept from run to run, see RunRequest
    current: list[_Run | None] = [None]  # the run the window's controls are for
    switching = threading.Lock()

    def read() -> None:
        # The window's controls arrive while a run trains: read on a thread of their own and
        # handed to the worker as the window's GUI thread used to (thread-safe flags).
        try:
            while True:
                message = conn.recv()
                if message[0] == "run":
                    run = _Run(hold(held, message[1]), send)
                    with switching:
                        current[0] = run
                    runs.put(run)
                elif message[0] == "call":
                    with switching:
                        run = current[0]
                    if run is not None:
                        getattr(run.worker, message[1])(*message[2])
                run = message = None  # no reference kept here to a run that has ended
        except (EOFError, OSError):
            pass  # the window closed the connection (or went away): stop serving
        finally:
            with switching:
                run = current[0]
            if run is not None:
                run.worker.request_stop()
            runs.put(None)

    threading.Thread(target=read, name="window-requests", daemon=True).start()
    while (run := runs.get()) is not None:
        try:
            run.execute()
        except (EOFError, OSError):
            break  # the window is gone: nobody to send the outcome to
        # An idle process holds no run's data (a late control for it has nothing to do).
        with switching:
            if current[0] is run:
                current[0] = None
        run.close()
        del run
        gc.collect()  # while idle: the run's model, data and snapshots, at once


def warm_up() -> None:
    """Train the course project for a few epochs, views and snapshots included, before the
    first run: a process's first fit loads and warms what every later one uses (measured:
    the window's first 2,000-epoch run took 1.45 s against 0.6-1.0 s for the next ones)."""
    import app.training.worker  # noqa: F401 - what a run is made of (with Qt's core)
    from app.training.prepare import PreparedCache
    from app.training.views import ViewSetup, compute_views
    from engine.project import Project, runtime
    from engine.snapshot_keeper import EpochSnapshots

    project = Project.course()
    model = runtime.build_model(project, seed=0)
    prepared = PreparedCache().get(project)
    runtime.fit_run(model, prepared, project.training, 20, callbacks=[EpochSnapshots()])
    compute_views(model, ViewSetup.for_project(project, prepared))


def main() -> None:
    from multiprocessing.connection import Connection

    # Ctrl+C in a terminal reaches the whole process group: the window decides, not this.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with Connection(int(sys.argv[1])) as conn:
        warm_up()  # a run sent meanwhile waits in the connection
        serve(conn)


if __name__ == "__main__":
    main()
