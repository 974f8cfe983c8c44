"""The advisor (right dock): the course's rules, checked live, each hint with a Fix button.

The rules live in engine/project/advice.py (Qt-free). This panel only shows them: one card
per hint, with a button per fix. Pressing a button emits ``fixRequested(label, apply)``; the
main window wraps `apply(project)` in an undo command, so every fix can be undone.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from engine.project import Project
from engine.project.advice import WARNING, Advice, check

# Accent colours chosen to read on both light and dark window backgrounds.
_ACCENT = {WARNING: "#d9822b", "info": "#3d8bd9"}


class AdviceCard(QFrame):
    """One hint: a coloured bar (warning orange, info blue), the text, the fix buttons."""

    def __init__(self, advice: Advice, on_fix, parent: QWidget | None = None):
        super().__init__(parent)
        self.advice = advice
        self.setObjectName(f"advice_{advice.rule}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        accent = _ACCENT.get(advice.severity, _ACCENT["info"])
        # Only the left border is coloured; background and text stay the palette's, so the
        # card is readable in light and dark themes.
        self._sheet = (
            f"AdviceCard {{ border: 1px solid palette(mid); "
            f"border-left: 4px solid {accent}; border-radius: 4px; }}"
        )
        self.setStyleSheet(self._sheet)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 8, 8)
        layout.setSpacing(6)

        kind = "Warning" if advice.severity == WARNING else "Tip"
        self.label = QLabel(f"<b style='color:{accent}'>{kind}.</b> {advice.message}")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setAccessibleName(f"{kind}: {advice.message}")
        layout.addWidget(self.label)

        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        buttons.addStretch(1)
        self.buttons: list[QPushButton] = []
        for fix in advice.fixes:
            button = QPushButton(fix.label)
            button.setObjectName(f"fix_{advice.rule}")
            button.setToolTip(f"{fix.detail or fix.label} (undo with Ctrl+Z)")
            button.setAccessibleName(f"Fix: {fix.label}")
            button.clicked.connect(lambda _=False, f=fix: on_fix(f.label, f.apply))
            buttons.addWidget(button)
            self.buttons.append(button)
        layout.addLayout(buttons)


class AdvisorPanel(QWidget):
    fixRequested = Signal(str, object)  # label, apply(project)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("advisorPanel")
        self.setAccessibleName("Advisor")
        self.advice: list[Advice] = []
        self.cards: list[AdviceCard] = []

        self._content = QWidget()
        self._column = QVBoxLayout(self._content)
        self._column.setContentsMargins(8, 8, 8, 8)
        self._column.setSpacing(8)
        self._all_good = QLabel("✓ The network follows the course's advice for this dataset.")
        self._all_good.setObjectName("adviceAllGood")
        self._all_good.setWordWrap(True)
        good = QPalette(self._all_good.palette())
        good.setColor(QPalette.ColorRole.WindowText, QColor("#27ae60"))
        self._all_good.setPalette(good)
        self._column.addWidget(self._all_good)
        self._column.addStretch(1)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self._content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def set_project(self, project: Project) -> None:
        """Re-check the rules; rebuild the cards only when the hints changed (keeps focus)."""
        advice = check(project)
        if [(a.rule, a.message) for a in advice] == [(a.rule, a.message) for a in self.advice]:
            self.advice = advice  # fresh fix closures, same text
            for card, new in zip(self.cards, advice):
                card.advice = new
            return
        self.advice = advice
        for card in self.cards:
            # Hide at once: deleteLater only runs when the event loop next gets a turn, and
            # until then the old card would still be painted under the new ones.
            self._column.removeWidget(card)
            card.hide()
            card.deleteLater()
        self.cards = [AdviceCard(a, self._fix, self._content) for a in advice]
        for position, card in enumerate(self.cards):
            self._column.insertWidget(position, card)
            card.show()
        self._all_good.setVisible(not advice)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        # A card's style sheet pins the palette it was polished with: on a light/dark switch
        # the cards kept the old background (dark text on dark). Setting it again re-resolves.
        if event.type() == QEvent.Type.PaletteChange:
            for card in self.cards:
                card.setStyleSheet("")
                card.setStyleSheet(card._sheet)
        super().changeEvent(event)

    def card(self, rule: str) -> AdviceCard | None:
        return next((c for c in self.cards if c.advice.rule == rule), None)

    def _fix(self, label: str, apply) -> None:
        self.fixRequested.emit(label, apply)
