"""What `netbuilder train` shows while it runs, and how Ctrl+C stops it cleanly."""

from __future__ import annotations

import contextlib
import shutil
import signal
import sys
import time

from engine.callbacks import Callback

from .project_files import fmt, is_number


class Progress:
    """Reports epochs: a redrawn bar on a terminal, one line per epoch otherwise."""

    BAR = 30

    def __init__(self, first_epoch: int, last_epoch: int, stream=None):
        self.first, self.last = first_epoch, last_epoch
        self.stream = stream or sys.stdout
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_draw = 0.0

    def epoch_end(self, epoch: int, logs: dict) -> None:
        """`epoch` is 0-based (Keras); printed 1-based."""
        number = epoch + 1
        metrics = "  ".join(f"{k} {fmt(v)}" for k, v in (logs or {}).items() if is_number(v))
        if not self.tty:
            print(f"epoch {number}/{self.last}  {metrics}", file=self.stream, flush=True)
            return
        now = time.monotonic()
        if number < self.last and now - self._last_draw < 0.1:
            return  # a terminal redraw ten times a second is plenty
        self._last_draw = now
        done = (number - self.first) / max(1, self.last - self.first)
        filled = int(round(self.BAR * done))
        bar = "#" * filled + "." * (self.BAR - filled)
        line = f"epoch {number}/{self.last} [{bar}] {metrics}"
        width = shutil.get_terminal_size().columns - 1  # a wrapped line would not redraw
        self.stream.write(f"\r{line[:width]}\x1b[K")
        self.stream.flush()

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def progress_callback(progress: Progress):
    class ProgressCallback(Callback):
        def on_epoch_end(self, epoch, logs=None):
            progress.epoch_end(epoch, logs or {})

    return ProgressCallback()


@contextlib.contextmanager
def stop_on_sigint(model, say=None):
    """While inside, the first Ctrl+C sets model.stop_training (fit ends after the current
    batch); a second one raises KeyboardInterrupt. Yields a dict whose "interrupted" tells
    whether Ctrl+C was pressed."""
    state = {"interrupted": False}

    def handler(signum, frame):
        if state["interrupted"]:
            raise KeyboardInterrupt
        state["interrupted"] = True
        model.stop_training = True
        if say is not None:
            say("stopping after the current batch (Ctrl+C again to quit without saving)")

    try:
        previous = signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main thread: signals cannot be caught here
        previous = None
    try:
        yield state
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
