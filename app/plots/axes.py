"""Cheap axes for live plots.

pyqtgraph redraws every axis (tick lines and labels, replayed from a QPicture) on every
repaint of its plot; with text rendering that costs ~1-3 ms per axis, most of a live frame.
Caching each axis as a pixmap in device coordinates means an axis is only re-rendered when its
range or size changes -- which the plots here keep rare (fixed epoch span during a run, y
ranges with hysteresis, z ranges snapped to a few values)."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtWidgets import QGraphicsItem

AXES = ("left", "bottom", "right", "top")


def cache_axes(plot_item) -> None:
    """Give every axis of a pg.PlotItem a device-coordinate pixmap cache."""
    for name in AXES:
        axis = plot_item.getAxis(name)
        axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5, 10, 20, 50, ... that is >= value."""
    if value <= 1:
        return 1.0
    exponent = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * exponent >= value:
            return float(step * exponent)
    return float(10 * exponent)


def follow_y(
    plot, arrays: list[np.ndarray], log: bool, refit: bool = False, empty=(0.0, 1.0)
) -> None:
    """Follow the data on the y axis with hysteresis: change the range only when the data
    leaves it or fills less than half of it, so the axis is not redrawn every frame.
    `refit`: a new history; fit it exactly (no data: `empty`, in the axis's coordinates)."""
    lo, hi = math.inf, -math.inf
    for y in arrays:
        finite = y[np.isfinite(y)]
        if log:
            finite = np.log10(finite[finite > 0])
        if finite.size:
            lo, hi = min(lo, float(finite.min())), max(hi, float(finite.max()))
    if not math.isfinite(lo):
        if refit:
            plot.setYRange(*empty, padding=0)
        return
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5, hi + 0.5
    current = plot.getPlotItem().vb.viewRange()[1]
    inside = current[0] <= lo and hi <= current[1]
    if not refit and inside and (hi - lo) >= 0.5 * (current[1] - current[0]):
        return
    pad = 0.08 * (hi - lo)
    plot.setYRange(lo - pad, hi + pad, padding=0)
