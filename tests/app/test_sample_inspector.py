"""The sample inspector dock (issue #15): a row chosen with the spin box or by clicking a
point shows the engine's own forward and backward numbers, and follows the training."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QAbstractItemView, QCheckBox, QDockWidget, QPushButton, QSpinBox

from engine.project import runtime
from engine.sample_trace import trace_sample

pytest_plugins = ["window_fixtures"]

OUTPUT, A = -1, 2


def _open(window, qtbot):
    dock = window.findChild(QDockWidget, "sampleInspector")
    assert dock is not None
    dock.show()
    dock.raise_()
    window.show()
    qtbot.waitExposed(window)
    return dock.widget()


def _predict_row(window, row):
    project = window.project
    model = runtime.build_model(project, seed=runtime.run_seed(project))
    x = runtime.scale_features(project, project.dataset.x[row : row + 1])
    return model.predict(x, verbose=0)[0]


def _group(inspector, title_start):
    model = inspector.model
    for r in range(model.rowCount()):
        if model.item(r, 0).text().startswith(title_start):
            return r
    raise AssertionError(title_start)


def test_the_forward_table_shows_what_predict_gives(window, qtbot):
    inspector = _open(window, qtbot)
    spin = window.findChild(QSpinBox, "sampleSpin")
    table = window.findChild(QAbstractItemView, "forwardTable")
    assert table.model() is inspector.model
    assert spin.maximum() == window.project.dataset.n_samples - 1
    spin.setValue(17)
    out = _group(inspector, "Output")
    shown = float(inspector.cell(out, 0, A))
    assert shown == pytest.approx(float(_predict_row(window, 17)[0]), abs=1e-4, rel=1e-3)
    # the loss shown is this sample's loss as the engine evaluates it
    project = window.project
    model = runtime.build_model(project, seed=runtime.run_seed(project))
    x = runtime.scale_features(project, project.dataset.x[17:18])
    y = runtime.targets_for_loss(project.compile, project.dataset.y[17:18], 2)
    assert float(inspector.cell(out, 2, A)) == pytest.approx(
        model.evaluate(x, y, verbose=0, return_dict=True)["loss"], rel=1e-3, abs=1e-7
    )
    # the inputs: scaled beside raw
    raw = float(inspector.cell(0, 0, 1))
    assert raw == pytest.approx(float(project.dataset.x[17, 0]), rel=1e-3)
    assert float(inspector.cell(0, 0, A)) == pytest.approx(float(x[0, 0]), rel=1e-3, abs=1e-4)


def test_backward_columns_are_the_traced_gradients_and_wide_layers_fold(window, qtbot):
    inspector = _open(window, qtbot)
    inspector.select_row(3)
    project = window.project
    model = runtime.build_model(project, seed=runtime.run_seed(project))
    x = runtime.scale_features(project, project.dataset.x[3:4])
    y = runtime.targets_for_loss(project.compile, project.dataset.y[3:4], 2)
    trace = trace_sample(model, x[0], y[0])
    first = _group(inspector, "Layer 1")
    layer = trace.layers[0]
    for column, values in ((3, layer.dL_da), (4, layer.g_prime), (5, layer.dL_dz)):
        assert float(inspector.cell(first, 0, column)) == pytest.approx(
            values[0], rel=1e-3, abs=1e-8
        )
    # 25 units: the first 8 and a row saying how to see the rest
    parent = inspector.model.index(first, 0)
    assert inspector.model.rowCount(parent) == 9
    window.findChild(QCheckBox, "showAllUnits").setChecked(True)
    first = _group(inspector, "Layer 1")
    assert inspector.model.rowCount(inspector.model.index(first, 0)) == 25


def test_wide_inputs_fold_like_wide_layers(window, qtbot):
    """784 input rows took 50-60 ms to fill each time a training frame showed new weights."""
    from engine.data import Dataset
    from engine.project import LayerSpec, Project

    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 30)).astype(np.float32)
    dataset = Dataset(x, (x[:, 0] > 0).astype(np.float32), class_names=["no", "yes"], name="w")
    project = Project.new_for_dataset(dataset)
    project.layers = [LayerSpec(4, "relu"), LayerSpec(1, "sigmoid")]
    window.set_project(project)
    inspector = _open(window, qtbot)
    inspector.select_row(2)
    inputs = inspector.model.index(_group(inspector, "Input"), 0)
    assert inspector.model.rowCount(inputs) == 9  # the first 8, and how to see the rest
    assert inspector.cell(0, 8, 0) == "… 22 more inputs (tick All units)"
    assert float(inspector.cell(0, 7, 1)) == pytest.approx(float(x[2, 7]), rel=1e-3)
    window.findChild(QCheckBox, "showAllUnits").setChecked(True)
    inputs = inspector.model.index(_group(inspector, "Input"), 0)
    assert inspector.model.rowCount(inputs) == 30
    assert float(inspector.cell(0, 29, 1)) == pytest.approx(float(x[2, 29]), rel=1e-3)


def test_a_prediction_of_several_classes_is_a_row_per_class(window, qtbot):
    """All of a 10-class prediction in one cell made the a = g(z) column so wide that a panel
    of ordinary width showed none of its numbers."""
    from engine.data import Dataset
    from engine.project import LayerSpec, Project

    rng = np.random.default_rng(1)
    x = rng.normal(size=(60, 3)).astype(np.float32)
    labels = (x[:, 0] > 0).astype(int) + (x[:, 1] > 0).astype(int)
    dataset = Dataset(x, labels, class_names=["low", "mid", "high"], name="three")
    project = Project.new_for_dataset(dataset)
    project.layers = [LayerSpec(5, "relu"), LayerSpec(3, "softmax")]
    window.set_project(project)
    inspector = _open(window, qtbot)
    inspector.select_row(6)
    out = _group(inspector, "Output")
    expected = _predict_row(window, 6)
    for j, name in enumerate(["low", "mid", "high"]):
        assert inspector.cell(out, j, 0) == f"prediction: {name}"
        assert float(inspector.cell(out, j, A)) == pytest.approx(float(expected[j]), rel=1e-3)
    assert inspector.cell(out, 3, 0) == "target"
    assert int(float(inspector.cell(out, 3, A))) == labels[6]
    table = window.findChild(QAbstractItemView, "forwardTable")
    assert table.columnWidth(A) < 150


def test_clicking_a_point_of_the_output_view_picks_that_row(window, qtbot):
    inspector = _open(window, qtbot)
    plot = window.training.boundary_plot.plot
    window.findChild(QDockWidget, "boundaryDock").show()
    qtbot.waitUntil(lambda: window.training.boundary_plot.kind == "boundary", timeout=5000)
    row = 42
    point = window.project.dataset.x[row, :2]
    vb = plot.getPlotItem().vb
    scene_pos = vb.mapViewToScene(QPointF(float(point[0]), float(point[1])))
    widget_pos = plot.mapFromScene(scene_pos)
    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=widget_pos)
    assert window.findChild(QSpinBox, "sampleSpin").value() == row
    assert inspector.summary.text().startswith(f"Row {row}:")


def test_it_follows_the_training(window, qtbot):
    inspector = _open(window, qtbot)
    inspector.select_row(5)
    before = inspector.trace.prediction.copy()
    window.training_settings.epochs_spin.setValue(30)
    with qtbot.waitSignal(window.training.controller.runFinished, timeout=60_000):
        qtbot.mouseClick(window.findChild(QPushButton, "trainButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not np.allclose(inspector.trace.prediction, before), timeout=3000)
    qtbot.waitUntil(
        lambda: abs(inspector.trace.prediction[0] - _predict_row(window, 5)[0]) < 1e-4, timeout=3000
    )


def test_a_standardised_regression_target_is_traced_as_training_sees_it(window, qtbot):
    """The network of a target-scaled regression works on the standardised target: the
    traced loss and gradients must use it (the raw target gave a loss of ~1e5 and gradients
    that training never sees), and the person reads prediction and target in their units."""
    from engine import data
    from engine.project import Project

    project = Project.new_for_dataset(data.builtin("linear", n_samples=120, noise=0.1, seed=3))
    assert runtime.scales_target(project)
    window.set_project(project)
    inspector = _open(window, qtbot)
    inspector.select_row(5)
    project = window.project
    model = runtime.build_model(project, seed=runtime.run_seed(project))
    target_scaler = runtime.fitted_target_scaler(project)
    x = runtime.scale_features(project, project.dataset.x[5:6])
    fed = target_scaler.transform(np.asarray(project.dataset.y[5:6], dtype=np.float32))
    expected = model.evaluate(x, fed, verbose=0, return_dict=True)["loss"]
    out = _group(inspector, "Output")
    assert float(inspector.cell(out, 1, A)) == pytest.approx(float(fed[0, 0]), rel=1e-3)
    assert float(inspector.cell(out, 2, A)) == pytest.approx(expected, rel=1e-3, abs=1e-7)
    # ... and in the target's own units beside it
    raw_target = float(project.dataset.y[5, 0])
    assert float(inspector.cell(out, 4, A)) == pytest.approx(raw_target, rel=1e-3, abs=1e-4)
    assert f"{raw_target:.4g}" in inspector.summary.text()


def test_during_a_run_it_is_recomputed_only_in_the_training_frames(window, qtbot):
    """While training, new weights are traced and shown in a paced stage of the controller's
    frames (the worker stands aside), never from a timer of its own between them."""
    inspector = _open(window, qtbot)
    controller = window.training.controller
    project = window.project
    project.training.epochs, project.training.batch_size = 1_000_000, None  # stopped below
    calls = []  # (in a stage, worker running)
    original = inspector.recompute

    def watched():
        calls.append((controller._in_stage, controller.worker is not None))
        original()

    inspector.recompute = watched
    controller.pacer.cost["sample"] = 1e-5  # as if cheap: due at every frame
    with qtbot.waitSignal(controller.runFinished, timeout=60_000):
        qtbot.mouseClick(window.findChild(QPushButton, "trainButton"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: len([1 for _, running in calls if running]) >= 2, timeout=30_000)
        controller.stop()
    running = [in_stage for in_stage, running in calls if running]
    assert all(running)
    assert not inspector.live
    qtbot.waitUntil(
        lambda: abs(inspector.trace.prediction[0] - _predict_row(window, 0)[0]) < 1e-4, timeout=3000
    )


def test_behind_another_tab_it_traces_nothing_until_its_tab_is_chosen(window, qtbot):
    """Every edit and the end of every run change the project; a hidden inspector leaves
    the tracing for when it is shown, and then shows the row of the project as it is."""
    from app.visibility import on_screen

    window.show()
    qtbot.waitExposed(window)
    inspector = window.findChild(QDockWidget, "sampleInspector").widget()
    window.findChild(QDockWidget, "activationDock").raise_()
    qtbot.waitUntil(lambda: not on_screen(inspector))
    inspector.select_row(3)
    inspector.recompute()
    assert inspector.trace is None
    window.findChild(QDockWidget, "sampleInspector").raise_()
    qtbot.waitUntil(lambda: inspector.trace is not None)
    assert inspector.spin.value() == 3
    prediction = _predict_row(window, 3)
    assert inspector.trace.prediction == pytest.approx(prediction, abs=1e-4)
