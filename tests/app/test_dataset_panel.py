"""The dataset panel: built-in picker, CSV import through the real dialog, summary, preview."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.data import panel as panel_module
from app.data.import_dialog import CsvImportDialog
from app.data.panel import DatasetPanel
from engine.data import Dataset, builtin
from engine.project import DatasetSource, Project

CSV_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "csv"


def project_with(name: str, **params) -> Project:
    dataset = builtin(name, **params)
    project = Project()
    project.dataset = dataset
    project.dataset_source = DatasetSource.from_dataset(dataset)
    return project


@pytest.fixture
def panel(qtbot):
    widget = DatasetPanel()
    qtbot.addWidget(widget)
    widget.set_project(project_with("coffee"))
    return widget


def pick(panel: DatasetPanel, name: str) -> None:
    """Pick a built-in the way a person does (activated, not a programmatic change)."""
    index = panel.builtin_combo.findData(name)
    panel.builtin_combo.setCurrentIndex(index)
    panel.builtin_combo.activated.emit(index)


def test_set_project_shows_the_dataset(panel):
    assert panel.objectName() == "datasetPanel"
    assert panel.builtin_combo.currentData() == "coffee"
    text = panel.summary_label.text()
    assert "200 samples" in text and "binary" in text and "Temperature" in text
    assert "bad 159" in text  # class balance
    assert panel.preview_plot.point_count() == 200
    assert len(panel.preview_plot.scatter_items) == 2  # one colour per class
    assert panel.scaling_combo.currentData() == "standardize"


def test_picking_a_builtin_emits_a_real_dataset(qtbot, panel):
    with qtbot.waitSignal(panel.datasetChangeRequested) as blocker:
        pick(panel, "moons")
    source, dataset = blocker.args
    assert isinstance(dataset, Dataset) and dataset.name == "moons"
    assert dataset.n_samples == 200 and dataset.n_features == 2
    assert source.kind == "builtin" and source.name == "moons"
    assert source.params["n_samples"] == 200


def test_sample_noise_and_seed_controls_remake_the_data(qtbot, panel):
    with qtbot.waitSignal(panel.datasetChangeRequested) as blocker:
        panel.samples_spin.setValue(120)
    assert blocker.args[1].n_samples == 120
    with qtbot.waitSignal(panel.datasetChangeRequested) as blocker:
        panel.noise_spin.setValue(0.2)
    assert blocker.args[0].params["noise"] == pytest.approx(0.2)
    with qtbot.waitSignal(panel.datasetChangeRequested) as blocker:
        panel.seed_spin.setValue(7)
    assert blocker.args[0].params["seed"] == 7


def test_set_project_does_not_emit(qtbot, panel):
    with (
        qtbot.assertNotEmitted(panel.datasetChangeRequested),
        qtbot.assertNotEmitted(panel.scalingChangeRequested),
    ):
        panel.set_project(project_with("xor", n_samples=80, noise=0.3, seed=4))
    assert panel.samples_spin.value() == 80
    assert panel.noise_spin.value() == pytest.approx(0.3)
    assert panel.seed_spin.value() == 4


def test_fixed_dataset_has_no_noise_or_sample_controls(panel):
    panel.set_project(project_with("iris"))
    assert not panel.noise_spin.isEnabled() and not panel.samples_spin.isEnabled()
    assert "4 features in their principal-component plane" in (
        panel.preview_plot.plotItem.titleLabel.text
    )
    assert len(panel.preview_plot.scatter_items) == 3


def test_regression_preview_plots_feature_against_target(panel):
    panel.set_project(project_with("sine"))
    assert "regression" in panel.summary_label.text()
    assert panel.preview_plot.plotItem.getAxis("left").labelText == "y"
    assert panel.preview_plot.point_count() == 200


def test_builtin_error_is_shown_and_nothing_is_emitted(qtbot, panel):
    with qtbot.assertNotEmitted(panel.datasetChangeRequested):
        panel.load_builtin("coffee", n_samples=1)
    assert "n_samples" in panel.error_text() and "Received" in panel.error_text()
    with qtbot.waitSignal(panel.datasetChangeRequested):
        pick(panel, "circles")
    assert panel.error_text() == ""


def test_scaling_choice_emits_kind(qtbot, panel):
    with qtbot.waitSignal(panel.scalingChangeRequested) as blocker:
        index = panel.scaling_combo.findData("minmax")
        panel.scaling_combo.setCurrentIndex(index)
        panel.scaling_combo.activated.emit(index)
    assert blocker.args == ["minmax"]


def drive_dialog(choose_features=None, press_import=True):
    """A run_import_dialog replacement that uses the real dialog without a blocking exec."""

    def run(path, parent):
        dialog = CsvImportDialog(path, parent)
        if choose_features is not None:
            choose_features(dialog)
        if press_import:
            dialog.ok_button.click()
        return dialog.import_result()

    return run


def test_csv_import_through_the_dialog(qtbot, panel, monkeypatch):
    monkeypatch.setattr(panel_module, "ask_csv_path", lambda parent: str(CSV_DIR / "customers.csv"))

    def choose(dialog):
        dialog.scaling_combo.setCurrentIndex(dialog.scaling_combo.findData("none"))

    monkeypatch.setattr(panel_module, "run_import_dialog", drive_dialog(choose))
    with (
        qtbot.waitSignal(panel.datasetChangeRequested) as data_blocker,
        qtbot.waitSignal(panel.scalingChangeRequested) as scaling_blocker,
    ):
        qtbot.mouseClick(panel.import_button, Qt.MouseButton.LeftButton)
    source, dataset = data_blocker.args
    assert source.kind == "csv" and source.params["target"] == "churn"
    assert "customer_id" not in dataset.feature_names
    assert scaling_blocker.args == ["none"]


def test_broken_csv_shows_the_error_and_emits_nothing(qtbot, panel, monkeypatch):
    shown = []

    def run(path, parent):
        dialog = CsvImportDialog(path, parent)
        dialog.ok_button.click()  # the load fails: the dialog keeps its message, stays open
        shown.append(dialog.error_text())
        dialog.reject()  # the person gives up
        return dialog.import_result()

    monkeypatch.setattr(panel_module, "ask_csv_path", lambda parent: str(CSV_DIR / "broken.csv"))
    monkeypatch.setattr(panel_module, "run_import_dialog", run)
    with (
        qtbot.assertNotEmitted(panel.datasetChangeRequested),
        qtbot.assertNotEmitted(panel.scalingChangeRequested),
    ):
        panel.import_csv()
    assert "oops" in shown[0] and "line 3" in shown[0]


def test_cancelled_file_choice_does_nothing(qtbot, panel, monkeypatch):
    monkeypatch.setattr(panel_module, "ask_csv_path", lambda parent: "")
    with qtbot.assertNotEmitted(panel.datasetChangeRequested):
        panel.import_csv()


def test_csv_project_shows_file_placeholder(qtbot, panel):
    dialog_run = drive_dialog()
    source, dataset, _scaling = dialog_run(str(CSV_DIR / "customers.csv"), None)
    project = Project()
    project.dataset, project.dataset_source = dataset, source
    panel.set_project(project)
    assert panel.builtin_combo.currentData() is None
    assert "customers.csv" in panel.builtin_combo.currentText()
    assert not panel.samples_spin.isEnabled()
    with qtbot.waitSignal(panel.datasetChangeRequested):  # picking a built-in replaces it
        pick(panel, "xor")


def test_every_control_has_tooltip_and_accessible_name(panel):
    for widget in (
        panel.builtin_combo,
        panel.samples_spin,
        panel.noise_spin,
        panel.seed_spin,
        panel.import_button,
        panel.scaling_combo,
        panel.preview_plot,
        panel.summary_label,
    ):
        assert widget.toolTip() and widget.accessibleName(), widget.objectName()


def test_panel_renders(panel, tmp_path):
    panel.resize(300, 620)
    panel.show()
    assert panel.grab().save(str(tmp_path / "dataset_panel.png"))


def test_an_edit_that_keeps_the_dataset_does_not_redraw_the_preview(panel):
    items = list(panel.preview_plot.scatter_items)
    same = panel._project
    same.compile.learning_rate = 0.5
    panel.set_project(same)
    assert panel.preview_plot.scatter_items == items  # nothing rebuilt
    panel.set_project(project_with("coffee", n_samples=120))  # another dataset
    assert panel.preview_plot.point_count() == 120
    assert not set(map(id, panel.preview_plot.scatter_items)) & set(map(id, items))


def test_a_palette_change_redraws_the_preview_in_its_colours(panel):
    from PySide6.QtGui import QColor, QPalette

    items = list(panel.preview_plot.scatter_items)
    dark = QPalette(panel.palette())
    dark.setColor(QPalette.ColorRole.Base, QColor("#202020"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#f0f0f0"))
    panel.preview_plot.setPalette(dark)
    assert len(panel.preview_plot.scatter_items) == 2 and panel.preview_plot.point_count() == 200
    assert not set(map(id, panel.preview_plot.scatter_items)) & set(map(id, items))
