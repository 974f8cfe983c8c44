"""At 1024×700 every training button is on screen (Reset hid behind the toolbar's overflow
arrow) and the canvas keeps a usable size."""

from __future__ import annotations

from PySide6.QtCore import QPoint

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
