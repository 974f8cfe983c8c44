"""The CSV import dialog, on the fixture files in tests/fixtures/csv/."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from app.data.import_dialog import CsvImportDialog
from engine.data import Dataset
from engine.project import DatasetSource

CSV_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "csv"


@pytest.fixture
def open_dialog(qtbot):
    def make(name: str) -> CsvImportDialog:
        dialog = CsvImportDialog(CSV_DIR / name)
        qtbot.addWidget(dialog)
        return dialog

    return make


def test_preview_shows_first_rows_and_detected_layout(open_dialog):
    dialog = open_dialog("customers.csv")
    assert dialog.table.columnCount() == 6 and dialog.table.rowCount() == 12
    assert dialog.table.horizontalHeaderItem(0).text() == "customer_id"
    assert dialog.table.item(1, 5).text() == "yes"
    assert dialog.delimiter() == "," and dialog.header_check.isChecked()
    assert dialog.target() == "churn"
    # The ID column starts unticked, the target is not offered as a feature.
    assert dialog.features() == ["age", "income", "visits", "plan"]
    assert "customer_id" in dialog.info_label.text()
    # A text target can only be classes.
    assert not dialog.target_type_combo.isEnabled()
    assert dialog.target_type_combo.currentData() == "classes"


def test_ok_loads_and_returns_source_dataset_and_scaling(qtbot, open_dialog):
    dialog = open_dialog("customers.csv")
    dialog.scaling_combo.setCurrentIndex(dialog.scaling_combo.findData("minmax"))
    dialog.set_feature_checked("plan", False)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    source, dataset, scaling = dialog.import_result()
    assert isinstance(source, DatasetSource) and isinstance(dataset, Dataset)
    assert source.kind == "csv" and Path(source.path) == (CSV_DIR / "customers.csv").resolve()
    assert source.params["target"] == "churn"
    assert source.params["features"] == ["age", "income", "visits"]
    assert dataset.feature_names == ["age", "income", "visits"]
    assert dataset.class_names == ["no", "yes"] and dataset.n_samples == 12
    assert scaling == "minmax"


def test_semicolon_file_with_decimal_commas(qtbot, open_dialog):
    dialog = open_dialog("housing_semicolon.csv")
    assert dialog.delimiter() == ";"
    assert "decimal comma" in dialog.info_label.text()
    assert dialog.target() == "price" and dialog.target_type_combo.isEnabled()
    dialog.target_type_combo.setCurrentIndex(dialog.target_type_combo.findData("values"))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    _source, dataset, _scaling = dialog.import_result()
    assert dataset.task == "regression"
    np.testing.assert_allclose(dataset.x[0], [1.2, 3, 12])
    assert dataset.y[0, 0] == pytest.approx(215.5)


def test_changing_the_delimiter_re_reads_the_columns(qtbot, open_dialog):
    dialog = open_dialog("housing_semicolon.csv")
    dialog.delimiter_combo.setCurrentIndex(0)  # comma: the decimal commas split the cells
    dialog.delimiter_combo.activated.emit(0)
    assert dialog.delimiter() == ","
    assert dialog.table.columnCount() != 4


def test_changing_the_target_moves_it_out_of_the_features(open_dialog):
    dialog = open_dialog("customers.csv")
    dialog.target_combo.setCurrentText("age")
    assert "age" not in dialog.features() and "plan" in dialog.features()
    assert dialog.target_type_combo.isEnabled()  # numeric target: classes or values


def test_broken_file_shows_the_engine_error_and_stays_open(qtbot, open_dialog):
    dialog = open_dialog("broken.csv")
    dialog.show()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.import_result() is None
    assert dialog.isVisible()
    assert "line 3" in dialog.error_text() and "oops" in dialog.error_text()
    assert dialog.error_label.isVisible()
    # The bad cell is selected in the preview.
    assert (dialog.table.currentRow(), dialog.table.currentColumn()) == (1, 1)
    assert dialog.table.currentItem().text() == "oops"


def test_unreadable_file_disables_import(open_dialog, tmp_path, qtbot):
    binary = tmp_path / "data.csv"
    binary.write_bytes(b"PK\x03\x04 not a csv")
    dialog = CsvImportDialog(binary)
    qtbot.addWidget(dialog)
    assert "zip" in dialog.error_text()
    assert not dialog.ok_button.isEnabled()


def test_no_features_ticked_is_refused(qtbot, open_dialog):
    dialog = open_dialog("customers.csv")
    for name in dialog.features():
        dialog.set_feature_checked(name, False)
    assert not dialog.ok_button.isEnabled()
    dialog.accept()
    assert dialog.import_result() is None and "feature" in dialog.error_text()


def test_every_control_has_tooltip_and_accessible_name(open_dialog):
    dialog = open_dialog("customers.csv")
    for widget in (
        dialog.delimiter_combo,
        dialog.header_check,
        dialog.table,
        dialog.target_combo,
        dialog.target_type_combo,
        dialog.feature_list,
        dialog.scaling_combo,
        dialog.ok_button,
    ):
        assert widget.toolTip() and widget.accessibleName(), widget.objectName()


def test_dialog_renders(open_dialog, tmp_path):
    dialog = open_dialog("customers.csv")
    dialog.show()
    assert dialog.grab().save(str(tmp_path / "import_dialog.png"))
