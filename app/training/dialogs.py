"""The one question training asks. A module-level function so tests can monkeypatch it."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox


def ask_stop_training(parent) -> bool:
    """Ask whether to stop the running training before an edit of the network or data.
    Returns True when the person agrees (the edit then goes ahead)."""
    answer = QMessageBox.question(
        parent if parent is not None and hasattr(parent, "windowHandle") else None,
        "Stop training?",
        "Training is running. Changing the network or the data stops it; the epochs trained "
        "so far are kept.\n\nStop training and make the change?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes
