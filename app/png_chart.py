"""A line chart as PNG bytes, drawn with QPainter on a QImage: for the command line, which has
no window (`netbuilder lr-find -o plot.png`).

Qt draws real text (the system's fonts) and antialiased lines; with no display it runs on
the offscreen platform. Only a command that writes a chart imports this module, and only
then: the rest of the command line never loads Qt (pyproject.toml's import contract names
this one exception).

    png = line_chart_png(Chart(xs, ys, log_x=True, x_label=..., y_label=..., title=...,
                               markers=[Marker(0.01, "suggested 0.01")]))
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPainterPath, QPen

WIDTH, HEIGHT = 900, 560
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 90, 30, 54, 70
CURVE = QColor("#1f77b4")  # Tableau 10 blue, as the window's first curve
MARK = QColor("#d62728")  # Tableau 10 red
MUTED = QColor("#7f7f7f")
GRID = QColor("#e6e6e6")


@dataclass(frozen=True)
class Marker:
    """A vertical line at x with a label; `strong` draws it in the accent colour with a dot
    where it meets the curve, otherwise a quiet dotted grey line."""

    x: float
    label: str
    strong: bool = True


@dataclass(frozen=True)
class Chart:
    xs: np.ndarray
    ys: np.ndarray
    x_label: str
    y_label: str
    title: str = ""
    log_x: bool = False
    markers: list[Marker] = field(default_factory=list)


def ensure_gui_application() -> QGuiApplication:
    """The running Qt application, or a new QGuiApplication on the offscreen platform when
    no platform is chosen (a command line needs no display to draw an image)."""
    app = QGuiApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication(["netbuilder"])
    return app


def line_chart_png(chart: Chart, width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """The chart drawn at width × height pixels, encoded as PNG."""
    ensure_gui_application()
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        _draw(painter, chart, QRectF(0, 0, width, height))
    finally:
        painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise OSError("Qt could not encode the chart as PNG")
    buffer.close()
    return bytes(data.data())


# ---------------------------------------------------------------------------------------


class _Axes:
    """Data coordinates -> pixels inside the plot rectangle."""

    def __init__(self, plot: QRectF, x_range, y_range, log_x: bool):
        self.plot, self.log_x = plot, log_x
        self.x0, self.x1 = x_range
        self.y0, self.y1 = y_range

    def fx(self, x: float) -> float:
        x = math.log10(x) if self.log_x else x
        return self.plot.left() + (x - self.x0) / (self.x1 - self.x0) * self.plot.width()

    def fy(self, y: float) -> float:
        return self.plot.bottom() - (y - self.y0) / (self.y1 - self.y0) * self.plot.height()


def _draw(painter: QPainter, chart: Chart, frame: QRectF) -> None:
    xs = np.asarray(chart.xs, dtype=np.float64)
    ys = np.asarray(chart.ys, dtype=np.float64)
    plot = frame.adjusted(MARGIN_LEFT, MARGIN_TOP, -MARGIN_RIGHT, -MARGIN_BOTTOM)
    axes = _Axes(plot, _x_range(xs, chart.log_x), _y_range(ys), chart.log_x)
    font = QFont(painter.font())
    font.setPixelSize(14)
    painter.setFont(font)
    _draw_grid_and_ticks(painter, axes, chart.log_x)
    _draw_frame_and_labels(painter, chart, frame, plot)
    painter.save()
    painter.setClipRect(plot)
    path = QPainterPath()
    for i, (x, y) in enumerate(zip(xs, ys)):
        point = QPointF(axes.fx(x), axes.fy(y))
        if i == 0:
            path.moveTo(point)
        else:
            path.lineTo(point)
    painter.setPen(QPen(CURVE, 2.5))
    painter.drawPath(path)
    painter.restore()
    for marker in chart.markers:
        _draw_marker(painter, axes, marker, xs, ys)


def _x_range(xs: np.ndarray, log_x: bool) -> tuple[float, float]:
    if log_x:
        low, high = math.floor(math.log10(xs.min())), math.ceil(math.log10(xs.max()))
        return float(low), float(max(high, low + 1))
    low, high = float(xs.min()), float(xs.max())
    return (low, high) if high > low else (low - 1.0, low + 1.0)


def _y_range(ys: np.ndarray) -> tuple[float, float]:
    low, high = float(ys.min()), float(ys.max())
    pad = (high - low) * 0.06 or max(abs(low) * 0.1, 1e-3)
    return low - pad, high + pad


def _nice_ticks(low: float, high: float, count: int = 6) -> list[float]:
    """Round values (1, 2 or 5 × 10^k apart) between low and high."""
    raw = (high - low) / count
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) / step) + 1)]


def _tick_text(value: float, log_x: bool) -> str:
    if log_x:
        return f"{10.0**value:g}"
    return f"{value:.6g}" if abs(value) > 1e-12 else "0"


def _draw_grid_and_ticks(painter: QPainter, axes: _Axes, log_x: bool) -> None:
    plot = axes.plot
    metrics = painter.fontMetrics()
    x_ticks = (
        [float(p) for p in range(int(axes.x0), int(axes.x1) + 1)]
        if log_x
        else _nice_ticks(axes.x0, axes.x1)
    )
    for tick in x_ticks:
        px = plot.left() + (tick - axes.x0) / (axes.x1 - axes.x0) * plot.width()
        painter.setPen(QPen(GRID, 1))
        painter.drawLine(QPointF(px, plot.top()), QPointF(px, plot.bottom()))
        painter.setPen(QPen(QColor("black"), 1))
        painter.drawLine(QPointF(px, plot.bottom()), QPointF(px, plot.bottom() + 5))
        text = _tick_text(tick, log_x)
        width = metrics.horizontalAdvance(text)
        painter.drawText(QPointF(px - width / 2, plot.bottom() + 8 + metrics.ascent()), text)
    for tick in _nice_ticks(axes.y0, axes.y1):
        py = axes.fy(tick)
        painter.setPen(QPen(GRID, 1))
        painter.drawLine(QPointF(plot.left(), py), QPointF(plot.right(), py))
        painter.setPen(QPen(QColor("black"), 1))
        painter.drawLine(QPointF(plot.left() - 5, py), QPointF(plot.left(), py))
        text = _tick_text(tick, False)
        width = metrics.horizontalAdvance(text)
        painter.drawText(QPointF(plot.left() - 9 - width, py + metrics.ascent() / 2 - 1), text)


def _draw_frame_and_labels(painter: QPainter, chart: Chart, frame: QRectF, plot: QRectF) -> None:
    painter.setPen(QPen(QColor("black"), 1.2))
    painter.drawRect(plot)
    metrics = painter.fontMetrics()
    width = metrics.horizontalAdvance(chart.x_label)
    painter.drawText(QPointF(plot.center().x() - width / 2, frame.bottom() - 18), chart.x_label)
    painter.save()
    painter.translate(24, plot.center().y())
    painter.rotate(-90)
    width = metrics.horizontalAdvance(chart.y_label)
    painter.drawText(QPointF(-width / 2, 0), chart.y_label)
    painter.restore()
    if chart.title:
        title_font = QFont(painter.font())
        title_font.setPixelSize(17)
        title_font.setBold(True)
        painter.save()
        painter.setFont(title_font)
        painter.drawText(
            QRectF(frame.left(), 10, frame.width(), 30), Qt.AlignmentFlag.AlignHCenter, chart.title
        )
        painter.restore()


def _draw_marker(painter: QPainter, axes: _Axes, marker: Marker, xs, ys) -> None:
    if not (marker.x > 0 or not axes.log_x):
        return
    px = axes.fx(marker.x)
    plot = axes.plot
    if not plot.left() <= px <= plot.right():
        return
    colour = MARK if marker.strong else MUTED
    pen = QPen(colour, 1.6 if marker.strong else 1.2)
    pen.setStyle(Qt.PenStyle.DashLine if marker.strong else Qt.PenStyle.DotLine)
    painter.setPen(pen)
    painter.drawLine(QPointF(px, plot.top()), QPointF(px, plot.bottom()))
    metrics = painter.fontMetrics()
    width = metrics.horizontalAdvance(marker.label)
    # the label sits beside the line, on the side with room, at the top (strong) or below it
    x = px + 6 if px + 6 + width <= plot.right() else px - 6 - width
    y = plot.top() + metrics.ascent() + (6 if marker.strong else 26)
    painter.setPen(QPen(colour, 1))
    painter.drawText(QPointF(x, y), marker.label)
    if marker.strong and len(xs):
        keys = np.log10(xs) if axes.log_x else xs
        at = math.log10(marker.x) if axes.log_x else marker.x
        y_at = float(np.interp(at, keys, ys))
        painter.setPen(QPen(colour, 1))
        painter.setBrush(colour)
        painter.drawEllipse(QPointF(px, axes.fy(y_at)), 5, 5)
        painter.setBrush(Qt.BrushStyle.NoBrush)
