"""boundaryPlot: what the model outputs, in the form that fits the data.

- 2 features: the output over the feature plane as a ~100x100 heatmap (ImageItem), with the
  training (filled circles) and validation (hollow squares) points coloured by class (or by
  value, for regression).
- 1-feature regression: the fitted curve over the data points.
- more features, classification: the same over a plane through the data (the first two
  principal components, or two chosen features; setup.layout says which).
- otherwise: predicted vs actual (regression) or a confusion matrix (1-feature
  classification) on every validation (or training) row.

set_setup(ViewSetup) lays the plot out for a run; update_output(array) refreshes it (the
array's meaning depends on setup.kind, see app.training.views.ViewUpdate)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.plots.axes import cache_axes
from app.plots.class_colours import class_rgb
from app.theme import style_plot
from engine.project.specs import classifies

TINT = 0.55  # how far the heatmap is lightened towards white, so the points stay visible


def boundary_image(
    output: np.ndarray, task: str, n_classes: int, levels: tuple[float, float] | None = None
) -> np.ndarray:
    """(G, G, k) -> (G, G, 3) uint8 RGB. Classification: `output` holds class probabilities
    (views.compute_views turns outputs and logits into them, engine.project.runtime), and the
    class colours are blended by probability, so the boundary is where the colours meet.
    Regression: (G, G, 1) values, in viridis."""
    if classifies(task):
        probs = np.clip(output, 0.0, 1.0)
        rgb = probs @ class_rgb(probs.shape[-1])
        rgb = rgb * (1.0 - TINT) + 255.0 * TINT
        return np.clip(rgb, 0, 255).astype(np.uint8)
    values = output[..., 0]
    lo, hi = levels if levels is not None else (np.nanmin(values), np.nanmax(values))
    scaled = (values - lo) / (hi - lo) if hi > lo else np.zeros_like(values)
    lut = pg.colormap.get("viridis").getLookupTable(nPts=256)
    index = np.clip(np.nan_to_num(scaled) * 255, 0, 255).astype(int)
    return (lut[index][..., :3] * (1.0 - TINT * 0.5) + 255.0 * TINT * 0.5).astype(np.uint8)


class BoundaryPlot(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("boundaryPlot")
        self.title = QLabel("")
        self.title.setObjectName("boundaryTitle")
        # A long title wraps: as one line it set the dock's minimum width (the confusion
        # matrix title pushed the Output dock past the window's right edge).
        self.title.setWordWrap(True)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setMenuEnabled(False)
        self.plot.showGrid(x=False, y=False)
        cache_axes(self.plot.getPlotItem())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.title)
        layout.addWidget(self.plot, 1)
        self.image = pg.ImageItem()
        self.curve = pg.PlotDataItem([], [], pen=pg.mkPen((214, 39, 40), width=3))
        self.train_points = pg.ScatterPlotItem(size=7, pen=pg.mkPen("w", width=0.8))
        self.val_points = pg.ScatterPlotItem(size=8, symbol="s", brush=pg.mkBrush(None))
        self.diagonal = pg.PlotDataItem(
            [], [], pen=pg.mkPen((120, 120, 120), width=1, style=pg.QtCore.Qt.DashLine)
        )
        self.cell_texts: list[pg.TextItem] = []
        for item in (self.image, self.diagonal, self.curve, self.train_points, self.val_points):
            self.plot.addItem(item)
        self.setup = None
        self.kind = "none"
        self.last_output: np.ndarray | None = None
        self._levels: tuple[float, float] | None = None
        self.set_setup(None)
        self.apply_palette()

    def apply_palette(self) -> None:
        style_plot(self.plot, self.palette())

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        # Light/dark switch: pyqtgraph does not read the palette, so restyle.
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "plot"):
            self.apply_palette()
        super().changeEvent(event)

    # ----- layout for a run -----------------------------------------------------------------
    def set_setup(self, setup) -> None:
        self.setup = setup
        self.kind = setup.kind if setup is not None else "none"
        self.last_output = None
        for text in self.cell_texts:
            self.plot.removeItem(text)
        self.cell_texts = []
        self.image.clear()
        self.curve.setData([], [])
        self.diagonal.setData([], [])
        self.train_points.clear()
        self.val_points.clear()
        self.plot.setAspectLocked(False)
        self.title.setToolTip("")
        self.plot.getAxis("bottom").setTicks(None)
        self.plot.getAxis("left").setTicks(None)
        if setup is None or self.kind == "none":
            self.title.setText("No output view: load a dataset and add layers.")
            return
        names = setup.feature_names or []
        if self.kind == "boundary":
            layout = getattr(setup, "layout", None)
            plane = getattr(layout, "plane", None)
            if plane is None:
                self.title.setText(
                    "Decision boundary over the two features"
                    if setup.task != "regression"
                    else "Model output over the two features"
                )
            else:
                held = (
                    "the other components at their mean"
                    if plane.kind == "pca"
                    else "the other features at their median"
                )
                self.title.setText(
                    f"Decision boundary over a plane of {len(names)} features ({held})"
                )
            labels = (
                layout.labels
                if layout is not None
                else (names[0] if names else "x1", names[1] if len(names) > 1 else "x2")
            )
            self.plot.setLabel("bottom", labels[0])
            self.plot.setLabel("left", labels[1])
            self._levels = self._value_levels(setup)
            self._set_points(setup)
            x0, x1, y0, y1 = setup.extent
            self.plot.setXRange(x0, x1, padding=0)
            self.plot.setYRange(y0, y1, padding=0)
        elif self.kind == "curve":
            self.title.setText("Fitted curve over the data")
            self.plot.setLabel("bottom", names[0] if names else "x")
            self.plot.setLabel("left", "target")
            self._set_points(setup)
            xs = np.concatenate([setup.train_points[:, 0], setup.val_points[:, 0]])
            self._fit_view(xs, np.concatenate([setup.train_targets, setup.val_targets]))
        elif self.kind == "scatter":
            targets = setup.output_targets
            self.title.setText(f"Predicted vs actual ({_rows_text(setup)})")
            self.plot.setLabel("bottom", "actual")
            self.plot.setLabel("left", "predicted")
            lo, hi = float(np.min(targets)), float(np.max(targets))
            self.diagonal.setData([lo, hi], [lo, hi])
            self._fit_view(targets, targets)
        elif self.kind == "confusion":
            self.title.setText(f"Confusion matrix ({_rows_text(setup)})")
            self.title.setToolTip(
                "Rows: the actual class; columns: the class the network "
                "predicts. The diagonal (green) is right."
            )
            self.plot.setLabel("bottom", "predicted class")
            self.plot.setLabel("left", "actual class")
            self.plot.setAspectLocked(True)
            k = max(setup.n_classes, 2)
            for _ in range(k * k):
                text = pg.TextItem("", anchor=(0.5, 0.5), color=(0, 0, 0))
                self.plot.addItem(text)
                self.cell_texts.append(text)

    def _fit_view(self, xs: np.ndarray, ys: np.ndarray) -> None:
        """Show exactly the new data. Every kind sets its range explicitly: the boundary and
        confusion views switch auto-range off, so without this a curve or scatter kept the
        previous dataset's range and showed empty axes (issue #13, item 1)."""
        xs, ys = np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)
        xs, ys = xs[np.isfinite(xs)], ys[np.isfinite(ys)]
        if xs.size == 0 or ys.size == 0:
            self.plot.enableAutoRange()
            return
        for lo, hi, set_range in (
            (xs.min(), xs.max(), self.plot.setXRange),
            (ys.min(), ys.max(), self.plot.setYRange),
        ):
            pad = max((hi - lo) * 0.08, 1e-3 * max(1.0, abs(hi)))
            set_range(float(lo - pad), float(hi + pad), padding=0)

    def view_range(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """((x_min, x_max), (y_min, y_max)) shown now."""
        (x0, x1), (y0, y1) = self.plot.getPlotItem().vb.viewRange()
        return (x0, x1), (y0, y1)

    def _value_levels(self, setup) -> tuple[float, float] | None:
        if classifies(setup.task) or setup.train_targets is None:
            return None
        values = np.concatenate([setup.train_targets, setup.val_targets])
        return float(values.min()), float(values.max())

    def _point_brushes(self, targets: np.ndarray, setup) -> list:
        """One brush per point, drawn from a small palette (shared objects keep pyqtgraph's
        symbol atlas small: one entry per class or colour step, not per point)."""
        if classifies(setup.task):
            palette = [pg.mkBrush(*c) for c in class_rgb(max(setup.n_classes, 2))]
            index = np.asarray(targets, dtype=int) % len(palette)
        else:
            lo, hi = self._levels or (0.0, 1.0)
            lut = pg.colormap.get("viridis").getLookupTable(nPts=32)
            palette = [pg.mkBrush(*c[:3]) for c in lut]
            index = np.clip((targets - lo) / (hi - lo or 1.0) * 31, 0, 31).astype(int)
        return [palette[i] for i in index]

    def _set_points(self, setup) -> None:
        tx, ty = setup.train_points, setup.train_targets
        vx, vy = setup.val_points, setup.val_targets
        if self.kind == "boundary":
            self.train_points.setData(tx[:, 0], tx[:, 1], brush=self._point_brushes(ty, setup))
            if len(vx):
                brushes = self._point_brushes(vy, setup)
                pens = {}
                for brush in brushes:
                    pens.setdefault(id(brush), pg.mkPen(brush.color(), width=1.5))
                self.val_points.setData(
                    vx[:, 0], vx[:, 1], brush=pg.mkBrush(None), pen=[pens[id(b)] for b in brushes]
                )
        else:  # curve: x against the target value
            self.train_points.setData(tx[:, 0], ty, brush=pg.mkBrush(31, 119, 180, 160))
            if len(vx):
                self.val_points.setData(
                    vx[:, 0], vy, brush=pg.mkBrush(None), pen=pg.mkPen(255, 127, 14, 200)
                )

    # ----- live data ------------------------------------------------------------------------
    def update_output(self, output) -> None:
        if output is None or self.setup is None:
            return
        self.last_output = output
        setup = self.setup
        if self.kind == "boundary":
            rgb = boundary_image(output, setup.task, setup.n_classes, self._levels)
            self.image.setImage(rgb, autoLevels=False, levels=(0, 255))
            x0, x1, y0, y1 = setup.extent
            self.image.setRect(pg.QtCore.QRectF(x0, y0, x1 - x0, y1 - y0))
        elif self.kind == "curve":
            self.curve.setData(setup.curve_x, output)
        elif self.kind == "scatter":
            self.train_points.setData(
                setup.output_targets, output, brush=pg.mkBrush(31, 119, 180, 160)
            )
        elif self.kind == "confusion":
            self._show_confusion(np.asarray(output))

    def _show_confusion(self, matrix: np.ndarray) -> None:
        k = matrix.shape[0]
        totals = matrix.sum(axis=1, keepdims=True)
        share = matrix / np.where(totals > 0, totals, 1)
        # Rows are actual classes, drawn top to bottom: image[x=predicted, y=k-1-actual].
        image = np.zeros((k, k, 3), dtype=np.float64)
        for actual in range(k):
            for predicted in range(k):
                s = share[actual, predicted]
                base = (44, 160, 44) if actual == predicted else (214, 39, 40)
                image[predicted, k - 1 - actual] = 255 - s * (255 - np.array(base))
        self.image.setImage(image.astype(np.uint8), autoLevels=False, levels=(0, 255))
        self.image.setRect(pg.QtCore.QRectF(0, 0, k, k))
        names = self.setup.class_names or []
        for actual in range(k):
            for predicted in range(k):
                text = self.cell_texts[actual * k + predicted]
                text.setText(str(int(matrix[actual, predicted])))
                text.setPos(predicted + 0.5, k - 1 - actual + 0.5)
        ticks = [(i + 0.5, names[i] if i < len(names) else str(i)) for i in range(k)]
        self.plot.getAxis("bottom").setTicks([ticks])
        self.plot.getAxis("left").setTicks(
            [[(k - 1 - i + 0.5, label) for i, (_, label) in enumerate(ticks)]]
        )
        self.plot.setXRange(0, k, padding=0.02)
        self.plot.setYRange(0, k, padding=0.02)


def _rows_text(setup) -> str:
    """ "all 360 validation rows": the figures count every row of the split, and say so."""
    n = len(setup.output_targets) if setup.output_targets is not None else 0
    return f"all {n:,} {setup.eval_split} rows"
