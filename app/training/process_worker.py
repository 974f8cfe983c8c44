"""ProcessWorker: the window's runs, trained in a process of their own.

Looks to the controller like a TrainingWorker (the same signals, controls, snapshots and
result), but the engine runs in a training process (app/training/training_process.py): this
QThread only sends the run there and reads what comes back. Why: trained on a thread of the
window's process the engine shared the GIL with the GUI thread, so it stood aside while each
frame was drawn and still ran 3-7% slower between frames; in a process of its own it trains
at the headless engine's pace while the window draws on the other core (README, round 11).

Callbacks a view reads while the run goes on (the epoch snapshots for the timeline, the
gradient statistics) run in the training process; the objects the controller put in
`extra_callbacks` stay here and take in what their twins there recorded (import_progress),
before the snapshot that shows it is delivered.

One idle training process is kept warm (`prewarm`), so a run starts without Python's start-up;
it is reused run after run and ends with the window (or when its connection closes).
"""

from __future__ import annotations

import atexit
import contextlib
import copy
import os
import socket
import subprocess
import sys
import threading
import traceback
import weakref
from multiprocessing.connection import Connection
from pathlib import Path

from PySide6.QtCore import QThread, Signal

from app.training import wire
from app.training.training_process import RunRequest, tracked
from app.training.worker import RunSpec, Snapshot, SnapshotMailbox, gc_frozen
from engine import utils
from engine.project import RunOutcome

_PROJECT_ROOT = str(Path(__file__).resolve().parents[2])


class TrainingProcess:
    """One training process and the window's end of its connection (a socket pair: the
    process gets the other end as a file descriptor, so nothing else can connect to it)."""

    def __init__(self):
        ours, theirs = socket.socketpair()
        env = dict(os.environ)
        # The training process imports this package wherever it was imported from.
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (_PROJECT_ROOT, env.get("PYTHONPATH", "")) if p
        )
        with ours, theirs:
            fd = theirs.fileno()
            self.process = subprocess.Popen(
                [sys.executable, "-m", "app.training.training_process", str(fd)],
                env=env,
                pass_fds=[fd],
            )
            self.conn = Connection(ours.detach())
        # The prepared data and view setup the process kept from the run that sent them
        # (weak references: the window may drop them meanwhile): a run on the same data
        # sends neither again (for 10,000 x 784 rows they were ~100 MB to pickle and read,
        # 0.1-0.3 s of every run's start).
        self._held: tuple = (None, None)

    def holds(self, prepared, setup) -> tuple[bool, bool]:
        """Whether the process holds these very objects (each), from the last run."""
        return tuple(
            obj is not None and ref is not None and ref() is obj
            for obj, ref in zip((prepared, setup), self._held)
        )

    def hold(self, prepared, setup) -> None:
        """The process was sent these with a run: it keeps them for the next."""
        self._held = tuple(None if obj is None else weakref.ref(obj) for obj in (prepared, setup))

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.process.kill()

    def close(self, timeout: float = 2.0) -> None:
        """End the process: it stops when its connection closes (killed if it does not)."""
        with contextlib.suppress(OSError):
            self.conn.close()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            self.process.wait()


class _Processes:
    """The idle training processes (at most one), handed to one run at a time."""

    def __init__(self):
        self._lock = threading.Lock()
        self._idle: list[TrainingProcess] = []
        self._all: list[TrainingProcess] = []
        atexit.register(self.close_all)

    def prewarm(self) -> None:
        """Start a process now, so the next run need not wait for Python to start."""
        with self._lock:
            self._idle = [p for p in self._idle if p.alive()]
            if not self._idle:
                self._idle.append(self._new())

    def acquire(self) -> TrainingProcess:
        with self._lock:
            while self._idle:
                process = self._idle.pop()
                if process.alive():
                    return process
            return self._new()

    def release(self, process: TrainingProcess, reusable: bool) -> None:
        with self._lock:
            if reusable and process.alive() and not self._idle:
                self._idle.append(process)
                return
        self._forget(process)

    def _new(self) -> TrainingProcess:
        process = TrainingProcess()
        self._all.append(process)
        return process

    def _forget(self, process: TrainingProcess) -> None:
        process.close()
        with self._lock, contextlib.suppress(ValueError):
            self._all.remove(process)

    def close_all(self) -> None:
        with self._lock:
            processes, self._all, self._idle = self._all, [], []
        for process in processes:
            process.close()


processes = _Processes()
# A socket handed to a child process by its number: POSIX (Linux, macOS). Elsewhere the runs
# train on a thread of the window's process, as they did before round 11.
SUPPORTED = os.name == "posix"


class ProcessWorker(QThread):
    """Trains `model` on `prepared` for `spec.epochs` in a training process; see the module
    docstring. The interface is TrainingWorker's."""

    snapshotReady = Signal()
    pausedChanged = Signal(bool)
    in_process = False  # the controller does not tune this process's GIL for it

    def __init__(self, model, prepared, spec: RunSpec, setup=None, parent=None):
        super().__init__(parent)
        self.model = model  # this process's copy: never trained, read for names and shapes
        self.prepared = prepared
        self.spec = spec
        self.setup = setup
        self.result: RunOutcome | None = None
        # The engine's generator now, as the run would find it on a thread of this process.
        self.generator = copy.deepcopy(utils.rng())
        self.extra_callbacks: list = []
        self.epoch_interval = 0.0
        # How the run went in the training process, for benchmarks (empty until it ends):
        # CPU seconds {"run": all, "snapshots": making and sending snapshots} and perf_counter
        # times {"started", "ended"} of its fit.
        self.run_timing: dict = {}
        self.process: TrainingProcess | None = None
        self._lock = threading.Lock()  # one message at a time on the socket
        self._mailbox = SnapshotMailbox()
        self._queued: list | None = []  # controls asked for before the run was sent
        self._post_at: float | None = None
        self._views_wanted = True
        self._paused = False
        self._done = 0
        self._stopping = False

    # ----- controls, from the GUI thread --------------------------------------------------
    def _call(self, name: str, *args) -> None:
        # Under the lock: one message at a time on the socket (two threads writing at once
        # would interleave their bytes).
        with self._lock:
            if self._queued is not None:
                self._queued.append(("call", name, args))
                return
            with contextlib.suppress(OSError, ValueError):  # gone: the reader reports it
                self.process.conn.send(("call", name, args))

    def request_stop(self) -> None:
        self._stopping = True
        self._call("request_stop")

    def pause(self) -> None:
        self._paused = True
        self._call("pause")

    def resume(self) -> None:
        self._paused = False
        self._call("resume")

    def step(self) -> None:
        self._paused = False
        self._call("step")

    def set_epoch_interval(self, seconds: float) -> None:
        self.epoch_interval = max(0.0, float(seconds))
        self._call("set_epoch_interval", self.epoch_interval)

    def set_learning_rate(self, lr: float) -> None:
        self.model.optimizer.learning_rate = float(lr)  # this copy says what the run uses
        self._call("set_learning_rate", float(lr))

    def post_at(self, when: float) -> None:
        # Both: the run may be built from _post_at (on this QThread) just before this
        # call and sent just after it; the call, queued until then, still arrives.
        self._post_at = float(when)
        self._call("post_at", float(when))

    def choose_views(self, choice: tuple) -> None:
        self._call("choose_views", tuple(choice))

    @property
    def views_wanted(self) -> bool:
        return self._views_wanted

    @views_wanted.setter
    def views_wanted(self, wanted: bool) -> None:
        if bool(wanted) != self._views_wanted:
            self._views_wanted = bool(wanted)
            self._call("set_views_wanted", bool(wanted))

    # The training shares no GIL with the window: it never has to stand aside for a frame.
    def begin_gui_frame(self) -> None:
        pass

    def wait_until_aside(self, timeout: float) -> bool:
        return True

    def end_gui_frame(self) -> None:
        pass

    def kill(self) -> None:
        """End a run that does not stop (a wedged engine): its process is killed."""
        process = self.process
        if process is not None:
            process.kill()

    @property
    def epochs_done(self) -> int:
        """Epochs finished in this run, as of the last snapshot received."""
        return self._done

    @property
    def paused(self) -> bool:
        return self._paused

    def take_snapshot(self) -> Snapshot | None:
        return self._mailbox.take()

    # ----- the thread -----------------------------------------------------------------------
    def run(self) -> None:  # noqa: D401 - QThread entry point
        with gc_frozen():  # (why: see gc_frozen)
            self._run()

    def _run(self) -> None:
        reusable = False
        process = None
        try:
            process = self.process = processes.acquire()
            reusable = self._serve(process)
        except (OSError, EOFError) as exc:
            self.result = self._lost(process, exc)
        except Exception as exc:  # noqa: BLE001 - a bug here: reported as the run's failure
            if process is not None:
                process.kill()  # its run goes on unheard otherwise
            self.result = RunOutcome(
                "failed",
                None,
                {},
                self._done,
                message=f"Training failed: {type(exc).__name__}: {exc}",
                error=exc,
                details=traceback.format_exc(),
            )
        finally:
            if process is not None:
                processes.release(process, reusable)

    def _serve(self, process: TrainingProcess) -> bool:
        """Send the run, then take in what comes back until its outcome. True when the
        process ended the run normally (it can serve the next)."""
        conn = process.conn
        prepared_held, setup_held = process.holds(self.prepared, self.setup)
        request = RunRequest(
            model=self.model,
            prepared=None if prepared_held else self.prepared,
            prepared_held=prepared_held,
            spec=self.spec,
            setup=None if setup_held else self.setup,
            setup_held=setup_held,
            view_choice=self.setup.choice if self.setup is not None else None,
            callbacks=list(self.extra_callbacks),
            epoch_interval=self.epoch_interval,
            views_wanted=self._views_wanted,
            post_at=self._post_at,
            generator=self.generator,
        )
        # On this thread, before any control (they queue meanwhile): a big dataset takes a
        # while to send.
        conn.send(("run", request))
        process.hold(self.prepared, self.setup)
        with self._lock:
            queued, self._queued = self._queued, None
            for message in queued:
                conn.send(message)
        mirrors = {i: self.extra_callbacks[i] for i in tracked(self.extra_callbacks)}
        while True:
            message = wire.loads(conn.recv_bytes(), self.setup)
            kind = message[0]
            if kind == "snapshot":
                self._absorb(mirrors, message[2])
                self._deliver(message[1])
            elif kind == "paused":
                self._paused = message[1]
                self.pausedChanged.emit(message[1])
            elif kind == "done":
                self._absorb(mirrors, message[2])
                self.result, self.run_timing = message[1], message[3]
                return True

    @staticmethod
    def _absorb(mirrors: dict, progress: dict) -> None:
        for i, delta in progress.items():
            mirrors[i].import_progress(delta)

    def _deliver(self, snap: Snapshot) -> None:
        self._done = snap.done
        if self._mailbox.put(snap):
            self.snapshotReady.emit()

    def _lost(self, process: TrainingProcess | None, exc: BaseException) -> RunOutcome:
        """The training process went away mid-run (killed, out of memory, a crash)."""
        code = None
        if process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                code = process.process.wait(2.0)
        how = "was stopped" if self._stopping else "ended unexpectedly"
        if code is not None:
            how += f" (exit code {code})"
        return RunOutcome(
            "failed",
            None,
            {},
            self._done,
            message=(
                f"The training process {how}; this run's weights were lost, the project "
                "keeps the weights it had before the run. Train again to retry."
            ),
            error=exc,
        )
