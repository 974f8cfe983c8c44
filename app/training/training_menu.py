"""The Training menu (objectName "trainingMenu"): every training command in one place a person
can reach from the keyboard (Alt+T) and read its shortcut in: Train / Pause, Step, Stop, Reset,
Continue from Here, Compare…, Find Learning Rate… and the speed.

The menu holds no logic of its own. Its entries press the toolbar's buttons or trigger the
actions the timeline and the learning tools own, and take their enabled state from them each
time the menu opens, so the menu and the toolbar can never disagree.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QPushButton


class TrainingMenu(QObject):
    def __init__(self, panel):
        super().__init__(panel)
        self.panel = panel
        window = panel.window
        self.menu = QMenu("&Training", window)
        self.menu.setObjectName("trainingMenu")
        self.menu.setToolTipsVisible(True)
        self._mirrors: list[tuple[QAction, QPushButton]] = []
        self.menu.addAction(panel.space)  # Train / Pause / Resume, Space
        self._mirror("&Step One Epoch", panel.step_button, "actionStepEpoch")
        self._mirror("St&op", panel.stop_button, "actionStopTraining")
        self._mirror("&Reset Weights", panel.reset_button, "actionResetWeights")
        self.menu.addSeparator()
        self.menu.addAction(panel.timeline.restore_action)
        self.menu.addSeparator()
        tools = panel.learning_tools
        self.menu.addAction(tools.compare_action)
        self.menu.addAction(tools.lr_finder_action)
        self.menu.addSeparator()
        self._build_speed_menu()
        self.menu.aboutToShow.connect(self._sync)
        bar = window.menuBar()
        help_menu = next((a for a in bar.actions() if a.text().replace("&", "") == "Help"), None)
        if help_menu is None:
            bar.addMenu(self.menu)
        else:
            bar.insertMenu(help_menu, self.menu)

    def _mirror(self, text: str, button: QPushButton, name: str) -> QAction:
        action = QAction(text, self.menu)
        action.setObjectName(name)
        action.setToolTip(button.toolTip())
        action.triggered.connect(lambda _checked=False: button.click())
        self.menu.addAction(action)
        self._mirrors.append((action, button))
        return action

    def _build_speed_menu(self) -> None:
        combo = self.panel.speed.combo
        self.speed_menu = self.menu.addMenu("Spee&d")
        self.speed_menu.setObjectName("speedMenu")
        self.speed_group = QActionGroup(self.speed_menu)
        self.speed_group.setExclusive(True)
        self.speed_menu.aboutToShow.connect(self._fill_speeds)
        self._combo = combo

    def _fill_speeds(self) -> None:
        """One checkable entry per item of the toolbar's speed box (it may have gained one
        from a file), the current one checked; choosing one chooses it in the box, which
        makes it the project's speed as one undo step."""
        combo = self._combo
        self.speed_menu.clear()
        for action in self.speed_group.actions():
            self.speed_group.removeAction(action)
        for index in range(combo.count()):
            action = QAction(combo.itemText(index), self.speed_menu)
            action.setCheckable(True)
            action.setChecked(index == combo.currentIndex())
            action.triggered.connect(lambda _checked=False, i=index: self._choose_speed(i))
            self.speed_group.addAction(action)
            self.speed_menu.addAction(action)

    def _choose_speed(self, index: int) -> None:
        self._combo.setCurrentIndex(index)
        self._combo.activated.emit(index)

    def _sync(self) -> None:
        for action, button in self._mirrors:
            action.setEnabled(button.isEnabled())


def attach_training_menu(panel) -> TrainingMenu:
    """Add the Training menu to the panel's window, before Help."""
    return TrainingMenu(panel)
