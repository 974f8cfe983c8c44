"""Labels read as English: "1 feature", "1 unit" (the window said "1 features", "1 units"),
and the dataset preview's axis titles fit their axes instead of running off the plot
(#13 item 17)."""

from __future__ import annotations

import numpy as np

from app.builder.canvas import column_specs
from app.data.preview_plot import DatasetPreviewPlot
from app.plots.activation_plot import describe_stats
from app.plots.stats import layer_stats
from engine.data import Dataset
from engine.project import DatasetSource

pytest_plugins = ["window_fixtures"]


def one_feature_dataset():
    x = np.linspace(-1, 1, 40)[:, None]
    return Dataset(
        x,
        (x[:, 0] > 0).astype(float),
        feature_names=["size"],
        target_name="big",
        class_names=["no", "yes"],
        name="sizes",
    )


def test_one_feature_and_one_unit_are_singular(window):
    data = one_feature_dataset()
    window.dataset_panel.datasetChangeRequested.emit(DatasetSource.from_dataset(data), data)
    specs = column_specs(window.project)
    assert specs[0].subtitle == "1 feature"
    assert specs[0].tooltip == "Inputs: 1 feature (size)"
    output = specs[-1]
    assert output.units == 1 and "Dense, 1 unit," in output.tooltip
    window.canvas.select_layer(len(window.project.layers) - 1)
    assert "1 bias)" in window.inspector.params_label.text()


def test_activation_panel_counts_one_unit():
    stats = layer_stats(np.zeros((5, 1)), "linear")
    assert describe_stats(stats)[0] == "1 unit"


def test_preview_axis_titles_fit_their_axes(qtbot):
    plot = DatasetPreviewPlot()
    qtbot.addWidget(plot)
    plot.resize(250, 190)
    plot.show()
    qtbot.waitExposed(plot)
    long_x, long_y = "Sepal length in centimetres (measured)", "Petal width of the flower in cm"
    x = np.random.default_rng(0).normal(size=(30, 2))
    plot.show_dataset(
        Dataset(
            x,
            (x[:, 0] > 0).astype(float),
            feature_names=[long_x, long_y],
            target_name="t",
            class_names=["a", "b"],
            name="long",
        )
    )
    qtbot.wait(50)
    view = plot.plotItem.vb.boundingRect()
    for name, length in (("bottom", view.width()), ("left", view.height())):
        label = plot.plotItem.getAxis(name).label
        assert label.isVisible() and plot.axis_title(name)
        assert label.boundingRect().width() <= length + 1, name
    assert long_x in plot.toolTip() and long_y in plot.toolTip()
    plot.resize(600, 400)  # room again: the whole title comes back
    qtbot.waitUntil(lambda: plot.axis_title("bottom") == long_x)
