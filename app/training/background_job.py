"""BackgroundJob: one Qt-free computation (a same-start comparison, a learning-rate search) on
its own QThread, paced like a training run.

The work is a plain function `work(report, should_stop)`, as Orange runs its computations:
it calls report(item) with its progress (one epoch's logs, one step's loss) and asks
should_stop() to end early. Progress reaches the GUI thread through `progressReady`, at most
~30 times per second whatever the rate of reports: items wait in a list, and the signal is
emitted only when the GUI has taken the previous batch and 1/30 s has passed (take_progress
returns them all). The result (or the exception, with its traceback) is kept for the GUI's
slot on `finished`.

Sharing the GIL, as the training worker does (app/training/worker.py): a small network's
epochs leave the GUI thread only slivers of it, and a repaint takes the GIL back thousands of
times. So the GUI draws in frames (`with job.gui_frame(): ...`): the work steps aside at its
next report or should_stop() (before every batch) and waits, without the GIL, until the frame
is painted. Between frames the GUI calls gui_alive() on a timer; a report that finds no sign
of life for GUI_PATIENCE yields (time.sleep(0)) so the window keeps up.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer, Signal

from app.training.pacing import ViewPacer

REPORT_INTERVAL = 1.0 / 30.0  # at most ~30 progress signals per second
HEARTBEAT_MS = 25  # how often the GUI says it is alive while a job runs
GUI_PATIENCE = 2 * HEARTBEAT_MS / 1000  # no beat for this long: the worker yields
# A job's frames (its curves) may take this share of the time: a frame that costs 10 ms is
# drawn 10 times a second, never more than 30.
FRAME_BUDGET = 0.1
ASIDE_WAIT = 0.03  # a frame waits this long at most for the work to step aside
FRAME_WAIT_MAX = 0.25  # the work waits this long at most for a frame (never stalls)


class BackgroundJob(QThread):
    """Runs `work(report, should_stop)` once on its own thread.

    Signals: progressReady() -- call take_progress() (GUI thread); finished() (QThread's) --
    then read `result`, or `error` and `details` when the work raised."""

    progressReady = Signal()

    def __init__(
        self, work: Callable[[Callable[[Any], None], Callable[[], bool]], Any], parent=None
    ):
        super().__init__(parent)
        self._work = work
        self._lock = threading.Lock()
        self._items: list = []
        self._announced = False  # a progressReady not yet answered by take_progress
        self._last_post = -math.inf
        self._stop = threading.Event()
        self._gui_seen = math.inf  # no GUI watching (tests calling run()): never yield
        self._gui_idle = threading.Event()  # cleared while the GUI draws a frame
        self._gui_idle.set()
        self._stepped_aside = threading.Event()  # set: the work waits for the frame
        self.result: Any = None
        self.error: BaseException | None = None
        self.details = ""
        # The GUI's heartbeat: lives on the GUI thread, started and stopped with the job.
        self._heartbeat = QTimer(self)
        self._heartbeat.setInterval(HEARTBEAT_MS)
        self._heartbeat.timeout.connect(self.gui_alive)
        self.started.connect(self._heartbeat.start)
        self.finished.connect(self._heartbeat.stop)

    # ----- from the GUI thread ----------------------------------------------------------------
    def request_stop(self) -> None:
        """Ask the work to end at its next should_stop() (before the next batch or step)."""
        self._stop.set()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    def gui_alive(self) -> None:
        self._gui_seen = time.perf_counter()

    def take_progress(self) -> list:
        """Every item reported since the last call, in order."""
        with self._lock:
            items, self._items = self._items, []
            self._announced = False
        return items

    @contextlib.contextmanager
    def gui_frame(self) -> Iterator[None]:
        """Draw (and paint) inside this block: the work steps aside at its next checkpoint and
        the block starts once it has (at most ASIDE_WAIT later), so the frame has the GIL to
        itself instead of queueing behind the work for every PySide call."""
        self._stepped_aside.clear()
        self._gui_idle.clear()
        if self.isRunning():
            self._stepped_aside.wait(ASIDE_WAIT)
        try:
            yield
        finally:
            self._gui_idle.set()
            self.gui_alive()  # the frame itself was the GUI's sign of life

    def stop_and_wait(self, timeout_ms: int = 5000) -> bool:
        """Ask the work to stop and wait for the thread; False if it did not end in time."""
        self.request_stop()
        return self.wait(timeout_ms)

    # ----- on the worker thread ---------------------------------------------------------------
    def run(self) -> None:  # noqa: D401 - QThread entry point
        self.gui_alive()
        try:
            self.result = self._work(self.report, self.should_stop)
        except BaseException as exc:  # noqa: BLE001 - never lost, never fatal: shown by the GUI
            self.error = exc
            self.details = traceback.format_exc()

    def should_stop(self) -> bool:
        """What the work asks before each batch or step: steps aside for a GUI frame first."""
        if not self._gui_idle.is_set():
            self._step_aside()
        return self._stop.is_set()

    def _step_aside(self) -> None:
        self._stepped_aside.set()
        self._gui_idle.wait(FRAME_WAIT_MAX)

    def report(self, item) -> None:
        """Queue `item` for the GUI; announce it when the pace allows."""
        now = time.perf_counter()
        with self._lock:
            self._items.append(item)
            announce = not self._announced and now - self._last_post >= REPORT_INTERVAL
            if announce:
                self._announced = True
                self._last_post = now
        if announce:
            self.progressReady.emit()
        if not self._gui_idle.is_set():
            self._step_aside()
        elif now - self._gui_seen > GUI_PATIENCE:
            time.sleep(0)  # lets the starved GUI thread be scheduled and take the GIL


def paint_now(*plots) -> None:
    """Paint what changed now, inside a gui_frame, rather than at some later turn of the event
    loop when the work runs again. A pyqtgraph plot places its items for a new view range only
    when about to paint, which dirtied it again mid-paint; prepared first, it paints once."""
    for plot in plots:
        plot.scene().prepareForPaint()
    QCoreApplication.sendPostedEvents()


class JobFrames(QObject):
    """Draws a running job's progress in paced frames: `draw(items)` with every item reported
    since the last frame, inside job.gui_frame(), then paints `plots` at once (paint_now).
    A frame is drawn at most every max(1/30 s, its measured cost / FRAME_BUDGET): the work
    keeps most of the time, whatever the rate of its reports."""

    def __init__(self, draw: Callable[[list], None], plots, parent=None):
        super().__init__(parent)
        self.draw = draw
        self.plots = tuple(plots)
        self.job: BackgroundJob | None = None
        self.pacer = ViewPacer(
            ("frame",), budget=FRAME_BUDGET, min_interval=REPORT_INTERVAL, max_interval=1.0
        )
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._frame)
        self._in_frame = False

    def watch(self, job: BackgroundJob) -> None:
        self.job = job
        self.pacer.restart(time.perf_counter())
        job.progressReady.connect(self._ready)

    def finish(self) -> list:
        """The job ended: no more frames; returns the items no frame drew yet."""
        job, self.job = self.job, None
        self._timer.stop()
        return job.take_progress() if job is not None else []

    def _ready(self) -> None:
        if self.job is None or self._timer.isActive():
            return  # the scheduled frame takes these items too
        wait = self.pacer.wait("frame", time.perf_counter())
        if self._in_frame:  # announced while a frame painted: the next frame takes it
            wait = max(wait, self.pacer.interval("frame"))
        if wait > 0:
            self._timer.start(max(1, int(wait * 1000)))
        else:
            self._frame()

    def _frame(self) -> None:
        job = self.job
        if job is None or self._in_frame:
            return
        self._in_frame = True
        start = time.perf_counter()
        try:
            with job.gui_frame():
                items = job.take_progress()
                if items:
                    self.draw(items)
                    paint_now(*self.plots)
        finally:
            self._in_frame = False
        now = time.perf_counter()
        self.pacer.drawn("frame", now - start, now)
