"""lrFinderDialog: the learning-rate finder (engine/lr_finder.py) in the window (issue 14).

From a copy of the network's current weights, a few hundred steps raise the learning rate
from 1e-6 to 10 on a BackgroundJob thread; the smoothed loss is drawn live against the rate on
a log axis (lrFinderPlot), then the suggestion is marked with its value and the current rate
beside it. "Apply 0.0123" (applyLearningRateButton) sets the project's learning rate through
the same undoable command as the learning-rate field. The search never changes the project:
not its weights, history, epochs or settings.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import commands
from app.plots.axes import cache_axes
from app.theme import style_plot
from app.training.job_dialog import MESSAGE_STYLE, JobDialog, failure_text
from engine.lr_finder import LRFinderResult, find_learning_rate, search_summary

STEPS = 200  # the engine's default: a few hundredths of a second for the course network
LOWEST_RATE, HIGHEST_RATE = 1e-6, 10.0  # the learning-rate field's range
CURVE_PEN = pg.mkPen((31, 119, 180), width=2.5)
SUGGESTION_COLOUR = (214, 39, 40)
CURRENT_COLOUR = (110, 110, 110)


def applicable_rate(suggestion: float) -> float:
    """The suggestion as the learning-rate field shows it (three significant digits) and within
    its range."""
    return min(max(float(f"{suggestion:.3g}"), LOWEST_RATE), HIGHEST_RATE)


def summary_lines(result: LRFinderResult) -> list[str]:
    """What the search found and how it went, for the person."""
    if result.suggestion is None:
        lines = [f"No learning rate to suggest: {result.suggestion_reason}."]
    else:
        lines = [
            f"Suggested learning rate: {applicable_rate(result.suggestion):g} "
            f"({result.suggestion_reason}); the current one is {result.current_rate:g}."
        ]
    if result.steps_done:
        lines.append(search_summary(result))
    lines.append(
        "The search trained a copy: the network's weights, history and epochs are unchanged."
    )
    return lines


def _rate_line(colour, width: float, style: Qt.PenStyle, label_position: float):
    """A vertical line at a learning rate (the suggestion, the current rate), labelled at
    `label_position` of the plot's height; hidden until a rate is set."""
    line = pg.InfiniteLine(
        angle=90,
        movable=False,
        pen=pg.mkPen(colour, width=width, style=style),
        label="",
        labelOpts={"position": label_position, "color": colour, "movable": False},
    )
    line.setVisible(False)
    return line


class LRFinderDialog(JobDialog):
    """See the module docstring. `window`: the main window (project, push, projectChanged);
    `is_training()`: whether the window's own training runs now.

    Signals: searchFinished(object) -- the LRFinderResult (also a cancelled one)."""

    searchFinished = Signal(object)

    def __init__(self, window, is_training=lambda: False):
        super().__init__(window, is_training, "lrFinderDialog", "Find a learning rate")
        self.result: LRFinderResult | None = None
        self._rates: list[float] = []
        self._losses: list[float] = []
        self._build()
        self._watch_frames(self._add, (self.plot,))
        self._set_running(False)
        self.resize(760, 560)

    # ----- widgets ----------------------------------------------------------------------------
    def _build(self) -> None:
        self.plot = pg.PlotWidget(background="w")
        self.plot.setObjectName("lrFinderPlot")
        self.plot.setMenuEnabled(False)
        self.plot.setLogMode(x=True)
        self.plot.setTitle("Smoothed training loss as the learning rate rises")
        self.plot.setLabel("bottom", "learning rate (log scale)")
        self.plot.setLabel("left", "training loss (smoothed)")
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        # Rates read as they are (0.001, not "1 (x0.001)"), losses too.
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        self.plot.getAxis("bottom").enableAutoSIPrefix(False)
        cache_axes(self.plot.getPlotItem())
        style_plot(self.plot, self.palette())
        self.curve = self.plot.plot([], [], pen=CURVE_PEN)
        self.suggestion_line = _rate_line(SUGGESTION_COLOUR, 2, Qt.PenStyle.DashLine, 0.92)
        self.current_line = _rate_line(CURRENT_COLOUR, 1.5, Qt.PenStyle.DotLine, 0.08)
        for line in (self.suggestion_line, self.current_line):
            self.plot.addItem(line, ignoreBounds=True)

        self.explanation = QLabel(
            f"From a copy of the network's current weights, each of {STEPS} steps trains one "
            f"batch while the learning rate rises exponentially from {LOWEST_RATE:g} to "
            f"{HIGHEST_RATE:g}. The loss first hardly moves, then falls, then explodes: the "
            "suggestion is where it falls fastest.",
            objectName="lrFinderExplanation",
        )
        self.explanation.setWordWrap(True)
        self.message = QLabel("", objectName="lrFinderMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(MESSAGE_STYLE)
        self.message.setVisible(False)
        self.summary = QLabel("", objectName="lrFinderSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = QProgressBar(objectName="lrFinderProgress")
        self.progress.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.apply_button = QPushButton("&Apply", objectName="applyLearningRateButton")
        self.apply_button.setToolTip("Set the project's learning rate to the suggestion (undoable)")
        self.apply_button.clicked.connect(self.apply)
        self.run_button = QPushButton("Search a&gain", objectName="lrFinderRunButton")
        self.run_button.setToolTip("Run the search again from the network's current weights")
        self.run_button.setAutoDefault(False)
        self.run_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("&Cancel", objectName="lrFinderCancelButton")
        self.cancel_button.setToolTip("Stop the search; the curve so far stays")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button = QPushButton("Cl&ose", objectName="lrFinderCloseButton")
        self.close_button.setToolTip("Close (Esc); a search still running is stopped")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.progress, 1)
        for button in (self.apply_button, self.run_button, self.cancel_button, self.close_button):
            buttons.addWidget(button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.explanation)
        layout.addWidget(self.message)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        order = [self.apply_button, self.run_button, self.cancel_button, self.close_button]
        for first, second in zip(order, order[1:]):
            QWidget.setTabOrder(first, second)

    # ----- running ----------------------------------------------------------------------------
    def start(self) -> bool:
        """Search from the project's current weights; False (reason shown) if it cannot."""
        if self.job is not None:
            return False
        problem = self._refusal()
        if problem:
            self._show_message(problem)
            self._show_current_rate()
            return False
        self._show_message("")
        project = self.project.copy()  # the search reads it on its own thread
        self.result = None
        self._rates, self._losses = [], []
        self.curve.setData([], [])
        self.suggestion_line.setVisible(False)
        self.summary.setText("Searching…")
        self._show_current_rate()
        self.progress.setRange(0, STEPS)
        self.progress.setValue(0)
        self.progress.setFormat("step %v of %m")
        self._start_job(
            lambda report, should_stop: find_learning_rate(
                project,
                steps=STEPS,
                callback=lambda i, rate, loss: report((i, rate, loss)),
                should_stop=should_stop,
            )
        )
        return True

    def _refusal(self) -> str:
        project = self.project
        if project.dataset is None:
            return "Cannot search: the project has no dataset; choose one in the Dataset panel."
        if not project.layers:
            return "Cannot search: the network has no layers; add one from the palette."
        if self.is_training():
            return (
                "Cannot search while the network trains: the search starts from the "
                "network's weights, which the run is changing. Stop the run or let it finish."
            )
        return ""

    def _add(self, items) -> None:
        if not items:
            return
        for _step, rate, loss in items:
            self._rates.append(rate)
            self._losses.append(loss)
        self.curve.setData(np.asarray(self._rates), np.asarray(self._losses))
        self.progress.setUpdatesEnabled(False)  # setValue would repaint it at once
        self.progress.setValue(items[-1][0] + 1)
        self.progress.setUpdatesEnabled(True)

    def _on_finished(self, job) -> None:
        rest = self._end_job(job)
        if rest is None:
            return  # already handled (shutdown)
        self._add(rest)
        if job.error is not None:
            self._show_message(f"The search failed: {failure_text(job.error)}")
            self.summary.setText("")
            return
        self.show_result(job.result)
        self.searchFinished.emit(job.result)

    # ----- the result -------------------------------------------------------------------------
    def show_result(self, result: LRFinderResult) -> None:
        self.result = result
        self.curve.setData(result.rates, result.smoothed)
        self.progress.setRange(0, max(1, STEPS))
        self.progress.setValue(result.steps_done)
        self.progress.setFormat("Cancelled at step %v" if result.cancelled else "%v of %m steps")
        suggestion = result.suggestion
        self.suggestion_line.setVisible(suggestion is not None)
        if suggestion is not None:
            self.suggestion_line.setValue(math.log10(suggestion))  # the axis shows log10
            self.suggestion_line.label.setFormat(f"suggested {applicable_rate(suggestion):g}")
        self.summary.setText("\n".join(summary_lines(result)))
        self._show_current_rate()
        self._update_apply()

    def _show_current_rate(self) -> None:
        rate = float(self.project.compile.learning_rate)
        visible = rate > 0
        self.current_line.setVisible(visible)
        if visible:
            self.current_line.setValue(math.log10(rate))
            self.current_line.label.setFormat(f"current {rate:g}")

    def _update_apply(self) -> None:
        result = self.result
        if result is None or result.suggestion is None:
            self.apply_button.setText("&Apply")
            self.apply_button.setEnabled(False)
            return
        rate = applicable_rate(result.suggestion)
        self.apply_button.setText(f"&Apply {rate:g}")
        self.apply_button.setEnabled(
            self.job is None and float(self.project.compile.learning_rate) != rate
        )

    def apply(self) -> bool:
        """Set the project's learning rate to the suggestion: one undoable edit, the learning
        rate field's own command."""
        if self.result is None or self.result.suggestion is None:
            return False
        rate = applicable_rate(self.result.suggestion)
        command = commands.set_spec_field(
            self.window_, "compile", "learning_rate", rate, "learning rate"
        )
        return bool(self.window_.push(command))

    def _on_project_changed(self) -> None:
        if self.job is None:
            self._show_current_rate()
            self._update_apply()

    def _set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self._update_apply()
