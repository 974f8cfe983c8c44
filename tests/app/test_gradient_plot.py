"""The gradient plot dock (issue #15): per-layer gradient RMS and update ratio from the
engine's GradientStats, only computed when the view is shown; a deep sigmoid network visibly
starves its first layer."""

from __future__ import annotations

import re

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import QDockWidget, QLabel, QPushButton, QWidget

from engine.data import builtin
from engine.gradient_stats import GradientStats
from engine.project import LayerSpec, Project

pytest_plugins = ["window_fixtures"]


def _deep_sigmoid_project(epochs=40):
    project = Project.new_for_dataset(builtin("xor"))
    project.layers = [LayerSpec(16, "sigmoid") for _ in range(6)] + [LayerSpec(1, "sigmoid")]
    project.compile.optimizer, project.compile.learning_rate = "sgd", 0.1
    project.training.epochs = epochs
    return project


def _train(window, qtbot):
    with qtbot.waitSignal(window.training.controller.runFinished, timeout=60_000):
        qtbot.mouseClick(window.findChild(QPushButton, "trainButton"), Qt.MouseButton.LeftButton)


def test_a_deep_sigmoid_network_starves_its_first_layer_on_screen(window, qtbot):
    window.set_project(_deep_sigmoid_project())
    window.show()
    dock = window.findChild(QDockWidget, "gradientDock")
    dock.show()
    dock.raise_()
    plot = window.findChild(QWidget, "gradientPlot")
    qtbot.waitUntil(lambda: not plot.visibleRegion().isEmpty(), timeout=3000)
    _train(window, qtbot)
    stats = window.training.backprop.stats
    assert isinstance(stats, GradientStats) and len(stats.epochs) == 40
    assert len(plot.rms_curves) == 7
    epochs, first_rms, _ = plot.series(0)
    _, last_rms, last_ratio = plot.series(6)
    assert epochs[-1] == 40
    # the plotted values are the engine's, and the first layer gets far less gradient
    np.testing.assert_allclose(last_rms[-1], stats.grad_rms[-1][6])
    assert np.median(first_rms) < np.median(last_rms) / 100
    assert "starved" in plot.title.text()
    # the curve is drawn: pyqtgraph holds the data of layer 1's curve
    x, y = plot.rms_curves[0].getData()
    assert len(x) == 40


def test_a_hidden_gradient_view_costs_the_run_nothing(window, qtbot):
    window.set_project(_deep_sigmoid_project(epochs=3))
    window.show()
    qtbot.waitExposed(window)
    plot = window.findChild(QWidget, "gradientPlot")
    assert plot.visibleRegion().isEmpty()  # by default a tab behind the activation panels
    _train(window, qtbot)
    assert window.training.backprop.stats is None


def test_the_plot_follows_a_run_in_paced_frame_stages(window, qtbot):
    """During a run the plot is redrawn in its own stage of the controller's frames (the
    worker stands aside meanwhile), with only the records that are new."""
    project = _deep_sigmoid_project(epochs=1_000_000)  # stopped once it has been drawn
    project.training.early_stopping = None
    project.layers = [LayerSpec(4, "sigmoid"), LayerSpec(1, "sigmoid")]
    project.training.batch_size = None
    window.set_project(project)
    window.show()
    dock = window.findChild(QDockWidget, "gradientDock")
    dock.raise_()
    plot = window.findChild(QWidget, "gradientPlot")
    qtbot.waitUntil(lambda: not plot.visibleRegion().isEmpty(), timeout=3000)
    views = window.training.backprop
    controller = window.training.controller
    draws = []  # (records plotted after, in a stage, worker running)
    original = views._draw_gradients

    def watched():
        original()
        draws.append((plot.read, controller._in_stage, controller.worker is not None))

    views._draw_gradients = watched
    controller._live_views["gradients"] = (views._gradients_ready, watched)
    # As if a redraw were cheap: due every frame (1/30 s) instead of after ~1 s
    controller.pacer.assumed_cost = 1e-5
    controller.pacer.cost["gradients"] = 1e-5
    with qtbot.waitSignal(controller.runFinished, timeout=60_000):
        qtbot.mouseClick(window.findChild(QPushButton, "trainButton"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: len([d for d in draws if d[2]]) >= 2, timeout=30_000)
        controller.stop()
    live = [draw for draw in draws if draw[2]]
    assert all(in_stage for _, in_stage, _ in live)
    assert 0 < live[0][0] < live[1][0]  # drawn while the run went on, the new records each time
    epochs = window.project.epochs_trained
    assert live[1][0] < epochs
    assert plot.read == views.stats.count == epochs  # and the run's end drew the rest


def test_a_new_run_of_the_same_layers_empties_the_curves_it_has(qtbot):
    from app.plots.gradient_plot import GradientPlot

    plot = GradientPlot()
    qtbot.addWidget(plot)
    plot.set_layers(["relu", "sigmoid"])
    curves = list(plot.rms_curves)
    plot.rms_curves[0].setData([1, 2], [0.1, 0.2])
    plot.read = 2
    plot.set_layers(["relu", "sigmoid"])
    assert plot.rms_curves == curves and plot.read == 0
    assert len(plot.rms_curves[0].getData()[0] or []) == 0
    plot.set_layers(["tanh", "tanh", "sigmoid"])
    assert len(plot.rms_curves) == 3 and plot.rms_curves[0] not in curves
    # The key above the plots names each layer in its curve's colour; nothing inside the
    # plots covers the curves.
    key = plot.findChild(QLabel, "gradientKey")
    text = QTextDocumentFragment.fromHtml(key.text()).toPlainText().replace("\xa0", " ")
    assert re.findall(r"layer \d \(\w+\)", text) == [
        "layer 1 (tanh)",
        "layer 2 (tanh)",
        "layer 3 (sigmoid)",
    ]
    for index, curve in enumerate(plot.rms_curves):  # each name follows its curve's colour
        entry = key.text().split("layer&nbsp;")[index]
        assert curve.opts["pen"].color().name() in entry
    assert plot.rms_plot.getPlotItem().legend is None
    assert plot.ratio_plot.getPlotItem().legend is None


class _Records:
    """GradientStats's reading interface over fixed arrays (count grows as a run's would)."""

    def __init__(self, rms, ratio):
        self.rms, self.ratio, self.count = rms, ratio, 0

    def read(self, start=0):
        stop = self.count
        epochs = np.arange(start, stop)
        return epochs, self.rms[start:stop], self.rms[start:stop], self.ratio[start:stop]


def test_during_a_run_the_axes_move_in_steps_not_with_every_redraw(qtbot):
    from app.plots.gradient_plot import GradientPlot

    plot = GradientPlot()
    qtbot.addWidget(plot)
    rng = np.random.default_rng(0)
    records = _Records(10 ** rng.uniform(-3, -1, (400, 2)), 10 ** rng.uniform(-5, -3, (400, 2)))
    plot.set_layers(["relu", "sigmoid"])
    plot.expect_epochs(0, 10_000)

    def x_range():
        return plot.rms_plot.getPlotItem().vb.viewRange()[0]

    records.count = 100
    plot.update_from(records)
    low, high = x_range()
    assert low <= 1 and 200 <= high < 210  # 1-2-5 steps: 100 epochs done, room up to 200
    y_before = plot.rms_plot.getPlotItem().vb.viewRange()[1]
    records.count = 150
    plot.update_from(records)
    assert x_range() == [low, high]  # unchanged: its axis is not re-rendered
    assert plot.rms_plot.getPlotItem().vb.viewRange()[1] == y_before  # within the range
    records.count = 300
    plot.update_from(records)
    assert 500 <= x_range()[1] < 520
    # the healthy band of the update ratio stays in view, though every ratio is below it
    y_low, y_high = plot.ratio_plot.getPlotItem().vb.viewRange()[1]
    assert y_low <= -5 and y_high >= -2  # log10 of the values and of the band 1e-4..1e-2
    plot.expect_epochs(None)  # the run ended: the whole run fills the axis
    assert 300 <= x_range()[1] < 310
