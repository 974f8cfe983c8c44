"""The model-wide settings have a dock of their own, visible without scrolling at the default
1400×900 (they sat below the layer fields and needed scrolling), and their labels read
properly: "&Batch size:" showed its ampersand, and the loss combo cut "Sparse categorical
cross-entropy" to "Sparse categorical cross-e" (#13 items 12 and 17)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

pytest_plugins = ["window_fixtures"]

MAIN_FIELDS = (
    "lossCombo",
    "optimizerCombo",
    "learningRateSpin",
    "batchSizeSpin",
    "epochsSpin",
    "validationSplitSpin",
)


def shown(window, qtbot, width=1400, height=900):
    window.resize(width, height)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(100)
    return window


def test_main_settings_are_visible_without_scrolling_at_1400x900(window, qtbot):
    shown(window, qtbot)
    for name in MAIN_FIELDS:
        field = window.findChild(QWidget, name)
        assert field.isVisible(), name
        # The whole field is on screen: no scroll area or dock edge clips any of it.
        assert field.visibleRegion().boundingRect() == field.rect(), name
    # The layer fields are still there in their own dock, beside them.
    assert (
        window.inspector.units_spin.visibleRegion().boundingRect()
        == window.inspector.units_spin.rect()
    )
    dock = window.training_settings_dock
    assert dock.isVisible() and dock.widget() is window.training_settings


def test_settings_dock_is_in_the_view_menu(window):
    names = [a.text() for a in window.view_menu.actions()]
    assert "Training settings" in names


def test_batch_size_label_has_a_mnemonic_not_an_ampersand(window, qtbot):
    shown(window, qtbot)
    label = window.findChild(QLabel, "batchSizeLabel")
    assert label.buddy() is window.training_settings.batch_size_spin
    # Rendered, the label's text is "Batch size:": a label without a buddy shows "&".
    labels = [w for w in window.training_settings.findChildren(QLabel) if w.isVisible()]
    for widget in labels:
        if "&" in widget.text():
            assert widget.buddy() is not None, widget.text()


def test_the_longest_loss_name_is_not_cut_off(window, qtbot):
    shown(window, qtbot)
    settings = window.training_settings
    combo = settings.loss_combo
    combo.setCurrentIndex(combo.findData("sparse_categorical_crossentropy"))
    qtbot.wait(50)
    text = combo.currentText()
    assert text == "Sparse categorical cross-entropy"
    needed = combo.fontMetrics().horizontalAdvance(text) + 30  # text + margins and arrow
    assert combo.width() >= needed, (combo.width(), needed)
