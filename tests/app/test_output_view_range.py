"""The Output view fits the data of every dataset it is shown: a curve or predicted-vs-actual
view used to keep the previous dataset's range (coffee -> linear showed x 140-295 for data
at x 0.5-3.5: empty axes)."""

from __future__ import annotations

import numpy as np
import pytest

pytest_plugins = ["window_fixtures"]


def pick_builtin(window, qtbot, name: str) -> None:
    combo = window.dataset_panel.builtin_combo
    combo.setCurrentIndex(combo.findData(name))
    combo.activated.emit(combo.currentIndex())
    assert window.project.dataset_source.name == name
    controller = window.training.controller
    controller.refresh_views()  # what the 150 ms idle timer does


def assert_shows(plot, xs, ys):
    (x0, x1), (y0, y1) = plot.plot.getPlotItem().vb.viewRange()
    assert x0 <= np.min(xs) and np.max(xs) <= x1, (x0, x1, np.min(xs), np.max(xs))
    assert y0 <= np.min(ys) and np.max(ys) <= y1, (y0, y1, np.min(ys), np.max(ys))
    # ...and is not much wider than the data, so the data fills the view.
    assert (x1 - x0) < 2 * (np.max(xs) - np.min(xs)) + 1e-6
    assert (y1 - y0) < 2 * (np.max(ys) - np.min(ys)) + 1e-6


@pytest.mark.parametrize("before", ["coffee", "iris", "sine"])
def test_the_fitted_curve_view_fits_the_new_data(window, qtbot, before):
    pick_builtin(window, qtbot, before)
    pick_builtin(window, qtbot, "linear")
    plot = window.training.boundary_plot
    assert plot.kind == "curve"
    setup = plot.setup
    assert_shows(plot, setup.train_points[:, 0], setup.train_targets)


def test_the_sine_curve_after_iris_shows_the_whole_wave(window, qtbot):
    pick_builtin(window, qtbot, "iris")
    assert window.training.boundary_plot.kind == "boundary"  # iris: its PCA plane
    pick_builtin(window, qtbot, "sine")
    plot = window.training.boundary_plot
    assert_shows(plot, plot.setup.train_points[:, 0], plot.setup.train_targets)


def test_predicted_vs_actual_fits_an_imported_regression_table(window, qtbot, tmp_path):
    from engine.data import Dataset
    from engine.project import DatasetSource

    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 3)) * 50 + 1000
    y = x.sum(axis=1) / 10
    dataset = Dataset(x, y, feature_names=["a", "b", "c"], target_name="t", name="table")
    pick_builtin(window, qtbot, "coffee")
    window.dataset_panel.datasetChangeRequested.emit(
        DatasetSource(kind="csv", name="table.csv"), dataset
    )
    window.training.controller.refresh_views()
    plot = window.training.boundary_plot
    assert plot.kind == "scatter"
    assert_shows(plot, plot.setup.output_targets, plot.setup.output_targets)


def test_opening_a_project_fits_its_data(make_window, qtbot, tmp_path):
    from engine.project import Project

    window = make_window()
    pick_builtin(window, qtbot, "linear")
    path = tmp_path / "linear.nnproj"
    window.project.save(path)
    pick_builtin(window, qtbot, "coffee")
    window.files.open_path(path, ask=False)
    window.training.controller.refresh_views()
    plot = window.training.boundary_plot
    assert plot.kind == "curve"
    assert_shows(plot, plot.setup.train_points[:, 0], plot.setup.train_targets)
    assert isinstance(window.project, Project)
