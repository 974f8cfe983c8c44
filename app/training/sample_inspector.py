"""The sample inspector: one row of the data through the network, every number shown.

A spin box (`sampleSpin`) or a click on a point of the output view or the data preview
chooses the row; an item view (`forwardTable`) shows, per layer and unit, the forward pass
(inputs scaled and raw, z = w·a + b, a = g(z); prediction, target and this sample's loss) and
the backward pass (dL/da, g'(z), dL/dz, the largest contributions to the weights' gradients).
The numbers come from engine.sample_trace, the engine's plain reference backprop.

During training it follows the worker's weight snapshots, but recomputes at most
RECOMPUTE_HZ times a second and only while it is visible: one sample through a small network
costs well under a millisecond, so it runs on the GUI thread."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.visibility import on_screen
from engine.errors import EngineError
from engine.project import runtime
from engine.sample_trace import SampleTrace, top_contributions, trace_sample

FIRST_UNITS = 8  # a wide layer (or input) shows this many units until "All units" is ticked
NUMBER_ALIGNMENT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
RECOMPUTE_MS = 250  # weights coming while idle (the timeline scrubbed) are shown within this
COLUMNS = [
    "",
    "raw | z = w·a + b",
    "a = g(z)",
    "dL/da",
    "g'(z)",
    "dL/dz",
    "largest dL/dw (input: a·dL/dz)",
]
Z, A, DA, GP, DZ, DW = range(1, 7)


def fmt(value: float) -> str:
    """4 significant digits."""
    return f"{float(value):.4g}"


def fmt_all(values) -> str:
    return ", ".join(fmt(v) for v in values)


class SampleInspector(QWidget):
    """Shows trace_sample of the chosen row for a project (set_project) and the weights the
    live training sends (set_weights)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("sampleInspectorPanel")
        self.spin = QSpinBox()
        self.spin.setObjectName("sampleSpin")
        self.spin.setToolTip(
            "The row of the dataset to send through the network (or click a "
            "point in the output view or the data preview)"
        )
        self.spin.setKeyboardTracking(False)
        self.show_all = QCheckBox("All units")
        self.show_all.setObjectName("showAllUnits")
        self.show_all.setToolTip(
            f"Wide layers show their first {FIRST_UNITS} units, wide inputs their first "
            f"{FIRST_UNITS} features"
        )
        self.summary = QLabel("")
        self.summary.setObjectName("sampleSummary")
        self.summary.setWordWrap(True)
        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels(COLUMNS)
        self.view = QTreeView()
        self.view.setObjectName("forwardTable")
        self.view.setModel(self.model)
        self.view.setUniformRowHeights(True)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)  # read only
        self.view.setAlternatingRowColors(True)
        self.view.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # The toggle on a row of its own: beside the spin box it made the dock 250 px wide at
        # least, which the bottom row of docks could not give at 760 px.
        self.spin.setPrefix("row ")  # the spin box names itself: no label beside it
        top = QHBoxLayout()
        top.addWidget(self.spin)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.show_all)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        self.project = None
        self.net = None  # an engine Sequential with the weights shown
        self._scalers = (None, None)  # (features, target) as runtime.row_scalers gives them
        self._pending_weights = None
        # During a run the training frames show new weights (wants_frame / show_pending), in a
        # paced stage while the worker stands aside; a timer of its own recomputed and
        # repainted outside the frames, fighting the worker for the GIL.
        self.live = False
        self.trace: SampleTrace | None = None
        self._stale = False  # recompute() was asked while hidden: done when shown
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RECOMPUTE_MS)
        self._timer.timeout.connect(self.show_pending)
        self.spin.valueChanged.connect(lambda _row: self.recompute())
        self.show_all.toggled.connect(lambda _on: self._fill())

    # ----- inputs ---------------------------------------------------------------------------
    def set_project(self, project) -> None:
        """A new or edited project: rebuild the network and the scaler from it."""
        self.project = project
        self.net, self._scalers = None, (None, None)
        dataset = getattr(project, "dataset", None)
        rows = 0 if dataset is None else int(dataset.n_samples)
        self.spin.blockSignals(True)
        self.spin.setRange(0, max(rows - 1, 0))
        self.spin.blockSignals(False)
        if dataset is not None and project.layers:
            try:
                self.net = runtime.build_model(project, seed=runtime.run_seed(project))
                self._scalers = runtime.row_scalers(project)
            except (EngineError, ValueError):
                self.net = None  # mid-edit: the network does not fit the data yet
        self.recompute()

    def set_weights(self, weights) -> None:
        """Weights from the live training (shown by its next frame that has time for this
        view) or the project's and the timeline's (shown within RECOMPUTE_MS)."""
        if weights is None or self.net is None:
            return
        self._pending_weights = weights
        if not self.live and not self._timer.isActive():
            self._timer.start()

    def set_live(self, live: bool) -> None:
        """A run started (its frames show the weights) or ended (the timer does again)."""
        self.live = live
        if live:
            self._timer.stop()  # the run's frames take what is pending
        elif self._pending_weights is not None:
            self._timer.start()

    def wants_frame(self) -> bool:
        """Whether a training frame has new weights for this view to show (cheap; whether it
        is on screen, the controller asks: add_live_view's widget)."""
        return self._pending_weights is not None

    def select_row(self, row: int) -> None:
        self.spin.setValue(int(row))

    def show_pending(self) -> None:
        """Show the newest weights that came (from the timer, or a training frame's stage)."""
        weights, self._pending_weights = self._pending_weights, None
        if weights is None or self.net is None:
            return
        if not on_screen(self):
            self._pending_weights = weights  # drawn when shown again (on_shown)
            return
        try:
            self.net.set_weights(weights)
        except EngineError:
            return  # a snapshot of another architecture (a run that was replaced)
        self.recompute()

    def on_shown(self, visible: bool = True) -> None:
        """Its dock became visible (its tab chosen): show the weights that came meanwhile."""
        if not visible:
            return
        if self._pending_weights is not None and not self.live:
            self._timer.start(0)  # (during a run, its next frame shows them)
        elif self._stale:
            self._compute()

    # ----- computing ------------------------------------------------------------------------
    def recompute(self) -> None:
        """Trace the chosen row through the network, now, or when shown if it is behind
        another tab (each edit, and the end of every run, changes the project: tracing and
        refilling the table for nobody cost the end of a run ~8 ms)."""
        if on_screen(self):
            self._compute()
        else:
            self._stale = True

    def _compute(self) -> None:
        self._stale = False
        project, net = self.project, self.net
        self.trace = None
        if project is None or net is None or project.dataset is None:
            self.summary.setText("No sample: load a dataset and add layers.")
            self._fill()
            return
        dataset = project.dataset
        row = min(self.spin.value(), dataset.n_samples - 1)
        raw = np.asarray(dataset.x[row : row + 1], dtype=np.float32)
        scaled, target = runtime.training_rows(project, row, row + 1, self._scalers)
        try:
            self.trace = trace_sample(net, scaled[0], target[0])
        except (EngineError, ValueError) as exc:
            self.summary.setText(f"Cannot trace this sample: {exc}")
            self._fill()
            return
        self._raw = raw[0]
        t = self.trace
        self.summary.setText(f"Row {row}: {self._outcome_text(t)}")
        self._fill()

    def _outcome_text(self, t: SampleTrace) -> str:
        """Prediction, target and loss as a person reads them: a standardised regression
        target is shown in its own units, with the numbers the network works with beside."""
        target_scaler = self._scalers[1]
        if target_scaler is None:
            return (
                f"prediction {fmt_all(t.prediction)} · target {fmt_all(t.target)} · "
                f"loss {fmt(t.loss)}"
            )
        prediction = runtime.to_target_units(target_scaler, t.prediction.reshape(1, -1))[0]
        target = runtime.to_target_units(target_scaler, t.target.reshape(1, -1))[0]
        return (
            f"prediction {fmt_all(prediction)} · target {fmt_all(target)} (standardised: "
            f"{fmt_all(t.prediction)} vs {fmt_all(t.target)}) · loss {fmt(t.loss)} on the "
            "standardised target"
        )

    # ----- showing --------------------------------------------------------------------------
    def _fill(self) -> None:
        expanded = self._expanded_rows()
        self.model.removeRows(0, self.model.rowCount())
        t = self.trace
        if t is None:
            return
        names = list(getattr(self.project.dataset, "feature_names", None) or [])
        inputs = self._group("Input")
        # Wide inputs fold too: 784 rows of them took 50-60 ms to fill and paint, each time a
        # training frame showed new weights.
        shown = self._shown(len(t.x))
        for i, (scaled, raw) in enumerate(zip(t.x[:shown], self._raw[:shown])):
            label = names[i] if i < len(names) else f"x{i + 1}"
            self._row(inputs, f"{label}", {Z: fmt(raw), A: fmt(scaled)})
        self._fold(inputs, shown, len(t.x), "inputs")
        for index, layer in enumerate(t.layers):
            units = len(layer.z)
            group = self._group(f"Layer {index + 1}: {units} {layer.activation} units")
            shown = self._shown(units)
            for j in range(shown):
                top = top_contributions(layer, j)
                contributions = ", ".join(f"{i + 1}: {fmt(v)}" for i, v in top)
                self._row(
                    group,
                    f"unit {j + 1}",
                    {
                        Z: fmt(layer.z[j]),
                        A: fmt(layer.a[j]),
                        DA: fmt(layer.dL_da[j]),
                        GP: fmt(layer.g_prime[j]),
                        DZ: fmt(layer.dL_dz[j]),
                        DW: contributions,
                    },
                )
            self._fold(group, shown, units, "units")
        output = self._group("Output")
        units = self._output_names(len(t.prediction))
        self._values(output, "prediction", t.prediction, units)
        self._values(output, "target", t.target, units)
        self._row(output, "loss of this sample", {A: fmt(t.loss)})
        target_scaler = self._scalers[1]
        if target_scaler is not None:  # the network's numbers are standardised: say so
            for label, values in (("prediction", t.prediction), ("target", t.target)):
                shown = runtime.to_target_units(target_scaler, values.reshape(1, -1))[0]
                self._values(output, f"{label} in the target's units", shown, units)
        for row in range(self.model.rowCount()):
            if expanded.get(self.model.item(row, 0).text(), True):
                self.view.expand(self.model.index(row, 0))

    def _shown(self, n: int) -> int:
        """How many of a group's n rows are listed (all once "All units" is ticked)."""
        return n if self.show_all.isChecked() else min(n, FIRST_UNITS)

    def _fold(self, group: QStandardItem, shown: int, n: int, noun: str) -> None:
        """The row that says how many more rows the group has, and how to see them."""
        if shown < n:
            self._row(group, f"… {n - shown} more {noun} (tick All units)", {})
            self.view.setFirstColumnSpanned(shown, self.model.indexFromItem(group), True)

    def _output_names(self, n: int) -> list[str]:
        """What each output unit stands for: its class, when there is one per unit."""
        classes = list(getattr(self.project.dataset, "class_names", None) or [])
        return classes if len(classes) == n else [f"unit {j + 1}" for j in range(n)]

    def _values(self, parent: QStandardItem, label: str, values, units: list[str]) -> None:
        """One row for a single value; one per output unit for several. (All of a 10-class
        prediction in one cell made the a = g(z) column so wide that a panel of ordinary
        width showed none of its numbers.)"""
        values = np.ravel(values)
        if len(values) != len(units) or len(values) == 1:
            self._row(parent, label, {A: fmt_all(values)})
        else:
            for unit, value in zip(units, values):
                self._row(parent, f"{label}: {unit}", {A: fmt(value)})

    def _expanded_rows(self) -> dict[str, bool]:
        """Which groups the person folded, kept across recomputations."""
        return {
            self.model.item(r, 0).text(): self.view.isExpanded(self.model.index(r, 0))
            for r in range(self.model.rowCount())
        }

    def _group(self, title: str) -> QStandardItem:
        item = QStandardItem(title)
        font = item.font()
        font.setBold(True)
        item.setFont(font)
        self.model.appendRow([item, *(QStandardItem("") for _ in COLUMNS[1:])])
        return item

    @staticmethod
    def _row(parent: QStandardItem, label: str, cells: dict[int, str]) -> None:
        items = [QStandardItem(label)] + [
            QStandardItem(cells.get(c, "")) for c in range(1, len(COLUMNS))
        ]
        for item in items[1:]:
            item.setTextAlignment(NUMBER_ALIGNMENT)
        parent.appendRow(items)

    # ----- reading back (tests, the canvas tooltip) -----------------------------------------
    def cell(self, group: int, row: int, column: int) -> str:
        """The text of `column` in row `row` of top-level group `group` (0 = Input)."""
        parent = self.model.index(group, 0)
        return self.model.index(row, column, parent).data() or ""


def nearest_row(points: np.ndarray, x: float, y: float) -> int | None:
    """The index of the point (n, 2) nearest to (x, y), each axis measured in its spread."""
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2 or not len(points):
        return None
    spread = points.std(axis=0)
    spread[spread == 0] = 1.0
    d = ((points - (x, y)) / spread) ** 2
    return int(np.argmin(d.sum(axis=1)))


def clickable_points(dataset, view: str) -> np.ndarray | None:
    """The (n, 2) plotted position of every dataset row: the first two features, or the one
    feature against the target. view "boundary"/"preview" take either; "curve" the latter."""
    if dataset is None or dataset.n_samples == 0:
        return None
    x = np.asarray(dataset.x, dtype=np.float64)
    if x.shape[1] >= 2 and view in ("boundary", "preview"):
        return x[:, :2]
    if x.shape[1] == 1 and view in ("curve", "preview"):
        return np.column_stack([x[:, 0], np.asarray(dataset.y, dtype=np.float64)[:, 0]])
    return None
