"""The status bar says what the window holds and what it is doing.

Beside the last run's figures (runSummary) it keeps the dataset (name, rows × features) and
the epoch the weights are at, refreshed on every projectChanged. A long operation (importing
a CSV, saving, exporting) shows a busy bar and a message while it runs: these block the GUI
thread, so without it the window just froze with no sign of why.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication, QLabel, QProgressBar, QWidget


def dataset_text(project) -> str:
    """E.g. "coffee: 200 rows × 2 features", or "No dataset"."""
    dataset = project.dataset
    if dataset is None:
        return "No dataset"
    x = dataset.x
    rows, features = (int(x.shape[0]), int(x.shape[1])) if x.ndim == 2 else (len(x), 1)
    name = getattr(dataset, "name", None) or "dataset"
    return (
        f"{name}: {rows:,} row{'s' if rows != 1 else ''} × {features} "
        f"feature{'s' if features != 1 else ''}"
    )


def epoch_text(project) -> str:
    epochs = int(project.epochs_trained or 0)
    return f"Epoch {epochs}" if epochs else "Not trained"


class StatusState:
    """The permanent status-bar widgets of `window` (a QMainWindow with `project` and
    `projectChanged`): datasetStatus, epochStatus, and the busy pair busyIndicator /
    busyMessage."""

    def __init__(self, window) -> None:
        self.window = window
        bar = window.statusBar()
        self.busy_message = QLabel(bar)
        self.busy_message.setObjectName("busyMessage")
        self.busy_bar = QProgressBar(bar)
        self.busy_bar.setObjectName("busyIndicator")
        self.busy_bar.setAccessibleName("Working")
        self.busy_bar.setRange(0, 0)  # busy mode: the length of the work is unknown
        self.busy_bar.setMaximumWidth(120)
        self.busy_bar.setTextVisible(False)
        # No taller than a line of text: the status bar keeps its height (a 5 px taller bar
        # took that from the canvas at every window size, busy or not).
        self.busy_bar.setMaximumHeight(self.busy_message.sizeHint().height())
        self.dataset_label = self._label(
            "datasetStatus", "Dataset", "The dataset: its name, rows and input features"
        )
        self.epoch_label = self._label(
            "epochStatus", "Epoch", "How many epochs the current weights were trained"
        )
        for widget in (self.busy_message, self.busy_bar):
            bar.addWidget(widget)
            widget.hide()
        bar.addPermanentWidget(self.dataset_label)
        bar.addPermanentWidget(self.epoch_label)
        window.projectChanged.connect(self.refresh)
        self.refresh()

    def _label(self, name: str, accessible: str, tip: str) -> QLabel:
        label = QLabel(self.window.statusBar())
        label.setObjectName(name)
        label.setAccessibleName(accessible)
        label.setToolTip(tip)
        label.setContentsMargins(10, 0, 4, 0)  # apart from the run summary's last figure
        # Shown whole when there is room, but a long dataset name must not set the window's
        # minimum width (the window still goes down to 760 px wide).
        label.setMinimumWidth(40)
        return label

    def refresh(self) -> None:
        project = self.window.project
        self.dataset_label.setText(dataset_text(project))
        self.epoch_label.setText(epoch_text(project))

    def is_busy(self) -> bool:
        return self.busy_bar.isVisible()

    @contextmanager
    def busy(self, message: str) -> Iterator[None]:
        """Show `message` with a busy bar while the block runs, and remove both after."""
        if self.is_busy():  # nested (save inside an export): the outer message stays
            yield
            return
        # A temporary message is drawn over normal widgets: it would cover the busy pair.
        self.window.statusBar().clearMessage()
        self.busy_message.setText(message)
        self.busy_message.show()
        self.busy_bar.show()
        # Once, without user input: the work below blocks the event loop, so this is the
        # only chance to paint the bar; a click handled here could start a second operation.
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        try:
            yield
        finally:
            self.busy_bar.hide()
            self.busy_message.hide()


def busy(widget: QWidget | None, message: str):
    """The busy indicator of the window that holds `widget` (a dialog's parent, a panel),
    or a no-op outside a main window (a dialog opened alone in a test)."""
    window = widget.window() if widget is not None else None
    state = getattr(window, "status_state", None)
    return state.busy(message) if state is not None else nullcontext()
