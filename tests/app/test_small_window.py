"""At 1024×700 every training button is on screen (Reset hid behind the toolbar's overflow
arrow) and the canvas keeps a usable size; at the common laptop sizes nothing of the toolbars
hides behind an overflow arrow, and the small plots keep their labels whole."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QToolBar, QWidget

pytest_plugins = ["window_fixtures"]


def test_every_toolbar_button_is_visible_at_1024x700(window, qtbot):
    window.resize(1024, 700)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(100)
    panel = window.training
    for button in (
        panel.train_button,
        panel.pause_button,
        panel.step_button,
        panel.stop_button,
        panel.reset_button,
    ):
        assert button.isVisible(), button.objectName()
        right = button.mapTo(window, QPoint(button.width(), 0)).x()
        assert right <= window.width(), button.objectName()
    assert window.canvas.width() >= 380 and window.canvas.height() >= 300


def test_the_canvas_stays_usable_and_legible_at_1024x700(window, qtbot):
    """Five side panels in two full columns left the canvas ~340 px wide, its labels drawn
    at about half their point size (#13 item 16)."""
    window.resize(1024, 700)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(100)
    assert window.canvas.width() >= 480, window.canvas.width()
    assert window.canvas.text_zoom() >= 0.85, window.canvas.text_zoom()
    # Every panel is still one click away: shown, or a tab beside a shown one.
    for dock in (
        window.palette_dock,
        window.dataset_dock,
        window.inspector_dock,
        window.training_settings_dock,
        window.advisor_dock,
    ):
        assert not dock.isHidden(), dock.objectName()
        assert dock.visibleRegion().isEmpty() is False or window.tabifiedDockWidgets(dock)
    # No panel is narrower than its content (with no horizontal scroll bar it was cut off).
    for dock in (window.training_settings_dock, window.dataset_dock):
        assert dock.widget().width() >= dock.widget().minimumSizeHint().width()


def test_reset_layout_at_full_size_untabs_the_panels(window, qtbot):
    window.resize(1024, 700)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(50)
    assert window.tabifiedDockWidgets(window.palette_dock)
    window.resize(1400, 900)
    qtbot.wait(50)
    window.reset_layout()
    qtbot.wait(50)
    assert not window.tabifiedDockWidgets(window.palette_dock)
    assert not window.tabifiedDockWidgets(window.inspector_dock)


@pytest.mark.parametrize("size", [(1024, 700), (1366, 768), (1440, 900), (1600, 1000)])
def test_the_top_toolbars_fit_the_window_with_nothing_behind_an_overflow_arrow(window, qtbot, size):
    """At 1366 px the speed box hid behind the training toolbar's overflow arrow, with its
    "Speed:" label left showing; the main toolbar drops its button texts when they would
    not fit, and keeps them when they do."""
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(100)
    top = [
        bar
        for bar in window.findChildren(QToolBar)
        if window.toolBarArea(bar) == Qt.ToolBarArea.TopToolBarArea and bar.isVisible()
    ]
    assert len(top) >= 2
    for bar in top:
        overflow = bar.findChild(QWidget, "qt_toolbar_ext_button")
        assert overflow is None or not overflow.isVisible(), (bar.objectName(), size)
    speed = window.findChild(QWidget, "speedCombo")
    assert speed.isVisible()
    assert speed.mapTo(window, QPoint(speed.width(), 0)).x() <= window.width()
    texts = window.main_toolbar.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon
    assert texts == (size[0] >= 1440), size


def test_small_plots_keep_their_labels_whole_at_1024x700(window, qtbot):
    window.resize(1024, 700)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(100)
    rows = window.findChild(QWidget, "evaluationSetCombo")  # "Rows: validation"
    text = rows.fontMetrics().horizontalAdvance(rows.currentText())
    assert rows.width() >= text + 20, rows.currentText()  # the text, the arrow beside it
    cost = window.training.cost_plot
    cost.expect_metrics(["accuracy"])
    qtbot.wait(50)
    axis = cost.metric_plot.getPlotItem().getAxis("left")
    assert cost.metric_plot.height() < cost.fontMetrics().horizontalAdvance("accuracy") + 24
    assert axis.labelText == "acc."
    assert axis.toolTip() == "accuracy"
    # The plots share the epoch axis: it is named under the lower one only.
    assert not cost.loss_plot.getAxis("bottom").label.isVisible()
    assert cost.metric_plot.getAxis("bottom").label.isVisible()
    cost.resize(cost.width(), 600)  # a tall Cost panel: the label whole
    qtbot.wait(50)
    assert cost.metric_plot.height() >= cost.fontMetrics().horizontalAdvance("accuracy") + 24
    assert axis.labelText == "accuracy"
