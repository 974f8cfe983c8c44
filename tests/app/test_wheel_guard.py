"""The wheel edits a field only when it has focus; otherwise it scrolls the panel under the
pointer. (One tick on an unfocused L2 field used to set a penalty and wipe a trained
network.) The events go through QApplication.sendEvent, the path real wheel events take."""

from __future__ import annotations

from PySide6.QtCore import QObject, QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QScrollArea, QSpinBox

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


class _CountingFilter(QObject):
    """Counts the events an application-wide filter written in Python would see."""

    def __init__(self):
        super().__init__()
        self.events = 0

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        self.events += 1
        return False


def test_while_a_run_trains_no_python_filter_sees_every_event_and_fields_stay_guarded(
    window, qtbot, monkeypatch
):
    """An application-wide Python filter takes the GIL for every event of every widget, time
    the training thread stands still. During a run the guard watches only the fields."""
    from app.wheel_guard import WheelGuard

    window.resize(1024, 700)
    window.show()
    qtbot.waitExposed(window)
    app = QApplication.instance()
    guard = app.findChild(WheelGuard)
    assert guard.app_wide
    controller = window.training.controller
    window.project.training.epochs = 100_000
    controller.train()
    qtbot.waitUntil(lambda: controller.worker is not None and controller.worker._done >= 3)
    try:
        assert not guard.app_wide
        # Behaviour, not only the flag: while the window gets events all the time (here a
        # 5-ms timer's; the run itself, trained in its own process, makes only its frames'),
        # the guard sees few of them; an application-wide filter sees them all.
        busy = QTimer()
        busy.start(5)
        counter = _CountingFilter()
        app.installEventFilter(counter)
        seen_by_guard = []
        filter_events = WheelGuard.eventFilter

        def counting(self, watched, event):
            seen_by_guard.append(event.type())
            return filter_events(self, watched, event)

        monkeypatch.setattr(WheelGuard, "eventFilter", counting)
        qtbot.wait(300)
        monkeypatch.setattr(WheelGuard, "eventFilter", filter_events)
        app.removeEventFilter(counter)
        busy.stop()
        assert counter.events > 20
        assert len(seen_by_guard) < counter.events / 10
        # The fields are still guarded: an unfocused one scrolls its panel, changes nothing.
        scroll = inspector_scroll(window)
        scroll.setFixedHeight(200)
        qtbot.wait(50)
        window.canvas.setFocus()
        bar = scroll.verticalScrollBar()
        bar.setValue(0)
        l2_before = window.project.layers[window.inspector._index].l2
        wheel(window.inspector.l2_spin, -1)
        assert bar.value() > 0
        assert window.project.layers[window.inspector._index].l2 == l2_before
        # A field made during the run is guarded once the run ends.
        late = QSpinBox()
        late.show()
        late.ensurePolished()
        assert late.focusPolicy() == Qt.FocusPolicy.WheelFocus
    finally:
        controller.stop()
        qtbot.waitUntil(lambda: controller.state == "idle", timeout=5000)
    assert guard.app_wide
    qtbot.waitUntil(lambda: late.focusPolicy() == Qt.FocusPolicy.StrongFocus)
    late.close()
