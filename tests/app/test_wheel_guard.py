"""The wheel edits a field only when it has focus; otherwise it scrolls the panel under the
pointer. (One tick on an unfocused L2 field used to set a penalty and wipe a trained
network.) The events go through QApplication.sendEvent, the path real wheel events take."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QScrollArea

pytest_plugins = ["window_fixtures"]


def wheel(widget, steps: int = -1) -> None:
    """Turn the wheel `steps` notches over the middle of `widget` (negative: scroll down)."""
    local = QPointF(widget.width() / 2, widget.height() / 2)
    glob = QPointF(widget.mapToGlobal(local.toPoint()))
    event = QWheelEvent(
        local,
        glob,
        QPoint(0, 0),
        QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def inspector_scroll(window) -> QScrollArea:
    return window.inspector.findChild(QScrollArea)


def test_wheel_over_an_unfocused_field_scrolls_the_inspector(window, qtbot):
    window.resize(1024, 700)
    window.show()
    qtbot.waitExposed(window)
    inspector = window.inspector
    inspector_scroll(window).setFixedHeight(200)  # short enough to scroll at any layout
    qtbot.wait(50)
    window.canvas.setFocus()
    bar = inspector_scroll(window).verticalScrollBar()
    assert bar.maximum() > 0
    l2_before = window.project.layers[inspector._index].l2
    init_before = window.project.layers[inspector._index].kernel_initializer
    inspector.l2_spin.setValue(0.0)
    for field in (inspector.l2_spin, inspector.initializer_combo, inspector.units_spin):
        assert not field.hasFocus()
        start = bar.value()
        wheel(field, -1)
        assert bar.value() > start or bar.value() == bar.maximum(), field.objectName()
        bar.setValue(0)
    assert window.project.layers[inspector._index].l2 == l2_before
    assert window.project.layers[inspector._index].kernel_initializer == init_before
    assert window.undo_stack.count() == 0


def test_wheel_edits_a_focused_field(window, qtbot):
    window.show()
    qtbot.waitExposed(window)
    spin = window.inspector.units_spin
    before = spin.value()
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus)
    wheel(spin, 1)
    assert spin.value() == before + 1


def test_the_wheel_does_not_give_fields_focus(window):
    for field in (
        window.inspector.l2_spin,
        window.training_settings.loss_combo,
        window.dataset_panel.samples_spin,
    ):
        field.ensurePolished()
        assert field.focusPolicy() == Qt.FocusPolicy.StrongFocus
