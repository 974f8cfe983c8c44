"""Autosave: every minute, an unsaved project is written to a recovery file; after a crash the
next start offers to restore it. A clean exit deletes it.

The recovery file is a normal .nnproj written by Project.save (atomic), next to a small JSON
file naming the project's own file, so a restored project still saves where it belongs.

Each running window has its own recovery file, named after its process id (and a counter,
for several windows in one process), and holds a lock file beside it for as long as it runs.
Recovery offers only files whose lock is free -- the owner exited or crashed -- so a second
instance never restores, or deletes, the live safety net of the first."""

from __future__ import annotations

import itertools
import json
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, QTimer, Signal

from engine.errors import EngineError
from engine.project import Project

INTERVAL_MS = 60_000
# While a run trains, a due save waits for the run's end, for at most this long: writing the
# project costs the saving thread 0.3-0.6 s of CPU and GIL (a 20,000-epoch history becomes
# JSON), all of it taken from the training thread, which then computed 70-87% of a window
# run's time instead of 96% (benchmarks/gui_overhead.py, one run in five had a save in it).
# A run changes the project only when it ends, so the wait delays the saving of edits made
# before it, never of its result: that is saved as soon as it ends.
MAX_HOLD_S = 300.0
# A run that starts while a save is being written waits for it this long at most: beside a
# training thread the saving thread gets the GIL in slices, and the two crawled together (a
# 0.8 s save took 2.8-9.4 s and the run computed 52-73% of its time instead of 95%).
SAVE_BEFORE_RUN_S = 1.0
# recovery-<pid>-<n>.nnproj; the plain recovery.nnproj of older versions has no owner.
_RECOVERY_NAME = re.compile(r"^recovery(-\d+-\d+)?\.nnproj$")
_instances = itertools.count()


def owner_is_gone(lock_path: Path) -> bool:
    """True when no running process holds the lock at `lock_path` (never taken, released,
    or left behind by a process that has died)."""
    probe = QLockFile(str(lock_path))
    # 0: judge only by whether the owner's process is alive. The default (30 s) would call
    # a live instance's lock stale once it is older than that.
    probe.setStaleLockTime(0)
    if not probe.tryLock(0):
        return False
    probe.unlock()
    return True


@dataclass
class Recovery:
    path: Path  # the recovery .nnproj
    original: Path | None  # the file the project belongs to (None: never saved)
    name: str

    @property
    def info_path(self) -> Path:
        return self.path.with_suffix(".json")

    @property
    def lock_path(self) -> Path:
        return self.path.with_suffix(".lock")


class Autosaver(QObject):
    """Owned by the main window. `window.project` and `window.undo_stack` are read at save
    time; `window.status_message` reports failures (autosave never interrupts work).

    The timer saves on a background thread: writing a project with a large embedded dataset
    takes seconds (zip compression), and the window must not freeze meanwhile. The project
    is copied on the GUI thread first, so the thread never sees a half-made edit."""

    # Emitted from the saving thread; Qt queues it to the GUI thread.
    failed = Signal(str)

    def __init__(self, window, folder: Path, interval_ms: int = INTERVAL_MS):
        super().__init__(window)
        self.window = window
        self.folder = Path(folder)
        stem = f"recovery-{os.getpid()}-{next(_instances)}"
        self.recovery_path = self.folder / f"{stem}.nnproj"
        self.info_path = self.folder / f"{stem}.json"
        self.lock = QLockFile(str(self.folder / f"{stem}.lock"))
        self.lock.setStaleLockTime(0)
        self._take_lock()
        self._thread: threading.Thread | None = None
        # Set by the window: True while saves should wait (a run is training, not paused).
        self.hold: Callable[[], bool] | None = None
        self._held_since: float | None = None  # when the timer's save was first held back
        self.failed.connect(lambda text: self.window.status_message(f"Autosave failed: {text}"))
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.save_in_background)
        self.timer.start()

    def _take_lock(self) -> None:
        """Hold this instance's lock while it runs: other instances see the file as owned."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return  # autosave will report the folder problem when it first writes
        self.lock.tryLock(0)

    def save_now(self) -> bool:
        """Write the recovery file now if there are unsaved changes. Returns True if written."""
        snapshot = self._snapshot()
        if snapshot is None:
            return False
        self.wait()
        try:
            self._write(*snapshot)
        except (EngineError, OSError) as exc:
            self.window.status_message(f"Autosave failed: {exc}")
            return False
        return True

    def save_in_background(self) -> threading.Thread | None:
        """Start writing the recovery file on a thread if there are unsaved changes and no
        earlier save is still running. Returns the thread, or None when nothing started."""
        if self._thread is not None and self._thread.is_alive():
            return None
        if self._holding():
            return None
        self._held_since = None
        snapshot = self._snapshot()
        if snapshot is None:
            return None

        def write() -> None:
            try:
                self._write(*snapshot)
            except (EngineError, OSError) as exc:
                self.failed.emit(str(exc))

        self._thread = threading.Thread(target=write, name="netbuilder-autosave", daemon=True)
        self._thread.start()
        return self._thread

    def _holding(self) -> bool:
        """Whether a due save waits (see MAX_HOLD_S); a long run is saved every MAX_HOLD_S."""
        if self.hold is None or not self.hold():
            return False
        now = time.monotonic()
        if self._held_since is None:
            self._held_since = now
        return now - self._held_since < MAX_HOLD_S

    def resume(self) -> threading.Thread | None:
        """What held saves back is over (the run ended): make the save that waited, if any."""
        if self._held_since is None:
            return None
        return self.save_in_background()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until a background save has finished (before discarding or exiting), or
        for `timeout` seconds at most; True when no save is running any more."""
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                return False
            self._thread = None
        return True

    def _snapshot(self) -> tuple[Project, dict] | None:
        if self.window.undo_stack.isClean():
            return None
        project = self.window.project
        # Save a copy: Project.save remembers the path it wrote, and the real project must
        # keep pointing at its own file; the copy is also what the saving thread may read.
        info = {"original": str(project.path) if project.path else None, "name": project.name}
        return project.copy(), info

    def _write(self, project: Project, info: dict) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if not self.lock.isLocked():
            self._take_lock()
        project.save(self.recovery_path)
        self.info_path.write_text(json.dumps(info), encoding="utf-8")

    def discard(self) -> None:
        """Delete this instance's recovery file (after a clean exit or a save). Other
        instances' files are never touched."""
        self.wait()  # a save still running would write the file again after we delete it
        for path in (self.recovery_path, self.info_path):
            path.unlink(missing_ok=True)

    def release(self) -> None:
        """At exit, after discard(): give up the lock (its file goes with it)."""
        self.timer.stop()
        self.lock.unlock()

    def discard_recovery(self, recovery: Recovery) -> None:
        """Delete an orphaned recovery file (declined, or restored and now ours)."""
        for path in (recovery.path, recovery.info_path):
            path.unlink(missing_ok=True)
        if owner_is_gone(recovery.lock_path):  # removes a dead owner's stale lock too
            recovery.lock_path.unlink(missing_ok=True)

    def orphans(self) -> list[Recovery]:
        """Recovery files whose owner has gone (crashed), newest first. Files that are
        older than their project's last save hold nothing to recover and are left out."""
        try:
            candidates = [p for p in self.folder.iterdir() if _RECOVERY_NAME.match(p.name)]
        except OSError:
            return []
        found = []
        for path in candidates:
            if path == self.recovery_path or not owner_is_gone(path.with_suffix(".lock")):
                continue
            recovery = _read_recovery(path)
            if recovery is not None:
                found.append(recovery)
        return sorted(found, key=lambda r: _mtime(r.path), reverse=True)

    def pending(self) -> Recovery | None:
        """The newest recovery file left by a crashed instance, if any."""
        found = self.orphans()
        return found[0] if found else None

    def load(self, recovery: Recovery) -> Project:
        """The recovered project, pointing at its original file (raises ProjectError)."""
        project = Project.load(recovery.path)
        project.path = recovery.original
        return project


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _read_recovery(path: Path) -> Recovery | None:
    """The Recovery for `path`, or None when its project was saved after the autosave."""
    try:
        info = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        info = {}
    if not isinstance(info, dict):
        info = {}
    original = Path(info["original"]) if info.get("original") else None
    if original is not None and original.is_file() and original.stat().st_mtime >= _mtime(path):
        return None  # saved after the last autosave: nothing to recover
    return Recovery(path, original, str(info.get("name") or "Untitled"))
