"""Every question the main window asks the person, in one small class.

Tests replace single methods (e.g. ``monkeypatch.setattr(window.dialogs,
"ask_unsaved_changes", lambda name: "discard")``) instead of driving modal boxes, which
would block an offscreen test run forever."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget

from app.image_export import ExportImageDialog

PROJECT_FILTER = "Netbuilder projects (*.nnproj);;All files (*)"
SCRIPT_FILTER = "Python scripts (*.py)"


class Dialogs:
    def __init__(self, parent: QWidget):
        self.parent = parent

    def ask_unsaved_changes(self, project_name: str) -> str:
        """ "save", "discard" or "cancel"."""
        box = QMessageBox(self.parent)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Unsaved changes")
        box.setText(f"Save the changes to “{project_name}”?")
        box.setInformativeText("Your changes will be lost if you don't save them.")
        box.setStandardButtons(
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel
        )
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        return {
            QMessageBox.StandardButton.Save: "save",
            QMessageBox.StandardButton.Discard: "discard",
        }.get(QMessageBox.StandardButton(answer), "cancel")

    def ask_open_path(
        self, caption: str, file_filter: str = PROJECT_FILTER, folder: str = ""
    ) -> str:
        """A file to open, or "" when cancelled."""
        path, _ = QFileDialog.getOpenFileName(self.parent, caption, folder, file_filter)
        return path

    def ask_save_path(self, caption: str, suggested: str, file_filter: str = PROJECT_FILTER) -> str:
        """A file to write, or "" when cancelled."""
        path, _ = QFileDialog.getSaveFileName(self.parent, caption, suggested, file_filter)
        return path

    def ask_project_name(self, current: str) -> str:
        """A new name for the project, or "" when cancelled."""
        name, ok = QInputDialog.getText(
            self.parent, "Rename Project", "Project name:", text=current
        )
        return name if ok else ""

    def ask_export_image(self, views):
        """(view, format, QSize) from the Export Image dialog, or None when cancelled."""
        dialog = ExportImageDialog(views, self.parent)
        if dialog.exec() != ExportImageDialog.DialogCode.Accepted or dialog.view() is None:
            return None
        return dialog.view(), dialog.fmt(), dialog.export_size()

    def ask_restore_recovery(self, name: str, original: str | None) -> bool:
        where = f"of {original}" if original else "that was never saved"
        answer = QMessageBox.question(
            self.parent,
            "Restore unsaved work?",
            f"Netbuilder did not close cleanly last time. An autosaved copy of “{name}” "
            f"({where}) is newer than its last save.\n\nRestore it?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        return answer == QMessageBox.StandardButton.Yes

    def show_error(self, title: str, text: str) -> None:
        QMessageBox.critical(self.parent, title, text)

    def show_notice(self, title: str, text: str) -> None:
        """A non-blocking message (e.g. warnings from loading a project)."""
        box = QMessageBox(
            QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok, self.parent
        )
        box.setModal(False)
        box.show()
