"""Whether a widget is where a person can see it."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def on_screen(widget: QWidget) -> bool:
    """Visible and not behind another tab: Qt moves a dock whose tab is not chosen off
    screen but keeps it "visible", so its visible region is what tells."""
    return widget.isVisible() and not widget.visibleRegion().isEmpty()
