"""Training in the real main window (app.main_window.MainWindow): the toolbar, the plots
docks, the canvas colouring, the status bar, the edit guard, closing mid-run, rapid cycles,
and a soak of every live view repainting while the worker trains (in a subprocess, so a crash
in the Qt bindings is a test failure rather than the end of pytest)."""

import os
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QLabel, QProgressBar, QPushButton, QWidget
from training_fakes import live_threads

from app import commands
from app.training import dialogs

LONG = 100_000


@pytest.fixture
def window(qtbot):
    from app.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.training.controller.shutdown()
    assert live_threads() == []


def set_spec(window, spec, field, value):
    window.push(commands.set_spec_field(window, spec, field, value))


def finish(qtbot, window, timeout=30_000):
    controller = window.training.controller
    if controller.state == "idle":
        return controller.last_result
    with qtbot.waitSignal(controller.runFinished, timeout=timeout) as blocker:
        pass
    return blocker.args[0]


def test_window_has_the_training_toolbar_and_plot_docks(window):
    for name in ("trainButton", "pauseButton", "stepButton", "stopButton", "resetButton"):
        assert window.findChild(QPushButton, name) is not None, name
    assert window.findChild(QProgressBar, "trainingProgress") is not None
    for name in ("costPlot", "activationPlot", "boundaryPlot"):
        assert window.findChild(QWidget, name).isVisible(), name
    assert window.findChild(QDockWidget, "plotsDock") is not None
    assert window.training_guard == window.training.controller.guard


def test_train_button_trains_the_default_project_and_fills_the_views(qtbot, window, tmp_path):
    project = window.project
    before = project.epochs_trained
    assert len(window.training.cost_plot.curve_data("loss")[0]) == min(before, 8192) or before
    set_spec(window, "training", "epochs", 30)
    qtbot.mouseClick(window.findChild(QPushButton, "trainButton"), Qt.MouseButton.LeftButton)
    qtbot.wait(150)
    window.grab().save(str(tmp_path / "training.png"))
    result = finish(qtbot, window)
    assert result.outcome == "finished" and result.epochs == 30
    assert window.project.epochs_trained == before + 30
    assert len(window.project.history["loss"]) == before + 30
    x, _ = window.training.cost_plot.curve_data("loss")
    assert x[-1] == before + 30
    panels = window.training.activation_plot.panels
    assert [p.activation for p in panels] == [layer.activation for layer in project.layers]
    assert window.training.boundary_plot.kind == "boundary"
    assert window.training.boundary_plot.image.image is not None
    assert window.canvas._weights is not None
    assert np.array_equal(window.canvas._weights[0], window.project.weights[0])
    assert "Finished after 30 epochs" in window.statusBar().currentMessage()
    qtbot.wait(200)
    window.grab().save(str(tmp_path / "trained.png"))
    # One undo step takes the run back.
    window.undo_stack.undo()
    assert window.project.epochs_trained == before


def test_step_trains_exactly_one_epoch(qtbot, window):
    before = window.project.epochs_trained
    qtbot.mouseClick(window.findChild(QPushButton, "stepButton"), Qt.MouseButton.LeftButton)
    finish(qtbot, window)
    assert window.project.epochs_trained == before + 1


def test_stop_mid_run_and_the_guard_before_a_structural_edit(qtbot, window, monkeypatch):
    set_spec(window, "training", "epochs", LONG)
    controller = window.training.controller
    controller.train()
    qtbot.waitUntil(
        lambda: controller.worker is not None and controller.worker._done >= 3, timeout=10_000
    )
    # An architecture edit while training asks first; "No" leaves training running.
    monkeypatch.setattr(dialogs, "ask_stop_training", lambda parent: False)
    layers = len(window.project.layers)
    assert window.add_layer("relu") is False
    assert controller.state == "running" and len(window.project.layers) == layers
    start = time.perf_counter()
    qtbot.mouseClick(window.findChild(QPushButton, "stopButton"), Qt.MouseButton.LeftButton)
    result = finish(qtbot, window, timeout=2000)
    assert time.perf_counter() - start < 1.0
    assert result.outcome == "stopped" and result.epochs >= 3


def test_yes_to_the_guard_stops_keeps_the_epochs_and_applies_the_edit(qtbot, window, monkeypatch):
    set_spec(window, "training", "epochs", LONG)
    controller = window.training.controller
    before = window.project.epochs_trained
    controller.train()
    qtbot.waitUntil(
        lambda: controller.worker is not None and controller.worker._done >= 2, timeout=10_000
    )
    monkeypatch.setattr(dialogs, "ask_stop_training", lambda parent: True)
    layers = len(window.project.layers)
    assert window.add_layer("relu") is True
    assert controller.state == "idle" and len(window.project.layers) == layers + 1
    window.undo_stack.undo()  # the edit
    assert window.project.epochs_trained >= before + 2  # the run was recorded before it


def test_divergence_at_a_huge_learning_rate_shows_the_message_in_the_window(qtbot, window):
    # A linear output with squared error can blow up (a sigmoid with cross-entropy saturates).
    last = len(window.project.layers) - 1
    window.push(commands.set_layer_field(window, last, "activation", "linear"))
    set_spec(window, "compile", "loss", "mean_squared_error")
    set_spec(window, "compile", "metrics", ["mae"])
    set_spec(window, "compile", "optimizer", "sgd")
    set_spec(window, "compile", "learning_rate", 10.0)
    set_spec(window, "training", "epochs", 50)
    window.training.controller.train()
    result = finish(qtbot, window)
    assert result.outcome == "diverged"
    label = window.findChild(QLabel, "trainingMessage")
    assert label.isVisible()
    assert label.text().startswith(f"Training diverged at epoch {result.diverged_epoch}: the ")
    assert label.text().endswith("Try a learning rate below 1.")
    # diverging in epoch 1 keeps the weights from before the run: none on a fresh project
    assert all(np.all(np.isfinite(w)) for w in window.project.weights or [])


def test_closing_the_window_mid_training_stops_the_worker_within_a_second(qtbot, window):
    set_spec(window, "training", "epochs", LONG)
    controller = window.training.controller
    controller.train()
    qtbot.waitUntil(
        lambda: controller.worker is not None and controller.worker._done >= 2, timeout=10_000
    )
    worker = controller.worker
    start = time.perf_counter()
    window.close()
    assert time.perf_counter() - start < 1.0
    assert worker.isFinished() and controller.worker is None
    assert live_threads() == []


def test_200_rapid_cycles_in_the_real_window_leave_no_thread(qtbot, window):
    window.hide()  # this test is about threads and locks; the soak below paints
    set_spec(window, "training", "epochs", LONG)
    c = window.training.controller
    rng = np.random.default_rng(1)
    actions = [c.train, c.stop, c.pause, c.resume, c.step, c.toggle]
    for i in range(200):
        c.train()
        for _ in range(2):
            actions[rng.integers(len(actions))]()
        c.stop()
        if i % 20 == 0:
            qtbot.wait(2)
    c.shutdown()
    assert c.worker is None and c.state == "idle"
    assert live_threads() == []


SOAK_SECONDS = 10.0

SOAK_SCRIPT = textwrap.dedent(
    """
    import sys, time, threading
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    from app.main_window import MainWindow
    from app import commands

    window = MainWindow()
    window.dialogs.ask_unsaved_changes = lambda name: "discard"
    window.resize(1500, 950)
    window.show()
    window.push(commands.set_spec_field(window, "training", "epochs", 10_000_000))
    panel = window.training
    before = window.project.epochs_trained
    frames = [0]

    def repaint_everything():
        # Every live view and the canvas repaint on top of the training frames.
        frames[0] += 1
        for dock in panel.docks:
            dock.widget().repaint()
        window.canvas.viewport().repaint()

    timer = QTimer()
    timer.timeout.connect(repaint_everything)
    timer.start(15)
    panel.controller.train()
    QTimer.singleShot(int(float(sys.argv[1]) * 1000), app.quit)
    app.exec()  # quitting stops the worker (aboutToQuit) and records the run
    panel.controller.shutdown()
    epochs = window.project.epochs_trained - before
    threads = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
    print(f"survived frames={frames[0]} epochs={epochs} threads={len(threads)}")
    window.close()
    """
)


@pytest.mark.slow
def test_soak_every_live_view_repainting_while_the_worker_trains(tmp_path):
    env = dict(
        os.environ, QT_QPA_PLATFORM="offscreen", NETBUILDER_CONFIG_DIR=str(tmp_path / "config")
    )
    result = subprocess.run(
        [sys.executable, "-c", SOAK_SCRIPT, str(SOAK_SECONDS)],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    assert result.returncode == 0, (
        f"the window died while training and repainting (exit {result.returncode}):\n"
        f"{result.stderr[-3000:]}"
    )
    assert "survived" in result.stdout, result.stdout + result.stderr[-2000:]
    counts = dict(item.split("=") for item in result.stdout.split()[1:])
    assert int(counts["frames"]) > 100, result.stdout
    assert int(counts["epochs"]) > 100, result.stdout
    assert int(counts["threads"]) == 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert "QThread: Destroyed" not in result.stderr, result.stderr[-3000:]


def test_a_trained_project_saves_and_reopens_with_its_weights_history_and_scaler(
    qtbot, window, tmp_path
):
    from engine.data import builtin
    from engine.project import DatasetSource, Project

    # A fresh dataset has no fitted scaler yet: training must record the one it used.
    window.push(
        commands.change_dataset(
            window, DatasetSource(kind="builtin", name="moons"), builtin("moons")
        )
    )
    assert window.project.scaler is None
    set_spec(window, "training", "epochs", 5)
    window.training.controller.train()
    finish(qtbot, window)
    path = tmp_path / "trained.nnproj"
    window.project.save(path)
    reopened = Project.load(path)
    assert reopened.epochs_trained == window.project.epochs_trained == 5
    assert reopened.history["loss"] == pytest.approx(window.project.history["loss"])
    assert all(np.array_equal(a, b) for a, b in zip(reopened.weights, window.project.weights))
    assert reopened.scaler == window.project.scaler is not None


def test_progress_bar_says_how_far_the_project_is_trained_at_rest(qtbot, window):
    bar = window.findChild(QProgressBar, "trainingProgress")
    trained = window.project.epochs_trained
    assert trained > 0  # the default coffee example comes trained
    assert bar.text() == f"{trained} epochs"
    set_spec(window, "training", "epochs", LONG)
    window.training.controller.train()
    qtbot.waitUntil(lambda: bar.text().startswith("epoch "), timeout=10_000)
    assert bar.text().endswith(f"/{LONG}")
    window.training.controller.stop()
    result = finish(qtbot, window)
    assert bar.text() == f"{trained + result.epochs} epochs"
    window.training.controller.reset()
    assert bar.text() == "not trained"
    window.undo_stack.undo()
    assert bar.text() == f"{trained + result.epochs} epochs"


def _visible_in(panel_item, view) -> bool:
    """Whether a graphics item (a plot panel) lies wholly inside the part of the view a person
    sees (clipped by the dock and any scroll area around it)."""
    rect = view.mapFromScene(panel_item.sceneBoundingRect()).boundingRect()
    visible = view.viewport().visibleRegion().boundingRect()
    return visible.adjusted(-1, -1, 1, 1).contains(rect)


def test_every_activation_panel_is_visible_with_four_and_six_layers(qtbot, window):
    window.resize(1400, 900)
    plot = window.training.activation_plot
    for extra in (1, 3):
        while len(window.project.layers) < 3 + extra:
            assert window.add_layer("relu")
        window.training.controller.refresh_views()
        qtbot.wait(50)
        assert len(plot.panels) == len(window.project.layers)
        for panel in plot.panels:
            assert _visible_in(panel.plot, plot.canvas), panel.plot.titleLabel.text
            # the title and the verdict are not squeezed below a readable size
            assert panel.plot.width() >= 100 and panel.plot.height() >= 90


def test_switching_the_dataset_updates_the_output_and_activation_views_at_once(qtbot, window):
    """Picking iris in the dataset panel (4 features, 3 classes) replaces the coffee boundary
    with the boundary over iris's principal-component plane, the confusion matrix with iris's,
    and the panels with the new network's, before any training."""
    boundary = window.training.boundary_plot
    output = window.training.output_view
    activations = window.training.activation_plot
    assert boundary.kind == "boundary"
    combo = window.dataset_panel.builtin_combo
    combo.setCurrentIndex(combo.findText("iris"))
    combo.activated.emit(combo.currentIndex())  # what a person's pick sends
    qtbot.waitUntil(
        lambda: (
            boundary.kind == "boundary"
            and boundary.setup.layout.plane is not None
            and output.evaluation is not None
        ),
        timeout=2000,
    )
    project = window.project
    assert project.dataset.name == "iris" and project.layers[-1].units == 3
    qtbot.waitUntil(
        lambda: (
            [p.activation for p in activations.panels]
            == [layer.activation for layer in project.layers]
        ),
        timeout=2000,
    )
    # the matrix shows the current (untrained) network's predictions on every validation row
    counts = [int(t.textItem.toPlainText()) for t in output.confusion_plot.texts]
    assert len(counts) == 9 and sum(counts) == len(output.setup.eval_sets["validation"].x)
    assert activations.panels[-1].plot.titleLabel.text.startswith("output")
    assert window.project.epochs_trained == 0
    assert window.findChild(QProgressBar, "trainingProgress").text() == "not trained"


def _inside(widget, outer) -> bool:
    """Whether `widget` lies wholly inside `outer` (both shown), in window coordinates."""
    top_left = widget.mapTo(outer.window(), widget.rect().topLeft())
    outer_left = outer.mapTo(outer.window(), outer.rect().topLeft())
    return (
        top_left.x() >= outer_left.x()
        and top_left.x() + widget.width() <= outer_left.x() + outer.width()
    )


@pytest.mark.parametrize("size", [(1400, 900), (1600, 1000)])
def test_the_confusion_matrix_fits_the_output_dock(qtbot, window, size):
    window.resize(*size)
    combo = window.dataset_panel.builtin_combo
    combo.setCurrentIndex(combo.findText("iris"))
    combo.activated.emit(combo.currentIndex())
    boundary = window.training.boundary_plot
    output = window.training.output_view
    qtbot.waitUntil(
        lambda: output.evaluation is not None and boundary.last_output is not None, timeout=2000
    )
    output.tabs.setCurrentIndex(1)  # the Confusion tab
    matrix = output.confusion_plot
    qtbot.wait(50)
    dock = window.findChild(QDockWidget, "boundaryDock")
    assert _inside(dock, window.centralWidget().window())
    assert _inside(boundary, dock) and _inside(boundary.plot, boundary)
    # the matrix asks no more width of the dock than the decision boundary does (a one-line
    # title used to make the Output dock at least 420 px wide)
    assert boundary.minimumSizeHint().width() <= 260
    assert output.minimumSizeHint().width() <= 400
    title = output.confusion_title
    assert title.minimumSizeHint().width() <= matrix.width()
    assert title.heightForWidth(title.width()) <= title.height() or not title.wordWrap()
    # every cell of the matrix, with its count, is inside the visible plot
    view = matrix
    assert _inside(matrix, dock)

    def visible():
        return view.viewport().visibleRegion().boundingRect().adjusted(-1, -1, 1, 1)

    def cells():
        return view.mapFromScene(matrix.image.sceneBoundingRect()).boundingRect()

    # The tab's layout settles over a few events after it is shown.
    qtbot.waitUntil(lambda: visible().contains(cells()), timeout=2000)
    visible = visible()
    for text in matrix.texts:
        assert visible.contains(view.mapFromScene(text.sceneBoundingRect()).boundingRect())


def test_importing_a_csv_updates_the_output_and_activation_views_at_once(qtbot, window):
    from pathlib import Path

    from engine.data import load_csv
    from engine.project import DatasetSource

    path = Path(__file__).resolve().parents[1] / "fixtures" / "csv" / "customers.csv"
    dataset = load_csv(str(path), target="churn")
    source = DatasetSource(kind="csv", name=None, params={"target": "churn"}, path=str(path))
    window.dataset_panel.datasetChangeRequested.emit(source, dataset)  # as the import does
    boundary = window.training.boundary_plot
    qtbot.waitUntil(
        lambda: (
            boundary.setup is not None
            and boundary.last_output is not None
            and boundary.setup.feature_names == dataset.feature_names
        ),
        timeout=2000,
    )
    assert boundary.setup.feature_names == dataset.feature_names
    panels = window.training.activation_plot.panels
    assert [p.activation for p in panels] == [layer.activation for layer in window.project.layers]


def test_a_frame_paints_each_changed_plot_once_and_the_progress_bar_with_it(qtbot, window):
    """A frame's changes reach the screen in one paint per view: a new epoch range and new
    points must not paint a plot twice (once for the range, once for the curve), and the
    progress bar must not paint the window early, in the middle of the frame."""
    from PySide6.QtCore import QEvent, QObject

    class PaintCounter(QObject):
        def __init__(self):
            super().__init__()
            self.paints = []

        def eventFilter(self, watched, event):  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint:
                self.paints.append(watched)
            return False

    panel = window.training
    plot = panel.cost_plot
    plot.expect_epochs(10_000)
    qtbot.wait(50)  # the first paint of everything, before counting
    counter = PaintCounter()
    views = {"loss": plot.loss_plot.viewport(), "metric": plot.metric_plot.viewport()}
    for watched in (*views.values(), panel.progress):
        watched.installEventFilter(counter)
    epochs = 1
    for n in (40, 400, 4000):  # each batch moves the epoch axis to a new span
        logs = {
            key: list(np.linspace(1.0, 0.5, n))
            for key in ("loss", "val_loss", "accuracy", "val_accuracy")
        }
        plot.append(logs, epochs)
        panel._on_progress(epochs + n - 1, 10_000)
        assert counter.paints == []  # nothing is painted before the frame is
        panel.paint_frame()
        assert [counter.paints.count(v) for v in views.values()] == [1, 1]
        assert counter.paints.count(panel.progress) == 1
        counter.paints.clear()
        epochs += n
    assert panel.progress.value() == epochs - 1


def test_what_a_run_start_changes_is_painted_before_the_worker_runs(qtbot, window):
    """The emptied cost plot and the new axes of a run's start are painted with the GIL to
    the window alone: the first paint of the start comes before the worker thread runs."""
    from PySide6.QtCore import QEvent, QObject

    controller = window.training.controller
    window.show()
    qtbot.wait(50)
    seen = []  # per paint of the cost plot: whether a worker thread was running

    class Watch(QObject):
        def eventFilter(self, watched, event):  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint:
                worker = controller.worker
                seen.append(worker is not None and worker.isRunning())
            return False

    watch = Watch()
    window.training.cost_plot.loss_plot.viewport().installEventFilter(watch)
    window.project.training.epochs = 3
    with qtbot.waitSignal(controller.runFinished, timeout=30_000):
        controller.train()
    assert seen and seen[0] is False


def test_the_panels_behind_a_tab_leave_their_frame_budget_to_the_ones_in_front(qtbot, window):
    """Gradients and Sample are tabs behind Activations: while they are hidden, the cost
    curve, canvas, activations and output share the whole frame budget; choosing the
    Gradients tab gives it the Activations panel's share."""
    controller = window.training.controller
    pacer = controller.pacer
    set_spec(window, "training", "epochs", LONG)
    controller.train()
    try:
        qtbot.waitUntil(lambda: pacer.shares["gradients"] == 0.0, timeout=10_000)
        assert pacer.shares["sample"] == 0.0
        front = ("curves", "weights", "activations", "output")
        assert sum(pacer.shares[name] for name in front) == pytest.approx(pacer.budget)
        curves_share = pacer.shares["curves"]
        window.findChild(QDockWidget, "gradientDock").raise_()
        qtbot.waitUntil(lambda: pacer.shares["activations"] == 0.0, timeout=10_000)
        assert pacer.shares["gradients"] > 0.0
        assert pacer.shares["curves"] == pytest.approx(curves_share)
    finally:
        controller.stop()
        finish(qtbot, window)


def test_a_run_ends_cleanly_when_only_one_of_the_views_was_held_back(qtbot, window):
    """The activation panels and the output view are paced on their own (a tab behind
    another redraws every 2 s): the run's end shows whichever is still held back, alone."""
    controller = window.training.controller
    layer_stats = []
    controller.layerStatsUpdated.connect(layer_stats.append)
    controller.refresh_views()
    qtbot.waitUntil(lambda: bool(layer_stats))
    set_spec(window, "training", "epochs", LONG)
    controller.train()
    qtbot.waitUntil(lambda: controller.worker is not None and controller.worker._done >= 3)
    seen = []
    controller.layerStatsUpdated.connect(lambda layers: seen.append("activations"))
    controller.outputUpdated.connect(lambda output: seen.append("output"))
    controller.worker.take_snapshot = lambda: None  # the frames took the last snapshot
    controller._pending = {"activations": layer_stats[-1]}  # the output view was drawn
    controller.stop()
    result = finish(qtbot, window)
    assert result.outcome == "stopped"
    assert seen == ["activations"]
