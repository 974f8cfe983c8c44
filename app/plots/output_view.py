"""outputView: the Output dock. The plane view (boundaryPlot) and, in tabs beside it, how good
the kept weights are on every row of the validation split (or the training split, by
`evaluationSetCombo`):

- Confusion: the matrix over every evaluated row; a threshold slider (`thresholdSlider`, two
  classes) re-counts it live; clicking a cell lists its rows (`wrongRowsTable`: row number in
  the dataset, true and predicted class, probability) and highlights them on the plane.
- Metrics: `metricsTable`, precision, recall, F1 and support per class with accuracy and
  macro averages (engine.metrics_report, the numbers `netbuilder evaluate --per-class`
  prints); for regression MAE, RMSE and R² with a residual plot.
- ROC / PR: both curves of a two-class task, their areas, and the threshold's operating point.

`projectionCombo` picks the plane for data of more than two features: the first two principal
components, or two features chosen by name (`projectionXCombo`, `projectionYCombo`).

The numbers arrive with each ViewUpdate (computed on the worker thread during a run, at the
output view's pace); only re-counting at another threshold happens here, O(rows)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QSlider,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.plots.boundary_plot import BoundaryPlot
from engine.metrics_report import RegressionReport
from engine.project.specs import classifies

MAX_LISTED = 500  # rows listed for a clicked cell (all are highlighted on the plane)


def _table(name: str, columns: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(columns)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return table


def _cell(text, number: float | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem(str(text))
    if number is not None:
        item.setData(Qt.ItemDataRole.UserRole, float(number))
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class ConfusionPlot(pg.PlotWidget):
    """The confusion matrix; cellClicked(actual, predicted) on a click in a cell."""

    cellClicked = Signal(int, int)

    def __init__(self, parent=None):
        super().__init__(parent, background="w")
        self.setObjectName("confusionPlot")
        self.setMenuEnabled(False)
        self.hideButtons()
        self.plotItem.setMouseEnabled(x=False, y=False)
        self.setAspectLocked(True)
        self.setLabel("bottom", "predicted class")
        self.setLabel("left", "actual class")
        self.image = pg.ImageItem()
        self.addItem(self.image)
        self.selection = pg.PlotDataItem([], [], pen=pg.mkPen((20, 20, 20), width=3))
        self.addItem(self.selection)
        self.texts: list[pg.TextItem] = []
        self.matrix: np.ndarray | None = None
        self.scene().sigMouseClicked.connect(self._clicked)

    def show_matrix(self, matrix: np.ndarray, names: list[str]) -> None:
        k = matrix.shape[0]
        if len(self.texts) != k * k:
            for text in self.texts:
                self.removeItem(text)
            self.texts = []
            for _ in range(k * k):
                text = pg.TextItem("", anchor=(0.5, 0.5), color=(0, 0, 0))
                self.addItem(text)
                self.texts.append(text)
        self.matrix = matrix
        totals = matrix.sum(axis=1, keepdims=True)
        share = matrix / np.where(totals > 0, totals, 1)
        image = np.zeros((k, k, 3))
        for a in range(k):
            for p in range(k):
                base = np.array((44, 160, 44) if a == p else (214, 39, 40))
                image[p, k - 1 - a] = 255 - share[a, p] * (255 - base)
                text = self.texts[a * k + p]
                text.setText(str(int(matrix[a, p])))
                text.setPos(p + 0.5, k - 1 - a + 0.5)
        self.image.setImage(image.astype(np.uint8), autoLevels=False, levels=(0, 255))
        self.image.setRect(pg.QtCore.QRectF(0, 0, k, k))
        ticks = [(i + 0.5, names[i] if i < len(names) else str(i)) for i in range(k)]
        self.getAxis("bottom").setTicks([ticks])
        self.getAxis("left").setTicks([[(k - 1 - i + 0.5, t) for i, (_, t) in enumerate(ticks)]])
        self._fit()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        # Drawn while its tab was hidden, the range was fitted to no size at all; with the
        # aspect locked that left cells outside the view once the tab was shown.
        super().resizeEvent(event)
        if getattr(self, "matrix", None) is not None:
            self._fit()

    def _fit(self) -> None:
        # Both ranges in one call: with the aspect locked, the view box then widens whichever
        # axis it must so that the whole square fits.
        k = self.matrix.shape[0]
        self.plotItem.vb.setRange(xRange=(0, k), yRange=(0, k), padding=0.02)

    def select(self, actual: int | None, predicted: int | None) -> None:
        if actual is None or self.matrix is None:
            self.selection.setData([], [])
            return
        k = self.matrix.shape[0]
        x0, y0 = predicted, k - 1 - actual
        self.selection.setData([x0, x0 + 1, x0 + 1, x0, x0], [y0, y0, y0 + 1, y0 + 1, y0])

    def cell_center(self, actual: int, predicted: int):
        """Scene position of a cell's centre (for tests and keyboard-free clicks)."""
        k = self.matrix.shape[0]
        return self.plotItem.vb.mapViewToScene(pg.Point(predicted + 0.5, k - 1 - actual + 0.5))

    def _clicked(self, event) -> None:
        if self.matrix is None:
            return
        point = self.plotItem.vb.mapSceneToView(event.scenePos())
        k = self.matrix.shape[0]
        p, row = int(np.floor(point.x())), int(np.floor(point.y()))
        if 0 <= p < k and 0 <= row < k:
            self.cellClicked.emit(k - 1 - row, p)


class OutputView(QWidget):
    """See the module docstring. choiceChanged(): the person changed the projection or the
    rows; the window recomputes (idle) or the run picks it up at its next views."""

    choiceChanged = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("outputView")
        self.setup = None
        self.evaluation = None
        self.selected: tuple[int, int] | None = None

        self.boundary_plot = BoundaryPlot()
        self.highlight = pg.ScatterPlotItem(
            size=13, symbol="o", brush=pg.mkBrush(None), pen=pg.mkPen((0, 0, 0), width=2)
        )
        self.highlight.setZValue(10)
        self.boundary_plot.plot.addItem(self.highlight)

        self.split_combo = QComboBox()
        self.split_combo.setObjectName("evaluationSetCombo")
        self.split_combo.addItem("validation", "validation")
        self.split_combo.addItem("training", "training")
        self.split_combo.setToolTip(
            "The rows every figure and number here is computed on: all of them, never a sample"
        )
        self.projection_combo = QComboBox()
        self.projection_combo.setObjectName("projectionCombo")
        self.projection_combo.addItem("first two principal components", "pca")
        self.projection_combo.addItem("two features", "features")
        self.projection_combo.setToolTip("The plane the data and the boundary are drawn in")
        self.x_combo = QComboBox()
        self.x_combo.setObjectName("projectionXCombo")
        self.y_combo = QComboBox()
        self.y_combo.setObjectName("projectionYCombo")
        # Combos as wide as a short name, not their longest entry: the Output dock shares the
        # bottom of the window with two others and must not push them off (issue #13).
        # The rows' two names ("Rows: validation") are shown whole, and are short; the other
        # combos shrink to six characters (a dataset's column names may be long).
        self.split_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for combo in (self.projection_combo, self.x_combo, self.y_combo):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(6)
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(QLabel("Rows:"))
        bar.addWidget(self.split_combo)
        self.projection_label = QLabel("Plane:")
        bar.addWidget(self.projection_label)
        for combo in (self.projection_combo, self.x_combo, self.y_combo):
            bar.addWidget(combo)
        bar.addStretch(1)

        # Confusion tab: the matrix, the threshold, the rows of a clicked cell.
        self.confusion_plot = ConfusionPlot()
        self.confusion_title = QLabel("")
        self.confusion_title.setObjectName("confusionTitle")
        self.confusion_title.setWordWrap(True)
        self.threshold_slider = QSlider(Qt.Orientation.Horizontal)
        self.threshold_slider.setObjectName("thresholdSlider")
        self.threshold_slider.setRange(1, 99)
        self.threshold_slider.setValue(50)
        self.threshold_slider.setToolTip("Class 1 when its probability is above this")
        self.threshold_label = QLabel("threshold 0.50")
        self.rows_table = _table("wrongRowsTable", ["row", "true", "predicted", "probability"])
        self.rows_label = QLabel("Click a cell to list its rows.")
        self.rows_label.setObjectName("wrongRowsLabel")
        self.rows_label.setWordWrap(True)
        confusion = QWidget()
        box = QVBoxLayout(confusion)
        box.setContentsMargins(2, 2, 2, 2)
        box.addWidget(self.confusion_title)
        threshold = QVBoxLayout()  # stacked: side by side they widened the dock's minimum
        threshold.addWidget(self.threshold_label)
        threshold.addWidget(self.threshold_slider)
        box.addLayout(threshold)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.confusion_plot)
        rows_box = QWidget()
        rows_layout = QVBoxLayout(rows_box)
        rows_layout.setContentsMargins(0, 0, 0, 0)
        rows_layout.addWidget(self.rows_label)
        rows_layout.addWidget(self.rows_table, 1)
        split.addWidget(rows_box)
        box.addWidget(split, 1)

        # Metrics tab: the table, and the residuals of a regression.
        self.metrics_table = _table(
            "metricsTable", ["class", "precision", "recall", "F1", "support"]
        )
        self.metrics_title = QLabel("")
        self.metrics_title.setObjectName("metricsTitle")
        # Wraps rather than widens: its one-line width set the Output dock's minimum, and with
        # it the window's (760 px must stay possible).
        self.metrics_title.setWordWrap(True)
        self.metrics_title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.residual_plot = pg.PlotWidget(background="w")
        self.residual_plot.setObjectName("residualPlot")
        self.residual_plot.setLabel("bottom", "predicted")
        self.residual_plot.setLabel("left", "residual (actual − predicted)")
        self.residual_points = pg.ScatterPlotItem(
            size=5, pen=pg.mkPen(None), brush=pg.mkBrush(31, 119, 180, 150)
        )
        self.residual_plot.addItem(self.residual_points)
        self.residual_plot.addItem(
            pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen((120, 120, 120), width=1))
        )
        metrics = QWidget()
        box = QVBoxLayout(metrics)
        box.setContentsMargins(2, 2, 2, 2)
        box.addWidget(self.metrics_title)
        box.addWidget(self.metrics_table, 1)
        box.addWidget(self.residual_plot, 1)

        # ROC / PR tab.
        self.roc_plot = pg.PlotWidget(background="w")
        self.roc_plot.setObjectName("rocPlot")
        self.pr_plot = pg.PlotWidget(background="w")
        self.pr_plot.setObjectName("prPlot")
        self.curves = {}
        for plot, (xl, yl) in (
            (self.roc_plot, ("false positive rate", "true positive rate")),
            (self.pr_plot, ("recall", "precision")),
        ):
            plot.setMenuEnabled(False)
            plot.setLabel("bottom", xl)
            plot.setLabel("left", yl)
            plot.setXRange(0, 1, padding=0.02)
            plot.setYRange(0, 1, padding=0.02)
            curve = pg.PlotDataItem([], [], pen=pg.mkPen((31, 119, 180), width=2))
            point = pg.ScatterPlotItem(size=10, brush=pg.mkBrush(214, 39, 40))
            plot.addItem(curve)
            plot.addItem(point)
            self.curves[plot] = (curve, point)
        self.roc_plot.addItem(
            pg.PlotDataItem(
                [0, 1], [0, 1], pen=pg.mkPen((150, 150, 150), style=Qt.PenStyle.DashLine)
            )
        )
        curves = QWidget()
        # One above the other: side by side they set a minimum width twice a plot's.
        box = QVBoxLayout(curves)
        box.setContentsMargins(2, 2, 2, 2)
        box.addWidget(self.roc_plot)
        box.addWidget(self.pr_plot)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("outputTabs")
        # Scroll buttons rather than a tab bar as wide as all five titles: the bar's width was
        # the dock's minimum, and the dock's the window's.
        self.tabs.setUsesScrollButtons(True)
        self.tabs.setElideMode(Qt.TextElideMode.ElideNone)  # "P…", "C…" said nothing
        self.tabs.addTab(self.boundary_plot, "Plane")
        self.tabs.addTab(confusion, "Confusion")
        self.tabs.addTab(metrics, "Metrics")
        self.tabs.addTab(curves, "ROC / PR")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.tabs, 1)

        self.split_combo.currentIndexChanged.connect(self._split_chosen)
        self.projection_combo.currentIndexChanged.connect(self._projection_chosen)
        self.x_combo.currentIndexChanged.connect(self._projection_chosen)
        self.y_combo.currentIndexChanged.connect(self._projection_chosen)
        self.threshold_slider.valueChanged.connect(self._threshold_moved)
        self.confusion_plot.cellClicked.connect(self.select_cell)
        self.set_setup(None)

    # ----- layout for a run -----------------------------------------------------------------
    @property
    def threshold(self) -> float:
        return self.threshold_slider.value() / 100.0

    def set_setup(self, setup) -> None:
        self.setup = setup
        self.evaluation = None
        self.boundary_plot.set_setup(setup)
        self._clear_selection()
        classify = setup is not None and classifies(setup.task)
        wide = setup is not None and setup.layout is not None and setup.n_features > 2
        for widget in (self.projection_label, self.projection_combo):
            widget.setVisible(wide)
        names = list(setup.feature_names) if setup is not None else []
        for combo, default in ((self.x_combo, 0), (self.y_combo, 1)):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(names)
            combo.setCurrentIndex(min(default, len(names) - 1))
            combo.blockSignals(False)
        self.projection_combo.blockSignals(True)
        if wide:
            choice = setup.layout.choice
            self.projection_combo.setCurrentIndex(0 if choice == "pca" else 1)
            if choice.startswith("features:"):
                _, i, j = choice.split(":")
                self.x_combo.setCurrentIndex(int(i))
                self.y_combo.setCurrentIndex(int(j))
        self.projection_combo.blockSignals(False)
        self._show_feature_combos()
        self.split_combo.blockSignals(True)
        have = set(setup.eval_sets) if setup is not None else set()
        self.split_combo.setCurrentIndex(
            0 if setup is None or setup.eval_split == "validation" else 1
        )
        self.split_combo.setEnabled(len(have) > 1)
        self.split_combo.blockSignals(False)
        binary = classify and max(setup.n_classes, 2) == 2
        self.tabs.setTabEnabled(1, classify)
        self.tabs.setTabEnabled(3, binary)
        self.threshold_slider.setEnabled(binary)
        self.threshold_slider.setVisible(binary)
        self.threshold_label.setVisible(binary)
        self.residual_plot.setVisible(setup is not None and not classify)
        self.metrics_table.setRowCount(0)
        self.metrics_title.setText("")
        self.confusion_title.setText("")

    def _show_feature_combos(self) -> None:
        features = self.projection_combo.isVisible() or not self.projection_combo.isHidden()
        pair = features and self.projection_combo.currentData() == "features"
        self.x_combo.setVisible(bool(pair))
        self.y_combo.setVisible(bool(pair))

    def _projection_chosen(self) -> None:
        setup = self.setup
        self._show_feature_combos()
        if setup is None or setup.layout is None or setup.n_features <= 2:
            return
        if self.projection_combo.currentData() == "pca":
            choice = "pca"
        else:
            i, j = self.x_combo.currentIndex(), self.y_combo.currentIndex()
            if i == j:  # one feature against itself is no plane: take the next one
                j = (i + 1) % setup.n_features
                self.y_combo.blockSignals(True)
                self.y_combo.setCurrentIndex(j)
                self.y_combo.blockSignals(False)
            choice = f"features:{i}:{j}"
        if choice == setup.layout.choice:
            return
        setup.use_layout(setup.layout_for(choice))
        self.boundary_plot.set_setup(setup)
        self._highlight()
        self.choiceChanged.emit()

    def _split_chosen(self) -> None:
        if self.setup is None:
            return
        self.setup.use_split(self.split_combo.currentData())
        self.boundary_plot.set_setup(self.setup)
        self._clear_selection()
        self.choiceChanged.emit()

    # ----- live data ------------------------------------------------------------------------
    def update_evaluation(self, update) -> None:
        """A ViewUpdate (app.training.views): show its evaluation."""
        evaluation = getattr(update, "evaluation", None)
        if evaluation is None or self.setup is None:
            return
        self.evaluation = evaluation
        self._show()

    def _show(self) -> None:
        ev = self.evaluation
        n = len(ev.rows.targets)
        where = f"all {n:,} {ev.split} rows"
        if ev.probabilities is None:
            self._show_regression(ev.report, where)
            return
        report = ev.report_at(self.threshold)
        self.confusion_title.setText(f"Confusion matrix ({where})")
        self.confusion_plot.show_matrix(report.confusion, report.class_names)
        self._show_table(report, where)
        if ev.curves is not None:
            self._show_curves()
        if self.selected is not None:
            self.select_cell(*self.selected)

    def _show_table(self, report, where: str) -> None:
        self.metrics_title.setText(f"Per class, {where}")
        table = self.metrics_table
        table.setHorizontalHeaderLabels(["class", "precision", "recall", "F1", "support"])
        k = len(report.class_names)
        table.setRowCount(k + 2)
        for i, name in enumerate(report.class_names):
            values = (report.precision[i], report.recall[i], report.f1[i])
            table.setItem(i, 0, _cell(name))
            for c, v in enumerate(values, start=1):
                table.setItem(i, c, _cell(f"{v:.3f}", v))
            table.setItem(i, 4, _cell(int(report.support[i]), report.support[i]))
        table.setItem(k, 0, _cell("accuracy"))
        for c in (1, 2):
            table.setItem(k, c, _cell(""))
        table.setItem(k, 3, _cell(f"{report.accuracy:.3f}", report.accuracy))
        table.setItem(k, 4, _cell(report.rows, report.rows))
        table.setItem(k + 1, 0, _cell("macro average"))
        for c, v in enumerate(
            (report.macro_precision, report.macro_recall, report.macro_f1), start=1
        ):
            table.setItem(k + 1, c, _cell(f"{v:.3f}", v))
        table.setItem(k + 1, 4, _cell(report.rows, report.rows))

    def _show_regression(self, report: RegressionReport, where: str) -> None:
        self.metrics_title.setText(f"Regression, {where}")
        table = self.metrics_table
        table.setRowCount(3)
        table.setHorizontalHeaderLabels(["metric", "value", "", "", "rows"])
        for r, (name, value) in enumerate(
            (("MAE", report.mae), ("RMSE", report.rmse), ("R²", report.r2))
        ):
            table.setItem(r, 0, _cell(name))
            table.setItem(r, 1, _cell(f"{value:.4g}", value))
            table.setItem(r, 4, _cell(report.rows, report.rows))
        ev = self.evaluation
        predicted = ev.predictions
        self.residual_points.setData(predicted, ev.rows.targets - predicted)

    def _show_curves(self) -> None:
        ev = self.evaluation
        c = ev.curves
        point = c.operating_point(ev.rows.targets, ev.probabilities[:, 1], self.threshold)
        roc_curve, roc_point = self.curves[self.roc_plot]
        roc_curve.setData(c.fpr, c.tpr)
        roc_point.setData([point["fpr"]], [point["tpr"]])
        self.roc_plot.setTitle(
            f"ROC, AUC {c.roc_auc:.3f} (point: threshold {self.threshold:.2f})", size="9pt"
        )
        pr_curve, pr_point = self.curves[self.pr_plot]
        pr_curve.setData(c.recall, c.precision)
        pr_point.setData([point["recall"]], [point["precision"]])
        self.pr_plot.setTitle(
            f"Precision-recall, average precision {c.average_precision:.3f}", size="9pt"
        )

    def _threshold_moved(self) -> None:
        self.threshold_label.setText(f"threshold {self.threshold:.2f}")
        if self.evaluation is not None and self.evaluation.probabilities is not None:
            self._show()

    # ----- which rows are wrong -------------------------------------------------------------
    def cell_rows(self, actual: int, predicted: int) -> np.ndarray:
        """Positions (into the evaluated rows) of the rows in cell [actual, predicted]."""
        ev = self.evaluation
        return np.flatnonzero(
            (ev.rows.targets == actual) & (ev.predicted_at(self.threshold) == predicted)
        )

    def select_cell(self, actual: int, predicted: int) -> None:
        ev = self.evaluation
        if ev is None or ev.probabilities is None:
            return
        self.selected = (actual, predicted)
        picked = self.cell_rows(actual, predicted)
        names = ev.class_names
        self.confusion_plot.select(actual, predicted)
        listed = picked[:MAX_LISTED]
        table = self.rows_table
        table.setSortingEnabled(False)
        table.setRowCount(len(listed))
        probability = ev.probabilities[listed, predicted]
        for r, (i, p) in enumerate(zip(listed, probability)):
            number = int(ev.rows.rows[i]) + 1
            table.setItem(r, 0, _cell(number, number))
            table.setItem(r, 1, _cell(_name(names, actual)))
            table.setItem(r, 2, _cell(_name(names, predicted)))
            table.setItem(r, 3, _cell(f"{p:.3f}", p))
        more = f" (the first {MAX_LISTED} listed)" if len(picked) > MAX_LISTED else ""
        self.rows_label.setText(
            f"{len(picked)} rows of class {_name(names, actual)} predicted as "
            f"{_name(names, predicted)}{more}, ringed on the Plane tab. Row numbers count the "
            "dataset's rows from 1."
        )
        self._highlight()

    def highlighted_points(self) -> np.ndarray:
        """(n, 2) plane coordinates of the ringed rows."""
        x, y = self.highlight.getData()
        return np.column_stack([x, y]) if len(x) else np.zeros((0, 2))

    def _highlight(self) -> None:
        ev, setup = self.evaluation, self.setup
        if self.selected is None or ev is None or setup is None or setup.layout is None:
            self.highlight.clear()
            return
        picked = self.cell_rows(*self.selected)
        points = setup.layout.points_for(ev.rows.x[picked])
        self.highlight.setData(points[:, 0], points[:, 1])

    def _clear_selection(self) -> None:
        self.selected = None
        self.highlight.clear()
        self.confusion_plot.select(None, None)
        self.rows_table.setRowCount(0)
        self.rows_label.setText("Click a cell to list its rows.")


def _name(names: list[str], k: int) -> str:
    return names[k] if k < len(names) else str(k)
