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
    """Reports epochs as `netbuilder train` runs.

    On a terminal: one line, redrawn at most ten times a second -- epoch, bar, share done,
    epochs per second, time left, loss and metrics. Otherwise (a log file, a pipe, CI): the
    first epoch, then a line each time another 5% of the run is done, and the last epoch
    run -- about 22 lines whatever the number of epochs; verbose: one line per epoch.

    Hand-written rather than tqdm: the terminal line is the small part (tqdm would draw
    it), but the non-terminal mode -- a line every 5% plus the epoch a run stopped at -- is
    not something tqdm does (it writes carriage-return updates into logs), so a library would
    add a dependency without removing this class."""

    BAR = 30
    STEPS = 20  # lines when not on a terminal: one per 5% of the run

    def __init__(
        self,
        first_epoch: int,
        last_epoch: int,
        stream=None,
        verbose: bool = False,
        clock=time.monotonic,
    ):
        self.first, self.last = first_epoch, last_epoch
        self.stream = stream or sys.stdout
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.verbose = verbose
        self.clock = clock
        self.every = 1 if verbose else max(1, -(-(last_epoch - first_epoch) // self.STEPS))
        self._started = clock()
        self._last_draw = None
        self._pending: str | None = None  # the last epoch's line, when it was not printed

    def epoch_end(self, epoch: int, logs: dict) -> None:
        """`epoch` is 0-based (Keras); printed 1-based."""
        number = epoch + 1
        done = number - self.first
        if self.tty:
            now = self.clock()
            if number < self.last and self._last_draw is not None and now - self._last_draw < 0.1:
                return  # a terminal redraw ten times a second is plenty
            self._last_draw = now
            width = shutil.get_terminal_size().columns - 1  # a wrapped line would not redraw
            line = self._line(number, logs, bar=True)
            self.stream.write(f"\r{line[:width]}\x1b[K")
            self.stream.flush()
            return
        line = self._line(number, logs, bar=False)
        if done == 1 or done % self.every == 0 or number >= self.last:
            print(line, file=self.stream, flush=True)
            self._pending = None
        else:
            self._pending = line

    def _line(self, number: int, logs: dict, bar: bool) -> str:
        done = number - self.first
        total = max(1, self.last - self.first)
        elapsed = max(self.clock() - self._started, 1e-9)
        rate = done / elapsed
        left = (self.last - number) / rate if rate > 0 else 0.0
        metrics = "  ".join(f"{k} {fmt(v)}" for k, v in (logs or {}).items() if is_number(v))
        parts = [f"epoch {number}/{self.last}"]
        if bar:
            filled = int(round(self.BAR * done / total))
            parts.append(f"[{'#' * filled}{'.' * (self.BAR - filled)}]")
        parts += [f"{100 * done / total:3.0f}%", f"{_rate(rate)}", f"ETA {_clock(left)}"]
        return " ".join(parts) + (f"  {metrics}" if metrics else "")

    def finish(self) -> None:
        """After the run: end the terminal line, or print the last epoch when it ended
        between two reports (stopped early or interrupted)."""
        if self.tty:
            if self._last_draw is not None:
                self.stream.write("\n")
                self.stream.flush()
        elif self._pending is not None:
            print(self._pending, file=self.stream, flush=True)
            self._pending = None


def _rate(epochs_per_second: float) -> str:
    if epochs_per_second >= 1:
        return f"{epochs_per_second:.3g} epochs/s"
    return f"{1 / max(epochs_per_second, 1e-9):.3g} s/epoch"


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


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
