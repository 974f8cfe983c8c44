"""What the window shows after a run and after a change: the last run's figures stay in the
status bar (accuracy included), a new dataset gets its own cost-plot range, settings the
dataset does not have show no stale value, a run's error goes once the network changed,
and while paused only one button says Resume."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from app import commands

pytest_plugins = ["window_fixtures"]


def pick_builtin(window, name: str) -> None:
    combo = window.dataset_panel.builtin_combo
    combo.setCurrentIndex(combo.findData(name))
    combo.activated.emit(combo.currentIndex())
    assert window.project.dataset_source.name == name


def loss_range(cost) -> tuple[float, float]:
    lo, hi = cost.loss_plot.getPlotItem().vb.viewRange()[1]
    return float(lo), float(hi)


def train(window, qtbot, epochs: int = 5):
    window.push(commands.set_spec_field(window, "training", "epochs", epochs))
    controller = window.training.controller
    with qtbot.waitSignal(controller.runFinished, timeout=30_000) as blocker:
        controller.train()
    return blocker.args[0]


def test_the_last_runs_figures_stay_in_the_status_bar(window, qtbot):
    pick_builtin(window, "xor")
    train(window, qtbot, 5)
    summary = window.findChild(QLabel, "runSummary")
    text = summary.text()
    history = window.project.history
    assert "accuracy" in text and f"{history['accuracy'][-1]:.4g}" in text
    assert f"{history['val_accuracy'][-1]:.4g}" in text
    assert "loss" in text and "val" in text and "best epoch" in text
    qtbot.wait(7000)  # longer than a status message lives
    assert summary.isVisibleTo(window) and summary.text() == text
    window.training.controller.reset()
    assert summary.text() == ""


def test_while_a_run_trains_the_status_bar_shows_its_live_figures_alone(window, qtbot):
    pick_builtin(window, "xor")
    train(window, qtbot, 5)
    summary = window.findChild(QLabel, "runSummary")
    assert summary.isVisibleTo(window) and "loss" in summary.text()
    window.push(commands.set_spec_field(window, "training", "epochs", 1_000_000))
    controller = window.training.controller
    controller.train()
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Epoch"), timeout=10_000)
    assert not summary.isVisibleTo(window)  # the last run's figures: not beside the live ones
    with qtbot.waitSignal(controller.runFinished, timeout=30_000):
        controller.stop()
    assert summary.isVisibleTo(window) and "loss" in summary.text()


def test_regression_shows_mae(window, qtbot):
    pick_builtin(window, "sine")
    window.push(commands.set_spec_field(window, "compile", "metrics", ["mae"]))
    train(window, qtbot, 3)
    assert "MAE" in window.findChild(QLabel, "runSummary").text()


def test_a_new_dataset_gets_its_own_cost_range(window, qtbot):
    pick_builtin(window, "sine")
    window.push(commands.set_spec_field(window, "compile", "learning_rate", 0.001))
    train(window, qtbot, 3)
    cost = window.training.cost_plot
    sine_range = loss_range(cost)
    pick_builtin(window, "xor")
    assert loss_range(cost) != sine_range
    assert loss_range(cost) == (0.0, 1.0)
    train(window, qtbot, 3)
    lo, hi = loss_range(cost)
    losses = window.project.history["loss"] + window.project.history["val_loss"]
    assert lo <= min(losses) and max(losses) <= hi
    assert hi - lo < 3 * (max(losses) - min(losses)) + 1e-3


def test_settings_a_dataset_lacks_show_no_stale_value(window):
    panel = window.dataset_panel
    pick_builtin(window, "moons")
    panel.noise_spin.setValue(0.3)
    panel.seed_spin.setValue(7)
    pick_builtin(window, "iris")
    for spin in (panel.noise_spin, panel.seed_spin):
        assert not spin.isEnabled()
        assert spin.text() == "—", spin.objectName()
    pick_builtin(window, "moons")
    assert panel.noise_spin.isEnabled() and panel.noise_spin.text() != "—"


def test_a_divergence_message_goes_when_the_network_changes(window, qtbot):
    last = len(window.project.layers) - 1
    pick_builtin(window, "sine")
    window.push(commands.set_layer_field(window, last, "activation", "linear"))
    window.push(commands.set_spec_field(window, "compile", "learning_rate", 10.0))
    window.push(commands.set_spec_field(window, "compile", "optimizer", "sgd"))
    result = train(window, qtbot, 50)
    assert result.outcome == "diverged"
    banner = window.training.banner
    assert banner.isVisibleTo(window) and banner.kind == "error"
    window.push(commands.set_spec_field(window, "compile", "learning_rate", 0.01))
    assert not banner.isVisibleTo(window)


def test_while_paused_only_the_pause_button_says_resume(window, qtbot):
    window.push(commands.set_spec_field(window, "training", "epochs", 100_000))
    controller = window.training.controller
    controller.train()
    controller.pause()
    panel = window.training
    assert [panel.train_button.text(), panel.pause_button.text()].count("Resume") == 1
    assert panel.pause_button.text() == "Resume"
    controller.shutdown()
