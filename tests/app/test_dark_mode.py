"""View ▸ Colour Scheme: light, dark or the system's; the plots and canvas follow it and stay
readable (text on background at a contrast ratio of at least 4.5)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from app import theme
from app.plots.class_colours import CLASS_COLOURS

pytest_plugins = ["window_fixtures"]


@pytest.fixture
def restore_palette():
    app = QApplication.instance()
    before = QPalette(app.palette())
    yield
    app.setPalette(before)
    hints = app.styleHints()
    if hasattr(hints, "unsetColorScheme"):
        hints.unsetColorScheme()


def background(widget) -> QColor:
    return QColor(widget.backgroundBrush().color())


def test_dark_scheme_darkens_plots_and_canvas(window, qtbot, restore_palette):
    window.show()
    qtbot.waitExposed(window)
    cost = window.training.cost_plot.loss_plot
    assert theme.luminance(background(cost)) > 0.5  # light to start with (offscreen)
    window.findChild(type(window.undo_action), "actionSchemeDark").trigger()
    qtbot.wait(50)
    assert window.colour_scheme == "dark"
    assert window.settings.value(theme.SCHEME_KEY) == "dark"
    plots = [
        window.training.cost_plot.loss_plot,
        window.training.boundary_plot.plot,
        window.training.activation_plot.canvas,
        window.dataset_panel.preview_plot,
    ]
    for plot in plots:
        assert theme.luminance(background(plot)) < 0.05, plot.objectName()
    axis = cost.getPlotItem().getAxis("left")
    assert theme.contrast_ratio(axis.textPen().color(), background(cost)) >= 4.5
    canvas_bg = window.canvas.backgroundBrush().color()
    assert theme.luminance(canvas_bg) < 0.05
    text = window.canvas.palette().color(QPalette.ColorRole.Text)
    assert theme.contrast_ratio(text, canvas_bg) >= 4.5
    for panel in window.training.activation_plot.panels:
        assert (
            theme.contrast_ratio(
                panel.curve.opts["pen"].color(), background(window.training.activation_plot.canvas)
            )
            >= 4.5
        )
    for card in window.advisor.cards:  # a style-sheeted card kept its light background
        colours = card.palette()
        assert (
            theme.contrast_ratio(
                colours.color(QPalette.ColorRole.Window),
                card.label.palette().color(QPalette.ColorRole.WindowText),
            )
            >= 4.5
        )
        assert (
            theme.is_dark(colours)
            or theme.luminance(colours.color(QPalette.ColorRole.Window)) < 0.1
        )
    # Back to light: the plots follow.
    window.set_colour_scheme("light")
    qtbot.wait(50)
    assert theme.luminance(background(cost)) > 0.5
    assert window.scheme_actions["light"].isChecked()


def test_the_saved_scheme_is_applied_at_start(make_window, restore_palette):
    first = make_window()
    first.set_colour_scheme("dark")
    second = make_window()
    assert second.colour_scheme == "dark"
    assert second.scheme_actions["dark"].isChecked()
    assert theme.is_dark(QApplication.instance().palette())


def test_class_colours_stay_apart_from_both_backgrounds():
    """Points must stand out from a light and a dark plot (non-text contrast ≥ 1.5 here;
    the palette is Tableau 10, chosen to be told apart with colour-blindness)."""
    for name in CLASS_COLOURS[:6]:
        colour = QColor(name)
        assert theme.contrast_ratio(colour, QColor("#ffffff")) >= 1.5, name
        assert theme.contrast_ratio(colour, QColor("#1e1e1e")) >= 2.5, name
