"""Small pictures of g(z): the palette's icons (and anyone else's, e.g. the inspector).

The curve is computed by the engine's own activation, so the icon can never disagree with
what training does.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPalette, QPen, QPixmap

from engine import activations

from . import activation_info

Z_RANGE = 3.5  # plot g(z) for z in [-Z_RANGE, Z_RANGE]


def curve(name: str, n_points: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """z (n_points,) and g(z) (n_points,) for an activation name.

    Softmax works on a vector, so its curve is the first output of softmax([z, 0]) — the
    probability of class 0 against one competitor as its logit rises."""
    z = np.linspace(-Z_RANGE, Z_RANGE, n_points)
    g = activations.get(name)
    if name == "softmax":
        pair = np.stack([z, np.zeros_like(z)], axis=1)  # (n_points, 2)
        return z, np.asarray(g(pair))[:, 0]
    return z, np.asarray(g(z), dtype=float).reshape(-1)


def curve_pixmap(
    name: str, width: int, height: int, palette: QPalette, device_pixel_ratio: float = 2.0
) -> QPixmap:
    """A width x height (logical pixels) picture of g(z), drawn at device_pixel_ratio so it is
    sharp on high-DPI screens. Axes use the palette's text colour (light and dark themes)."""
    ratio = max(1.0, float(device_pixel_ratio))
    pixmap = QPixmap(int(width * ratio), int(height * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)

    z, y = curve(name)
    y_low, y_high = float(min(y.min(), 0.0)), float(max(y.max(), 0.0))
    span = (y_high - y_low) or 1.0
    margin = 3.0
    box = QRectF(margin, margin, width - 2 * margin, height - 2 * margin)

    def to_point(zi: float, yi: float) -> QPointF:
        px = box.left() + (zi + Z_RANGE) / (2 * Z_RANGE) * box.width()
        py = box.bottom() - (yi - y_low) / span * box.height()
        return QPointF(px, py)

    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    # A card in the base colour keeps the curve visible on a selected (highlighted) row.
    card = QColor(palette.color(QPalette.ColorRole.Base))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(card)
    painter.drawRoundedRect(QRectF(0.5, 0.5, width - 1, height - 1), 4, 4)
    axis_colour = QColor(palette.color(QPalette.ColorRole.Text))
    axis_colour.setAlpha(90)
    painter.setPen(QPen(axis_colour, 1.0))
    painter.drawLine(to_point(-Z_RANGE, 0.0), to_point(Z_RANGE, 0.0))  # g = 0
    painter.drawLine(to_point(0.0, y_low), to_point(0.0, y_high))  # z = 0

    path = QPainterPath(to_point(z[0], y[0]))
    for zi, yi in zip(z[1:], y[1:]):
        path.lineTo(to_point(float(zi), float(yi)))
    painter.setPen(QPen(QColor(activation_info.info(name).colour), 2.0))
    painter.drawPath(path)
    painter.end()
    return pixmap


def curve_icon(
    name: str, palette: QPalette, size: tuple[int, int] = (40, 26), device_pixel_ratio: float = 2.0
) -> QIcon:
    return QIcon(curve_pixmap(name, size[0], size[1], palette, device_pixel_ratio))
