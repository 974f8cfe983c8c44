"""Autosave: every minute, an unsaved project is written to a recovery file; after a crash the
next start offers to restore it. A clean exit deletes it.

The recovery file is a normal .nnproj written by Project.save (atomic), next to a small JSON
file naming the project's own file, so a restored project still saves where it belongs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QTimer

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
    time; `window.status_message` reports failures (autosave never interrupts work)."""

    def __init__(self, window, folder: Path, interval_ms: int = INTERVAL_MS):
        super().__init__(window)
        self.window = window
        self.folder = Path(folder)
        self.recovery_path = self.folder / "recovery.nnproj"
        self.info_path = self.folder / "recovery.json"
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.save_now)
        self.timer.start()

    def save_now(self) -> bool:
        """Write the recovery file if there are unsaved changes. Returns True if written."""
        if self.window.undo_stack.isClean():
            return False
        project = self.window.project
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            # Save a copy: Project.save remembers the path it wrote, and the real project must
            # keep pointing at its own file.
            project.copy().save(self.recovery_path)
            info = {"original": str(project.path) if project.path else None,
                    "name": project.name}
            self.info_path.write_text(json.dumps(info), encoding="utf-8")
        except (EngineError, OSError) as exc:
            self.window.status_message(f"Autosave failed: {exc}")
            return False
        return True

    def discard(self) -> None:
        """Delete the recovery file (after a clean exit, a save, or a declined restore)."""
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
