"""Scatter preview of a dataset (pyqtgraph): what the person is about to train on.

Two features and classes: x1 vs x2, one colour per class (app.plots.class_colours; the panel's
summary shows the same colours as the legend). One feature: the feature against
the target (class or value). More than two features: the plane of the first two principal
components of the standardised features ("PC1, 44% of variance"), or two features chosen by
name (set_projection; the dataset panel's projectionCombo). Regression with two or more
features: the points coloured by the target value.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPalette
from PySide6.QtWidgets import QWidget

from app.plots.class_colours import class_colour
from engine.projection import pca_plane

MAX_POINTS = 3000  # more points only cost drawing time; the picture does not change


class DatasetPreviewPlot(pg.PlotWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("datasetPreview")
        self.setAccessibleName("Dataset scatter preview")
        self.setToolTip(
            "A scatter plot of the data (the first two features, coloured by class or value)."
        )
        self.setMinimumHeight(180)
        self.setMenuEnabled(False)
        self.hideButtons()
        self.plotItem.setMouseEnabled(x=False, y=False)
        self.scatter_items: list[pg.ScatterPlotItem] = []
        self._dataset = None
        self._projection: tuple[str, int, int] = ("pca", 0, 1)
        # Full axis titles; what the axes show is elided to their length (a long column name
        # ran off both ends of the plot, #13 item 17), and the tooltip names them in full.
        self._axis_titles = {"bottom": "", "left": ""}
        self._tip = self.toolTip()
        self.plotItem.vb.sigResized.connect(self._fit_axis_titles)
        self._apply_palette()

    def set_projection(self, kind: str, i: int = 0, j: int = 1) -> None:
        """For data of more than two features: "pca" (the first two principal components) or
        "features" i and j. Redraws the current dataset."""
        self._projection = (kind, int(i), int(j))
        dataset, self._dataset = self._dataset, None
        self.show_dataset(dataset)

    def show_dataset(self, dataset) -> None:
        """Draw `dataset` (an engine.data.Dataset) or an empty plot for None. The same
        dataset object again (any edit that left the data alone) is already drawn."""
        if dataset is self._dataset and dataset is not None and self.scatter_items:
            return
        self._dataset = dataset
        plot = self.plotItem
        plot.clear()
        self.scatter_items = []
        if dataset is None or dataset.n_samples == 0:
            plot.setTitle("")
            self._set_axis_titles("", "")
            return
        rows = _sample_rows(dataset.n_samples)
        x, y = dataset.x[rows], dataset.y[rows, 0]
        names = dataset.feature_names
        kind, i, j = self._projection
        title = ""
        if dataset.n_features > 2 and kind == "pca":
            # Standardised first, as the network sees the data: otherwise the feature with the
            # largest units would be the first component whatever its meaning.
            spread = dataset.x.std(axis=0)
            z = (dataset.x - dataset.x.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
            plane = pca_plane(z)
            uv = plane.to_plane(z[rows])
            px, py = uv[:, 0], uv[:, 1]
            xlabel, ylabel = plane.labels
            title = f"{dataset.n_features} features in their principal-component plane"
        elif dataset.n_features >= 2:
            i, j = (i, j) if max(i, j) < dataset.n_features and i != j else (0, 1)
            px, py, xlabel, ylabel = x[:, i], x[:, j], names[i], names[j]
            if dataset.n_features > 2:
                title = f"2 of {dataset.n_features} features"
        else:
            px, py, xlabel, ylabel = x[:, 0], y, names[0], dataset.target_name
        plot.setTitle(title, size="8pt")
        self._set_axis_titles(str(xlabel), str(ylabel))
        if dataset.class_names is not None:
            for k, name in enumerate(dataset.class_names):
                mask = y == k
                colour = QColor(class_colour(k))
                item = pg.ScatterPlotItem(
                    px[mask],
                    py[mask],
                    size=6,
                    pen=pg.mkPen(None),
                    brush=pg.mkBrush(colour),
                    name=str(name),
                )
                plot.addItem(item)
                self.scatter_items.append(item)
        else:
            brushes = None
            if dataset.n_features >= 2:  # colour by the target value
                span = float(np.ptp(y)) or 1.0
                cmap = pg.colormap.get("viridis")
                brushes = [pg.mkBrush(c) for c in cmap.map((y - y.min()) / span, mode="qcolor")]
            item = pg.ScatterPlotItem(
                px, py, size=5, pen=pg.mkPen(None), brush=brushes or pg.mkBrush(class_colour(0))
            )
            plot.addItem(item)
            self.scatter_items.append(item)
        plot.autoRange(padding=0.06)

    def _set_axis_titles(self, bottom: str, left: str) -> None:
        self._axis_titles = {"bottom": bottom, "left": left}
        shown = f"\n\nAcross: {bottom}\nUp: {left}" if bottom or left else ""
        self.setToolTip(self._tip + shown)
        self._fit_axis_titles()

    def _fit_axis_titles(self, *_args) -> None:
        """Show each axis title elided to the length of its axis (the view box's side)."""
        rect = self.plotItem.vb.boundingRect()
        for name, length in (("bottom", rect.width()), ("left", rect.height())):
            axis = self.plotItem.getAxis(name)
            full = self._axis_titles[name]
            metrics = QFontMetricsF(axis.label.font())
            room = length - 2 * axis.label.document().documentMargin() - 2
            # The label's rich text may render a little wider than its font's metrics say:
            # measure what it draws and elide further until it fits.
            for _ in range(4):
                text = metrics.elidedText(full, Qt.TextElideMode.ElideMiddle, max(0.0, room))
                if axis.labelText != text or axis.label.isVisible() != bool(text):
                    axis.setLabel(text)
                    axis.showLabel(bool(text))
                over = axis.label.boundingRect().width() - length
                if not text or over <= 0:
                    break
                room -= over + 2

    def full_axis_title(self, name: str) -> str:
        """The whole title of axis `name` ("bottom", "left"), as its tooltip names it."""
        return self._axis_titles[name]

    def axis_title(self, name: str) -> str:
        """The title as the axis `name` ("bottom", "left") shows it now."""
        return self.plotItem.getAxis(name).labelText

    def point_count(self) -> int:
        return sum(len(item.data) for item in self.scatter_items)

    def _apply_palette(self) -> None:
        # Follow the widget palette so the plot reads in light and dark themes alike.
        palette = self.palette()
        self.setBackground(palette.color(QPalette.ColorRole.Base))
        text = palette.color(QPalette.ColorRole.Text)
        for axis in ("bottom", "left"):
            ax = self.plotItem.getAxis(axis)
            ax.setPen(pg.mkPen(text))
            ax.setTextPen(pg.mkPen(text))

    def changeEvent(self, event: QEvent) -> None:
        # pyqtgraph changes the palette inside its own __init__, before plotItem exists.
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "scatter_items"):
            self._apply_palette()
            dataset, self._dataset = self._dataset, None  # redraw in the new colours
            self.show_dataset(dataset)
        super().changeEvent(event)


def _sample_rows(n: int) -> np.ndarray:
    """Row indices to draw: all of them, or an even spread of MAX_POINTS."""
    if n <= MAX_POINTS:
        return np.arange(n)
    return np.linspace(0, n - 1, MAX_POINTS).astype(int)
