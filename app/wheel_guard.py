"""The mouse wheel edits a spin box, combo box or slider only when it has keyboard focus.

Scrolling a panel used to stop on the field under the pointer, and the next tick changed
it: one tick set an L2 penalty and wiped a trained network. Application-wide, every such
field gets Qt.StrongFocus (the wheel no longer gives it focus), and a wheel event aimed at an
unfocused one goes to the scroll area around it instead: the panel scrolls.

The event is handed over explicitly rather than left to Qt's propagation to parents: Qt
propagates only spontaneous (window-system) wheel events, and a field outside any scroll
area should then simply ignore the wheel.

Each guarded field also carries the guard as a filter of its own, so the application-wide
filter can be switched off while a run trains (quiet(owner, True)): an application filter
written in Python takes the GIL for every event of every widget, ~200 a second during a
run, and each of those hand-overs is time the training thread stands still. Fields created
while it is off are guarded when it is switched on again."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
)

_GUARDED = (QAbstractSpinBox, QComboBox, QAbstractSlider)
# Scroll bars are sliders too, but they exist to be scrolled.
_EXEMPT_NAMES = ("QScrollBar",)


def _guarded(obj) -> bool:
    return isinstance(obj, _GUARDED) and obj.metaObject().className() not in _EXEMPT_NAMES


class WheelGuard(QObject):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.app_wide = False
        self._quiet_for: set[int] = set()  # id()s of the windows whose runs are training

    def quiet(self, owner, on: bool) -> None:
        """`owner` (a window) trains (on) or no longer does: the application-wide filter is
        off while any owner trains."""
        if on:
            self._quiet_for.add(id(owner))
        else:
            self._quiet_for.discard(id(owner))
        self.set_app_wide(not self._quiet_for)

    def set_app_wide(self, on: bool) -> None:
        """Watch every event of the application (on), or only the guarded fields' own (off).
        Switched on, it first guards the fields made while it was off (polished unseen)."""
        app = QApplication.instance()
        if app is None or on == self.app_wide:
            return
        self.app_wide = on
        if on:
            app.installEventFilter(self)
            # Walking the widget trees takes ~7 ms (1,000+ widgets): at the next turn of the
            # event loop, not in the middle of the end of a run.
            QTimer.singleShot(0, self, self._guard_all)
        else:
            # Every field there is was polished with the application-wide filter on, and so
            # carries the guard itself.
            app.removeEventFilter(self)

    def _guard_all(self) -> None:
        for window in QApplication.topLevelWidgets():
            if _guarded(window):
                self.guard(window)
            for kind in _GUARDED:
                for field in window.findChildren(kind):
                    if _guarded(field):
                        self.guard(field)

    def guard(self, field) -> None:
        if field.focusPolicy() == Qt.FocusPolicy.WheelFocus:
            field.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # Installing again only moves the filter to the front: no field has it twice.
        field.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if kind == QEvent.Type.Polish and _guarded(watched):
            self.guard(watched)
        elif kind == QEvent.Type.Wheel and _guarded(watched) and not watched.hasFocus():
            _scroll_instead(watched, event)
            event.accept()  # handled: no further propagation, no double scroll
            return True
        return False


def _scroll_instead(field, event: QWheelEvent) -> None:
    """Give the wheel event to the nearest scroll area around `field`, if any."""
    area = field.parentWidget()
    while area is not None and not isinstance(area, QAbstractScrollArea):
        area = area.parentWidget()
    if area is None:
        return
    viewport = area.viewport()
    local = viewport.mapFromGlobal(event.globalPosition())
    forwarded = QWheelEvent(
        local,
        event.globalPosition(),
        event.pixelDelta(),
        event.angleDelta(),
        event.buttons(),
        event.modifiers(),
        event.phase(),
        event.inverted(),
        event.source(),
    )
    QApplication.sendEvent(viewport, forwarded)


def install(app: QApplication | None = None) -> WheelGuard | None:
    """Install the guard on the application once; returns it (None without an app)."""
    app = app or QApplication.instance()
    if app is None:
        return None
    guard = app.findChild(WheelGuard)
    if guard is None:
        guard = WheelGuard(app)
        guard.set_app_wide(True)
    return guard
