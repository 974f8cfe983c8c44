"""Why a run blew up, fixed in one click: a diverged run's banner offers "Use learning rate
X" (the engine's suggested_learning_rate) as one undoable edit, and the advisor's fix when
one of its rules explains the divergence (an unscaled regression target)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from app import commands

pytest_plugins = ["window_fixtures"]


def pick_builtin(window, name: str) -> None:
    combo = window.dataset_panel.builtin_combo
    combo.setCurrentIndex(combo.findData(name))
    combo.activated.emit(combo.currentIndex())
    assert window.project.dataset_source.name == name


def diverge(window, qtbot, dataset: str, **training):
    last = len(window.project.layers) - 1
    pick_builtin(window, dataset)
    for field, value in training.items():
        window.push(commands.set_spec_field(window, "training", field, value))
    window.push(commands.set_layer_field(window, last, "activation", "linear"))
    window.push(commands.set_spec_field(window, "compile", "optimizer", "sgd"))
    window.push(commands.set_spec_field(window, "compile", "learning_rate", 10.0))
    window.push(commands.set_spec_field(window, "training", "epochs", 50))
    controller = window.training.controller
    with qtbot.waitSignal(controller.runFinished, timeout=30_000) as blocker:
        controller.train()
    result = blocker.args[0]
    assert result.outcome == "diverged"
    return result


def test_a_diverged_run_offers_the_suggested_learning_rate_and_undo_restores_it(window, qtbot):
    window.show()
    result = diverge(window, qtbot, "sine")
    assert result.suggested_learning_rate == 1.0
    button = window.training.banner.findChild(QPushButton, "useSuggestedLearningRate")
    assert button is not None and button.isVisibleTo(window)
    assert button.text() == "Use learning rate 1"
    steps = window.undo_stack.count()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.project.compile.learning_rate == 1.0
    assert window.undo_stack.count() == steps + 1  # one edit
    window.undo_stack.undo()
    assert window.project.compile.learning_rate == 10.0


def test_an_unscaled_target_divergence_offers_the_advisors_fix(window, qtbot):
    window.show()
    diverge(window, qtbot, "linear", target_scaling="none")
    banner = window.training.banner
    fix = banner.findChild(QPushButton, "divergenceAdviceFix")
    assert fix is not None and fix.text() == "Scale the target"
    assert banner.findChild(QPushButton, "useSuggestedLearningRate") is not None
    qtbot.mouseClick(fix, Qt.MouseButton.LeftButton)
    assert window.project.training.target_scaling == "standardize"
    window.undo_stack.undo()
    assert window.project.training.target_scaling == "none"


def test_a_finished_run_offers_no_fix(window, qtbot):
    window.push(commands.set_spec_field(window, "training", "epochs", 2))
    controller = window.training.controller
    with qtbot.waitSignal(controller.runFinished, timeout=30_000):
        controller.train()
    assert window.training.banner.findChild(QPushButton, "useSuggestedLearningRate") is None
