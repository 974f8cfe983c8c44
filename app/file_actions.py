"""File operations of the main window: new, open, save, save as, recent files, Keras export.

Every operation that would throw away unsaved work asks first (Save / Discard / Cancel).
Opening a broken file shows the engine's message naming the file and the problem, and leaves
the current project untouched: the new project replaces the old one only after it loaded.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from app import settings as app_settings
from app.dialogs import SCRIPT_FILTER
from engine import export
from engine.errors import EngineError
from engine.project import Project


class FileActions:
    def __init__(self, window):
        self.window = window

    # --- asking before losing work -----------------------------------------------------

    def maybe_save(self) -> bool:
        """True when it is fine to throw the current project away (saved, discarded)."""
        window = self.window
        if window.undo_stack.isClean():
            return True
        answer = window.dialogs.ask_unsaved_changes(window.project.name)
        if answer == "save":
            return self.save()
        return answer == "discard"

    def may_replace(self) -> bool:
        """Before New/Open: a running training run must stop first (its result belongs to
        the current project), then unsaved changes are saved or discarded."""
        return self.window.training_allows_edit() and self.maybe_save()

    # --- new / open -----------------------------------------------------------------------

    def new_project(self) -> bool:
        """Start over with the default example network (untitled, never saved)."""
        if not self.may_replace():
            return False
        project = Project.course()
        project.name = "Untitled"
        self.window.set_project(project)
        self.window.status_message("New project: the course network on the coffee data.")
        return True

    def open_dialog(self) -> bool:
        if not self.may_replace():
            return False
        folder = str(self.window.project.path.parent) if self.window.project.path else ""
        path = self.window.dialogs.ask_open_path("Open Project", folder=folder)
        return bool(path) and self.open_path(path, ask=False)

    def open_path(self, path: str | Path, ask: bool = True) -> bool:
        """Open `path`; on failure show why and keep the current project."""
        if ask and not self.may_replace():
            return False
        window = self.window
        try:
            project = Project.load(path)
        except (EngineError, OSError) as exc:
            window.dialogs.show_error(
                "Could not open project",
                f"Could not open {Path(path).name}:\n\n{exc}\n\nThe current project is unchanged.",
            )
            if not Path(path).exists():
                app_settings.remove_recent_file(window.settings, path)
            return False
        window.set_project(project)
        app_settings.add_recent_file(window.settings, project.path or path)
        window.status_message(f"Opened {Path(path).name}.")
        if project.warnings:
            window.dialogs.show_notice(f"Opened {Path(path).name}", "\n\n".join(project.warnings))
        return True

    # --- save ---------------------------------------------------------------------------

    def save(self) -> bool:
        if self.window.project.path is None:
            return self.save_as()
        return self._save_to(self.window.project.path)

    def save_as(self) -> bool:
        project = self.window.project
        suggested = str(project.path) if project.path else f"{project.name}.nnproj"
        path = self.window.dialogs.ask_save_path("Save Project As", suggested)
        if not path:
            return False
        path = Path(path)
        if path.suffix.lower() != ".nnproj":
            path = path.with_name(path.name + ".nnproj")
        old_name = project.name
        # The project is called what its file is called: after Save As to a new name, the
        # title, the quit prompt and the exported script used to keep the old name.
        project.name = path.stem
        if not self._save_to(path):
            project.name = old_name
            return False
        return True

    def _save_to(self, path: Path) -> bool:
        window = self.window
        try:
            with window.busy(f"Saving {Path(path).name}…"):
                saved = window.project.save(path)
        except (EngineError, OSError) as exc:
            window.dialogs.show_error(
                "Could not save project", f"Could not save {Path(path).name}:\n\n{exc}"
            )
            return False
        window.undo_stack.setClean()
        window.autosaver.discard()
        app_settings.add_recent_file(window.settings, saved)
        window.update_title()
        window.status_message(f"Saved {saved.name}.")
        return True

    # --- Keras export -------------------------------------------------------------------

    def export_keras_script(self) -> bool:
        window = self.window
        suggested = f"{_safe_stem(window.project.name)}.py"
        if window.project.path:
            suggested = str(window.project.path.with_suffix(".py"))
        path = window.dialogs.ask_save_path("Export Keras Script", suggested, SCRIPT_FILTER)
        if not path:
            return False
        if not path.endswith(".py"):
            path += ".py"
        try:
            with window.busy(f"Exporting {Path(path).name}…"):
                script, weights = export.export_keras(window.project, path)
        except (EngineError, OSError) as exc:
            window.dialogs.show_error("Could not export", f"Could not export {path}:\n\n{exc}")
            return False
        written = [script.name, weights.name]
        data = export.companion_paths(script)[1]
        if data.is_file() and data.stat().st_mtime >= script.stat().st_mtime - 5:
            written.append(data.name)  # the data file is written only with a dataset
        window.status_message(f"Exported {', '.join(written[:-1])} and {written[-1]}.")
        return True

    def copy_keras_code(self) -> bool:
        window = self.window
        try:
            code = export.keras_script(window.project, f"{_safe_stem(window.project.name)}.py")
        except EngineError as exc:
            window.dialogs.show_error("Could not create Keras code", str(exc))
            return False
        QApplication.clipboard().setText(code)
        window.status_message("Copied the Keras code to the clipboard.")
        return True


def _safe_stem(name: str) -> str:
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in (name or "model").strip())
    return stem.strip("_").lower() or "model"
