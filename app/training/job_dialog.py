"""JobDialog: what Compare… (compare_dialog.py) and Find learning rate (lr_finder_dialog.py)
share around the one BackgroundJob each runs.

Both are non-modal dialogs of the main window that work on a copy of its project on their own
thread: they follow the window (its project, its Undo/Redo), start and end their job the same
way, and stop it -- within a batch -- on Cancel, Esc, closing the dialog or the window. What
each computes, draws and refuses stays in its own module. A subclass builds its widgets (a
`cancel_button` and a `message` label among them), calls _watch_frames, and defines
_set_running(running), _on_finished(job) and _on_project_changed().
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QDialog

from app.theme import style_plot
from app.training.background_job import BackgroundJob, JobFrames
from engine.errors import EngineError

MESSAGE_STYLE = "background:#fdecea; color:#8a1c12; border:1px solid #e6a39b; padding:4px;"


def failure_text(error: BaseException) -> str:
    """What a failed job says: an engine's or a value's message as it is (it is written for
    the person), anything else with its type, which is all a person can report."""
    if isinstance(error, (EngineError, ValueError)):
        return str(error)
    return f"{type(error).__name__}: {error}"


class JobDialog(QDialog):
    """See the module docstring. `window`: the main window (project, push, projectChanged,
    undo_action, redo_action); `is_training()`: whether the window's own training runs now."""

    def __init__(self, window, is_training: Callable[[], bool], object_name: str, title: str):
        super().__init__(window)
        self.setObjectName(object_name)
        self.setWindowTitle(title)
        self.setModal(False)
        self.window_ = window
        self.is_training = is_training
        self.job: BackgroundJob | None = None
        self.frames: JobFrames | None = None
        if hasattr(window, "projectChanged"):
            window.projectChanged.connect(self._on_project_changed)
        # Ctrl+Z / Ctrl+Y work here too: Apply (or a comparison's runs) is undone where it
        # was done, without first going back to the main window.
        for name in ("undo_action", "redo_action"):
            if hasattr(window, name):
                self.addAction(getattr(window, name))

    def _watch_frames(self, draw: Callable[[list], None], plots) -> None:
        """Draw the running job's progress with `draw(items)` in paced frames that paint
        `plots` (JobFrames); those plots also follow the palette (dark mode)."""
        self.frames = JobFrames(draw, plots, self)

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        frames = getattr(self, "frames", None)  # Qt may call this before __init__ has run
        if event.type() == QEvent.Type.PaletteChange and frames is not None:
            for plot in frames.plots:
                style_plot(plot, self.palette())
        super().changeEvent(event)

    @property
    def project(self):
        return self.window_.project

    # ----- the job ----------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.job is not None

    def _start_job(self, work) -> BackgroundJob:
        """Run `work(report, should_stop)` on a BackgroundJob drawn by the frames; the dialog
        shows itself running until _on_finished(job)."""
        job = BackgroundJob(work, self)
        job.finished.connect(lambda j=job: self._on_finished(j))
        self.frames.watch(job)
        self.job = job
        self._set_running(True)
        job.start()
        return job

    def _end_job(self, job: BackgroundJob) -> list | None:
        """Join `job` and forget it; returns the progress items no frame drew yet, or None when
        this job was already ended (shutdown ends it before its finished signal arrives)."""
        if job is not self.job:
            return None
        job.wait()
        rest = self.frames.finish()
        self.job = None
        job.deleteLater()
        self._set_running(False)
        return rest

    def cancel(self) -> None:
        """Stop the running job after the current batch or step; what it finished is shown."""
        if self.job is not None:
            self.job.request_stop()
            self.cancel_button.setEnabled(False)

    def stop_for(self, reason: str) -> None:
        """Cancel the running job and say why (e.g. the window started training)."""
        if self.job is not None:
            self.cancel()
            self._show_message(reason)

    def shutdown(self) -> None:
        """Stop and join the job now (dialog or window closing), then end it as if it had
        finished on its own."""
        job = self.job
        if job is None:
            return
        if not job.stop_and_wait():
            job.wait()  # a wedged engine: wait rather than destroy a running thread
        self._on_finished(job)

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # ----- closing ----------------------------------------------------------------------------
    def reject(self) -> None:  # Esc, Close, the title bar's close button
        self.shutdown()
        super().reject()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.shutdown()
        super().closeEvent(event)
