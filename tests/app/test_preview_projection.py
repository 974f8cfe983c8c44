"""The dataset preview of wide data: the plane of the first two principal components of the
standardised features by default (checked against an SVD), or two features chosen by name."""

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QComboBox

from app.data.panel import DatasetPanel
from engine.data import load_csv
from engine.project import DatasetSource, Project

DIGITS = Path(__file__).resolve().parents[1] / "fixtures" / "csv" / "digits_64.csv"


@pytest.fixture
def panel_with_digits(qtbot):
    dataset = load_csv(DIGITS, target="digit")
    project = Project(dataset=dataset, dataset_source=DatasetSource.from_dataset(dataset))
    panel = DatasetPanel()
    qtbot.addWidget(panel)
    panel.set_project(project)
    panel.resize(420, 700)
    panel.show()
    return panel, dataset


def _points(preview) -> np.ndarray:
    return np.concatenate([np.column_stack(item.getData()) for item in preview.scatter_items])


def test_64_features_are_shown_in_their_principal_component_plane(panel_with_digits):
    panel, dataset = panel_with_digits
    combo = panel.findChild(QComboBox, "projectionCombo")
    assert combo is not None and combo.isVisible() and combo.currentData() == "pca"
    preview = panel.preview_plot
    assert preview.full_axis_title("bottom").startswith("PC1, ")
    assert preview.full_axis_title("left").startswith("PC2, ")

    x = dataset.x.astype(np.float64)
    spread = x.std(axis=0)
    z = (x - x.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
    _, s, vt = np.linalg.svd(z - z.mean(axis=0), full_matrices=False)
    expected = (z - z.mean(axis=0)) @ vt[:2].T
    shown = _points(preview)
    assert len(shown) == len(expected)  # every row (under the preview's point limit)
    # The same plane up to each component's sign, and the same spread along it.
    for k in range(2):
        assert np.isclose(
            np.sort(np.abs(shown[:, k])).sum(), np.sort(np.abs(expected[:, k])).sum(), rtol=1e-4
        )
    share = s[0] ** 2 / np.sum(s**2)
    assert f"{share:.0%} of variance" in preview.full_axis_title("bottom")


def test_two_features_chosen_by_name(panel_with_digits):
    panel, dataset = panel_with_digits
    panel.projection_combo.setCurrentIndex(panel.projection_combo.findData("features"))
    panel.projection_x_combo.setCurrentIndex(10)
    panel.projection_y_combo.setCurrentIndex(20)
    preview = panel.preview_plot
    assert preview.full_axis_title("bottom") == dataset.feature_names[10]
    assert preview.full_axis_title("left") == dataset.feature_names[20]
    shown = _points(preview)
    assert np.allclose(np.sort(shown[:, 0]), np.sort(dataset.x[:, 10]))


def test_two_feature_data_needs_no_projection(qtbot):
    panel = DatasetPanel()
    qtbot.addWidget(panel)
    from engine.data import builtin

    dataset = builtin("moons")
    panel.set_project(Project(dataset=dataset, dataset_source=DatasetSource.from_dataset(dataset)))
    panel.show()
    assert not panel.projection_row.isVisible()
