"""Autosave: every minute, an unsaved project is written to a recovery file; after a crash the
next start offers to restore it. A clean exit deletes it.

The recovery file is a normal .nnproj written by Project.save (atomic), next to a small JSON
file naming the project's own file, so a restored project still saves where it belongs."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from engine.errors import EngineError
from engine.project import Project

INTERVAL_MS = 60_000


@dataclass
class Recovery:
    path: Path  # the recovery .nnproj
    original: Path | None  # the file the project belongs to (None: never saved)
    name: str


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
        self.recovery_path = self.folder / "recovery.nnproj"
        self.info_path = self.folder / "recovery.json"
        self._thread: threading.Thread | None = None
        self.failed.connect(lambda text: self.window.status_message(f"Autosave failed: {text}"))
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.save_in_background)
        self.timer.start()

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

    def wait(self) -> None:
        """Block until a background save has finished (before discarding or exiting)."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None

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
        project.save(self.recovery_path)
        self.info_path.write_text(json.dumps(info), encoding="utf-8")

    def discard(self) -> None:
        """Delete the recovery file (after a clean exit, a save, or a declined restore)."""
        self.wait()  # a save still running would write the file again after we delete it
        for path in (self.recovery_path, self.info_path):
            path.unlink(missing_ok=True)

    def pending(self) -> Recovery | None:
        """The recovery file left by a crash, if it is newer than the project's last save."""
        if not self.recovery_path.is_file():
            return None
        try:
            info = json.loads(self.info_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            info = {}
        original = Path(info["original"]) if info.get("original") else None
        if original is not None and original.is_file():
            if original.stat().st_mtime >= self.recovery_path.stat().st_mtime:
                return None  # saved after the last autosave: nothing to recover
        return Recovery(self.recovery_path, original, str(info.get("name") or "Untitled"))

    def load(self, recovery: Recovery) -> Project:
        """The recovered project, pointing at its original file (raises ProjectError)."""
        project = Project.load(recovery.path)
        project.path = recovery.original
        return project
