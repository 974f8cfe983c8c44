"""Compare… and Find learning rate in the window (issue 14): the two actions, their dialogs
(app/training/compare_dialog.py, lr_finder_dialog.py) and what ties them to the window.

- compareAction ("Compare…") opens compareDialog; the training toolbar's compareButton
  triggers it.
- lrFinderAction ("Find Learning Rate…") opens lrFinderDialog and starts a search; the
  lrFinderButton beside the learning-rate field triggers it. (Both actions are ready for a
  Training menu; the window has none yet.)
- Both refuse to start while the window trains, and a run started meanwhile stops them: a
  comparison promises both sides the same batches, which needs the engine's random generator
  to itself.
- Closing the window (or quitting) stops and joins their threads before the widgets go.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtGui import QAction

from app.training.compare_dialog import CompareDialog
from app.training.controller import IDLE, RUNNING
from app.training.lr_finder_dialog import LRFinderDialog

COMPARE_TIP = (
    "Train the current network and a variant with one change (an activation, the loss, the "
    "optimizer, the learning rate or the batch size) from the same start, side by side"
)
LR_FINDER_TIP = (
    "Find a learning rate: raise it from 1e-6 to 10 over a few hundred batches on a copy of "
    "the network and suggest where the loss falls fastest"
)


class LearningTools(QObject):
    def __init__(self, panel):
        super().__init__(panel)
        self.panel = panel
        self.window = panel.window
        self.compare_dialog: CompareDialog | None = None
        self.lr_finder_dialog: LRFinderDialog | None = None
        self.compare_action = QAction("Com&pare…", self.window)
        self.compare_action.setObjectName("compareAction")
        self.compare_action.setToolTip(COMPARE_TIP)
        self.compare_action.setStatusTip(COMPARE_TIP)
        self.compare_action.triggered.connect(self.open_compare)
        self.lr_finder_action = QAction("Find &Learning Rate…", self.window)
        self.lr_finder_action.setObjectName("lrFinderAction")
        self.lr_finder_action.setToolTip(LR_FINDER_TIP)
        self.lr_finder_action.setStatusTip(LR_FINDER_TIP)
        self.lr_finder_action.triggered.connect(self.open_lr_finder)
        settings = getattr(self.window, "training_settings", None)
        if settings is not None and hasattr(settings, "findLearningRateRequested"):
            settings.findLearningRateRequested.connect(self.lr_finder_action.trigger)
            settings.lr_finder_button.setToolTip(LR_FINDER_TIP + " (Alt+D)")
        panel.controller.stateChanged.connect(self._on_training_state)
        self.window.installEventFilter(self)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    def _is_training(self) -> bool:
        return self.panel.controller.state != IDLE

    def open_compare(self) -> CompareDialog:
        """Show the comparison dialog (one per window, kept with its last result)."""
        if self.compare_dialog is None:
            self.compare_dialog = CompareDialog(self.window, self._is_training)
        self._raise(self.compare_dialog)
        return self.compare_dialog

    def open_lr_finder(self) -> LRFinderDialog:
        """Show the learning-rate finder and search from the network's current weights."""
        if self.lr_finder_dialog is None:
            self.lr_finder_dialog = LRFinderDialog(self.window, self._is_training)
        dialog = self.lr_finder_dialog
        self._raise(dialog)
        if not dialog.running:
            dialog.start()
        return dialog

    @staticmethod
    def _raise(dialog) -> None:
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def _on_training_state(self, state: str) -> None:
        if state != RUNNING:
            return
        if self.compare_dialog is not None:
            self.compare_dialog.stop_for(
                "Stopped: the window started training. A comparison needs the engine's random "
                "generator to itself to give both runs the same batches; run it again when "
                "training is done."
            )
        if self.lr_finder_dialog is not None:
            self.lr_finder_dialog.stop_for(
                "Stopped: the window started training; search again when it is done."
            )

    def shutdown(self) -> None:
        """Stop and join both dialogs' threads (window closing, application quitting)."""
        for dialog in (self.compare_dialog, self.lr_finder_dialog):
            if dialog is not None:
                dialog.shutdown()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.shutdown()
        return False


def attach_learning_tools(panel) -> LearningTools:
    """Add Compare… and Find learning rate to the window of `panel` (a TrainingPanel)."""
    return LearningTools(panel)
