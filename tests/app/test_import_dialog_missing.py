"""A file with missing values: the dialog's error names a choice the dialog offers (not the
API's drop_missing=True), and ticking it loads the file without those rows."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QCheckBox, QDialog

from app.data.import_dialog import CsvImportDialog


def test_missing_values_are_offered_as_a_choice(qtbot, tmp_path):
    path = tmp_path / "holes.csv"
    path.write_text("a,b,label\n1,2,0\n3,,1\n5,6,0\n7,8,1\n", encoding="utf-8")
    dialog = CsvImportDialog(path)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.import_result() is None
    error = dialog.error_text()
    assert "missing value" in error and "drop_missing" not in error
    check = dialog.findChild(QCheckBox, "dropMissingCheck")
    assert check.text().replace("&", "") in error
    check.setChecked(True)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    source, dataset, _scaling = dialog.import_result()
    assert dataset.n_samples == 3
    assert source.params["drop_missing"] is True


def test_missing_values_can_be_filled_with_the_column_mean(qtbot, tmp_path):
    path = tmp_path / "holes.csv"
    path.write_text("a,b,label\n1,2,0\n3,,1\n5,6,0\n7,8,1\n", encoding="utf-8")
    dialog = CsvImportDialog(path)
    qtbot.addWidget(dialog)
    dialog.show()
    check = dialog.findChild(QCheckBox, "fillMissingCheck")
    assert check is not None and check.isVisible()
    # On the box itself: the middle of a wide check box is empty space offscreen.
    qtbot.mouseClick(check, Qt.MouseButton.LeftButton, pos=QPoint(8, check.height() // 2))
    assert check.isChecked()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    source, dataset, _scaling = dialog.import_result()
    assert dataset.n_samples == 4  # the row is kept
    assert dataset.x[1].tolist() == pytest.approx([3, 16 / 3])  # b's mean over 2, 6 and 8
    assert source.params["fill_missing"] == "mean"
