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
    for button in (panel.train_button, panel.pause_button, panel.step_button,
                   panel.stop_button, panel.reset_button):
        assert button.isVisible(), button.objectName()
        right = button.mapTo(window, QPoint(button.width(), 0)).x()
        assert right <= window.width(), button.objectName()
    assert window.canvas.width() >= 380 and window.canvas.height() >= 300
