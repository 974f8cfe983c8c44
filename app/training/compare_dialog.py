"""compareDialog: same start, two choices (issue 14). The person picks one change -- a layer's
activation, the loss, the optimizer, the learning rate or the batch size -- and Run trains the
current network and the variant from the same initial weights on the same batches
(engine.compare), on a BackgroundJob thread. The dialog shows:

- compareCostPlot: both loss curves live, base and variant in two colours, validation dashed;
- compareBoundaryBase / compareBoundaryVariant: each run's decision boundary (or fitted curve,
  or whatever the Output dock shows for the data), drawn by the Output dock's BoundaryPlot;
- compareHealthTable: each layer's dead or saturated share after each run;
- compareVerdict: engine.compare.verdict's one line.

A comparison that ran to its end adds both runs to the project as one undo step (named by the
change, "layer 1 sigmoid" and "layer 1 relu"); the project's weights, history and epochs are
not touched. Cancel, Esc, closing the dialog or the window stop the run within a batch.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import commands
from app.builder.training_settings import LOSS_LABELS, OPTIMIZER_LABELS
from app.plots.axes import cache_axes, follow_y
from app.plots.boundary_plot import BoundaryPlot
from app.theme import style_plot
from app.training.comparison import (
    KIND_LABELS,
    ComparisonResult,
    add_comparison_runs,
    can_record,
    health_text,
    health_tip,
    plotted_measure,
    run_comparison,
    run_names,
    side_name,
)
from app.training.job_dialog import MESSAGE_STYLE, JobDialog, failure_text
from engine.compare import KINDS, Change, apply_change, changes_for, verdict
from engine.errors import EngineError

# The two runs' colours (Tableau blue and red): distinct from each other and, on the plots,
# from nothing else they share a view with.
SIDE_COLOURS = ((31, 119, 180), (214, 39, 40))
MAX_EPOCHS = 100_000
_MEASURE_NAMES = {"mae": "MAE"}


def _hex(rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def value_text(change: Change) -> str:
    """How a change's value reads in the value combo."""
    value = change.value
    if change.kind == "loss":
        return LOSS_LABELS.get(value, str(value))
    if change.kind == "optimizer":
        return OPTIMIZER_LABELS.get(value, str(value))
    if change.kind == "learning_rate":
        return f"{float(value):g}"
    if change.kind == "batch_size":
        return "full batch" if value is None else str(int(value))
    return str(value)


def current_value_text(project, kind: str, layer: int | None) -> str:
    """The project's own value of what a change would change ("sigmoid", "0.01", ...)."""
    if kind == "activation":
        if layer is None or not 0 <= layer < len(project.layers):
            return ""
        return str(project.layers[layer].activation or "linear")
    value = {
        "loss": project.compile.loss,
        "optimizer": project.compile.optimizer,
        "learning_rate": project.compile.learning_rate,
        "batch_size": project.training.batch_size,
    }[kind]
    return value_text(Change(kind, value))  # read as the value combo reads the changes


class CompareCostPlot(pg.PlotWidget):
    """Both runs' loss (or, for a change of loss, the measure the verdict compares) per
    epoch: base and variant in their colours, validation dashed. Curves are keyed by
    (which, split): which 0 is the current network, 1 the variant; split "training" or
    "validation"."""

    SPLITS = ("training", "validation")

    def __init__(self, parent=None):
        super().__init__(parent, background="w")
        self.setObjectName("compareCostPlot")
        self.setMenuEnabled(False)
        self.setLabel("bottom", "epoch")
        self.showGrid(x=True, y=True, alpha=0.2)
        self.getAxis("left").enableAutoSIPrefix(False)
        self.getAxis("bottom").enableAutoSIPrefix(False)
        cache_axes(self.getPlotItem())
        self.curves: dict[tuple[int, str], pg.PlotDataItem] = {}
        for which, colour in enumerate(SIDE_COLOURS):
            for split, style in zip(self.SPLITS, (Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine)):
                width = 2.2 if split == "training" else 1.8
                curve = self.plot([], [], pen=pg.mkPen(colour, width=width, style=style))
                curve.setDownsampling(auto=True, method="peak")
                curve.setClipToView(True)
                self.curves[which, split] = curve
        self.values: dict[tuple[int, str], list[float]] = {key: [] for key in self.curves}
        self._arrays = {key: np.zeros(0) for key in self.curves}  # as drawn
        self.legend = self.addLegend(
            offset=(-10, 10),
            labelTextSize="10pt",
            labelTextColor=(30, 30, 30),
            brush=pg.mkBrush(255, 255, 255, 220),
            pen=pg.mkPen(200, 200, 200),
        )
        self._names = ("", "")
        self._legend_keys: list = []
        self._log = False
        self.measure = "loss"
        self.set_measure("loss")
        style_plot(self, self.palette())

    def start(self, names: tuple[str, str], epochs: int, measure: str = "loss") -> None:
        """A new comparison: empty curves named after the two sides, epochs 1..epochs, showing
        the history key `measure` ("loss", or "accuracy" / "mae" for a change of loss)."""
        for key in self.values:
            self.values[key] = []
            self._arrays[key] = np.zeros(0)
            self.curves[key].setData([], [])
        self._names = tuple(names)
        self.set_measure(measure)
        self._show_legend_rows(set())
        self.setXRange(1, max(int(epochs), 2), padding=0.02)
        self._fit_y(refit=True)

    def set_measure(self, measure: str) -> None:
        """Draw the history key `measure` from now on (its axis label, title, legend place)."""
        self.measure = measure
        name = _MEASURE_NAMES.get(measure, measure)
        self.setLabel("left", name)
        if self.measure == "loss":
            self.setTitle("Loss per epoch")
        else:  # two different losses' values say nothing side by side
            self.setTitle(f"{name[:1].upper()}{name[1:]} per epoch (the losses differ)")
        # The legend sits where the curves are not: top right over falling losses, bottom
        # right under a rising accuracy.
        self.legend.setOffset((-10, -10) if self.measure == "accuracy" else (-10, 10))

    def add(self, items) -> None:
        """(which, epoch, logs) items in order: append their values and redraw once."""
        changed = set()
        keys = (self.measure, f"val_{self.measure}")
        for which, epoch, logs in items:
            for split, key in zip(self.SPLITS, keys):
                if key in logs:
                    series = self.values[which, split]
                    del series[epoch - 1 :]  # an epoch's value once, wherever it came from
                    series.extend([math.nan] * (epoch - 1 - len(series)))
                    series.append(float(logs[key]))
                    changed.add((which, split))
        for key in changed:
            self._draw(key)
        self._fit_y()
        self._show_legend_rows({key for key, values in self.values.items() if values})

    def set_histories(self, histories) -> None:
        """The runs' final histories (name -> per-epoch values), one per side or None."""
        keys = (self.measure, f"val_{self.measure}")
        for which, history in enumerate(histories):
            for split, key in zip(self.SPLITS, keys):
                self.values[which, split] = [float(v) for v in (history or {}).get(key, [])]
                self._draw((which, split))
        self._fit_y(refit=True)
        self._show_legend_rows({key for key, values in self.values.items() if values})

    def _draw(self, key) -> None:
        y = np.asarray(self.values[key], dtype=np.float64)
        if self._log:
            y = np.where(y > 0, y, np.nan)  # a log axis has no 0
        self._arrays[key] = y
        self.curves[key].setData(np.arange(1, len(y) + 1, dtype=np.float64), y)

    def _fit_y(self, refit: bool = False) -> None:
        """A new y range only when the values leave it or fill less than half of it (the
        axes are most of what a frame costs); `refit`: fit exactly."""
        empty = (-1.0, 0.0) if self._log else (0.0, 1.0)
        follow_y(self, list(self._arrays.values()), self._log, refit, empty)

    def _show_legend_rows(self, shown: set) -> None:
        """Only series that have data get a legend row (no validation split: no dashes)."""
        keys = [key for key in self.curves if key in shown]
        if keys == self._legend_keys:
            return
        self._legend_keys = keys
        self.legend.clear()
        for which, split in keys:
            self.legend.addItem(self.curves[which, split], f"{self._names[which]}: {split}")

    def set_log_scale(self, on: bool) -> None:
        self._log = bool(on)
        self.setLogMode(y=on)
        for key in self.curves:
            self._draw(key)
        self._fit_y(refit=True)

    def curve_data(self, which: int, split: str) -> tuple[np.ndarray, np.ndarray]:
        """The plotted (epochs, values) of side `which` (0 base, 1 variant) on `split`
        ("training" or "validation")."""
        x, y = self.curves[which, split].getOriginalDataset()
        if x is None:
            return np.zeros(0), np.zeros(0)
        return np.asarray(x), np.asarray(y)


class CompareDialog(JobDialog):
    """See the module docstring. `window` is the main window (project, push, projectChanged);
    `is_training()` says whether the window's own training runs now. A comparison cut short
    (Cancel, closing) adds nothing; one that had just finished when closed still adds its runs.

    Signals: comparisonFinished(object) -- the ComparisonResult (also cancelled ones), after
    its runs went into the project."""

    comparisonFinished = Signal(object)

    def __init__(self, window, is_training=lambda: False):
        super().__init__(window, is_training, "compareDialog", "Compare two choices")
        self.result: ComparisonResult | None = None
        self.added_runs: list = []
        self._changes: list[Change] = []
        self._names: tuple[str, str] = ("", "")
        self._epochs = 0
        self._project = None  # the project the running comparison belongs to
        self._project_epochs: int | None = None  # the project's epochs the spin box showed
        self._build()
        self._watch_frames(self._draw_progress, (self.cost_plot,))
        self.refresh_choices()
        self._set_running(False)
        self.resize(1180, 760)

    # ----- widgets ----------------------------------------------------------------------------
    def _build(self) -> None:
        self.kind_combo = QComboBox(objectName="compareKindCombo")
        self.kind_combo.setToolTip("What to change: one setting, everything else stays the same")
        self.layer_combo = QComboBox(objectName="compareLayerCombo")
        self.layer_combo.setToolTip("The layer whose activation changes (1 is the first)")
        self.value_combo = QComboBox(objectName="compareValueCombo")
        self.value_combo.setToolTip("The variant's value of the setting")
        self.current_label = QLabel("", objectName="compareCurrentValue")
        self.epochs_spin = QSpinBox(objectName="compareEpochsSpin")
        self.epochs_spin.setRange(1, MAX_EPOCHS)
        self.epochs_spin.setSingleStep(10)
        self.epochs_spin.setToolTip("Epochs each run trains (early stopping as the project says)")
        self.kind_combo.currentIndexChanged.connect(self._kind_chosen)
        self.layer_combo.currentIndexChanged.connect(self._layer_chosen)

        self.run_button = QPushButton("&Run", objectName="compareRunButton")
        self.run_button.setToolTip(
            "Train the current network and the variant from the same initial weights on the "
            "same batches"
        )
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("&Cancel", objectName="compareCancelButton")
        self.cancel_button.setToolTip("Stop the comparison after the current batch")
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button = QPushButton("Cl&ose", objectName="compareCloseButton")
        self.close_button.setToolTip("Close (Esc); a comparison still running is stopped")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)

        choice = QHBoxLayout()
        for text, widget in (
            ("C&hange:", self.kind_combo),
            ("&Layer:", self.layer_combo),
            ("&To:", self.value_combo),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            choice.addWidget(label)
            choice.addWidget(widget)
        choice.addWidget(self.current_label)
        choice.addStretch(1)
        epochs_label = QLabel("&Epochs:")
        epochs_label.setBuddy(self.epochs_spin)
        choice.addWidget(epochs_label)
        choice.addWidget(self.epochs_spin)
        choice.addSpacing(12)
        for button in (self.run_button, self.cancel_button, self.close_button):
            choice.addWidget(button)

        self.explanation = QLabel(
            "Both runs start from the same fresh initial weights (the project's seed) and see "
            "the same batches in the same order: only the change differs. The project's own "
            "weights and history are not touched; both runs are added to its runs.",
            objectName="compareExplanation",
        )
        self.explanation.setWordWrap(True)
        self.message = QLabel("", objectName="compareMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(MESSAGE_STYLE)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setVisible(False)
        self.progress = QProgressBar(objectName="compareProgress")
        self.progress.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.progress.setTextVisible(True)

        self.cost_plot = CompareCostPlot()
        self.log_check = QCheckBox("Lo&g scale", objectName="compareLogScale")
        self.log_check.setToolTip("Show the loss on a logarithmic axis (small losses stay apart)")
        self.log_check.toggled.connect(self.cost_plot.set_log_scale)
        cost_box = QVBoxLayout()
        cost_box.addWidget(self.cost_plot, 1)
        cost_box.addWidget(self.log_check)

        self.boundaries = []
        self.side_titles = []
        sides = QGridLayout()
        for which, name in enumerate(("compareBoundaryBase", "compareBoundaryVariant")):
            title = QLabel("", objectName=f"{name}Title")
            title.setWordWrap(True)
            title.setTextFormat(Qt.TextFormat.RichText)
            plot = BoundaryPlot()
            plot.setObjectName(name)
            plot.title.setObjectName(f"{name}Caption")  # not the Output dock's boundaryTitle
            plot.setMinimumSize(260, 240)
            sides.addWidget(title, 0, which)
            sides.addWidget(plot, 1, which)
            self.boundaries.append(plot)
            self.side_titles.append(title)
        sides.setRowStretch(1, 1)

        plots = QHBoxLayout()
        plots.addLayout(cost_box, 5)
        plots.addLayout(sides, 6)

        self.health_table = QTableWidget(0, 3, objectName="compareHealthTable")
        self.health_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.health_table.verticalHeader().setVisible(False)
        self.health_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.health_table.horizontalHeader().setStretchLastSection(True)
        self.health_table.setToolTip(
            "Dead ReLUs (output 0 for every training row) and saturated sigmoid/tanh units "
            "(|z| > 4 for most rows) after each run"
        )
        self.health_table.setFixedHeight(100)
        self.verdict = QLabel("", objectName="compareVerdict")
        self.verdict.setWordWrap(True)
        self.verdict.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.verdict.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.verdict.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.verdict.setFont(font)
        self.runs_note = QLabel("", objectName="compareRunsNote")
        self.runs_note.setWordWrap(True)
        self.runs_note.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        health_caption = QLabel("<b>Dead and saturated units</b> after each run")
        verdict_caption = QLabel("<b>Verdict</b>")
        bottom = QGridLayout()
        bottom.addWidget(health_caption, 0, 0)
        bottom.addWidget(self.health_table, 1, 0)
        bottom.addWidget(verdict_caption, 0, 1)
        verdict_box = QVBoxLayout()
        verdict_box.addWidget(self.verdict)
        verdict_box.addWidget(self.runs_note)
        verdict_box.addStretch(1)
        bottom.addLayout(verdict_box, 1, 1)
        bottom.setColumnStretch(0, 5)
        bottom.setColumnStretch(1, 6)

        layout = QVBoxLayout(self)
        layout.addLayout(choice)
        layout.addWidget(self.explanation)
        layout.addWidget(self.message)
        layout.addWidget(self.progress)
        layout.addLayout(plots, 1)
        layout.addLayout(bottom)

        # Tab follows the reading order: the choice, the epochs, Run, then the plots' controls.
        order = [
            self.kind_combo,
            self.layer_combo,
            self.value_combo,
            self.epochs_spin,
            self.run_button,
            self.cancel_button,
            self.close_button,
            self.log_check,
            self.health_table,
        ]
        for first, second in zip(order, order[1:]):
            QWidget.setTabOrder(first, second)
        self._show_idle_progress()

    # ----- the choice -------------------------------------------------------------------------
    def refresh_choices(self) -> None:
        """Fill the combos with the changes the project allows (engine.compare.changes_for),
        keeping the current choice when it is still offered."""
        if self.job is not None:
            return  # the running comparison's choice stays on screen
        keep = self.selected_change()
        try:
            self._changes = changes_for(self.project) if self.project.layers else []
        except (EngineError, ValueError):
            self._changes = []
        self.kind_combo.blockSignals(True)
        self.kind_combo.clear()
        for kind in KINDS:
            if any(change.kind == kind for change in self._changes):
                self.kind_combo.addItem(KIND_LABELS[kind], kind)
        self.kind_combo.blockSignals(False)
        # The project's epochs, unless the person chose others for the comparison since.
        epochs = int(self.project.training.epochs)
        if epochs != self._project_epochs:
            self._project_epochs = epochs
            self.epochs_spin.setValue(epochs)
        self._select(keep or self._preferred())

    def _preferred(self) -> Change | None:
        """The course's question first: ReLU in the first hidden layer, when offered."""
        relu = Change("activation", "relu", layer=0)
        return relu if relu in self._changes else (self._changes[0] if self._changes else None)

    def _select(self, change: Change | None) -> None:
        kind = change.kind if change is not None else self.kind_combo.currentData()
        self.kind_combo.setCurrentIndex(max(self.kind_combo.findData(kind), 0))
        self._kind_chosen()
        if change is None:
            return
        if change.kind == "activation":
            self.layer_combo.setCurrentIndex(max(self.layer_combo.findData(change.layer), 0))
        for i in range(self.value_combo.count()):
            if self.value_combo.itemData(i) == change:
                self.value_combo.setCurrentIndex(i)

    def _kind_chosen(self, _index: int = 0) -> None:
        kind = self.kind_combo.currentData()
        layers = sorted({c.layer for c in self._changes if c.kind == "activation"})
        self.layer_combo.blockSignals(True)
        self.layer_combo.clear()
        if kind == "activation":
            last = len(self.project.layers) - 1
            for index in layers:
                suffix = " (output)" if index == last else ""
                self.layer_combo.addItem(f"{index + 1}{suffix}", index)
        self.layer_combo.blockSignals(False)
        self.layer_combo.setEnabled(kind == "activation")
        self._layer_chosen()

    def _layer_chosen(self, _index: int = 0) -> None:
        kind = self.kind_combo.currentData()
        layer = self.layer_combo.currentData() if kind == "activation" else None
        self.value_combo.clear()
        for change in self._changes:
            if change.kind == kind and change.layer == layer:
                self.value_combo.addItem(value_text(change), change)
        now = current_value_text(self.project, kind, layer) if kind else ""
        self.current_label.setText(f"(now {now})" if now else "")

    def selected_change(self) -> Change | None:
        change = self.value_combo.currentData()
        return change if isinstance(change, Change) else None

    def choose(self, change: Change) -> None:
        """Select `change` in the combos (it must be one of the offered changes)."""
        if change not in self._changes:
            raise ValueError(f"{change} is not offered for this project")
        self._select(change)

    # ----- running ----------------------------------------------------------------------------
    def start(self) -> bool:
        """Run the selected comparison; False (with the reason shown) when it cannot run."""
        if self.job is not None:
            return False
        problem, change = self._refusal()
        if problem:
            self._show_message(problem)
            return False
        project = self.project.copy()
        try:
            variant = apply_change(project, change)
            self._names = (side_name(project, change), side_name(variant, change))
        except (EngineError, ValueError) as exc:
            self._show_message(f"Cannot compare: {exc}")
            return False
        self._show_message("")
        self._epochs = int(self.epochs_spin.value())
        self._project = self.project
        self.result = None
        self.added_runs = []
        self._variant_started = False
        self._clear_results()
        self.cost_plot.start(self._names, self._epochs, plotted_measure(project, change))
        for which, title in enumerate(self.side_titles):
            title.setText(self._side_heading(which, "training…" if which == 0 else "waiting"))
        epochs = self._epochs
        self.progress.setRange(0, 2 * self._epochs)
        self.progress.setValue(0)
        self.progress.setFormat(f"{self._names[0]}: epoch 0/{self._epochs}")
        self._start_job(
            lambda report, should_stop: run_comparison(project, change, epochs, report, should_stop)
        )
        return True

    def _refusal(self) -> tuple[str, Change | None]:
        project = self.project
        if project.dataset is None:
            return (
                "Cannot compare: the project has no dataset; choose one in the Dataset panel.",
                None,
            )
        if not project.layers:
            return "Cannot compare: the network has no layers; add one from the palette.", None
        if self.is_training():
            return (
                "Cannot compare while the network trains: stop the run (or let it finish), "
                "then compare.",
                None,
            )
        change = self.selected_change()
        if change is None:
            return "Cannot compare: pick a change to try first.", None
        return "", change

    def cancel(self) -> None:
        """Stop the running comparison after the current batch; what finished is shown."""
        if self.job is not None:
            super().cancel()
            self.progress.setFormat("Stopping after the current batch…")

    def _draw_progress(self, items) -> None:
        """A frame: the epochs both runs finished since the last one (JobFrames paces it)."""
        self.cost_plot.add(items)
        which, epoch, _ = items[-1]
        # setValue repaints the bar at once, outside the frame's one paint: not while drawing.
        self.progress.setUpdatesEnabled(False)
        self.progress.setValue(which * self._epochs + epoch)
        if self.job is not None and not self.job.stop_requested:
            self.progress.setFormat(f"{self._names[which]}: epoch {epoch}/{self._epochs}")
        self.progress.setUpdatesEnabled(True)
        if which == 1 and not self._variant_started:
            self._variant_started = True
            self.side_titles[1].setText(self._side_heading(1, "training…"))
            self.side_titles[0].setText(self._side_heading(0, "trained"))

    def _on_finished(self, job) -> None:
        rest = self._end_job(job)
        if rest is None:
            return  # already handled (shutdown)
        if self.isVisible():
            self.refresh_choices()  # edits made while it ran (the choice shown is kept)
        if rest:
            self.cost_plot.add(rest)
        if job.error is not None:
            self._show_failure(job.error)
            return
        self.result = job.result
        self._show_result(job.result)
        self._record(job.result)
        self.comparisonFinished.emit(job.result)

    def _show_failure(self, error: BaseException) -> None:
        self._show_message(f"The comparison failed: {failure_text(error)}")
        self._show_idle_progress()

    def _record(self, result: ComparisonResult) -> None:
        comparison = result.comparison
        project, self._project = self._project, None
        if not can_record(comparison):
            if comparison.cancelled:
                self.runs_note.setText("Cancelled: nothing was added to the project's runs.")
            return
        if project is not self.project:
            self._show_message(
                "Another project was opened meanwhile: the runs were not added to it."
            )
            return
        added: list = []

        def edit(target) -> None:
            added[:] = add_comparison_runs(target, comparison)

        names = run_names(comparison)
        command = commands.ProjectCommand(self.window_, f"Compare {names[0]} with {names[1]}", edit)
        if hasattr(self.window_, "push") and self.window_.push(command):
            self.added_runs = [run.name for run in added]
            quoted = " and ".join(f"“{name}”" for name in self.added_runs)
            self.runs_note.setText(
                f"Both runs were added to the project's runs as {quoted} (one step: Undo "
                "removes them). The network's own weights are as they were."
            )

    # ----- showing a result -------------------------------------------------------------------
    def _show_result(self, result: ComparisonResult) -> None:
        comparison = result.comparison
        self.cost_plot.set_measure(comparison.measure)
        self.cost_plot.set_histories(
            [None if outcome is None else outcome.history for outcome in comparison.outcomes]
        )
        labels = comparison.labels
        for which, (outcome, views) in enumerate(zip(comparison.outcomes, result.views)):
            plot = self.boundaries[which]
            if views is None:
                plot.set_setup(None)
            else:
                setup, update = views
                plot.set_setup(setup)
                plot.update_output(update.output)
            self.side_titles[which].setText(
                self._side_heading(which, _figures(outcome, comparison.measure))
            )
        self._show_health(comparison, labels)
        self.verdict.setText(verdict(comparison))
        self._show_done_progress(comparison)

    def _side_heading(self, which: int, detail: str) -> str:
        """Two lines over a side's plot: its name in its curve's colour, then how it went."""
        colour = _hex(SIDE_COLOURS[which])
        role = "the current network" if which == 0 else "the variant"
        return (
            f'<span style="color:{colour}; font-weight:bold; font-size:large">&#9472;&#9472; '
            f"{self._names[which]}</span> &nbsp;({role})<br>{detail}"
        )

    def _show_health(self, comparison, labels) -> None:
        table = self.health_table
        sides = (comparison.base_health or [], comparison.variant_health or [])
        rows = max(len(sides[0]), len(sides[1]))
        table.setRowCount(rows)
        table.setHorizontalHeaderLabels(["Layer", *self._names])
        for row in range(rows):
            entries = [side[row] if row < len(side) else None for side in sides]
            known = next(e for e in entries if e is not None)
            suffix = " (output)" if known.is_output else ""
            table.setItem(row, 0, QTableWidgetItem(f"{row + 1}{suffix}"))
            for which, health in enumerate(entries):
                item = QTableWidgetItem(_health_cell(health))
                item.setToolTip(health_tip(health))
                table.setItem(row, which + 1, item)
        # As tall as its rows: no empty rows below them, no scroll bar for a few layers.
        height = table.horizontalHeader().height() + 2 * table.frameWidth()
        height += sum(table.rowHeight(row) for row in range(rows))
        table.setFixedHeight(min(height, 220))

    def _clear_results(self) -> None:
        self.verdict.setText("")
        self.runs_note.setText("")
        self.health_table.setRowCount(0)
        for plot in self.boundaries:
            plot.set_setup(None)

    def _show_idle_progress(self) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("Pick a change and press Run")

    def _show_done_progress(self, comparison) -> None:
        """ "Done: layer 1 sigmoid 300 epochs, layer 1 relu 300 epochs" (or "Cancelled: ...")."""
        trained = [0 if outcome is None else outcome.epochs for outcome in comparison.outcomes]
        self.progress.setRange(0, max(1, 2 * comparison.epochs))
        self.progress.setValue(min(sum(trained), 2 * comparison.epochs))
        sides = ", ".join(
            f"{name} {epochs} epoch{'' if epochs == 1 else 's'}"
            for name, epochs in zip(self._names, trained)
        )
        word = "Cancelled" if comparison.cancelled else "Done"
        self.progress.setFormat(f"{word}: {sides}".replace("%", "%%"))

    def _set_running(self, running: bool) -> None:
        for widget in (
            self.kind_combo,
            self.value_combo,
            self.epochs_spin,
            self.run_button,
        ):
            widget.setEnabled(not running)
        self.layer_combo.setEnabled(not running and self.kind_combo.currentData() == "activation")
        self.cancel_button.setEnabled(running)

    def _on_project_changed(self) -> None:
        # A running comparison goes on: it trains copies made when it started, with a random
        # generator of its own (engine.utils.private_random_state), so neither the edit nor
        # the window's redraw (which reseeds the global generator) changes what it draws.
        # Its choices follow the project once it has finished.
        if self.job is None and self.isVisible():
            self.refresh_choices()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self.job is None:
            self.refresh_choices()
        super().showEvent(event)


def _figures(outcome, measure: str = "loss") -> str:
    """ "300 epochs, loss 0.0223" (or the measure a change of loss is judged by)."""
    if outcome is None:
        return "did not run"
    values = outcome.history.get(measure) or []
    text = f"{outcome.epochs} epoch{'s' if outcome.epochs != 1 else ''}"
    if values and math.isfinite(values[-1]):
        text += f", {_MEASURE_NAMES.get(measure, measure)} {values[-1]:.3g}"
    if outcome.outcome == "diverged":
        text += ", diverged"
    elif outcome.early_stopped:
        text += f", stopped early (kept epoch {outcome.best_epoch})"
    return text


def _health_cell(health) -> str:
    """ "sigmoid: 40% saturated (10 of 25)": the layer's activation on that side first, as
    the change may be that very activation."""
    return f"{health.activation}: {health_text(health)}" if health is not None else ""
