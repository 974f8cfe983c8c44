"""Light and dark: the colour scheme the window follows, and the plots' colours for it.

The choice is "system" (Qt 6's QStyleHints.colorScheme(), followed live), "light" or "dark";
it is saved in the settings (SCHEME_KEY). A scheme is applied as the application palette, so
every widget and the canvas (which draws from the palette) follow; pyqtgraph does not read
the palette, so each plot calls style_plot() when its palette changes.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette

SCHEMES = ("system", "light", "dark")
SCHEME_KEY = "view/colourScheme"


def dark_palette() -> QPalette:
    """A dark palette whose text on base has a contrast ratio above 12 (WCAG asks 4.5)."""
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#2b2b2b",
        QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#1e1e1e",
        QPalette.ColorRole.AlternateBase: "#2b2b2b",
        QPalette.ColorRole.Text: "#e6e6e6",
        QPalette.ColorRole.Button: "#353535",
        QPalette.ColorRole.ButtonText: "#e6e6e6",
        QPalette.ColorRole.Highlight: "#2f65ca",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Mid: "#555555",
        QPalette.ColorRole.ToolTipBase: "#353535",
        QPalette.ColorRole.ToolTipText: "#e6e6e6",
        QPalette.ColorRole.PlaceholderText: "#9a9a9a",
        QPalette.ColorRole.Link: "#7fb0ff",
        QPalette.ColorRole.Light: "#4a4a4a",
        QPalette.ColorRole.Midlight: "#3c3c3c",
        QPalette.ColorRole.Dark: "#1a1a1a",
        QPalette.ColorRole.Shadow: "#0d0d0d",
        QPalette.ColorRole.BrightText: "#ffffff",
    }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#8a8a8a"))
    return palette


def system_is_dark() -> bool:
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def resolve(choice: str) -> str:
    """ "light" or "dark" for a choice of SCHEMES (an unknown one counts as "system")."""
    if choice in ("light", "dark"):
        return choice
    return "dark" if system_is_dark() else "light"


def apply_scheme(app, choice: str) -> str:
    """Give `app` the palette of `choice`; returns the scheme applied ("light"/"dark")."""
    scheme = resolve(choice)
    hints = QGuiApplication.styleHints()
    # Native styles (Windows 11, macOS, GTK) read the hint; Fusion reads the palette.
    if hasattr(hints, "setColorScheme"):
        hints.setColorScheme(
            {"light": Qt.ColorScheme.Light, "dark": Qt.ColorScheme.Dark}.get(
                choice, Qt.ColorScheme.Unknown
            )
        )
    app.setPalette(dark_palette() if scheme == "dark" else app.style().standardPalette())
    return scheme


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightnessF() < 0.5


def luminance(colour: QColor) -> float:
    """WCAG relative luminance of `colour`."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two colours, 1 to 21 (text wants at least 4.5)."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def plot_colours(palette: QPalette) -> tuple[QColor, QColor]:
    """(background, foreground) for a plot: the palette's base and text colours."""
    return (
        QColor(palette.color(QPalette.ColorRole.Base)),
        QColor(palette.color(QPalette.ColorRole.Text)),
    )


def style_plot_item(plot_item, palette: QPalette) -> None:
    """Axes, their labels and the title of a pg.PlotItem in the palette's text colour."""
    _, text = plot_colours(palette)
    for name in ("left", "bottom", "right", "top"):
        axis = plot_item.getAxis(name)
        axis.setPen(pg.mkPen(text))
        axis.setTextPen(pg.mkPen(text))
        if axis.labelText:  # setLabel keeps the text; the colour comes from labelStyle
            axis.labelStyle = {**axis.labelStyle, "color": text.name()}
            axis._updateLabel()
    title = plot_item.titleLabel
    if title.text:
        title.setText(title.text, color=text.name())


def style_plot(widget, palette: QPalette) -> None:
    """A pg.PlotWidget or GraphicsLayoutWidget in the palette's colours."""
    background, _ = plot_colours(palette)
    widget.setBackground(background)
    item = widget.getPlotItem() if hasattr(widget, "getPlotItem") else None
    if item is not None:
        style_plot_item(item, palette)
