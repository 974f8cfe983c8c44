"""The Help menu's windows: About, Choosing Activations, Keyboard Shortcuts. Non-modal, so
they can stay open beside the network while the person works."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import help_texts

# Keys the canvas handles itself (they are not window actions).
CANVAS_KEYS = [
    ("Select previous/next layer (canvas)", "Left / Right"),
    ("Move layer (canvas)", "Ctrl+Left / Ctrl+Right"),
    ("Edit units (canvas)", "Enter or F2"),
]


def show_about(parent: QWidget, version: str) -> None:
    QMessageBox.about(parent, "About Netbuilder", help_texts.ABOUT.format(version=version))


def show_activation_help(parent: QWidget) -> QMessageBox:
    box = QMessageBox(
        QMessageBox.Icon.NoIcon,
        "Choosing Activations",
        help_texts.CHOOSING_ACTIVATIONS,
        QMessageBox.StandardButton.Close,
        parent,
    )
    box.setObjectName("activationHelp")
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setModal(False)
    box.show()
    return box


def show_shortcuts(parent: QWidget, rows: list[tuple[str, str]]) -> QDialog:
    """A table of (action, keys): the window's shortcuts, then the canvas's own keys."""
    dialog = QDialog(parent)
    dialog.setWindowTitle("Keyboard Shortcuts")
    table = QTableWidget(0, 2, dialog)
    table.setObjectName("shortcutTable")
    table.setAccessibleName("Keyboard shortcuts")
    table.setHorizontalHeaderLabels(["Action", "Shortcut"])
    for name, keys in list(rows) + CANVAS_KEYS:
        row = table.rowCount()
        table.insertRow(row)
        table.setItem(row, 0, QTableWidgetItem(name))
        table.setItem(row, 1, QTableWidgetItem(keys))
    table.resizeColumnsToContents()
    table.horizontalHeader().setStretchLastSection(True)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(table)
    layout.addWidget(buttons)
    dialog.resize(440, 480)
    dialog.setModal(False)
    dialog.show()
    return dialog
