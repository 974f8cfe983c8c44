"""costPlot: training and validation loss per epoch, and the metric (accuracy or MAE).

One persistent curve per series, updated with setData; the series keep bounded memory
(DecimatingSeries) and pyqtgraph's auto-downsampling and clip-to-view keep a 100,000-epoch
history smooth. A log-scale toggle and a hover read-out sit above the plots."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.plots.axes import cache_axes, follow_y, nice_ceiling
from app.plots.series import DecimatingSeries
from app.theme import is_dark, style_plot

# One-pixel lines: Qt strokes a wider line as a polygon, and repainting the four curves
# (~2,500 points each) took 11-13 ms with 2-pixel pens against 1.6-2 ms with these (measured
# in one process, interleaved) -- most of what a live frame of the cost plot cost.
TRAIN_PEN = pg.mkPen(color=(31, 119, 180), width=1)
VAL_PEN = pg.mkPen(color=(255, 127, 14), width=1)
# The timeline's epoch mark: dark purple on a light plot, light purple on a dark one.
SCRUB_COLOURS = {False: (118, 42, 131), True: (194, 165, 207)}
SCRUB_PEN = pg.mkPen(color=SCRUB_COLOURS[False], width=2)
MIN_EPOCH_SPAN = 5.0
# The metric shown in the second plot, in order of preference, with its label.
METRICS = (
    ("accuracy", "accuracy"),
    ("mae", "MAE"),
    ("mean_absolute_error", "MAE"),
    ("mse", "MSE"),
    ("mean_squared_error", "MSE"),
)


def metric_key(keys) -> str | None:
    """The metric to plot among the history keys (without the "val_" prefix), or None."""
    keys = set(keys)
    for key, _ in METRICS:
        if key in keys:
            return key
    others = sorted(k for k in keys if k != "loss" and not k.startswith("val_"))
    return others[0] if others else None


def legend_html() -> str:
    """The colour key of both plots as rich text: a coloured line and its series name."""
    parts = []
    for pen, name in ((TRAIN_PEN, "training"), (VAL_PEN, "validation")):
        colour = pen.color().name()
        parts.append(
            f'<span style="color:{colour}; font-weight:bold">&#9472;&#9472;</span>'
            f'&nbsp;<span style="color:{colour}">{name}</span>'
        )
    return "&nbsp;&nbsp; ".join(parts)  # the plain space lets a narrow dock wrap the key


def _make_plot(y_label: str) -> pg.PlotWidget:
    plot = pg.PlotWidget(background="w")
    plot.setLabel("bottom", "epoch")
    plot.setLabel("left", y_label)
    plot.showGrid(x=True, y=True, alpha=0.2)
    # Loss values are read as they are (0.0021, not "2.1 x0.001"), and epochs too; an SI
    # prefix would also re-lay-out the axis label at every change of the epoch span.
    plot.getAxis("left").enableAutoSIPrefix(False)
    plot.getAxis("bottom").enableAutoSIPrefix(False)
    plot.setMouseEnabled(x=True, y=True)
    plot.setMenuEnabled(False)
    plot.getPlotItem().vb.disableAutoRange()  # ranges follow the data in CostPlot._fit_y
    cache_axes(plot.getPlotItem())
    return plot


def _make_curve(plot: pg.PlotWidget, pen, name: str) -> pg.PlotDataItem:
    curve = plot.plot([], [], pen=pen, name=name, connect="finite")
    curve.setDownsampling(auto=True, method="peak")
    curve.setClipToView(True)
    return curve


class CostPlot(QWidget):
    """Loss (train, validation) and metric curves. Feed it with set_history(history) for a
    whole history and append(logs, first_epoch) for new epochs; both take dicts of name ->
    list of per-epoch floats, as in Keras' History.history."""

    def __init__(self, parent=None, capacity: int = 4096):
        super().__init__(parent)
        self.setObjectName("costPlot")
        self._capacity = capacity
        self.series: dict[str, DecimatingSeries] = {}
        self._metric: str | None = None
        self._expected: int | None = None
        self._x_span = 0.0
        self._refit = True
        # What other runs' curves drawn over these span (app/plots/run_overlays.py): a few
        # values per curve, so the axes take them in at no cost per frame.
        self._overlay_epochs = 0
        self._overlay_extent: dict[str, list[np.ndarray]] = {"loss": [], "metric": []}

        self.log_check = QCheckBox("Log scale")
        self.log_check.setObjectName("costLogScale")
        self.log_check.setToolTip("Show the loss on a logarithmic axis (small losses stay visible)")
        self.log_check.toggled.connect(self.set_log_scale)
        self.readout = QLabel("")
        self.readout.setObjectName("costReadout")
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # The read-out's text grows as the pointer moves ("epoch 137 · loss … · val accuracy
        # …"); with a preferred width its size hint widened the Cost dock on hover and
        # squeezed its neighbours for good (#13 item 13). Its own row, Ignored horizontally:
        # the text never asks for width, and the row's height is reserved so the plots do
        # not jump when it appears.
        self.readout.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.readout.setMinimumHeight(self.readout.fontMetrics().height())
        # The key to the colours sits above the plots, where it can never hide a curve (a
        # legend inside the plot covered the validation curve in its corner).
        self.key = QLabel(legend_html())
        self.key.setObjectName("costLegend")
        # A narrow dock wraps (at worst clips) the key rather than widening the whole window.
        self.key.setWordWrap(True)
        self.key.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.key.setContentsMargins(8, 0, 8, 0)  # the gaps to its neighbours (spacing 0)
        self.key.setToolTip(
            "Blue: the loss/metric on the training split; orange: on the "
            "validation split (data the network does not train on)"
        )
        top = QHBoxLayout()
        top.setSpacing(0)
        top.addWidget(self.log_check)
        top.addWidget(self.key, 1)

        self.loss_plot = _make_plot("loss")
        self.metric_plot = _make_plot("metric")
        self.metric_plot.setXLink(self.loss_plot)
        self.curves = {
            "loss": _make_curve(self.loss_plot, TRAIN_PEN, "training"),
            "val_loss": _make_curve(self.loss_plot, VAL_PEN, "validation"),
            "metric": _make_curve(self.metric_plot, TRAIN_PEN, "training"),
            "val_metric": _make_curve(self.metric_plot, VAL_PEN, "validation"),
        }
        self._cursor = pg.InfiniteLine(
            angle=90, movable=False, pen=pg.mkPen((120, 120, 120), style=Qt.PenStyle.DashLine)
        )
        self._cursor.setVisible(False)
        self.loss_plot.addItem(self._cursor, ignoreBounds=True)
        # The epoch whose weights early stopping kept (the best validation loss).
        self.best_mark = pg.InfiniteLine(
            angle=90,
            movable=False,
            pen=pg.mkPen((44, 160, 44), width=2, style=Qt.PenStyle.DotLine),
            label="kept: epoch {value:.0f}",
            labelOpts={"position": 0.9, "color": (44, 160, 44), "movable": False},
        )
        self.best_mark.setVisible(False)
        self.loss_plot.addItem(self.best_mark, ignoreBounds=True)
        # The epoch the timeline shows (the epoch scrubber), on both plots.
        self.epoch_marks = [
            pg.InfiniteLine(angle=90, movable=False, pen=SCRUB_PEN, label=label, labelOpts=opts)
            for label, opts in (
                ("epoch {value:.0f}", {"position": 0.9, "color": SCRUB_PEN.color()}),
                (None, None),
            )
        ]
        for plot, mark in zip((self.loss_plot, self.metric_plot), self.epoch_marks):
            mark.setVisible(False)
            plot.addItem(mark, ignoreBounds=True)
        self._hover = pg.SignalProxy(
            self.loss_plot.scene().sigMouseMoved, rateLimit=30, slot=self._on_mouse_moved
        )
        self._hover_metric = pg.SignalProxy(
            self.metric_plot.scene().sigMouseMoved, rateLimit=30, slot=self._on_metric_mouse_moved
        )

        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addWidget(self.readout)
        layout.addWidget(self.loss_plot, 3)
        layout.addWidget(self.metric_plot, 2)
        self.metric_plot.setVisible(False)
        self.apply_palette()

    def apply_palette(self) -> None:
        for plot in (self.loss_plot, self.metric_plot):
            style_plot(plot, self.palette())
        colour = SCRUB_COLOURS[is_dark(self.palette())]
        for mark in getattr(self, "epoch_marks", ()):
            mark.setPen(pg.mkPen(color=colour, width=2))
            if getattr(mark, "label", None) is not None:
                mark.label.setColor(colour)

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        # Light/dark switch: pyqtgraph does not read the palette, so restyle.
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "metric_plot"):
            self.apply_palette()
        super().changeEvent(event)

    # ----- data -----------------------------------------------------------------------------
    def set_history(self, history: dict) -> None:
        """Replace everything with a full history (epochs 1..n)."""
        for series in self.series.values():
            series.clear()
        self._metric = None
        self.mark_best_epoch(None)  # a mark belongs to the run that made it
        # A new history (another dataset, an undo, a reset) gets its own y range: the
        # hysteresis in follow_y kept the old one, so a new loss curve could sit flat at the
        # bottom of, or outside, the previous dataset's range.
        self._refit = True
        self.append(history or {}, 1)
        if not history:
            self._redraw()

    def append(self, logs: dict, first_epoch: int) -> None:
        """Add the values of epochs first_epoch, first_epoch + 1, ... for each key in logs."""
        if not logs:
            return
        if self._metric is None or self._metric not in logs:
            self._set_metric(metric_key(logs.keys()))
        for key, values in logs.items():
            series = self.series.get(key)
            if series is None:
                series = self.series[key] = DecimatingSeries(self._capacity)
            series.extend(first_epoch, values)
        self._redraw()

    def mark_best_epoch(self, epoch: int | None) -> None:
        """Mark the epoch whose weights a run kept (early stopping's best), or clear it."""
        self.best_mark.setVisible(epoch is not None)
        if epoch is not None:
            self.best_mark.setValue(float(epoch))

    def mark_epoch(self, epoch: int | None) -> None:
        """Mark the epoch the timeline shows (None: live, no mark)."""
        for mark in self.epoch_marks:
            mark.setVisible(epoch is not None)
            if epoch is not None:
                mark.setValue(float(epoch))

    @property
    def marked_epoch(self) -> int | None:
        mark = self.epoch_marks[0]
        return int(mark.value()) if mark.isVisible() else None

    @property
    def best_epoch(self) -> int | None:
        return int(self.best_mark.value()) if self.best_mark.isVisible() else None

    def expect_metrics(self, names) -> None:
        """The metrics a run is about to log (its compile metrics): the metric plot is laid
        out now, before training, instead of appearing with the first epochs and pushing the
        loss plot up in the middle of the run."""
        if self._metric is None:
            self._set_metric(metric_key(names))
            self._redraw()

    @property
    def metric(self) -> str | None:
        """The history key the metric plot shows ("accuracy", "mae", ...), or None."""
        return self._metric

    def set_overlay_extent(self, epochs: int, loss: list, metric: list) -> None:
        """Widen the axes to take in other runs' curves drawn over these: their last epoch,
        and arrays holding at least the smallest, smallest positive and largest value of
        each loss and metric curve. The y axes are fitted afresh."""
        self._overlay_epochs = int(epochs)
        self._overlay_extent = {"loss": list(loss), "metric": list(metric)}
        self._refit = True
        self._redraw()

    def _set_metric(self, key: str | None) -> None:
        self._metric = key
        self._fit_metric_label()

    def _fit_metric_label(self) -> None:
        """The metric plot's axis label, abbreviated ("acc.") when the plot is too short for
        it: in a small window "accuracy" was cut to "accurac". The tooltip names it whole."""
        if self._metric is None:
            return
        name = dict(METRICS).get(self._metric, self._metric)
        room = self.metric_plot.height() - 24  # the bottom axis's share of the height
        fits = len(name) <= 4 or self.fontMetrics().horizontalAdvance(name) <= room
        label = name if fits else f"{name[:3]}."
        axis = self.metric_plot.getPlotItem().getAxis("left")
        if axis.labelText != label:
            self.metric_plot.setLabel("left", label)
            axis.setToolTip(name)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)  # the plots have their new heights already (the layout)
        self._fit_metric_label()

    def y_range(self, which: str = "loss") -> tuple[float, float]:
        """The y range shown by the "loss" or "metric" plot."""
        plot = self.loss_plot if which == "loss" else self.metric_plot
        lo, hi = plot.getPlotItem().vb.viewRange()[1]
        return float(lo), float(hi)

    def expect_epochs(self, last_epoch: int | None) -> None:
        """While a run is going, the epoch axis grows in steps of 1-2-5 (never past the run's
        last epoch) instead of with every epoch (None: fit the data exactly).

        Why: a growing x range re-lays-out both axes on every frame, which is most of what
        repainting a plot costs; steps change it a handful of times per run, and the curve
        still fills at least 40% of the width."""
        self._expected = last_epoch
        self._redraw()

    def _redraw(self) -> None:
        targets = {"loss": "loss", "val_loss": "val_loss"}
        if self._metric is not None:
            targets.update(metric=self._metric, val_metric=f"val_{self._metric}")
        last = 1.0
        shown: dict[str, list[np.ndarray]] = {"loss": [], "metric": []}
        for curve_name, curve in self.curves.items():
            series = self.series.get(targets.get(curve_name, ""))
            if series is None or len(series) == 0:
                curve.setData([], [])
            else:
                x, y = series.arrays()
                y = self._for_axis(y, curve_name)
                curve.setData(x, y)
                last = max(last, float(x[-1]))
                shown["loss" if "loss" in curve_name else "metric"].append(y)
        last = max(last, float(self._overlay_epochs))
        for which, extents in self._overlay_extent.items():
            shown[which] += extents
        shared = self._metric is not None
        if self.metric_plot.isVisibleTo(self) != shared:
            self.metric_plot.setVisible(shared)
            # The two plots share the epoch axis: named once, under the lower one, the
            # height goes to the plots (in a small window the metric plot was ~45 px tall).
            self.loss_plot.getAxis("bottom").showLabel(not shared)
        # At least MIN_EPOCH_SPAN epochs across: a narrower axis ticks fractional epochs
        # ("1.2, 1.4") before any (or after one) epoch, which mean nothing.
        if self._expected:
            span = max(min(float(self._expected), nice_ceiling(last * 1.1)), last, MIN_EPOCH_SPAN)
        else:
            span = max(last, MIN_EPOCH_SPAN)
        if span != self._x_span:
            self._x_span = span
            self.loss_plot.setXRange(1, span, padding=0.02)
        log = self.log_check.isChecked()
        refit, self._refit = self._refit, False
        follow_y(self.loss_plot, shown["loss"], log, refit)
        follow_y(self.metric_plot, shown["metric"], False, refit)

    def _for_axis(self, y: np.ndarray, curve_name: str) -> np.ndarray:
        # On a log axis a loss of exactly 0 would be -inf: show it at the smallest float.
        if self.log_check.isChecked() and curve_name in ("loss", "val_loss"):
            return np.maximum(y, np.finfo(np.float64).tiny)
        return y

    def set_log_scale(self, on: bool) -> None:
        if self.log_check.isChecked() != on:
            self.log_check.setChecked(on)  # re-enters through toggled
            return
        self.loss_plot.setLogMode(y=on)
        self._redraw()

    def curve_data(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The plotted (x, y) of curve "loss", "val_loss", "metric" or "val_metric"."""
        x, y = self.curves[name].getOriginalDataset()
        if x is None:
            return np.zeros(0), np.zeros(0)
        return np.asarray(x), np.asarray(y)

    # ----- hover ----------------------------------------------------------------------------
    def _on_mouse_moved(self, event) -> None:
        self._show_readout(self.loss_plot, event[0])

    def _on_metric_mouse_moved(self, event) -> None:
        self._show_readout(self.metric_plot, event[0])

    def _show_readout(self, plot: pg.PlotWidget, scene_pos) -> None:
        if not plot.sceneBoundingRect().contains(scene_pos):
            self._cursor.setVisible(False)
            return
        epoch = plot.getPlotItem().vb.mapSceneToView(scene_pos).x()
        text = self.readout_text(epoch)
        self.readout.setText(text)
        self.readout.setToolTip(text)  # in full, should a narrow dock clip it
        self._cursor.setPos(round(epoch))
        self._cursor.setVisible(True)

    def readout_text(self, epoch: float) -> str:
        """ "epoch 37 · loss 0.1234 · val loss 0.2345 · accuracy 0.95" near `epoch`."""
        if not math.isfinite(epoch):
            return ""
        keys = [("loss", "loss"), ("val_loss", "val loss")]
        if self._metric:
            label = dict(METRICS).get(self._metric, self._metric)
            keys += [(self._metric, label), (f"val_{self._metric}", f"val {label}")]
        parts, at = [], None
        for key, label in keys:
            series = self.series.get(key)
            point = series.value_at(epoch) if series is not None else None
            if point is not None:
                at = at if at is not None else point[0]
                parts.append(f"{label} {point[1]:.4g}")
        if at is None:
            return ""
        return " · ".join([f"epoch {at:.0f}"] + parts)
