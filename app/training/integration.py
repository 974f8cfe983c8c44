"""attach_training(window): puts training into the main window.

Creates the TrainingController, the "Training" toolbar (Train, Pause, Step, Stop, Reset, a
progress bar and the speed), the timeline along the bottom (the epoch scrubber), the
live-plot docks (costPlot, activationPlot, boundaryPlot), an inline message banner, and
wires them to the window: projectChanged, canvas.set_weights, record_training,
training_guard, the status bar, Space and closing the window.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTextEdit,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.builder.connection_views import attach_connection_views
from app.plots.activation_plot import ActivationPlot
from app.plots.cost_plot import CostPlot
from app.plots.output_view import OutputView
from app.training.backprop_views import attach_backprop_views
from app.training.controller import IDLE, PAUSED, RUNNING, STOPPING, TrainingController
from app.training.divergence_fix import attach_divergence_fixes
from app.training.learning_tools import COMPARE_TIP, attach_learning_tools
from app.training.run_summary import RunSummary
from app.training.runs_dock import attach_runs_panel
from app.training.speed import attach_speed_control
from app.training.timeline import attach_timeline
from app.training.training_menu import attach_training_menu

BANNER_STYLES = {
    "error": "background:#fdecea; color:#8a1c12; border:1px solid #e6a39b; padding:4px;",
    "info": "background:#eaf2fb; color:#1b4f82; border:1px solid #9cc0e6; padding:4px;",
}


class MessageBanner(QWidget):
    """An inline message above the plots (objectName "trainingMessage"), closable."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("trainingBanner")
        self.label = QLabel("")
        self.label.setObjectName("trainingMessage")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton()
        close.setText("×")
        close.setAutoRaise(True)
        close.setToolTip("Hide this message")
        close.clicked.connect(lambda: self.show_message("", ""))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # Buttons that act on the message (a divergence's fixes) go in a row under the text,
        # which a narrow dock would otherwise squeeze to a word a line; a new message drops
        # them.
        column = QVBoxLayout()
        column.addWidget(self.label)
        self.actions_box = QHBoxLayout()
        self.actions_box.addStretch(1)
        column.addLayout(self.actions_box)
        layout.addLayout(column, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.kind = ""
        self.setVisible(False)

    def add_button(self, button: QAbstractButton) -> None:
        """Offer `button` with the message shown now, until the next message replaces it."""
        self.actions_box.insertWidget(self.actions_box.count() - 1, button)
        button.show()  # a child added to a shown widget is otherwise shown only later

    def show_message(self, kind: str, text: str) -> None:
        while self.actions_box.count() > 1:  # the buttons, not the stretch after them
            self.actions_box.takeAt(0).widget().deleteLater()
        self.kind = kind if text else ""
        self.label.setText(text)
        self.label.setStyleSheet(BANNER_STYLES.get(kind, BANNER_STYLES["info"]))
        self.setVisible(bool(text))


# Widgets for which Space means something of their own: press, tick, type, open, select.
_SPACE_WIDGETS = (
    QAbstractButton,
    QLineEdit,
    QTextEdit,
    QPlainTextEdit,
    QAbstractSpinBox,
    QComboBox,
    QAbstractItemView,
)


def give_space_to_focused_field(action: QAction) -> bool:
    """If a button or field has the focus, give it the Space key press it was meant to get
    and return True. (Not an application-wide ShortcutOverride filter: a Python filter runs
    for every event of the application.) `action` is off meanwhile, or the re-sent key
    would trigger it again."""
    focus = QApplication.focusWidget()
    if not isinstance(focus, _SPACE_WIDGETS):
        return False
    action.setEnabled(False)
    try:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(
                focus, QKeyEvent(kind, Qt.Key.Key_Space, Qt.KeyboardModifier.NoModifier, " ")
            )
    finally:
        action.setEnabled(True)
    return True


class TrainingPanel(QObject):
    """Everything attach_training adds to a window; returned so tests and the window can reach
    the controller, buttons and plots."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.controller = TrainingController(window, parent=self)
        self._build_toolbar()
        self._build_docks()
        self._wire()
        window.training_guard = self.controller.guard
        self.controller.render_hook = self.paint_frame
        self.backprop = attach_backprop_views(self)  # sample inspector, gradient plot (#15)
        self.divergence_fixes = attach_divergence_fixes(self)  # "Use learning rate X" (#15)
        self.connection_views = attach_connection_views(self)  # weight tooltips, loss slice
        self.speed = attach_speed_control(self)  # epochs per second (#14)
        self.timeline = attach_timeline(self)  # the epoch scrubber, continue from here (#14)
        self.learning_tools = attach_learning_tools(self)  # Compare…, Find learning rate (#14)
        self.training_menu = attach_training_menu(self)  # all of the above, from the keyboard
        self.runs = attach_runs_panel(self)  # the runs panel, its curves on the cost plot (#14)
        window.installEventFilter(self)
        self._update_buttons(IDLE)
        self._show_rest_progress(empty=True)
        self.controller.refresh_views()
        self.cost_plot.set_history(dict(getattr(window.project, "history", {}) or {}))

    # ----- widgets --------------------------------------------------------------------------
    def _build_toolbar(self) -> None:
        bar = QToolBar("Training", self.window)
        bar.setObjectName("trainingToolbar")
        self.toolbar = bar

        def button(name: str, text: str, tip: str, slot) -> QPushButton:
            widget = QPushButton(text)
            widget.setObjectName(name)
            widget.setToolTip(tip)
            widget.clicked.connect(slot)
            bar.addWidget(widget)
            return widget

        c = self.controller
        self.train_button = button(
            "trainButton",
            "Train",
            "Train from the current weights for the set number of epochs (Space)",
            c.train,
        )
        self.pause_button = button(
            "pauseButton", "Pause", "Pause or resume training (Space)", self._pause_clicked
        )
        self.step_button = button("stepButton", "Step", "Train exactly one epoch", c.step)
        self.stop_button = button(
            "stopButton", "Stop", "Stop after the current batch and keep the weights", c.stop
        )
        self.reset_button = button(
            "resetButton",
            "Reset",
            "Re-initialise the weights from the seed (undoable)",
            self._reset_clicked,
        )
        self.compare_button = button(
            "compareButton",
            "Com&pare…",
            COMPARE_TIP + " (Alt+P)",
            lambda: self.learning_tools.compare_action.trigger(),
        )
        self.progress = QProgressBar()
        self.progress.setObjectName("trainingProgress")
        self.progress.setMaximumWidth(220)
        # "12345 epochs" on one line: squeezed by a full toolbar, longer texts wrapped in two.
        self.progress.setMinimumWidth(
            self.progress.fontMetrics().horizontalAdvance("88888 epochs") + 24
        )
        self.progress.setTextVisible(True)
        # Some styles (Fusion) draw the text inside the fill, where it vanished; centred
        # text is drawn over the whole bar and stays readable.
        self.progress.setAlignment(Qt.AlignmentFlag.AlignCenter)
        bar.addSeparator()
        bar.addWidget(self.progress)
        self.window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        # Space as a window action, so Help > Keyboard Shortcuts lists it. A focused button,
        # check box or text field keeps its own Space (give_space_to_focused_field).
        self.space = QAction("Train / Pause / Resume", self.window)
        self.space.setObjectName("actionTrainPause")
        self.space.setShortcut(QKeySequence(Qt.Key.Key_Space))
        self.space.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.space.triggered.connect(self._space_pressed)
        self.window.addAction(self.space)

    def _build_docks(self) -> None:
        w = self.window
        self.banner = MessageBanner()
        self.cost_plot = CostPlot()
        cost_box = QWidget()
        box = QVBoxLayout(cost_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.banner)
        box.addWidget(self.cost_plot, 1)
        self.activation_plot = ActivationPlot()
        # The Output dock: the plane (boundaryPlot) and every-row metrics beside it.
        self.output_view = OutputView()
        self.boundary_plot = self.output_view.boundary_plot
        self.docks = []
        for name, title, widget in (
            ("plotsDock", "Cost", cost_box),
            ("activationDock", "Activations", self.activation_plot),
            ("boundaryDock", "Output", self.output_view),
        ):
            dock = QDockWidget(title, w)
            dock.setObjectName(name)
            dock.setWidget(widget)
            w.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
            self.docks.append(dock)
        w.splitDockWidget(self.docks[0], self.docks[1], Qt.Orientation.Horizontal)
        w.splitDockWidget(self.docks[1], self.docks[2], Qt.Orientation.Horizontal)

    def _wire(self) -> None:
        c = self.controller
        self.summary = RunSummary()
        if hasattr(self.window, "statusBar"):
            self.window.statusBar().addPermanentWidget(self.summary)
        self._edits = 0  # project changes seen while idle
        self._message_mark = 0  # the count when the banner's message was shown
        c.runFinished.connect(self._on_run_finished)
        c.stateChanged.connect(self._on_state)
        c.historyReset.connect(self.cost_plot.set_history)
        c.historyAppended.connect(self.cost_plot.append)
        c.setupChanged.connect(self._on_setup)
        c.layerStatsUpdated.connect(self.activation_plot.update_stats)
        c.outputUpdated.connect(self.boundary_plot.update_output)
        c.evaluationUpdated.connect(self.output_view.update_evaluation)
        self.output_view.choiceChanged.connect(c.refresh_output)
        c.weightsUpdated.connect(self._on_weights)
        # Only the views on screen share the frame budget (a tab behind another, a closed
        # panel, a minimised window leave theirs to the others).
        c.watch_shown("curves", self.cost_plot)
        c.watch_shown("activations", self.activation_plot)
        c.watch_shown("output", self.output_view)
        canvas = getattr(self.window, "canvas", None)
        if canvas is not None:
            c.watch_shown("weights", canvas)
        c.progressChanged.connect(self._on_progress)
        c.statusChanged.connect(self._status)
        c.messageChanged.connect(self._show_message)
        if hasattr(self.window, "projectChanged"):
            self.window.projectChanged.connect(self._on_project_changed)
        self.summary.show_history(getattr(self.window.project, "history", None))

    # ----- slots (GUI thread) ---------------------------------------------------------------
    def _on_project_changed(self) -> None:
        self._show_rest_progress(empty=True)
        if self.controller.state != IDLE:
            return  # a run recording itself: its figures and messages come with runFinished
        self.summary.show_history(getattr(self.window.project, "history", None))
        # An error about a run ("Training diverged") is about the network it ran on: once
        # the project changed since, it no longer applies. (Counted, not the undo index:
        # edits of one field merge into one undo step.)
        self._edits += 1
        if self.banner.kind == "error" and self._edits != self._message_mark:
            self.banner.show_message("", "")

    def _on_run_finished(self, result) -> None:
        self.summary.show_history(getattr(self.window.project, "history", None))
        self.cost_plot.mark_best_epoch(getattr(result, "best_epoch", None))
        self._message_mark = self._edits

    def _pause_clicked(self) -> None:
        if self.controller.state == PAUSED:
            self.controller.resume()
        else:
            self.controller.pause()

    def _space_pressed(self) -> None:
        if not give_space_to_focused_field(self.space):
            self.controller.toggle()

    def _reset_clicked(self) -> bool:
        """Reset, asking first when a run is going: a click must not silently end it."""
        if self.controller.state in (RUNNING, PAUSED):
            from app.training import dialogs

            if not dialogs.ask_reset_during_run(self.window):
                return False
        return self.controller.reset()

    def _on_state(self, state: str) -> None:
        self._update_buttons(state)
        # While a run trains, the status message has its live figures: the last run's beside
        # it disagreed with them and cut the message short (at 1280 px it ran into them).
        self.summary.setVisible(state == IDLE)
        c = self.controller
        if state == RUNNING and c.worker is not None:
            # The epoch axis spans the whole run, so it stays still while the curve grows.
            self.cost_plot.expect_epochs(c.worker.spec.initial_epoch + c.worker.spec.epochs)
            self.cost_plot.expect_metrics(c.worker.model.metrics_names)
        elif state == IDLE:
            self.cost_plot.expect_epochs(None)
            self._show_rest_progress()

    def _update_buttons(self, state: str) -> None:
        active = state in (RUNNING, PAUSED)
        # While paused only the Pause button says "Resume": two "Resume" buttons side by
        # side read as two different things.
        self.train_button.setEnabled(state == IDLE)
        self.pause_button.setEnabled(active)
        self.pause_button.setText("Resume" if state == PAUSED else "Pause")
        self.step_button.setEnabled(state in (IDLE, PAUSED))
        self.stop_button.setEnabled(active)
        self.reset_button.setEnabled(state != STOPPING)
        if state == STOPPING:
            self._status("Stopping after the current batch…")
        elif state == PAUSED:
            self._status("Paused")

    def _show_message(self, kind: str, text: str) -> None:
        self.banner.show_message(kind, text)
        self._message_mark = self._edits
        if text and kind == "error" and not self.docks[0].isVisible():
            self.docks[0].show()  # the message must be seen, even if the plots were hidden
            self.docks[0].raise_()

    def _on_setup(self, setup) -> None:
        self.output_view.set_setup(setup)
        if setup is None:
            self.activation_plot.clear()
        else:
            self.activation_plot.set_layers(setup.activations)

    def _on_weights(self, weights) -> None:
        canvas = getattr(self.window, "canvas", None)
        if canvas is not None and hasattr(canvas, "set_weights"):
            canvas.set_weights(weights)

    def paint_frame(self) -> None:
        """Paint what the frame changed, now. pyqtgraph's item updates reach the views, and
        the views' update requests reach the window, through posted events: delivering them
        paints the changed widgets (only those) while the worker stands aside.

        A plot's new view range moves its items only when the plot is about to paint
        (pyqtgraph's prepareForPaint), which dirtied the view again mid-paint and painted it
        twice; prepared first, each live view paints once with everything in place."""
        for view in (
            self.cost_plot.loss_plot,
            self.cost_plot.metric_plot,
            self.activation_plot.canvas,
            self.boundary_plot.plot,
            self.output_view.confusion_plot,
        ):
            view.scene().prepareForPaint()
        QCoreApplication.sendPostedEvents()

    def _on_progress(self, done: int, planned: int) -> None:
        """During a run: "epoch i/N" of this run's N epochs."""
        # QProgressBar.setValue repaints at once, and an immediate repaint paints every
        # changed widget of the window with it, in the middle of a frame. With updates off,
        # the bar is painted with the rest of the frame instead.
        self.progress.setUpdatesEnabled(False)
        self.progress.setFormat("epoch %v/%m")
        self.progress.setRange(0, max(planned, 1))
        self.progress.setValue(done)
        self.progress.setUpdatesEnabled(True)

    def _show_rest_progress(self, empty: bool = False) -> None:
        """Between runs the bar says how far the project is trained ("300 epochs",
        "not trained"); "epoch 0/1" would mean nothing to a person. Right after a run the
        bar stays filled as far as the run got; an edit, undo or open (`empty`) empties it."""
        if self.controller.state != IDLE:
            return
        trained = int(getattr(self.window.project, "epochs_trained", 0) or 0)
        text = f"{trained} epoch{'' if trained == 1 else 's'}" if trained else "not trained"
        if empty or not trained:
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
        self.progress.setFormat(text)
        self.progress.setToolTip(
            'Epochs this network has been trained for (or "not trained"); while training, the '
            "epochs done of this run"
        )

    def _status(self, text: str) -> None:
        show = getattr(self.window, "status_message", None)
        if callable(show):
            show(text)
        elif hasattr(self.window, "statusBar"):
            self.window.statusBar().showMessage(text)

    # ----- closing ----------------------------------------------------------------------------
    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if watched is self.window and event.type() == QEvent.Type.Close:
            # Stop and join the worker before the window (and its widgets) go away; the run's
            # weights go into the project first, so "save changes?" includes them.
            self.controller.shutdown()
        return False


def attach_training(window) -> TrainingPanel:
    """Add training to `window` (see module docstring). Call once, at the end of the window's
    __init__, before the View menu is built from the docks."""
    return TrainingPanel(window)
