"""The last run's figures, kept on screen in the status bar until the project changes them.

The end-of-run status message said loss and val loss only and vanished after 6 s, so
accuracy was never a number anywhere. This label is computed from the project's history, so
it is right after a run, an undo, an open or a reset (which empties it)."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtWidgets import QLabel

from app.plots.cost_plot import METRICS, metric_key


def _number(value: float) -> str:
    return f"{value:.4g}" if math.isfinite(value) else str(value)


def best_epoch(history: dict) -> int | None:
    """The epoch (from 1) with the lowest validation loss, or training loss without one."""
    losses = np.asarray(history.get("val_loss") or history.get("loss") or [], dtype=np.float64)
    # In NumPy: at the end of a 20,000-epoch run a Python scan took ~30 ms of the GUI thread.
    finite = np.isfinite(losses)
    if not finite.any():
        return None
    return int(np.argmin(np.where(finite, losses, np.inf))) + 1


def summary_text(history: dict | None) -> str:
    """The last epoch's figures, e.g. "loss 0.12 (val 0.15) · accuracy 0.95 (val 0.93) · best
    epoch 180", or "" for an untrained project. Which epoch that is, the epoch label beside it
    says ("Epoch 200"): said here too, it was said twice in a row, and at 1024 px the pair
    left a status message ~80 px less room."""
    history = history or {}
    losses = history.get("loss") or []
    if not losses:
        return ""
    parts = []
    key = metric_key(history.keys())
    for name, label in (("loss", "loss"), (key, dict(METRICS).get(key, key))):
        if name is None or not history.get(name):
            continue
        text = f"{label} {_number(history[name][-1])}"
        val = history.get(f"val_{name}")
        if val:
            text += f" (val {_number(val[-1])})"
        parts.append(text)
    best = best_epoch(history)
    if best is not None and len(losses) > 1:
        parts.append(f"best epoch {best}" + (" by val loss" if history.get("val_loss") else ""))
    return " · ".join(parts)


class RunSummary(QLabel):
    """A permanent status-bar label (objectName "runSummary")."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("runSummary")
        self.setContentsMargins(10, 0, 4, 0)  # apart from the status message before it
        self.setAccessibleName("Last training figures")
        self.setToolTip(
            "The figures of the last epoch trained (training, and validation in "
            "brackets), and the epoch with the lowest loss"
        )

    def show_history(self, history: dict | None) -> None:
        self.setText(summary_text(history))
