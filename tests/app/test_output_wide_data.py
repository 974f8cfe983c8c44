"""The Output view on wide data (issue #18): a 30-feature binary set and a 64-feature
10-class set (tests/fixtures/csv, made by scripts/make_wide_csv.py), through the real window."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QSlider, QTableWidget

from engine.data import load_csv
from engine.project import DatasetSource, runtime

CSV = Path(__file__).resolve().parents[1] / "fixtures" / "csv"


@pytest.fixture
def window(qtbot):
    from app.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    return w


def load(window, qtbot, name, target):
    dataset = load_csv(str(CSV / name), target=target)
    source = DatasetSource(kind="csv", name=name, params={"target": target}, path=str(CSV / name))
    window.dataset_panel.datasetChangeRequested.emit(source, dataset)
    output = window.training.output_view
    qtbot.waitUntil(
        lambda: (
            output.setup is not None
            and output.evaluation is not None
            and output.setup.feature_names == dataset.feature_names
        ),
        timeout=5000,
    )
    window.training.controller.refresh_views()
    return output


def model_predictions(window, split="validation"):
    """The window's network on every row of a split, computed without the views."""
    project = window.project
    prepared = runtime.prepare_data(project)
    x = prepared.x_val if split == "validation" else prepared.x_train
    y = prepared.y_val if split == "validation" else prepared.y_train
    model = runtime.build_model(project, seed=runtime.run_seed(project))
    probabilities = runtime.probabilities(project.compile, model.predict(x, verbose=0))
    actual = np.argmax(y, axis=1) if y.shape[1] > 1 else y[:, 0].astype(int)
    return probabilities, actual


def table_column(table: QTableWidget, column: int, rows: int) -> list[float]:
    return [table.item(r, column).data(Qt.ItemDataRole.UserRole) for r in range(rows)]


def test_digits_every_validation_row_counts_in_the_matrix_and_the_table(window, qtbot):
    output = load(window, qtbot, "digits_64.csv", "digit")
    n_val = len(output.setup.eval_sets["validation"].x)
    assert n_val == 300  # more than the 256 rows the old matrix sampled
    assert output.confusion_plot.matrix.sum() == n_val
    assert output.confusion_title.text() == "Confusion matrix (all 300 validation rows)"
    table = output.findChild(QTableWidget, "metricsTable")
    support = table_column(table, 4, 10)
    assert sum(support) == n_val
    # The same numbers as a direct count on the same predictions.
    probabilities, actual = model_predictions(window)
    predicted = np.argmax(probabilities, axis=1)
    for k in range(10):
        tp = np.sum((predicted == k) & (actual == k))
        precision = tp / max(np.sum(predicted == k), 1)
        recall = tp / np.sum(actual == k)
        assert table.item(k, 0).text() == f"d{k}"
        assert table_column(table, 1, 10)[k] == pytest.approx(precision)
        assert table_column(table, 2, 10)[k] == pytest.approx(recall)
        assert support[k] == np.sum(actual == k)
    assert table.item(10, 0).text() == "accuracy"
    assert table.item(10, 3).data(Qt.ItemDataRole.UserRole) == pytest.approx(
        np.mean(predicted == actual)
    )
    # The toggle: every training row instead.
    combo = output.findChild(QComboBox, "evaluationSetCombo")
    combo.setCurrentIndex(combo.findData("training"))
    qtbot.waitUntil(lambda: output.evaluation.split == "training", timeout=3000)
    assert sum(table_column(table, 4, 10)) == 1200 == output.confusion_plot.matrix.sum()


def test_digits_are_drawn_in_their_principal_component_plane_or_two_chosen_features(window, qtbot):
    output = load(window, qtbot, "digits_64.csv", "digit")
    boundary = output.boundary_plot
    assert boundary.kind == "boundary"
    combo = output.findChild(QComboBox, "projectionCombo")
    assert combo.isVisibleTo(output) and combo.currentData() == "pca"
    x_label = boundary.plot.getAxis("bottom").labelText
    assert x_label.startswith("PC1, ") and x_label.endswith("% of variance")
    # The points are the training rows' coordinates on the first two components.
    x_train = output.setup.eval_sets["training"].x.astype(np.float64)
    centred = x_train - x_train.mean(0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    drawn = np.column_stack(boundary.train_points.getData())
    assert np.allclose(np.abs(drawn), np.abs(centred @ vt[:2].T), atol=1e-4)
    first = boundary.last_output
    combo.setCurrentIndex(combo.findData("features"))
    output.findChild(QComboBox, "projectionXCombo").setCurrentIndex(9)
    output.findChild(QComboBox, "projectionYCombo").setCurrentIndex(36)
    qtbot.waitUntil(
        lambda: boundary.last_output is not first and output.setup.layout.choice == "features:9:36",
        timeout=3000,
    )
    assert boundary.plot.getAxis("bottom").labelText == "pixel_1_1"
    assert boundary.plot.getAxis("left").labelText == "pixel_4_4"
    raw = load_csv(str(CSV / "digits_64.csv"), target="digit").x
    x0, x1, _, _ = output.setup.extent
    assert x0 < raw[:, 9].min() and x1 > raw[:, 9].max()  # in the feature's own units


def test_tumours_roc_threshold_and_the_rows_of_a_cell(window, qtbot):
    output = load(window, qtbot, "tumours_30.csv", "diagnosis")
    assert output.tabs.isTabEnabled(3)
    curves = output.evaluation.curves
    probabilities, actual = model_predictions(window)
    pos, neg = probabilities[actual == 1, 1], probabilities[actual == 0, 1]
    pairs = (pos[:, None] > neg).mean() + 0.5 * (pos[:, None] == neg).mean()
    assert curves.roc_auc == pytest.approx(pairs)
    assert f"AUC {curves.roc_auc:.3f}" in output.roc_plot.plotItem.titleLabel.text
    slider = output.findChild(QSlider, "thresholdSlider")
    for value in (50, 80, 20):
        slider.setValue(value)
        predicted = (probabilities[:, 1] > value / 100).astype(int)
        expected = np.zeros((2, 2), int)
        np.add.at(expected, (actual, predicted), 1)
        assert output.confusion_plot.matrix.tolist() == expected.tolist()
    # Click the cell "benign predicted as malignant" with the mouse.
    output.tabs.setCurrentIndex(1)
    plot = output.confusion_plot
    qtbot.waitUntil(lambda: plot.isVisible() and plot.width() > 50, timeout=2000)
    qtbot.wait(50)
    centre = plot.mapFromScene(plot.cell_center(0, 1))
    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    wrong = np.flatnonzero((actual == 0) & (probabilities[:, 1] > 0.2))
    assert output.selected == (0, 1)
    rows = output.findChild(QTableWidget, "wrongRowsTable")
    assert rows.rowCount() == len(wrong) > 0
    numbers = [int(rows.item(r, 0).text()) for r in range(rows.rowCount())]
    val_rows = output.setup.eval_sets["validation"].rows
    assert numbers == (val_rows[wrong] + 1).tolist()
    assert rows.item(0, 1).text() == "benign" and rows.item(0, 2).text() == "malignant"
    assert float(rows.item(0, 3).text()) == pytest.approx(probabilities[wrong[0], 1], abs=1e-3)
    assert len(output.highlighted_points()) == len(wrong)


def test_the_metrics_follow_training_and_end_on_the_kept_weights(window, qtbot):
    output = load(window, qtbot, "tumours_30.csv", "diagnosis")
    window.project.training.epochs = 30
    controller = window.training.controller
    controller.train()
    qtbot.waitUntil(
        lambda: controller.state == "idle" and window.project.epochs_trained > 0, timeout=60000
    )
    qtbot.waitUntil(lambda: output.evaluation is not None, timeout=3000)
    probabilities, actual = model_predictions(window)
    project = window.project
    model = runtime.build_model(project)  # the kept weights
    prepared = runtime.prepare_data(project)
    kept = runtime.probabilities(project.compile, model.predict(prepared.x_val, verbose=0))
    assert np.allclose(output.evaluation.probabilities, kept, atol=1e-5)
    accuracy = output.metrics_table.item(2, 3).data(Qt.ItemDataRole.UserRole)
    assert accuracy == pytest.approx(np.mean((kept[:, 1] > 0.5) == actual))
