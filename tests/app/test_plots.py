"""The live views on their own: the Qt-free numbers (activation statistics, bounded series,
view layouts for each kind of data) and the widgets that draw them."""

import numpy as np
import pyqtgraph as pg
import pytest

from app.plots.activation_plot import ActivationPlot, describe_stats
from app.plots.boundary_plot import BoundaryPlot, boundary_image
from app.plots.class_colours import class_rgb
from app.plots.cost_plot import TRAIN_PEN, VAL_PEN, CostPlot, metric_key
from app.plots.series import DecimatingSeries
from app.plots.stats import layer_stats
from app.training.evaluation import EvalRows
from app.training.views import GRID, ViewSetup, compute_views, confusion_matrix
from engine.data import builtin
from engine.project import Project, runtime

# ----- activation statistics ------------------------------------------------------------------


def test_dead_relus_are_units_with_z_at_most_zero_on_every_sample():
    rng = np.random.default_rng(0)
    z = rng.standard_normal((100, 8))
    z[:, [1, 5]] = -np.abs(z[:, [1, 5]])  # never positive: dead
    z[:, 3] = np.where(z[:, 3] > 0, z[:, 3], -1.0)
    z[0, 3] = 0.5  # alive on one sample only: not dead
    stats = layer_stats(z, "relu")
    assert stats.dead == pytest.approx(2 / 8)
    assert stats.saturated is None
    assert describe_stats(stats) == ("2/8 dead", True)


def test_saturated_units_have_abs_z_above_4_on_most_samples():
    rng = np.random.default_rng(1)
    z = rng.standard_normal((50, 4))
    z[:, 0] = 9.0  # saturated high
    z[:, 1] = -7.0  # saturated low
    z[:20, 2] = 6.0  # |z| > 4 on only 40% of samples: not saturated
    stats = layer_stats(z, "sigmoid")
    assert stats.saturated == pytest.approx(0.5)
    assert stats.dead is None
    assert describe_stats(stats)[0] == "2/4 saturated"
    assert layer_stats(z, "tanh").saturated == pytest.approx(0.5)
    assert layer_stats(z, "linear").saturated is None


def test_histogram_keeps_every_value_and_covers_at_least_plus_minus_6():
    z = np.concatenate([np.zeros((10, 1)), np.full((1, 1), 1e6)])  # one huge outlier
    stats = layer_stats(z, "relu", bins=30)
    assert stats.counts.sum() == pytest.approx(1.0)
    lo, hi = stats.z_range
    assert lo <= -6 and hi >= 6 and hi <= 60
    assert stats.counts[-1] == pytest.approx(1 / 11)  # the outlier sits in the last bin


def test_layer_stats_rejects_a_1d_array_with_its_shape():
    with pytest.raises(ValueError, match=r"\(5,\)"):
        layer_stats(np.zeros(5), "relu")


# ----- bounded history --------------------------------------------------------------------------


def test_series_memory_stays_bounded_over_100000_epochs_and_ends_at_the_last_epoch():
    series = DecimatingSeries(capacity=1000)
    for start in range(1, 100_001, 7):
        n = min(7, 100_001 - start)
        series.extend(start, np.arange(start, start + n, dtype=float))
    x, y = series.arrays()
    assert len(x) <= 1001
    assert x[0] == 1 and x[-1] == 100_000 and y[-1] == 100_000
    assert np.all(np.diff(x) > 0)
    assert np.array_equal(x, y)  # every kept point is the value of its own epoch
    assert series.value_at(50_000)[0] == pytest.approx(50_000, abs=series.stride)


def test_series_keeps_every_epoch_until_full():
    series = DecimatingSeries(capacity=100)
    series.extend(1, [3.0, 2.0, 1.0])
    series.extend(4, [0.5])
    x, y = series.arrays()
    assert list(x) == [1, 2, 3, 4] and list(y) == [3, 2, 1, 0.5]


# ----- cost plot --------------------------------------------------------------------------------


def test_cost_plot_lays_out_the_expected_metric_before_the_first_epoch(qtbot):
    plot = CostPlot()
    qtbot.addWidget(plot)
    plot.show()
    plot.set_history({})
    assert not plot.metric_plot.isVisible()
    plot.expect_metrics(["mae"])  # a run starts: the plots take their places now
    assert plot.metric_plot.isVisible()
    assert plot.metric_plot.getPlotItem().getAxis("left").labelText == "MAE"
    # The first epochs log another metric than expected: the plot follows the data.
    plot.append({"loss": [1.0], "accuracy": [0.5]}, 1)
    assert plot.metric_plot.getPlotItem().getAxis("left").labelText == "accuracy"
    assert list(plot.curve_data("metric")[1]) == [0.5]
    plot.expect_metrics([])  # nothing to add to what the data already says
    assert plot.metric_plot.getPlotItem().getAxis("left").labelText == "accuracy"


def test_cost_plot_draws_train_and_validation_loss_and_the_metric(qtbot):
    plot = CostPlot()
    qtbot.addWidget(plot)
    plot.show()
    plot.set_history(
        {
            "loss": [1.0, 0.5],
            "val_loss": [1.2, 0.7],
            "accuracy": [0.5, 0.8],
            "val_accuracy": [0.4, 0.7],
        }
    )
    plot.append({"loss": [0.25], "val_loss": [0.6], "accuracy": [0.9], "val_accuracy": [0.75]}, 3)
    x, y = plot.curve_data("loss")
    assert list(x) == [1, 2, 3] and list(y) == [1.0, 0.5, 0.25]
    assert list(plot.curve_data("val_loss")[1]) == [1.2, 0.7, 0.6]
    assert list(plot.curve_data("metric")[1]) == [0.5, 0.8, 0.9]
    assert plot.metric_plot.isVisible()
    assert plot.metric_plot.getPlotItem().getAxis("left").labelText == "accuracy"
    assert plot.readout_text(2.2) == (
        "epoch 2 · loss 0.5 · val loss 0.7 · accuracy 0.8 · val accuracy 0.7"
    )
    plot.set_history({})
    assert len(plot.curve_data("loss")[0]) == 0


def test_cost_plot_log_scale_toggle_and_one_persistent_curve_per_series(qtbot):
    plot = CostPlot()
    qtbot.addWidget(plot)
    curve = plot.curves["loss"]
    plot.set_history({"loss": [1.0, 0.0]})
    plot.log_check.setChecked(True)
    assert plot.loss_plot.getPlotItem().ctrl.logYCheck.isChecked()
    assert np.all(plot.curve_data("loss")[1] > 0)  # a zero loss cannot vanish off a log axis
    plot.append({"loss": [0.1]}, 3)
    assert plot.curves["loss"] is curve
    assert curve.opts["autoDownsample"] and curve.opts["clipToView"]


def test_metric_key_prefers_accuracy_then_mae():
    assert metric_key(["loss", "val_loss", "accuracy", "val_accuracy"]) == "accuracy"
    assert metric_key(["loss", "mae", "val_mae"]) == "mae"
    assert metric_key(["loss", "val_loss"]) is None


# ----- activation panels ------------------------------------------------------------------------


def test_activation_plot_shows_one_panel_per_layer_with_its_verdict(qtbot):
    plot = ActivationPlot()
    qtbot.addWidget(plot)
    relu = layer_stats(-np.abs(np.random.default_rng(0).standard_normal((20, 4))), "relu")
    sig = layer_stats(np.full((20, 2), 8.0), "sigmoid")
    plot.update_stats([relu, sig])
    assert len(plot.panels) == 2
    assert plot.panels[0].text.textItem.toPlainText() == "4/4 dead"
    assert plot.panels[1].text.textItem.toPlainText() == "2/2 saturated"
    x, _ = plot.panels[0].hist.getData()
    assert x is not None and len(x) > 0
    assert not plot.panels[0].deriv.isVisible()
    plot.derivative_check.setChecked(True)
    assert all(panel.deriv.isVisible() for panel in plot.panels)
    _, g = plot.panels[1].curve.getData()
    assert g.min() >= 0 and g.max() <= 1  # the sigmoid itself


# ----- output views -----------------------------------------------------------------------------


class LinearModel:
    """A stand-in with the two methods the views use: z = x @ w per layer, no activation."""

    def __init__(self, weights):
        self.weights = weights

    def preactivations(self, x):
        out = []
        for w in self.weights:
            x = x @ w
            out.append(x)
        return out

    def predict(self, x, verbose=0):
        return 1 / (1 + np.exp(-self.preactivations(x)[-1]))


def _prepared(name):
    project = Project(dataset=builtin(name))
    return runtime.prepare_data(project), project.dataset


def test_two_feature_classification_gets_a_boundary_heatmap_over_the_feature_plane():
    prepared, dataset = _prepared("moons")
    setup = ViewSetup.for_data(prepared, dataset, ["relu", "sigmoid"])
    assert setup.kind == "boundary"
    assert setup.probe_x.shape == (GRID * GRID, 2)
    x0, x1, y0, y1 = setup.extent
    raw = dataset.x
    assert x0 < raw[:, 0].min() and x1 > raw[:, 0].max()  # extent in original units
    model = LinearModel([np.ones((2, 3)), np.ones((3, 1))])
    update = compute_views(model, setup)
    assert update.output.shape == (GRID, GRID, 2)  # P(class 0), P(class 1)
    assert np.allclose(update.output.sum(axis=-1), 1.0)
    assert [s.units for s in update.layers] == [3, 1]


class FixedOutputs:
    """A stand-in model whose outputs are given: the logits [-2, 0, 0.3, 2], repeated."""

    def __init__(self, logits):
        self.logits = np.asarray(logits, dtype=np.float64).reshape(-1, 1)

    def preactivations(self, x):
        return [self.predict(x)]

    def predict(self, x, verbose=0):
        return np.resize(self.logits, (len(x), 1))


def test_logit_outputs_become_the_same_probabilities_and_classes_as_on_the_command_line():
    from engine.project import CompileSpec

    logits = [-2.0, 0.0, 0.3, 2.0]
    spec = CompileSpec(loss="binary_crossentropy", from_logits=True)
    prepared, dataset = _prepared("moons")
    setup = ViewSetup.for_data(prepared, dataset, ["linear"], spec)
    model = FixedOutputs(logits)
    grid = compute_views(model, setup).output.reshape(-1, 2)[:4, 1]
    assert np.allclose(grid, [0.1192, 0.5, 0.5744, 0.8808], atol=1e-4)  # not clipped to [0, 1]
    assert runtime.predicted_classes(spec, np.reshape(logits, (-1, 1))).tolist() == [0, 0, 1, 1]

    prepared, dataset = _prepared("xor")
    setup = ViewSetup.for_data(prepared, dataset, ["linear"], spec)
    setup.kind = "confusion"  # the binary confusion matrix, over every evaluated row
    n = len(setup.sample_x)
    setup.eval_sets["validation"] = EvalRows(
        "validation", setup.sample_x, np.resize([0, 0, 1, 1], n), np.arange(n)
    )
    setup.use_split("validation")
    matrix = compute_views(model, setup).output
    assert matrix.tolist() == [[len(setup.sample_x) // 2, 0], [0, len(setup.sample_x) // 2]]


def test_one_feature_regression_gets_a_curve_and_wide_classes_a_plane_and_every_row():
    prepared, dataset = _prepared("sine")
    setup = ViewSetup.for_data(prepared, dataset, ["linear"])
    assert setup.kind == "curve" and setup.curve_x.shape == (200,)
    prepared, dataset = _prepared("iris")
    setup = ViewSetup.for_data(prepared, dataset, ["softmax"])
    # Four features: the boundary over the first two principal components (issue #18).
    assert setup.kind == "boundary" and setup.layout.plane.kind == "pca"
    update = compute_views(LinearModel([np.ones((4, 3))]), setup)
    assert update.output.shape == (GRID, GRID, 3)
    # The confusion matrix of the evaluation counts every validation row, not a sample.
    assert update.evaluation.report.confusion.shape == (3, 3)
    assert update.evaluation.report.confusion.sum() == len(prepared.x_val)


def test_confusion_matrix_counts_actual_rows_and_predicted_columns():
    m = confusion_matrix(np.array([0, 0, 1, 2]), np.array([0, 1, 1, 1]), 3)
    assert m.tolist() == [[1, 1, 0], [0, 1, 0], [0, 1, 0]]


def test_boundary_image_blends_class_colours_by_probability():
    out = np.array([[[1.0, 0.0], [0.0, 1.0]]])  # P(class 1) = 0 and 1
    rgb = boundary_image(out, "binary", 2).astype(float)
    c0, c1 = class_rgb(2)
    # Pure class colours, lightened towards white by the same amount.
    assert np.argmax(rgb[0, 0]) == np.argmax(c0) and np.argmax(rgb[0, 1]) == np.argmax(c1)
    assert not np.allclose(rgb[0, 0], rgb[0, 1])


def test_a_class_has_the_same_colour_in_the_dataset_preview_and_the_output_view(qtbot):
    from app.data.preview_plot import DatasetPreviewPlot

    prepared, dataset = _prepared("blobs")  # 3 classes
    preview = DatasetPreviewPlot()
    qtbot.addWidget(preview)
    preview.show_dataset(dataset)
    in_preview = [item.opts["brush"].color().name() for item in preview.scatter_items]
    boundary = BoundaryPlot()
    qtbot.addWidget(boundary)
    setup = ViewSetup.for_data(prepared, dataset, ["relu", "softmax"])
    boundary.set_setup(setup)
    brushes = boundary.train_points.data["brush"]
    in_output = {int(k): b.color().name() for k, b in zip(setup.train_targets, brushes)}
    assert in_preview == [in_output[k] for k in range(3)]


def test_boundary_plot_shows_heatmap_points_and_confusion_matrix(qtbot):
    plot = BoundaryPlot()
    qtbot.addWidget(plot)
    prepared, dataset = _prepared("blobs")
    setup = ViewSetup.for_data(prepared, dataset, ["relu", "softmax"])
    plot.set_setup(setup)
    assert len(plot.train_points.data) == len(prepared.x_train)
    assert len(plot.val_points.data) == len(prepared.x_val)
    plot.update_output(np.full((GRID, GRID, 3), 1 / 3))
    assert plot.image.image.shape == (GRID, GRID, 3)
    prepared, dataset = _prepared("iris")
    setup = ViewSetup.for_data(prepared, dataset, ["softmax"])
    setup.kind = "confusion"  # what one-feature classes get
    setup.use_split("validation")
    plot.set_setup(setup)
    assert plot.title.text() == f"Confusion matrix (all {len(prepared.x_val)} validation rows)"
    plot.update_output(np.array([[5, 1, 0], [0, 6, 0], [0, 2, 4]]))
    texts = [t.textItem.toPlainText() for t in plot.cell_texts]
    assert texts == ["5", "1", "0", "0", "6", "0", "0", "2", "4"]


def test_epoch_axis_grows_in_1_2_5_steps_during_a_run(qtbot):
    from app.plots.cost_plot import nice_ceiling

    assert [nice_ceiling(v) for v in (0.5, 1, 1.5, 3, 7, 10, 11, 4449 * 1.1)] == [
        1,
        1,
        2,
        5,
        10,
        10,
        20,
        5000,
    ]
    plot = CostPlot()
    qtbot.addWidget(plot)
    plot.expect_epochs(50_000)
    plot.set_history({"loss": list(np.linspace(1, 0.1, 4449))})
    lo, hi = plot.loss_plot.getPlotItem().vb.viewRange()[0]
    assert 4449 < hi <= 5000 * 1.05  # not 50,000: the curve fills the plot
    plot.expect_epochs(None)
    assert plot.loss_plot.getPlotItem().vb.viewRange()[0][1] < 4449 * 1.05


def test_cost_legend_sits_above_the_plots_and_never_over_the_curves(qtbot):
    from PySide6.QtWidgets import QLabel

    plot = CostPlot()
    qtbot.addWidget(plot)
    plot.resize(280, 240)
    plot.show()
    qtbot.waitExposed(plot)
    plot.set_history({"loss": [0.6, 0.4, 0.3], "val_loss": [0.6, 0.5, 0.55]})
    for widget in (plot.loss_plot, plot.metric_plot):
        view = widget.getPlotItem().vb.sceneBoundingRect()
        legends = [i for i in widget.scene().items() if isinstance(i, pg.LegendItem)]
        assert not any(i.isVisible() and i.sceneBoundingRect().intersects(view) for i in legends)
    key = plot.findChild(QLabel, "costLegend")
    assert key is not None and key.isVisible()
    assert "training" in key.text() and "validation" in key.text()
    assert TRAIN_PEN.color().name() in key.text() and VAL_PEN.color().name() in key.text()
    assert key.geometry().bottom() < plot.loss_plot.geometry().top()


@pytest.mark.parametrize("history", [{}, {"loss": [0.7]}, {"loss": [0.7, 0.6, 0.5]}])
def test_epoch_axis_ticks_whole_epochs_before_and_early_in_training(qtbot, history):
    plot = CostPlot()
    qtbot.addWidget(plot)
    plot.resize(300, 240)
    plot.show()
    qtbot.waitExposed(plot)
    plot.set_history(history)
    axis = plot.loss_plot.getAxis("bottom")
    lo, hi = plot.loss_plot.getPlotItem().vb.viewRange()[0]
    levels = axis.tickValues(lo, hi, axis.width())
    major = [v for v in levels[0][1] if lo <= v <= hi]
    assert len(major) >= 2
    assert all(float(v).is_integer() for v in major), major


def test_the_live_curves_are_drawn_with_one_pixel_pens(qtbot):
    """Every frame of a run repaints the cost curves; Qt strokes a wider pen as a polygon,
    which made the four curves ~6x as costly to paint (the frame budget then redrew the cost
    curve every 2 s). The curves, and other runs' curves drawn over them, stay thin."""
    from app.plots.run_overlays import RunOverlays
    from engine.project import CompileSpec, LayerSpec, TrainingSpec
    from engine.project.runs import Run

    plot = CostPlot()
    qtbot.addWidget(plot)
    plot.set_history({"loss": [0.7, 0.5, 0.4], "val_loss": [0.7, 0.6, 0.5]})
    history = {"loss": [0.8, 0.6, 0.5], "val_loss": [0.8, 0.7, 0.6]}
    run = Run("r1", "other", [LayerSpec(1, "sigmoid")], CompileSpec(), TrainingSpec(), "x", history)
    RunOverlays(plot).show([(run, (148, 103, 189))])
    drawn = plot.loss_plot.getPlotItem().listDataItems()
    assert len(drawn) == 4  # two live curves, two of the other run
    for curve in drawn:
        pen = curve.opts["pen"]
        assert pen.isCosmetic() and pen.widthF() <= 1
