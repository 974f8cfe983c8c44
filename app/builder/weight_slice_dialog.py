"""The "Loss along this weight" dialog: engine.weight_slice's curve, its tangent at the
weight's value (slope dL/dw) and the point the optimizer's next step lands on."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout

from app.theme import style_plot_item
from engine.weight_slice import WeightSlice

CURVE_PEN = pg.mkPen(color=(31, 119, 180), width=2)
TANGENT_PEN = pg.mkPen(color=(214, 39, 40), width=2, style=Qt.PenStyle.DashLine)
NOW_BRUSH = pg.mkBrush(20, 20, 20)
STEP_BRUSH = pg.mkBrush(44, 160, 44)


def fmt(value: float) -> str:
    return f"{value:.4g}"


def describe(s: WeightSlice) -> str:
    """What the plot shows, in words, with the numbers."""
    rows = (
        f"all {s.rows} training rows"
        if s.rows == s.total_rows
        else f"a fixed subset of {s.rows} of the {s.total_rows} training rows"
    )
    text = (
        f"Loss over {rows} as this one weight moves, every other weight fixed. "
        f"At w = {fmt(s.w)} the loss is {fmt(s.loss)} and its slope dL/dw = "
        f"{fmt(s.slope)} (the dashed tangent). "
    )
    if s.exact_step:
        text += (
            f"The next {s.optimizer.upper()} step, w − lr·dL/dw with lr = "
            f"{fmt(s.learning_rate)}, lands at w = {fmt(s.next_w)} (green)."
        )
    else:
        text += (
            f"{s.optimizer.capitalize()} scales its step per weight by running "
            f"averages of the gradient, so its step is not lr·dL/dw. Green marks its "
            f"first step from fresh state, approximately w − lr·sign(dL/dw) = "
            f"{fmt(s.next_w)}."
        )
    return text + " A minibatch step uses its batch's gradient, which differs a little."


class WeightSliceDialog(QDialog):
    def __init__(self, weight_slice: WeightSlice, title: str, parent=None):
        super().__init__(parent)
        self.setObjectName("weightSliceDialog")
        self.setWindowTitle(f"Loss along {title}")
        self.slice = s = weight_slice
        self.plot = pg.PlotWidget()
        self.plot.setObjectName("weightSlicePlot")
        item = self.plot.getPlotItem()
        item.setLabel("bottom", f"{title} (w)")
        item.setLabel("left", "loss")
        item.showGrid(x=True, y=True, alpha=0.2)
        item.setMenuEnabled(False)
        item.addLegend(offset=(-10, 10))
        self.curve = self.plot.plot(s.ws, s.losses, pen=CURVE_PEN, name="loss L(w)")
        # The tangent over the middle third: long enough to read its slope, short enough
        # not to run off the plot where the curve bends away.
        half = (s.ws[-1] - s.ws[0]) / 6
        tx = np.array([s.w - half, s.w + half])
        self.tangent = self.plot.plot(
            tx,
            s.loss + s.slope * (tx - s.w),
            pen=TANGENT_PEN,
            name=f"tangent, slope dL/dw = {fmt(s.slope)}",
        )
        self.now = self.plot.plot(
            [s.w],
            [s.loss],
            pen=None,
            symbol="o",
            symbolSize=9,
            symbolBrush=NOW_BRUSH,
            name=f"now: w = {fmt(s.w)}",
        )
        step = "next step" if s.exact_step else "≈ first step"
        self.step = self.plot.plot(
            [s.next_w],
            [s.next_loss],
            pen=None,
            symbol="t",
            symbolSize=11,
            symbolBrush=STEP_BRUSH,
            name=f"{step}: w = {fmt(s.next_w)}",
        )
        finite = s.losses[np.isfinite(s.losses)]
        if finite.size:  # a huge loss far out must not flatten the part around w
            lo, hi = float(finite.min()), float(np.percentile(finite, 95))
            pad = 0.05 * (hi - lo or 1.0)
            item.setYRange(lo - pad, hi + pad, padding=0)
        style_plot_item(item, self.palette())
        self.plot.setBackground(self.palette().color(QPalette.ColorRole.Base))
        self.caption = QLabel(describe(s))
        self.caption.setObjectName("weightSliceCaption")
        self.caption.setWordWrap(True)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.caption)
        layout.addWidget(buttons)
        self.resize(560, 460)
