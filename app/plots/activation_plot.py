"""activationPlot: one panel per layer showing where its pre-activations z fall on g(z).

Each panel draws the activation g(z) (and, toggled, g'(z)) over a z range, the histogram of
the layer's current z on the validation sample behind the curve, and the share of saturated
units (sigmoid/tanh) or dead ReLUs -- the course's argument about sigmoid versus ReLU made
visible. Panels are rebuilt only when the layers change; otherwise their items are updated
with setData."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QCheckBox, QFrame, QHBoxLayout, QScrollArea, QVBoxLayout, QWidget

from app.plots.axes import cache_axes
from app.plots.stats import LayerStats
from app.theme import is_dark, style_plot_item
from app.wording import count
from engine import activations
from engine.errors import EngineError

CURVE_PEN = pg.mkPen(color=(20, 20, 20), width=2)
DERIV_PEN = pg.mkPen(color=(214, 39, 40), width=2, style=Qt.PenStyle.DashLine)
HIST_BRUSH = pg.mkBrush(31, 119, 180, 90)
BAD_COLOR = "#c0392b"
OK_COLOR = "#333333"
DARK_BAD_COLOR = "#ff7b6e"
Z_POINTS = 240
# Below this size a panel's title, tick labels and verdict no longer read; the panels scroll
# instead of shrinking further.
MIN_PANEL_WIDTH = 110
MIN_PANEL_HEIGHT = 90


def activation_curves(name: str, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(g(z), g'(z)) for the named activation over z (1-D). Softmax is drawn as its
    one-logit-against-zero slice, which is the sigmoid."""
    if name == "softmax":
        name = "sigmoid"
    act = activations.get(name)
    col = z.reshape(-1, 1)
    value = np.asarray(act(col), dtype=np.float64).ravel()
    deriv = np.asarray(act.derivative(col), dtype=np.float64).ravel()
    return value, deriv


def describe_stats(stats: LayerStats, show_derivative: bool = False) -> tuple[str, bool]:
    """The panel's text (e.g. "3/16 dead": 3 of 16 units output 0 on every sample;
    "5/25 saturated": |z| > 4 on most samples) and whether it is a warning. In the g'(z)
    view a second line gives the share of the gradient the layer passes back, mean g'(z)
    ("passes 0.031 of the gradient")."""
    if stats.dead is not None:
        n = round(stats.dead * stats.units)
        text, warning = f"{n}/{stats.units} dead", stats.dead > 0
    elif stats.saturated is not None:
        n = round(stats.saturated * stats.units)
        text, warning = f"{n}/{stats.units} saturated", stats.saturated > 0
    else:
        text, warning = count(stats.units, "unit"), False
    if show_derivative and stats.mean_gradient is not None:
        text += f"\nmean g′(z) {stats.mean_gradient:.2g}"
    return text, warning


def grid_shape(panels: int) -> tuple[int, int]:
    """(rows, columns) of the panel grid: one row up to three panels (they fit a dock side by
    side), two rows beyond, so a deep network still shows every layer at the default size."""
    if panels <= 3:
        return 1, max(panels, 1)
    return 2, -(-panels // 2)


class _LayerPanel:
    """The items of one layer's panel inside the shared GraphicsLayoutWidget."""

    def __init__(
        self,
        plot: pg.PlotItem,
        title: str,
        activation: str,
        is_output: bool = False,
        compact: bool = False,
        palette: QPalette | None = None,
    ):
        self.plot = plot
        # A saturated sigmoid output is a confident prediction, not a vanishing gradient in
        # the middle of the network: only hidden layers get the warning colour.
        self.is_output = is_output
        self.activation = activation
        plot.setTitle(title, size="8pt" if compact else "9pt")
        plot.setMenuEnabled(False)
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        plot.showGrid(x=True, y=True, alpha=0.15)
        if not compact:  # in a two-row grid the height goes to the curve; the title says z
            plot.setLabel("bottom", "z")
        cache_axes(plot)
        self.hist = pg.PlotDataItem(
            [0, 1], [0], stepMode="center", fillLevel=0, brush=HIST_BRUSH, pen=pg.mkPen(None)
        )
        self.curve = pg.PlotDataItem([], [], pen=CURVE_PEN)
        self.deriv = pg.PlotDataItem([], [], pen=DERIV_PEN)
        # A light backing keeps the verdict readable where the curve or histogram runs under it.
        self.colours = (OK_COLOR, BAD_COLOR)  # (fine, warning) verdict text
        self.text = pg.TextItem(
            "", anchor=(0, 0), color=OK_COLOR, fill=pg.mkBrush(255, 255, 255, 190)
        )
        for item in (self.hist, self.curve, self.deriv):
            plot.addItem(item)
        plot.addItem(self.text, ignoreBounds=True)
        if palette is not None:
            self.apply_palette(palette)
        self.z_range: tuple[float, float] | None = None
        self.message = ""
        self.warning = False
        self.stats: LayerStats | None = None

    def apply_palette(self, palette: QPalette) -> None:
        """The curve in the text colour (black vanished on a dark background) and the
        verdict on a backing of the base colour."""
        text = QColor(palette.color(QPalette.ColorRole.Text))
        self.curve.setPen(pg.mkPen(text, width=2))
        backing = QColor(palette.color(QPalette.ColorRole.Base))
        backing.setAlpha(190)
        # On a dark backing the dark red warning had a contrast of ~3: a light red has 5.9.
        self.colours = (text.name(), DARK_BAD_COLOR if is_dark(palette) else BAD_COLOR)
        self.text.setColor(
            self.colours[1]
            if getattr(self, "warning", False) and not self.is_output
            else self.colours[0]
        )
        self.text.fill = pg.mkBrush(backing)
        self.text.update()
        style_plot_item(self.plot, palette)

    def set_range(self, lo: float, hi: float, show_derivative: bool) -> None:
        z = np.linspace(lo, hi, Z_POINTS)
        try:
            value, deriv = activation_curves(self.activation, z)
        except EngineError:  # an unknown name from a hand-edited file: show the histogram only
            value, deriv = np.zeros_like(z), np.zeros_like(z)
        self.curve.setData(z, value)
        self.deriv.setData(z, deriv)
        self.deriv.setVisible(show_derivative)
        self.z_range = (lo, hi)
        top = max(float(np.nanmax(value)), 1.0)
        bottom = min(float(np.nanmin(value)), 0.0)
        self._y = (bottom, top)
        self.plot.setXRange(lo, hi, padding=0)
        self.plot.setYRange(bottom, top * 1.05, padding=0.02)
        self.text.setPos(lo, top * 1.05)

    def update(self, stats: LayerStats, show_derivative: bool) -> None:
        lo, hi = stats.z_range
        if self.z_range != (lo, hi):
            self.set_range(lo, hi, show_derivative)
        bottom, top = self._y
        peak = float(stats.counts.max()) if stats.counts.size else 0.0
        # The histogram is scaled to the height of g(z) so both read at a glance.
        heights = stats.counts / peak * (top - bottom) * 0.9 if peak > 0 else stats.counts
        self.hist.setData(stats.edges, heights)
        self.hist.setFillLevel(0)
        self.stats = stats
        message, warning = describe_stats(stats, show_derivative)
        if (message, warning) != (self.message, self.warning):  # setText re-lays-out HTML
            self.message, self.warning = message, warning
            self.text.setText(message)
            self.text.setColor(
                self.colours[1] if warning and not self.is_output else self.colours[0]
            )


class ActivationPlot(QWidget):
    """One panel per Dense layer. set_layers(activations) lays the panels out; update(stats)
    (a list of LayerStats, one per layer) refreshes them."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("activationPlot")
        self.derivative_check = QCheckBox("Show g′(z)")
        self.derivative_check.setObjectName("activationDerivative")
        self.derivative_check.setToolTip(
            "Draw the derivative g′(z): where it is near zero, the layer's gradient vanishes"
        )
        self.derivative_check.toggled.connect(self._on_derivative_toggled)
        top = QHBoxLayout()
        top.addWidget(self.derivative_check)
        top.addStretch(1)
        self.canvas = pg.GraphicsLayoutWidget()
        self.canvas.setBackground(self.palette().color(QPalette.ColorRole.Base))
        # Many layers: the panels shrink to MIN_PANEL_* and then scroll, never get cut off.
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(self.canvas)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addWidget(self.scroll, 1)
        self.panels: list[_LayerPanel] = []
        self._activations: list[str] = []

    def set_layers(self, activations: list[str]) -> None:
        if list(activations) == self._activations:
            return
        self.canvas.clear()
        self.panels = []
        self._activations = list(activations)
        rows, columns = grid_shape(len(activations))
        compact = rows > 1
        for i, name in enumerate(activations):
            is_output = i == len(activations) - 1
            title = "output" if is_output else f"hidden {i + 1}"
            plot = self.canvas.addPlot(row=i // columns, col=i % columns)
            panel = _LayerPanel(plot, f"{title}: {name}", name, is_output, compact, self.palette())
            panel.set_range(-6.0, 6.0, self.derivative_check.isChecked())
            self.panels.append(panel)
        # The titles set how narrow a panel can get: past that the canvas scrolls.
        least = self.canvas.ci.effectiveSizeHint(Qt.SizeHint.MinimumSize)
        self.canvas.setMinimumSize(
            max(columns * MIN_PANEL_WIDTH, int(least.width()) + 2), rows * MIN_PANEL_HEIGHT
        )

    def update_stats(self, stats: list[LayerStats]) -> None:
        if [s.activation for s in stats] != self._activations:
            self.set_layers([s.activation for s in stats])
        show = self.derivative_check.isChecked()
        for panel, layer in zip(self.panels, stats):
            panel.update(layer, show)

    def apply_palette(self) -> None:
        self.canvas.setBackground(self.palette().color(QPalette.ColorRole.Base))
        for panel in self.panels:
            panel.apply_palette(self.palette())

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        # Light/dark switch: pyqtgraph does not read the palette, so restyle.
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "panels"):
            self.apply_palette()
        super().changeEvent(event)

    def clear(self) -> None:
        self.set_layers([])

    def _on_derivative_toggled(self, on: bool) -> None:
        for panel in self.panels:
            panel.deriv.setVisible(on)
            if panel.stats is not None:  # the verdict gains or drops its mean g'(z) line
                panel.update(panel.stats, on)
