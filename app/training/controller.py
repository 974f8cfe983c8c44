"""TrainingController: the GUI-thread side of training.

It turns Train / Pause / Step / Stop / Reset into worker runs, turns worker snapshots into
signals for the live views, and writes the outcome of every run into the project as one
undoable step (host.record_run). It knows nothing about the widgets that show the
results: app/training/integration.py connects them.

The host is the main window (or a stand-in in tests) and needs: `project`, a
`projectChanged` signal, `record_run(outcome, scaler_config, base_history, base_epochs,
snapshots=None)` and `reset_weights(weights)`; optionally `push(command)`.

Each run keeps its per-epoch weights in an EpochSnapshots keeper (`keeper`, read live by the
timeline); `hold_views` keeps the run's frames off the weight and output views while the
timeline shows an earlier epoch; `set_speed` paces the worker. Models, data and run outcomes come
from the engine's runtime (engine.project.runtime), as they do for the command line.
"""

from __future__ import annotations

import copy
import sys
import time

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from app.training.pacing import ViewPacer
from app.training.prepare import (
    PreparedCache,
    architecture_signature,
    data_key,
    layer_activations,
    probe_rows,
)
from app.training.process_worker import SUPPORTED, ProcessWorker, processes
from app.training.views import ViewSetup, ViewUpdate, compute_views
from app.training.worker import RunSpec, Snapshot, TrainingWorker
from app.visibility import on_screen
from engine.errors import EngineError
from engine.project import RunOutcome, runtime
from engine.snapshot_keeper import EpochSnapshots

IDLE, RUNNING, PAUSED, STOPPING = "idle", "running", "paused", "stopping"
STOP_WAIT_MS = 5000  # a stop is obeyed within one batch; this only bounds a wedged engine
# Frame pacing (see app/training/pacing.py): views redraw at most 30 times per second, and
# all of them together use about FRAME_BUDGET of the time (training throughput >= 90%).
MIN_FRAME_INTERVAL = 1.0 / 30.0
MAX_FRAME_INTERVAL = 2.0
FRAME_BUDGET = 0.035
# While training, Python hands the GIL over after at most this long (default 5 ms). The GUI
# thread re-takes the GIL many times per repaint (every Python paint() pyqtgraph calls from
# C++); with the default each re-take can wait 5 ms behind the worker, and one repaint
# stalls the window for 100+ ms. This forced hand-over is all the GUI thread needs between
# frames: no heartbeat wakes it while a run trains. (One did, 40-100 times a second, so
# that the worker could yield when the beats stopped; on this shared machine each wake-up
# cost the worker up to ~3 ms when the host was busy: without it the window's throughput
# rose from 80% to 92% of headless then (median of 12 interleaved pairs), and measured alike
# when the host was quiet, timer gaps included. See the README's round 7.)
TRAINING_SWITCH_INTERVAL = 0.0005
# A frame waits this long at most for the worker to step aside (normally the rest of one
# epoch or batch: well under a millisecond for small networks).
ASIDE_WAIT = 0.03


class TrainingController(QObject):
    """Signals:
    stateChanged(str): "idle" | "running" | "paused" | "stopping".
    setupChanged(object): a ViewSetup (new data layout for the views) or None.
    layerStatsUpdated(object): list of LayerStats, one per layer (activation panels).
    outputUpdated(object): the output view's array (see ViewUpdate.output).
    evaluationUpdated(object): the whole ViewUpdate, right after outputUpdated (its evaluation
        of every row and the plane layout, for the metrics, curves and confusion tabs).
    weightsUpdated(object): list of weight arrays, or None.
    historyReset(object): dict name -> list of floats (the whole history, epoch 1..n).
    historyAppended(object, int): logs dict of new epochs, and the epoch number of the first.
    progressChanged(int, int): epochs done and planned in this run.
    statusChanged(str): "Epoch i/N · loss · val loss · samples/s · time left".
    messageChanged(str, str): (kind, text) for the inline banner; kind "error" | "info" | "".
    runFinished(object): the RunResult of a run, after it went into the project.
    """

    stateChanged = Signal(str)
    setupChanged = Signal(object)
    layerStatsUpdated = Signal(object)
    outputUpdated = Signal(object)
    evaluationUpdated = Signal(object)
    weightsUpdated = Signal(object)
    historyReset = Signal(object)
    historyAppended = Signal(object, int)
    progressChanged = Signal(int, int)
    statusChanged = Signal(str)
    messageChanged = Signal(str, str)
    runFinished = Signal(object)

    def __init__(self, host, parent=None):
        super().__init__(parent)
        self.host = host
        self.state = IDLE
        self.worker: TrainingWorker | None = None
        self._run_base_history: dict[str, list[float]] = {}
        self._run_base_epochs = 0
        self._run_signature = None
        self._run_lr: float | None = None
        self._latest_logs: dict[str, float] = {}
        self.setup: ViewSetup | None = None
        self._prepared = PreparedCache()
        self._run_scaler: dict | None = None  # the scaler config of the running run's data
        self._views_current = False
        self._setup_key = None
        self.last_result: RunOutcome | None = None
        # The weights of the current (or last) run's epochs, for the timeline.
        self.keeper: EpochSnapshots | None = None
        # The newest weights a run sent, and whether the weight and output views show them
        # (False while the timeline shows an earlier epoch: see hold_views).
        self.latest_weights: list | None = None
        self.hold_views = False
        self.epoch_interval = 0.0  # the pace of runs, see set_speed
        # Runs train in a process of their own (app/training/process_worker.py); False: on a
        # thread of this process (tests that patch the engine in this process use it).
        self.separate_process = SUPPORTED
        # Factories of engine callbacks a view wants in the next run, or None when it does not
        # (see backprop_views).
        self.run_callbacks: list = []
        # Refresh the views from the project at most every 150 ms while idle, so a burst of
        # edits (a spin box drag) costs one forward pass, not one per edit.
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(150)
        self._refresh_timer.timeout.connect(self.refresh_views)
        self._frame_timer = QTimer(self)
        self._frame_timer.setSingleShot(True)
        self._frame_timer.timeout.connect(self._render_frame)
        self.pacer = ViewPacer(
            ("curves", "weights", "activations", "output"),
            budget=FRAME_BUDGET,
            min_interval=MIN_FRAME_INTERVAL,
            max_interval=MAX_FRAME_INTERVAL,
            # The falling cost is what a person watches most.
            weights={"curves": 2.0},
        )
        # Views that read the run themselves (add_live_view): name -> (ready, draw).
        self._live_views: dict = {}
        # name -> the widget that shows the view (watch_shown; unwatched views count as shown).
        self._shown_on: dict = {}
        self._pending: dict = {}  # view data not drawn yet (its view was not due)
        self._stages: list = []  # the rest of the frame being drawn: (view name, callable)
        self._in_stage = False
        self._stage_timer = QTimer(self)
        self._stage_timer.setSingleShot(True)
        self._stage_timer.timeout.connect(self._run_stage)
        # Paints the views at the end of a frame (set by the window integration), so that
        # the frame's cost is known and the worker can step aside while it is drawn.
        self.render_hook = None
        self._saved_switch_interval: float | None = None
        self._final_shown = None  # the ended run whose final state is shown, not yet recorded
        host.projectChanged.connect(self._on_project_changed)
        if self.separate_process:
            processes.prewarm()  # Python starts while the person sets up the network
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # ----- public API -----------------------------------------------------------------------
    def train(self) -> bool:
        """Continue from the project's weights for project.training.epochs epochs."""
        if self.state == PAUSED:
            self.resume()
            return True
        if self.state == RUNNING:
            return False
        return self._start(self.host.project.training.epochs)

    def step(self) -> bool:
        """Train exactly one epoch (while paused: finish the current epoch, pause again)."""
        if self.state == PAUSED and self.worker is not None:
            self.worker.step()
            self._set_state(RUNNING)
            return True
        if self.state == RUNNING:
            return False
        return self._start(1)

    def pause(self) -> None:
        if self.state == RUNNING and self.worker is not None:
            self.worker.pause()
            self._set_state(PAUSED)

    def resume(self) -> None:
        if self.state == PAUSED and self.worker is not None:
            self.worker.resume()
            self._set_state(RUNNING)

    def toggle(self) -> None:
        """Space: Train when idle, Pause when running, Resume when paused."""
        if self.state == RUNNING:
            self.pause()
        elif self.state == PAUSED:
            self.resume()
        elif self.state == IDLE:
            self.train()

    def stop(self) -> None:
        """Ask the worker to stop after the current batch; the result arrives asynchronously."""
        if self.worker is not None and self.state in (RUNNING, PAUSED):
            self.worker.request_stop()
            self._set_state(STOPPING)

    def stop_and_wait(self, timeout_ms: int = STOP_WAIT_MS) -> bool:
        """Stop now and put the result into the project before returning (used before an
        edit, a reset and on close). Returns False only if the worker did not stop in time."""
        worker = self.worker
        if worker is None:
            return True
        worker.request_stop()
        if not worker.wait(timeout_ms):
            self.messageChanged.emit(
                "error",
                "Training did not stop within "
                f"{timeout_ms / 1000:g} s; it will be stopped as soon as the engine returns.",
            )
            return False
        self._on_worker_finished(worker)
        return True

    def reset(self) -> bool:
        """Re-initialise the weights from the project's seed and clear the history (one
        undoable step)."""
        if not self.stop_and_wait():
            return False
        try:
            weights = runtime.initial_weights(self.host.project)
        except (EngineError, ValueError) as exc:
            self.messageChanged.emit("error", f"Cannot reset the weights: {exc}")
            return False
        self.messageChanged.emit("", "")
        self.host.reset_weights(weights)
        return True

    def guard(self) -> bool:
        """window.training_guard: before an architecture/data edit. True = go ahead."""
        if self.worker is None:
            return True
        from app.training.dialogs import ask_stop_training

        if not ask_stop_training(self.host):
            return False
        return self.stop_and_wait()

    def shutdown(self) -> None:
        """Stop and join the worker (window closing, application quitting)."""
        if self.worker is not None:
            self.stop_and_wait(timeout_ms=1000)
        worker = self.worker
        if worker is not None:  # wedged: end its process, or wait rather than destroy a thread
            if not worker.in_process:
                worker.kill()
            worker.wait()
            self._on_worker_finished(worker)

    def set_speed(self, epochs_per_second: float | None) -> None:
        """Pace training at `epochs_per_second` (None: as fast as possible), from now on:
        a running worker follows at once."""
        rate = epochs_per_second
        self.epoch_interval = 1.0 / float(rate) if rate else 0.0
        if self.worker is not None:
            self.worker.set_epoch_interval(self.epoch_interval)

    def release_views(self) -> None:
        """The timeline is back at the live end: views held back meanwhile are stale (the
        timeline draws the latest weights itself), and while idle the project's are shown."""
        self.hold_views = False
        self._pending = {}
        if self.worker is None:
            self.refresh_views()

    def add_live_view(self, name: str, ready, draw, weight: float = 1.0, widget=None) -> None:
        """A view that reads what a run produces by itself (not from the snapshots) is drawn
        in its own stage of the frames, paced by its measured cost like the built-in views:
        `ready()` (cheap) says whether it has something new to show; `draw()` updates it, and
        the window paints it with the rest of the stage while the worker stands aside.
        `widget`: see watch_shown; a live view off screen is not drawn at all."""
        self.pacer.add(name, weight)
        self._live_views[name] = (ready, draw)
        if widget is not None:
            self.watch_shown(name, widget)

    def watch_shown(self, name: str, widget) -> None:
        """The view `name` ("curves", "weights", "activations", "output" or a live view) is
        drawn in `widget`: only the views whose widget is on screen share the frame budget,
        so a panel behind another tab does not slow the ones in front."""
        self._shown_on[name] = widget

    @property
    def run_start_epoch(self) -> int:
        """Epochs the project had when the current (or last) run started."""
        return self._run_base_epochs

    # ----- starting a run -------------------------------------------------------------------
    def _start(self, epochs: int) -> bool:
        # A stopping run: finish it before starting the next.
        if self.worker is not None and not self.stop_and_wait():
            return False
        project = self.host.project
        try:
            model, prepared = self._build(project)
        except (EngineError, ValueError) as exc:  # the network or data cannot train: say why
            self.messageChanged.emit("error", f"Cannot train: {exc}")
            self.statusChanged.emit(f"Cannot train: {exc}")
            return False
        self.messageChanged.emit("", "")
        setup = self._setup_for(project, prepared)
        spec = RunSpec(
            epochs=int(epochs),
            initial_epoch=int(project.epochs_trained),
            training=copy.deepcopy(project.training),
        )
        self._run_scaler = prepared.scaler_config
        self._run_base_history = {k: list(v) for k, v in (project.history or {}).items()}
        self._run_base_epochs = int(project.epochs_trained)
        self._run_signature = architecture_signature(project)
        self._run_lr = float(project.compile.learning_rate)
        self._latest_logs = {}
        self.historyReset.emit(self._run_base_history)
        worker_class = ProcessWorker if self.separate_process else TrainingWorker
        worker = worker_class(model, prepared, spec, setup)
        self.keeper = EpochSnapshots(initial_epoch=spec.initial_epoch)
        self.latest_weights = None
        worker.extra_callbacks = [
            *(cb for cb in (make() for make in self.run_callbacks) if cb is not None),
            self.keeper,
        ]
        worker.epoch_interval = self.epoch_interval
        worker.snapshotReady.connect(self._on_snapshot)
        worker.pausedChanged.connect(self._on_paused_changed)
        worker.finished.connect(lambda w=worker: self._on_worker_done(w))
        self.worker = worker
        started = time.perf_counter()
        self.pacer.restart(started)
        # Snapshots only for the frames that will show them (the curves set each frame's pace).
        worker.post_at(started + self.pacer.interval("curves"))
        self._pending = {}
        if worker.in_process and self._saved_switch_interval is None:
            self._saved_switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(TRAINING_SWITCH_INTERVAL)
        self._set_state(RUNNING)
        self.progressChanged.emit(0, spec.epochs)
        # What the start changed (an emptied cost plot, new epoch axes, buttons, a gradient
        # plot's new curves) is painted now, before the worker runs: painted at the next
        # turn of the event loop it fought the worker for the GIL, 150-260 ms of stalled
        # window on a busy machine.
        if self.render_hook is not None:
            self.render_hook()
        worker.start()
        return True

    def _build(self, project):
        """The worker's own model and data, built on the GUI thread so that a dataset that does
        not fit the network is reported before training starts. The training run records the
        fitted scaler on the project (a pure function of the data and settings), so a saved
        project predicts with the scaling it was trained with."""
        if project.dataset is None:
            raise ValueError("the project has no dataset; choose one in the Dataset panel")
        if not project.layers:
            raise ValueError("the network has no layers; add one from the palette")
        model = runtime.build_model(project, seed=runtime.run_seed(project))
        prepared = self._prepared.get(project)
        if len(prepared.x_train) == 0:
            raise ValueError("the training split is empty; lower the validation share")
        # One forward/loss pass over a few telling rows surfaces shape and label mismatches
        # now (e.g. 3 classes for 1 output unit) instead of in the worker.
        rows = probe_rows(prepared.y_train)
        model.evaluate(prepared.x_train[rows], prepared.y_train[rows], verbose=0)
        return model, prepared

    # ----- worker -> GUI --------------------------------------------------------------------
    def _on_snapshot(self) -> None:
        """A snapshot is waiting: draw it now, or when the curves may be redrawn next."""
        if self.worker is None or self._frame_timer.isActive():
            return  # the scheduled frame will take the (merged) snapshot
        if self._stages or self._in_stage:  # a frame is still being drawn: draw this next
            wait = self.pacer.interval("curves")
        elif self.epoch_interval >= MIN_FRAME_INTERVAL:
            wait = 0.0  # a slow pace: each epoch is drawn as it comes
        else:
            wait = self.pacer.wait("curves", time.perf_counter())
        if wait <= 0:
            self._render_frame()
        else:
            self._frame_timer.start(max(1, int(wait * 1000)))

    def _render_frame(self) -> None:
        """Draw the waiting snapshot: the curves, progress and status always, and the canvas
        weights, activation panels and output view when their pace allows (else they keep the
        newest data for a later frame). Each is its own stage, in its own turn of the event
        loop, so no single one blocks the window for long."""
        worker = self.worker
        if worker is None or self._stages or self._in_stage:
            return
        snap = worker.take_snapshot()
        # Paused, every view is drawn (nothing else would draw what the pacing held back).
        paused = self.state == PAUSED
        if snap is None and not (paused and self._pending):
            return
        if snap is not None and snap.weights is not None:
            self._pending["weights"] = self.latest_weights = snap.weights
        if snap is not None and snap.views is not None:
            self._pending["activations"] = snap.views.layers
            self._pending["output"] = snap.views
        now = time.perf_counter()
        shown = [
            n for n in self.pacer.names if n not in self._shown_on or on_screen(self._shown_on[n])
        ]
        self.pacer.set_shown(shown)
        # Slowed down to a pace a person can follow: every epoch's views are drawn (the
        # worker waits most of the time, so the frame budget has nothing to protect).
        slow = paused or self.epoch_interval >= MIN_FRAME_INTERVAL
        self._stages = []
        if snap is not None:
            self._stages.append(("curves", lambda: self._apply_progress(snap, weights=False)))
        for name, signal in (
            ("weights", self.weightsUpdated),
            ("activations", self.layerStatsUpdated),
            ("output", None),
        ):
            if self.hold_views:
                break  # kept pending: the timeline shows an earlier epoch
            if name in self._pending and (slow or self.pacer.due(name, now)):
                data = self._pending.pop(name)
                if signal is None:  # the output view: its array, then the evaluation
                    self._stages.append((name, lambda d=data: self._emit_output(d)))
                else:
                    self._stages.append((name, lambda s=signal, d=data: s.emit(d)))
        for name, (ready, draw) in self._live_views.items():
            # A live view off screen is not drawn at all (it catches up when shown): asked
            # here, once for every view, not by each view's ready().
            if name in shown and (slow or self.pacer.due(name, now)) and ready():
                self._stages.append((name, draw))
        # New views are only worth computing once those on screen show the last ones.
        views = [n for n in ("activations", "output") if n in shown] or ["activations", "output"]
        worker.views_wanted = not any(n in self._pending for n in views)
        self._run_stage()

    def _run_stage(self) -> None:
        worker = self.worker
        if worker is None or not self._stages:
            self._stages = []
            return
        name, stage = self._stages.pop(0)
        self._in_stage = True
        start = time.perf_counter()
        worker.begin_gui_frame()  # the worker steps aside while the stage is set and painted
        worker.wait_until_aside(ASIDE_WAIT)
        try:
            stage()
            if self.render_hook is not None:
                self.render_hook()
        finally:
            worker.end_gui_frame()
            self._in_stage = False
        now = time.perf_counter()
        self.pacer.drawn(name, now - start, now)
        if name == "curves":  # the next frame is due when the curves may be redrawn
            worker.post_at(now + self.pacer.interval("curves"))
        if self._stages:
            self._stage_timer.start(0)
        elif self.state == PAUSED and self._pending and not self.hold_views:
            self._frame_timer.start(0)  # paused meanwhile: draw what this frame held back

    def _apply(self, snap: Snapshot) -> None:
        """Show a snapshot at once (the final one of a run)."""
        if snap.weights is not None:
            self.latest_weights = snap.weights
        self._apply_progress(snap, weights=not self.hold_views)
        if snap.views is not None and not self.hold_views:
            self.layerStatsUpdated.emit(snap.views.layers)
            self._emit_output(snap.views)

    def _apply_progress(self, snap: Snapshot, weights: bool = True) -> None:
        self._latest_logs.update({k: v[-1] for k, v in snap.logs.items() if v})
        if snap.logs:
            first = snap.epoch - len(next(iter(snap.logs.values()))) + 1
            self.historyAppended.emit(snap.logs, first)
        if weights and snap.weights is not None:
            self.weightsUpdated.emit(snap.weights)
        self.progressChanged.emit(snap.done, snap.planned)
        self.statusChanged.emit(self._status_text(snap))

    def _on_paused_changed(self, paused: bool) -> None:
        if self.worker is None or self.state == STOPPING:
            return
        self._set_state(PAUSED if paused else RUNNING)
        if paused and not self._frame_timer.isActive():
            # The views show where the run paused, those the pacing held back included.
            self._frame_timer.start(0)

    def _on_worker_done(self, worker: TrainingWorker) -> None:
        """The run ended (its thread's finished signal): its final state is shown now and
        recorded at the next turn of the event loop. Why: together they were one block of
        60-110 ms of the GUI thread on this machine (the longest timer gap of a run, with
        the Sample panel open); apart, the window answers in between. Anything that needs
        the run recorded at once (stop_and_wait) records it itself; the deferred turn then
        finds the run gone and does nothing."""
        if worker is not self.worker:
            return
        self._show_final(worker)
        # 1 ms, not 0: a 0-ms single shot is a posted event, run before any timer that fell
        # due meanwhile (the window's own, or a benchmark's probe).
        QTimer.singleShot(1, self, lambda: self._on_worker_finished(worker))

    def _show_final(self, worker: TrainingWorker) -> None:
        """Show the run's final snapshot, and the views the pacing held back."""
        if self._final_shown is worker:
            return
        self._final_shown = worker
        worker.wait()
        self._frame_timer.stop()
        self._stage_timer.stop()
        self._stages = []  # the final snapshot below replaces what they would have drawn
        if self._saved_switch_interval is not None:
            sys.setswitchinterval(self._saved_switch_interval)
            self._saved_switch_interval = None
        snap = worker.take_snapshot()
        if snap is not None:
            self._apply(snap)
        # Views whose data was held back by the pacing show the run's final state.
        pending, self._pending = self._pending, {}
        if self.hold_views:
            pending = {}  # the timeline shows an earlier epoch until the person comes back
        if "weights" in pending and (snap is None or snap.weights is None):
            self.weightsUpdated.emit(pending["weights"])
        # (Each is paced on its own: one can be drawn while the other is still held back.)
        if snap is None or snap.views is None:
            if "activations" in pending:
                self.layerStatsUpdated.emit(pending["activations"])
            if "output" in pending:
                self._emit_output(pending["output"])

    def _on_worker_finished(self, worker: TrainingWorker) -> None:
        if worker is not self.worker:
            return  # already handled synchronously by stop_and_wait
        self._show_final(worker)
        self.worker = None
        self._final_shown = None
        result = worker.result or RunOutcome(
            "failed", None, {}, 0, message="Training ended without a result."
        )
        worker.deleteLater()
        self.last_result = result
        self._record(result)
        self._set_state(IDLE)
        self.runFinished.emit(result)

    def _record(self, result: RunOutcome) -> None:
        project = self.host.project
        if result.outcome == "failed":
            self.messageChanged.emit("error", result.message)
            self.statusChanged.emit(result.message)
            return
        if architecture_signature(project) != self._run_signature:
            self.messageChanged.emit(
                "error",
                "The network or data changed while training; the trained weights were not kept.",
            )
            return
        if result.outcome == "diverged":
            self.messageChanged.emit("error", result.message)
            self.statusChanged.emit(result.message)
        if result.weights is None or result.epochs == 0:
            # Stopped before an epoch finished: nothing was trained, so nothing is recorded
            # (no undo step, the project stays unmodified).
            if result.outcome == "stopped":
                self.statusChanged.emit("Stopped before the first epoch finished; nothing changed.")
            return
        # The views already show these weights (the run's final snapshot): the projectChanged
        # that recording emits need not recompute them.
        self._views_current = True
        try:
            self.host.record_run(
                result,
                self._run_scaler,
                self._run_base_history,
                self._run_base_epochs,
                snapshots=None if self.keeper is None else self.keeper.snapshots(),
            )
        finally:
            self._views_current = False
        if result.outcome in ("finished", "stopped"):
            self.statusChanged.emit(self._final_text(result))

    # ----- project -> views -----------------------------------------------------------------
    def _on_project_changed(self) -> None:
        project = self.host.project
        if self.worker is not None:
            lr = float(project.compile.learning_rate)
            if lr != self._run_lr:
                self._run_lr = lr
                self.worker.set_learning_rate(lr)
            return
        if self._views_current:
            return  # a run just recorded: the views and curves already show its end state
        self.historyReset.emit({k: list(v) for k, v in (project.history or {}).items()})
        self._refresh_timer.start()

    def refresh_views(self) -> None:
        """Show the project's current weights in the views (idle, and the timeline live)."""
        if self.worker is not None or self.hold_views:
            return
        project = self.host.project
        self.weightsUpdated.emit(project.weights)
        update: ViewUpdate | None = None
        try:
            # Seeded like a run would be, so untrained views show the weights Train starts from.
            model = runtime.build_model(project, seed=runtime.run_seed(project))
            prepared = self._prepared.get(project)
            setup = self._setup_for(project, prepared)
            if setup is not None:
                update = compute_views(model, setup)
        except (EngineError, ValueError):
            # e.g. mid-edit: the network does not fit the data yet
            self._set_setup(None, None)
        if update is not None:
            self.layerStatsUpdated.emit(update.layers)
            self._emit_output(update)

    def _emit_output(self, update: ViewUpdate) -> None:
        if self.setup is not None and not self.setup.shows(update):
            return  # made for the plane or rows shown before the person chose others
        self.outputUpdated.emit(update.output)
        self.evaluationUpdated.emit(update)

    def refresh_output(self) -> None:
        """The person changed what the Output view shows (a projection, the rows): while
        idle, recompute now; a run picks the change up at its next views."""
        if self.worker is None:
            self.refresh_views()
        elif self.setup is not None:
            self.worker.choose_views(self.setup.choice)

    def _setup_for(self, project, prepared) -> ViewSetup | None:
        """The view layout for this project's data, reused while the data, split, scaling and
        layers are unchanged (laying out thousands of scatter points is not free)."""
        key = (data_key(project), tuple(layer_activations(project)), project.compile.from_logits)
        if key == self._setup_key and self.setup is not None:
            return self.setup
        try:
            setup = ViewSetup.for_project(project, prepared)
        except (EngineError, ValueError):
            setup = None  # no views for this data; training itself can still run
        self._set_setup(setup, key if setup is not None else None)
        return setup

    def _set_setup(self, setup: ViewSetup | None, key) -> None:
        if setup is None and self.setup is None:
            return
        self.setup, self._setup_key = setup, key
        self.setupChanged.emit(setup)

    # ----- text -----------------------------------------------------------------------------
    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.stateChanged.emit(state)

    def _status_text(self, snap: Snapshot) -> str:
        parts = [f"Epoch {snap.epoch - self._run_base_epochs}/{snap.planned}"]
        for key, label in (("loss", "loss"), ("val_loss", "val loss")):
            if key in self._latest_logs:
                parts.append(f"{label} {self._latest_logs[key]:.4g}")
        if snap.active_seconds > 0 and snap.samples:
            parts.append(f"{snap.samples / snap.active_seconds:,.0f} samples/s")
            if snap.done:
                left = (snap.planned - snap.done) * snap.active_seconds / snap.done
                parts.append(f"{_duration(left)} left")
        return " · ".join(parts)

    def _final_text(self, result: RunOutcome) -> str:
        if result.early_stopped:  # says which epoch's weights were kept
            return result.message
        word = "Finished" if result.outcome == "finished" else "Stopped"
        loss = result.history.get("loss")
        text = f"{word} after {result.epochs} epoch{'s' if result.epochs != 1 else ''}"
        if loss:
            text += f" · loss {loss[-1]:.4g}"
        val = result.history.get("val_loss")
        if val:
            text += f" · val loss {val[-1]:.4g}"
        return text


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds // 60:.0f} min {seconds % 60:.0f} s"
    return f"{seconds // 3600:.0f} h {seconds % 3600 // 60:.0f} min"
