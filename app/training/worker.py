"""The training worker: a QThread that runs model.fit on its own copy of the model.

The GUI thread never calls the worker's model, with two exceptions, each one plain attribute
assignment, atomic under the GIL and read by the engine only between batches: a new learning
rate (`model.optimizer.learning_rate`, set_learning_rate) and `model.stop_training` (stop).
Everything else goes in through thread-safe flags (stop, pause, step) that a callback checks
between batches or epochs, and a pace (epoch_interval, see set_epoch_interval); results come
out through a one-slot mailbox of `Snapshot`s and the `snapshotReady` signal. The mailbox holds
at most one undelivered snapshot (newer ones are merged into it), so a slow GUI never builds a
queue, and snapshots are throttled to at most ~30 per second whatever the epoch rate. A GUI
that draws less often says when it will draw next (post_at): snapshots are then made for its
frames only. The last state is always delivered before the thread finishes.
"""

from __future__ import annotations

import contextlib
import gc
import math
import threading
import time
import traceback
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QThread, Signal

from app.training.views import ViewSetup, ViewUpdate, compute_views
from engine.callbacks import Callback
from engine.errors import EngineError
from engine.project import RunOutcome, TrainingSpec, runtime

SNAPSHOT_INTERVAL = 1.0 / 30.0  # at most ~30 snapshots per second
VIEW_INTERVAL = 0.1  # views (grid prediction, histograms) at most 10 times per second
VIEW_BUDGET = 0.015  # ...and never more than 1.5% of the worker's time, for big models
GUI_WAIT_MAX = 0.25  # seconds the worker waits for a GUI frame at most (never stalls)
# A GUI that set post_at gets a snapshot at least this often even if it never sets it again.
POST_AT_FALLBACK = 2.0


@dataclass
class RunSpec:
    """One run. epochs: epochs in this run; initial_epoch: epochs already trained (the run's
    epochs are numbered after them); training: the project's batch size, shuffling, ...
    (runtime.fit_run reads them)."""

    epochs: int
    initial_epoch: int = 0
    training: TrainingSpec = field(default_factory=TrainingSpec)


@dataclass
class Snapshot:
    """The worker's state after some epochs. logs: per-epoch values ("loss", "val_loss", ...)
    of every epoch finished since the previous delivered snapshot, in order; weights: a copy
    of the model's weights [W1 (in, out), b1, ...] or None; views: None when not recomputed."""

    epoch: int  # epochs trained in total (initial_epoch + done)
    done: int  # epochs finished in this run
    planned: int  # epochs planned for this run
    logs: dict[str, list[float]] = field(default_factory=dict)
    weights: list[np.ndarray] | None = None
    views: ViewUpdate | None = None
    active_seconds: float = 0.0  # training time of this run, pauses excluded
    samples: int = 0  # training samples processed in this run
    # When it was made (time.perf_counter(): the machine's monotonic clock, the same in the
    # training process and the window's)
    made_at: float = 0.0

    def absorb(self, newer: Snapshot) -> None:
        """Merge a newer snapshot into this undelivered one (logs appended, rest replaced)."""
        for key, values in newer.logs.items():
            self.logs.setdefault(key, []).extend(values)
        self.epoch, self.done, self.planned = newer.epoch, newer.done, newer.planned
        self.active_seconds, self.samples = newer.active_seconds, newer.samples
        self.made_at = newer.made_at
        if newer.weights is not None:
            self.weights = newer.weights
        if newer.views is not None:
            self.views = newer.views


class SnapshotMailbox:
    """At most one undelivered snapshot: a newer one is merged into it (Snapshot.absorb), so
    a GUI that reads slowly never builds a queue. Thread-safe."""

    def __init__(self):
        self._lock = threading.Lock()
        self._snap: Snapshot | None = None

    def put(self, snap: Snapshot) -> bool:
        """Leave `snap`; True when the mailbox was empty (the reader must be told)."""
        with self._lock:
            if self._snap is None:
                self._snap = snap
                return True
            self._snap.absorb(snap)
            return False

    def take(self) -> Snapshot | None:
        with self._lock:
            snap, self._snap = self._snap, None
        return snap

    @property
    def holds_views(self) -> bool:
        """Whether views wait in it undelivered (new ones would replace them unseen)."""
        snap = self._snap
        return snap is not None and snap.views is not None


@contextlib.contextmanager
def gc_frozen():
    """The objects that exist now are exempt from the garbage collector until the block ends.

    Both workers run inside it. While a run trains on a thread of the window, the GUI's
    objects (Qt wrappers, pyqtgraph items, ~10^6 of them) are spared the full scans: one
    took 60-90 ms holding the GIL, stalling the window and the training alike, and training
    creates no lasting garbage. Where the thread only reads the training process's messages,
    it allocates, so a collection may run on it, and a full one would destroy the GUI's
    unreachable Qt objects off the GUI thread (a crash, in 200 rapid Train/Stop cycles).
    Process-wide (the controller runs one run at a time); unfrozen at the end, so garbage
    from before the run is collected then."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


class TrainingWorker(QThread):
    """Trains `model` (already built and compiled, owned by this thread from now on) on
    `prepared` (x_train, y_train, x_val, y_val) for `spec.epochs` epochs.

    Signals (emitted on the worker thread, delivered queued to GUI-thread receivers):
    snapshotReady() -- call take_snapshot(); pausedChanged(bool)."""

    snapshotReady = Signal()
    pausedChanged = Signal(bool)
    in_process = True  # shares the window's GIL (the controller tunes its switch interval)

    def __init__(self, model, prepared, spec: RunSpec, setup: ViewSetup | None = None, parent=None):
        super().__init__(parent)
        self.model = model
        self.prepared = prepared
        self.spec = spec
        self.setup = setup
        self.result: RunOutcome | None = None
        # Engine callbacks a view asked for (e.g. gradient statistics); none by default, so
        # a run nobody watches that closely pays nothing for them.
        self.extra_callbacks: list = []
        self._mailbox = SnapshotMailbox()
        self._stop = threading.Event()
        self._resume = threading.Event()  # set = running, clear = paused
        self._resume.set()
        # The pace: at least this many seconds from the start of one epoch to the next (0:
        # full speed). A float assigned by the GUI thread; _wake ends a wait for the pace at
        # once when the GUI asks for something (stop, pause, another pace).
        self.epoch_interval = 0.0
        self._wake = threading.Event()
        self._epoch_began = 0.0
        self.resting = False  # True while waiting for the pace: the GUI need not wait for it
        # Cleared by the GUI thread while it draws a frame: the worker steps aside (between
        # batches) so the frame is not slowed by fighting over the GIL, see wait_for_gui.
        self.gui_idle = threading.Event()
        self.gui_idle.set()
        self.stepped_aside = threading.Event()  # set: the worker waits for the GUI's frame
        self._step_pause = False  # pause again at the end of the current epoch
        # Set (after the request itself) by every request from another thread: the batch
        # hook then costs one attribute check when nothing is asked, keeping the loop lean.
        self._attention = False
        # The engine's History of the running fit (name -> per-epoch values, set when the fit
        # begins): the worker keeps no per-epoch record of its own, so an epoch costs it only
        # a counter and a clock read; per-key series are sliced from it when a snapshot is
        # posted. (A dict kept per epoch also cost memory and garbage-collector time.)
        self._history: dict[str, list[float]] = {}
        self._latest_logs: dict[str, float] = {}  # the logs of the epoch last finished
        self._sent = 0  # epochs already in a snapshot
        # Set by the GUI when it has drawn the last views and could show new ones: views are
        # then computed once per redraw, not at their maximum rate.
        self.views_wanted = True
        self._done = 0
        self._active = 0.0
        self._started = 0.0
        self._last_post = 0.0
        # The next snapshot is made at the first epoch end from this time on (perf_counter
        # seconds): SNAPSHOT_INTERVAL after the last one, or when the GUI draws next
        # (post_at). One comparison per epoch.
        self._post_after = 0.0
        self._gui_paced = False  # whether the GUI said when it draws (post_at)
        self._last_view = -math.inf
        self._view_cost = 0.0
        self._n_train = int(len(prepared.x_train))
        try:
            work = self._n_train * model.count_params()
        except EngineError:  # not built yet: assume a big network, check between batches
            work = BATCH_HOOK_MIN_WORK
        self.batch_hooks = work >= BATCH_HOOK_MIN_WORK

    # ----- control, from any thread -------------------------------------------------------
    def request_stop(self) -> None:
        """Stop after the current batch (also wakes a paused worker)."""
        self._stop.set()
        self.model.stop_training = True
        self._resume.set()
        self._attention = True
        self._wake.set()

    def pause(self) -> None:
        self._resume.clear()
        self._attention = True
        self._wake.set()

    def resume(self) -> None:
        self._step_pause = False
        self._resume.set()

    def step(self) -> None:
        """While paused: run to the end of the current epoch, then pause again."""
        self._step_pause = True
        self._resume.set()
        self._attention = True  # the epoch-end hook checks _step_pause only when asked

    def set_epoch_interval(self, seconds: float) -> None:
        """Pace the run: each epoch starts at least `seconds` after the one before began (0:
        as fast as possible). Applies at once, also to an epoch already waiting."""
        self.epoch_interval = max(0.0, float(seconds))
        self._wake.set()

    def set_learning_rate(self, lr: float) -> None:
        """Applies from the next batch: the optimizer reads its learning rate, a plain float
        whose assignment is atomic, once at the start of each step."""
        self.model.optimizer.learning_rate = float(lr)

    def post_at(self, when: float) -> None:
        """GUI thread: it will draw its next frame at `when` (a time.perf_counter() time), so
        the next snapshot is wanted then, not before. Why: the window redraws every second or
        two, and every snapshot in between (~30 a second) was merged unseen into the waiting
        one: making snapshots took 67-80 ms of the training thread in a 20,000-epoch run of
        the default project on this machine, 32-38 ms made only for frames (views included).
        Until the GUI sets it again, the worker posts at most POST_AT_FALLBACK later."""
        self._gui_paced = True
        self._post_after = max(float(when), self._last_post + SNAPSHOT_INTERVAL)

    def choose_views(self, choice: tuple) -> None:
        """The person chose another plane or other rows for the output view (ViewSetup.choice):
        the views computed from now on show them. On a thread of the window the setup is the
        window's own and already changed; a training process's copy changes here."""
        if self.setup is not None:
            self.setup.choose(choice)

    def set_views_wanted(self, wanted: bool) -> None:
        """The GUI shows the last views and could show new ones (see views_wanted)."""
        self.views_wanted = bool(wanted)

    def begin_gui_frame(self) -> None:
        """The GUI thread starts drawing: the worker steps aside at its next batch."""
        self.stepped_aside.clear()
        self.gui_idle.clear()
        self._attention = True

    def wait_until_aside(self, timeout: float) -> bool:
        """GUI thread, after begin_gui_frame: wait (without the GIL) until the worker has
        stepped aside, so the frame is drawn with the GIL to itself. Without this wait a frame
        began while the worker was mid-epoch or computing the views, and the two convoyed on
        the GIL: a 2 ms view computation took 15-20 ms and the frame as long. The wait is at
        most the rest of one epoch or batch; False after `timeout` seconds."""
        if self.paused or self.resting or self.isFinished():
            return True
        return self.stepped_aside.wait(timeout)

    def end_gui_frame(self) -> None:
        self.gui_idle.set()

    @property
    def epochs_done(self) -> int:
        """Epochs finished in this run so far (read from any thread: an int, set atomically)."""
        return self._done

    @property
    def paused(self) -> bool:
        return not self._resume.is_set()

    def take_snapshot(self) -> Snapshot | None:
        """The undelivered snapshot, if any (GUI thread)."""
        return self._mailbox.take()

    # ----- the thread ---------------------------------------------------------------------
    def run(self) -> None:  # noqa: D401 - QThread entry point
        with gc_frozen():
            self._run()

    def _run(self) -> None:
        try:
            self.result = self._train()
        except BaseException as exc:  # noqa: BLE001 - never lost, never fatal: reported to the GUI
            self.result = RunOutcome(
                "failed",
                None,
                self._series(0),
                self._done,
                message=f"Training failed: {type(exc).__name__}: {exc}",
                error=exc,
                details=traceback.format_exc(),
            )
            with contextlib.suppress(BaseException):
                self._post(force=True, with_views=False)

    def _train(self) -> RunOutcome:
        spec = self.spec
        # The views shown when the run starts are the project's own: the first new ones are
        # due a view interval later.
        self._started = self._epoch_began = self._last_view = time.perf_counter()
        if self._stop.is_set() or spec.epochs <= 0:
            return RunOutcome("stopped", self._weights(), {}, 0)
        outcome = runtime.fit_run(
            self.model,
            self.prepared,
            spec.training,
            spec.epochs,
            spec.initial_epoch,
            callbacks=[_make_control_callback(self, self.batch_hooks), *self.extra_callbacks],
        )
        self._post(force=True)
        return outcome

    # ----- called by the callback on the worker thread -------------------------------------
    def _wait_for_gui(self) -> None:
        """Let a GUI frame in progress finish before the next batch.

        Why: PySide6 releases the GIL around its C++ calls, and a repaint makes thousands of
        them; each time the GUI thread wants the GIL back it queues behind this thread. A
        frame that takes 10 ms alone then takes hundreds of ms, and the window stutters. The
        controller keeps frames to a small share of the time, so waiting costs little."""
        if not self.gui_idle.is_set():
            self.stepped_aside.set()
            self.gui_idle.wait(GUI_WAIT_MAX)

    def _before_batch(self) -> None:
        if self._attention:
            self._attend()

    def _attend(self) -> None:
        """Handle what other threads asked for (cleared first, so a request arriving while
        this runs is seen at the next batch)."""
        # A pending Step stays flagged until the end of its epoch handles it.
        self._attention = self._step_pause
        self._wait_for_gui()
        if self._stop.is_set():
            self.model.stop_training = True
        elif not self._resume.is_set():
            self._wait_while_paused()

    def _after_epoch(self, epoch=None, logs=None) -> None:
        """The per-epoch hook (the engine calls it directly: one Python call per epoch).

        Kept to a counter, a clock read and two comparisons: for the default project an
        epoch is ~145 us, so every microsecond here is ~0.7% of throughput. No finiteness
        check: the engine raises TrainingDiverged before on_epoch_end for a non-finite loss."""
        self._done += 1
        self._latest_logs = logs
        now = time.perf_counter()
        if self.epoch_interval:
            self._paced_epoch_end()
        elif now >= self._post_after and self._done < self.spec.epochs:
            # (Not after the last epoch: the run's final snapshot follows at once, views and
            # all; computing them twice cost a 784-256-128-10 run ~2% of its time.)
            self._post()
        if self._attention:
            self._attend_after_epoch()

    def _paced_epoch_end(self) -> None:
        """A paced run: show the epoch (every epoch, with its views, when the pace is slow
        enough to see them), then wait out the rest of its interval. The wait is on an Event
        that stop, pause and a new pace set, so they are obeyed at once, not after the gap."""
        last = self._done >= self.spec.epochs
        if self.epoch_interval >= SNAPSHOT_INTERVAL or last:
            self._post(force=True)
        elif time.perf_counter() >= self._post_after:
            self._post()
        # The last epoch too: a run of n epochs at r per second takes n / r seconds.
        self.resting = True
        try:
            while True:
                left = self._epoch_began + self.epoch_interval - time.perf_counter()
                if left <= 0 or self._stop.is_set() or not self._resume.is_set():
                    break
                self._wake.wait(left)
                self._wake.clear()  # then look again at what changed
        finally:
            self.resting = False
        self._epoch_began = time.perf_counter()

    def _attend_after_epoch(self) -> None:
        if self._step_pause and not self._stop.is_set():
            self._step_pause = False
            self._resume.clear()
            self._attention = True
        if self._done < self.spec.epochs:
            self._attend()

    def _wait_while_paused(self) -> None:
        self._active += time.perf_counter() - self._started
        self._post(force=True)  # the views show exactly where the pause happened
        self.pausedChanged.emit(True)
        while not self._resume.wait(0.1):
            if self._stop.is_set():
                break
        self._started = self._epoch_began = time.perf_counter()
        self.pausedChanged.emit(False)
        if self._stop.is_set():
            self.model.stop_training = True

    # ----- snapshots -----------------------------------------------------------------------
    def _post(self, force: bool = False, with_views: bool = True) -> None:
        now = time.perf_counter()
        if not force and now - self._last_post < SNAPSHOT_INTERVAL:
            return
        self._last_post = now
        # Set before the snapshot is in the mailbox: a post_at the GUI makes after taking it
        # then always wins.
        self._post_after = now + (POST_AT_FALLBACK if self._gui_paced else SNAPSHOT_INTERVAL)
        views = None
        interval = max(VIEW_INTERVAL, (self._view_cost or self._guess_view_cost(now)) / VIEW_BUDGET)
        # Views waiting undelivered in the mailbox would be replaced unseen: skip the work.
        unseen = self._mailbox.holds_views
        due = force or (now - self._last_view >= interval and not unseen and self.views_wanted)
        if with_views and self.setup is not None and due:
            self.views_wanted = False
            views = compute_views(self.model, self.setup)
            self._last_view = time.perf_counter()
            self._view_cost = self._last_view - now
        active = self._active + (time.perf_counter() - self._started if not self.paused else 0.0)
        logs = self._series(self._sent)
        self._sent = self._done
        snap = Snapshot(
            epoch=self.spec.initial_epoch + self._done,
            done=self._done,
            planned=self.spec.epochs,
            logs=logs,
            weights=self._weights(),
            views=views,
            active_seconds=active,
            samples=self._done * self._n_train,
            made_at=now,
        )
        if self._mailbox.put(snap):
            self.snapshotReady.emit()

    def _guess_view_cost(self, now: float) -> float:
        """What computing the views will cost, before they were first computed: an epoch runs
        the model forward and backward (about three forward passes) over the training rows,
        the views run it forward over setup.rows_evaluated rows. Why guess: the views used to
        be computed at the first snapshot, whatever they cost; for a 784-256-128-10 network on
        10,000 rows that was ~50 ms, 2% of a 20-epoch run, for views of the weights the window
        already showed. Now even the first waits until the budget allows it."""
        if self.setup is None or self._done == 0:
            return 0.0
        active = self._active + (now - self._started)
        return active / self._done * self.setup.rows_evaluated / (3 * max(self._n_train, 1))

    def _series(self, start: int) -> dict[str, list[float]]:
        """name -> values of epochs start+1 .. done, from the engine's History.

        Inside the epoch-end hook the History does not hold the epoch just finished yet (the
        engine calls it after this worker's hook): that epoch's values come from its logs."""
        done, history, latest = self._done, self._history, self._latest_logs
        keys = dict.fromkeys(history)
        keys.update(dict.fromkeys(latest))
        series = {}
        for key in keys:
            values = history.get(key, ())
            chunk = [float(v) for v in values[start:done]]
            if len(values) < done:
                chunk.append(float(latest.get(key, math.nan)))
            series[key] = chunk
        return series

    def _weights(self) -> list[np.ndarray] | None:
        try:
            return [np.array(w, copy=True) for w in self.model.get_weights()]
        except EngineError:  # not built (a run stopped before its first batch)
            return None


# Below this many multiply-adds per epoch (n_train x parameters) an epoch takes a few
# milliseconds at most: the worker then checks its requests once per epoch, and the batch loop
# runs without any hook (the engine skips hooks no callback overrides).
BATCH_HOOK_MIN_WORK = 5e7


def _make_control_callback(worker: TrainingWorker, batch_hooks: bool):
    """A Keras-style callback that hands control to the worker between batches and epochs.

    The between-batch check is on_train_batch_begin rather than _end: for batch-end hooks the
    engine computes a running loss over the epoch so far on every batch, which would cost a
    tiny network a large share of its throughput. Pausing before batch k+1 is the same moment
    as after batch k. Stop needs no hook: the engine checks model.stop_training itself."""

    class EpochCallback(Callback):
        def __init__(self):
            super().__init__()
            # The engine looks hooks up on the instance: the worker's method is called
            # directly, without a forwarding call per epoch. (The class still overrides
            # on_epoch_end, which is how the engine decides to call the hook at all.)
            self.on_epoch_end = worker._after_epoch

        def on_epoch_end(self, epoch, logs=None):
            worker._after_epoch(epoch, logs)

        def on_train_begin(self, logs=None):
            history = getattr(self.model, "history", None)  # set by fit before this hook
            worker._history = history.history if history is not None else {}

    class BatchCallback(EpochCallback):
        def on_train_batch_begin(self, batch, logs=None):
            worker._before_batch()

    return BatchCallback() if batch_hooks else EpochCallback()
