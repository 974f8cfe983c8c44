"""The gradient plot: per layer and per epoch, the RMS of its weight gradient and its update
ratio |ΔW| / |W|, on log scales, one curve per layer in its activation's colour (deeper layers
darker), with the usual healthy band of the update ratio marked. The numbers come from the
engine's GradientStats callback (engine/gradient_stats.py), read once per frame."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from app.builder import activation_info
from app.plots.axes import cache_axes, follow_y, nice_ceiling
from app.plots.series import DecimatingSeries
from engine.gradient_stats import HEALTHY_UPDATE_RATIO

# Points kept per curve: about one per pixel column of a wide panel. The values are noisy
# (one batch's gradient per epoch), so 4,096 points of 2-pixel lines drew mostly overdraw:
# a redraw of 20,000 epochs painted in ~55 ms; with 1,024 points of 1-pixel (cosmetic)
# lines, ~15 ms, and the redraw happens while training waits (see backprop_views).
POINTS_PER_CURVE = 1024


def layer_colour(activation: str, index: int) -> QColor:
    """The activation's colour, a shade darker per layer, so two sigmoid layers differ."""
    return QColor(activation_info.info(activation).colour).darker(100 + 22 * index)


def key_html(activations: list[str]) -> str:
    """The layers' colour key as rich text: a line in each layer's colour and its name."""
    parts = []
    for index, name in enumerate(activations):
        colour = layer_colour(name, index).name()
        parts.append(
            f'<span style="color:{colour}; font-weight:bold">&#9472;&#9472;</span>'
            f"&nbsp;layer&nbsp;{index + 1}&nbsp;({name})"
        )
    return "&nbsp;&nbsp; ".join(parts)  # the plain space lets a narrow panel wrap the key


class GradientPlot(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("gradientPlot")
        self.title = QLabel("Gradients per layer: shown while training, when this panel is open")
        self.title.setObjectName("gradientTitle")
        self.title.setWordWrap(True)
        # The colour key sits above the plots, as the cost plot's does: a legend inside them
        # covered the curves in a short panel.
        self.key = QLabel("")
        self.key.setObjectName("gradientKey")
        self.key.setWordWrap(True)
        self.key.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.rms_plot = self._plot("RMS of dL/dW")
        # Short enough for the axis of a short plot ("… per epoch" was cut); the tooltip says
        # what it is.
        self.ratio_plot = self._plot("|ΔW| / |W|")
        self.ratio_plot.getPlotItem().getAxis("left").setToolTip(
            "The update ratio: how far each layer's weights moved in one epoch, relative to "
            "their size"
        )
        self.ratio_plot.setXLink(self.rms_plot)
        lo, hi = HEALTHY_UPDATE_RATIO
        # In log mode pyqtgraph places items in log10 coordinates.
        self.band = pg.LinearRegionItem(
            (math.log10(lo), math.log10(hi)),
            orientation="horizontal",
            movable=False,
            brush=pg.mkBrush(44, 160, 44, 40),
            pen=pg.mkPen(44, 160, 44, 90),
        )
        self.band.setToolTip(
            "The usual healthy range of the update ratio (around 1e-3 per "
            "step): far below, a layer barely learns; near 1, it is rewritten"
        )
        self.ratio_plot.addItem(self.band)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.title)
        layout.addWidget(self.key)
        layout.addWidget(self.rms_plot, 1)
        layout.addWidget(self.ratio_plot, 1)
        self.rms_curves: list[pg.PlotDataItem] = []
        self.ratio_curves: list[pg.PlotDataItem] = []
        self._rms: list[DecimatingSeries] = []
        self._ratio: list[DecimatingSeries] = []
        self.read = 0  # records of the current stats already plotted
        self._activations: list[str] | None = None  # the layers the curves are for
        self._expected: tuple[int, int] | None = None  # a running run's (first, last) epoch
        self._x_range: tuple[float, float] | None = None

    @staticmethod
    def _plot(label: str) -> pg.PlotWidget:
        plot = pg.PlotWidget(background="w")
        plot.setMenuEnabled(False)
        plot.setLogMode(x=False, y=True)
        plot.setLabel("left", label)
        # On a log axis an SI prefix rescales the tick labels ("0.1 .. 10 (x0.001)" for
        # 1e-4 .. 1e-2): the ticks show the values themselves.
        plot.getPlotItem().getAxis("left").enableAutoSIPrefix(False)
        plot.setLabel("bottom", "epoch")
        plot.showGrid(x=False, y=True, alpha=0.2)
        cache_axes(plot.getPlotItem())
        return plot

    def set_layers(self, activations: list[str]) -> None:
        """A new run: one curve per layer, empty."""
        activations = list(activations)
        self._rms = [DecimatingSeries(POINTS_PER_CURVE) for _ in activations]
        self._ratio = [DecimatingSeries(POINTS_PER_CURVE) for _ in activations]
        self.read = 0
        if activations == self._activations:
            # The same layers as the last run (training again, most often): emptied, the
            # curves and their key stay. Made anew they cost ~40 ms at the start of the
            # run and a first paint three times the usual.
            for curve in self.rms_curves + self.ratio_curves:
                curve.setData([], [])
            return
        self._activations = activations
        for plot, curves in (
            (self.rms_plot, self.rms_curves),
            (self.ratio_plot, self.ratio_curves),
        ):
            for curve in curves:
                plot.removeItem(curve)
            curves.clear()
        for index, name in enumerate(activations):
            pen = pg.mkPen(layer_colour(name, index), width=1)
            for plot, curves in (
                (self.rms_plot, self.rms_curves),
                (self.ratio_plot, self.ratio_curves),
            ):
                curve = plot.plot([], [], pen=pen)
                curve.setClipToView(True)
                curves.append(curve)
        self.key.setText(key_html(activations))

    def update_from(self, stats) -> bool:
        """Plot the records `stats` (a GradientStats, possibly still being filled by the
        worker: its records only grow) holds beyond those already drawn. True if any were."""
        if stats.count <= self.read or not self._rms:
            return False
        epochs, rms, _, ratio = stats.read(self.read)
        if not len(epochs):
            return False
        first = int(epochs[0]) + 1
        self.read += len(epochs)
        self.title.setText(self._summary(rms[-1]))
        with np.errstate(all="ignore"):
            # log axes cannot show 0 or inf: a zero gradient (a dead layer) sits at the floor
            rms = np.where(np.isfinite(rms), np.maximum(rms, 1e-12), np.nan)
            ratio = np.where(np.isfinite(ratio), np.maximum(ratio, 1e-12), np.nan)
        for i in range(min(len(self._rms), rms.shape[1])):
            self._rms[i].extend(first, rms[:, i])
            self._ratio[i].extend(first, ratio[:, i])
            self.rms_curves[i].setData(*self._rms[i].arrays(), connect="finite")
            self.ratio_curves[i].setData(*self._ratio[i].arrays(), connect="finite")
        self._fit_axes()
        return True

    def expect_epochs(self, first: int | None, last: int | None = None) -> None:
        """While a run goes, the epochs it started after and ends with: the epoch axis grows
        in 1-2-5 steps up to `last`, and the y axes follow the data with hysteresis, as the
        cost plot's do (a range that moved with every redraw re-rendered all four axes,
        most of what painting this plot cost). None: fit the data exactly."""
        self._expected = None if first is None or last is None else (int(first), int(last))
        self._fit_axes(refit=True)

    def _fit_axes(self, refit: bool = False) -> None:
        lengths = [len(series) for series in self._rms]
        if not any(lengths):
            return
        xs = [series.arrays()[0] for series in self._rms if len(series)]
        start, end = min(float(x[0]) for x in xs), max(float(x[-1]) for x in xs)
        if self._expected is not None:
            first, last = self._expected
            done = end - first
            start = first + 1.0
            end = first + max(min(float(last - first), nice_ceiling(done * 1.1)), done, 1.0)
        if refit or (start, end) != self._x_range:
            self._x_range = (start, end)
            self.rms_plot.setXRange(start, max(end, start + 1.0), padding=0.02)
        follow_y(self.rms_plot, [s.arrays()[1] for s in self._rms], log=True, refit=refit)
        band = np.array(HEALTHY_UPDATE_RATIO)  # the healthy band stays in view
        ratios = [s.arrays()[1] for s in self._ratio] + [band]
        follow_y(self.ratio_plot, ratios, log=True, refit=refit)

    def has_new(self, stats) -> bool:
        """Whether `stats` holds records not plotted yet (cheap: its roots and ratios are
        only worked out when update_from reads them)."""
        return stats.count > self.read

    def prepare_paint(self) -> None:
        """Place the new records for the next paint. The plots' ranges follow their data only
        when they are about to paint: prepared first, each plot paints once, not once with the
        old range and again with the new."""
        for plot in (self.rms_plot, self.ratio_plot):
            plot.scene().prepareForPaint()

    @staticmethod
    def _summary(last: np.ndarray) -> str:
        if len(last) < 2 or not np.all(np.isfinite(last)) or last[-1] <= 0:
            return "Gradients per layer"
        share = last[0] / last[-1]
        if share < 1e-2:
            return (
                f"Layer 1 gets {share:.2g} of the last layer's gradient: the first layers "
                "are starved (vanishing gradients)"
            )
        return "Gradients per layer"

    def series(self, layer: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(epochs, RMS gradient, update ratio) of one layer as plotted (for tests)."""
        x, rms = self._rms[layer].arrays()
        _, ratio = self._ratio[layer].arrays()
        return x, rms, ratio
