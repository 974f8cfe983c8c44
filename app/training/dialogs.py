"""The questions training asks. Module-level functions so tests can monkeypatch them."""

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


def ask_reset_during_run(parent) -> bool:
    """Ask before Reset throws away the weights of a run that is still going. True: stop
    the run (its epochs go into the undo history) and reset."""
    answer = QMessageBox.question(
        parent if parent is not None and hasattr(parent, "windowHandle") else None,
        "Reset during training?",
        "Training is running. Reset stops it and re-initialises the weights from the seed; "
        "the epochs trained so far stay in the undo history (Edit ▸ Undo brings them "
        "back).\n\nStop training and reset?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes
