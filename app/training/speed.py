"""The training speed: a combo box in the Training toolbar (objectName "speedCombo") that
slows training to a pace a person can watch, or lets it run as fast as it can.

The default project finishes 300 epochs in under 3 s, before a learner sees anything happen;
at 5 epochs per second every epoch's weights, activations and decision boundary are drawn.
The worker waits out each epoch's interval on an Event, so Stop and Pause are obeyed at once
and a new speed applies to the epoch already waiting (TrainingWorker.set_epoch_interval).

The choice is saved in the project (project.ui, edits.set_training_speed) rather than in the
user's settings: a teacher who prepares a lesson at 5 epochs per second sends a file that
opens at that pace. Changing it is an undoable edit like any other.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QComboBox, QLabel

from app import commands
from engine.project import edits

# (text, epochs per second; None: as fast as possible)
SPEEDS = (
    ("1 epoch/s", 1.0),
    ("5 epochs/s", 5.0),
    ("20 epochs/s", 20.0),
    ("100 epochs/s", 100.0),
    ("Full speed", None),
)


class SpeedControl(QObject):
    def __init__(self, panel):
        super().__init__(panel)
        self.panel = panel
        self.window = panel.window
        self.controller = panel.controller
        self.combo = QComboBox()
        self.combo.setObjectName("speedCombo")
        self.combo.setAccessibleName("Training speed")
        self.combo.setToolTip(
            "How fast training runs: slow it down to watch each epoch (saved with the project)"
        )
        for text, rate in SPEEDS:
            self.combo.addItem(text, rate)
        self.label = QLabel("Spee&d:")
        self.label.setObjectName("speedLabel")
        self.label.setContentsMargins(6, 0, 4, 0)
        self.label.setBuddy(self.combo)  # Alt+D, then the arrow keys
        bar = panel.toolbar
        bar.addSeparator()
        bar.addWidget(self.label)
        bar.addWidget(self.combo)
        self.combo.activated.connect(self._on_chosen)
        if hasattr(self.window, "projectChanged"):
            self.window.projectChanged.connect(self.sync)
        self.sync()

    def speed(self) -> float | None:
        """The speed chosen, in epochs per second (None: full speed)."""
        return self.combo.currentData()

    def _on_chosen(self, index: int) -> None:
        rate = self.combo.itemData(index)
        if rate == edits.training_speed(self.window.project):
            return
        push = getattr(self.window, "push", None)
        if callable(push):
            push(commands.set_training_speed(self.window, rate))
        else:  # a host without an undo stack: the project and the pace directly
            edits.set_training_speed(self.window.project, rate)
            self.sync()

    def sync(self) -> None:
        """Show and apply the project's speed (opened, undone, redone, chosen)."""
        rate = edits.training_speed(self.window.project)
        rates = [self.combo.itemData(i) for i in range(self.combo.count())]
        index = rates.index(rate) if rate in rates else -1
        if index < 0:  # a speed not in the list (set in another version, or by hand)
            self.combo.addItem(f"{rate:g} epochs/s", rate)
            index = self.combo.count() - 1
        if index != self.combo.currentIndex():
            self.combo.setCurrentIndex(index)
        self.controller.set_speed(rate)


def attach_speed_control(panel) -> SpeedControl:
    """Add the speed control to a TrainingPanel's toolbar."""
    return SpeedControl(panel)
