"""Cheap axes for live plots.

pyqtgraph redraws every axis (tick lines and labels, replayed from a QPicture) on every
repaint of its plot; with text rendering that costs ~1-3 ms per axis, most of a live frame.
Caching each axis as a pixmap in device coordinates means an axis is only re-rendered when its
range or size changes -- which the plots here keep rare (fixed epoch span during a run, y
ranges with hysteresis, z ranges snapped to a few values)."""

from __future__ import annotations

from PySide6.QtWidgets import QGraphicsItem

AXES = ("left", "bottom", "right", "top")


def cache_axes(plot_item) -> None:
    """Give every axis of a pg.PlotItem a device-coordinate pixmap cache."""
    for name in AXES:
        axis = plot_item.getAxis(name)
        axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
