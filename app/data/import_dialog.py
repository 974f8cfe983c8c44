"""The CSV import dialog: look at the first rows, pick the target and the features, load.

The engine does the reading: engine.data.preview_csv detects the layout (delimiter, header,
column kinds, ID-like columns) and engine.data.load_csv loads with the choices made here.
A load error is shown inside the dialog, which stays open so the person can fix the choice.
After exec() returns Accepted, import_result() is (DatasetSource, Dataset, scaling kind).
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.status_state import busy
from app.wording import count
from engine import data as engine_data
from engine.errors import EngineError
from engine.project import DatasetSource

from .scaling_choice import fill_scaling_combo

PREVIEW_ROWS = 20
BAD_CELL = re.compile(r"line (\d+), column '([^']*)'")  # how engine.data names a bad cell
DELIMITER_CHOICES = (("Comma (,)", ","), ("Semicolon (;)", ";"), ("Tab", "\t"))
TARGET_TYPES = (
    (
        "Detect",
        "auto",
        "Numbers with at most 10 distinct whole values become classes; "
        "anything else is a value to predict.",
    ),
    ("Classes (classification)", "classes", "Each distinct value is a class."),
    ("Values (regression)", "values", "Predict the number itself."),
)


def _load_errors() -> tuple[type[BaseException], ...]:
    # The engine reports every bad file as a DatasetError; OSError/ValueError cover a file
    # that vanished or an argument the engine did not anticipate, so the dialog never crashes.
    return (EngineError, OSError, ValueError)


class CsvImportDialog(QDialog):
    """Import a CSV file. Construct with the file path, exec(), then import_result()."""

    def __init__(self, path: str | Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = str(path)
        self.preview: engine_data.CsvPreview | None = None
        self._result: tuple[DatasetSource, engine_data.Dataset, str] | None = None
        self.setObjectName("csvImportDialog")
        self.setWindowTitle(f"Import CSV — {Path(self.path).name}")
        self.setAccessibleName("Import CSV dataset")
        self.resize(720, 560)
        self._build()
        self._load_preview(delimiter=None, header="auto")
        self.target_combo.setFocus()

    # -- public -------------------------------------------------------------------------

    def import_result(self) -> tuple[DatasetSource, engine_data.Dataset, str] | None:
        """(source, dataset, scaling) after a successful load; None before or if cancelled."""
        return self._result

    def target(self) -> str | None:
        return self.target_combo.currentText() or None

    def features(self) -> list[str]:
        """Ticked feature columns, in file order (the target is never among them)."""
        out = []
        for i in range(self.feature_list.count()):
            item = self.feature_list.item(i)
            if item.checkState() == Qt.CheckState.Checked and not item.isHidden():
                out.append(item.text())
        return out

    def set_feature_checked(self, name: str, checked: bool) -> None:
        for i in range(self.feature_list.count()):
            item = self.feature_list.item(i)
            if item.text() == name:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                return
        raise KeyError(f"No column {name!r}; columns: {self._columns()}")

    def delimiter(self) -> str:
        """The delimiter chosen in the (editable) combo: a listed choice or a typed character."""
        text = self.delimiter_combo.currentText()
        for label, value in DELIMITER_CHOICES:
            if text == label:
                return value
        if text.strip().lower() in ("tab", "\\t"):
            return "\t"
        return text.strip()[:1] or ","

    def error_text(self) -> str:
        return self.error_label.text()

    def accept(self) -> None:
        """Load with the current choices; stay open and show the engine's message on error."""
        target, features = self.target(), self.features()
        if target is None or not features:
            self._show_error("Pick a target column and tick at least one feature column.")
            return
        params = {
            "target": target,
            "features": features,
            "delimiter": self.delimiter(),
            "header": self.header_check.isChecked(),
            "target_type": self.target_type_combo.currentData(),
            "drop_missing": self.drop_missing_check.isChecked(),
        }
        if self.fill_missing_check.isChecked():
            params["fill_missing"] = "mean"
        try:
            with busy(self.parentWidget(), f"Importing {Path(self.path).name}…"):
                dataset = engine_data.load_csv(self.path, **params)
        except _load_errors() as exc:
            self._show_error(_in_dialog_words(str(exc)))
            self._point_at_bad_cell(str(exc))
            return
        self._result = (
            DatasetSource.from_dataset(dataset),
            dataset,
            self.scaling_combo.currentData(),
        )
        super().accept()

    # -- building -----------------------------------------------------------------------

    def _build(self) -> None:
        file_label = QLabel(f"<b>{Path(self.path).name}</b>", self)
        file_label.setObjectName("csvFileLabel")
        file_label.setToolTip(self.path)
        file_label.setAccessibleName("File")

        self.delimiter_combo = QComboBox(self)
        self.delimiter_combo.setObjectName("delimiterCombo")
        self.delimiter_combo.setEditable(True)
        for label, _value in DELIMITER_CHOICES:
            self.delimiter_combo.addItem(label)
        self.delimiter_combo.setToolTip(
            "The character between values, detected from the file. "
            "Pick another or type one (e.g. |)."
        )
        self.delimiter_combo.setAccessibleName("Delimiter")
        self.header_check = QCheckBox("First row is a header", self)
        self.header_check.setObjectName("headerCheck")
        self.header_check.setToolTip("Whether the first row names the columns (detected).")
        self.header_check.setAccessibleName("First row is a header")

        self.table = QTableWidget(self)
        self.table.setObjectName("csvPreviewTable")
        self.table.setToolTip(f"The first {PREVIEW_ROWS} rows of the file, as written.")
        self.table.setAccessibleName("Preview of the first rows")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setDefaultSectionSize(22)

        self.info_label = QLabel(self)
        self.info_label.setObjectName("csvInfoLabel")
        self.info_label.setWordWrap(True)
        self.info_label.setAccessibleName("What was detected")
        self.info_label.setToolTip("What was detected in the file")

        self.target_combo = QComboBox(self)
        self.target_combo.setObjectName("targetCombo")
        self.target_combo.setToolTip("The column to predict (y).")
        self.target_combo.setAccessibleName("Target column")
        self.target_type_combo = QComboBox(self)
        self.target_type_combo.setObjectName("targetTypeCombo")
        for label, value, tip in TARGET_TYPES:
            self.target_type_combo.addItem(label, value)
            self.target_type_combo.setItemData(
                self.target_type_combo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole
            )
        self.target_type_combo.setToolTip(
            "Treat a numeric target as classes or as values. Text targets are always classes."
        )
        self.target_type_combo.setAccessibleName("Target is classes or values")

        self.feature_list = QListWidget(self)
        self.feature_list.setObjectName("featureList")
        self.feature_list.setToolTip(
            "Tick the columns to use as inputs (x). ID-like columns "
            "start unticked: they carry no information."
        )
        self.feature_list.setAccessibleName("Feature columns")
        self.feature_list.setMaximumHeight(150)

        self.scaling_combo = QComboBox(self)
        self.scaling_combo.setObjectName("importScalingCombo")
        fill_scaling_combo(self.scaling_combo)
        self.scaling_combo.setAccessibleName("Feature scaling")

        # The engine's drop_missing, as a choice in the dialog (its error message used to
        # suggest an API parameter the dialog did not offer).
        self.drop_missing_check = QCheckBox("Leave out rows with a missing value", self)
        self.drop_missing_check.setObjectName("dropMissingCheck")
        self.drop_missing_check.setToolTip(
            "Rows with an empty or NA cell in a used column are "
            "left out (the dataset's notes say which lines)."
        )
        self.drop_missing_check.setAccessibleName("Leave out rows with a missing value")
        # Leaving rows out throws away their other cells; a column's mean keeps the row (the
        # engine's fill_missing="mean"). A missing target is never guessed: the check above
        # still decides those rows, so both can be ticked.
        self.fill_missing_check = QCheckBox("Fill a missing value with its column's mean", self)
        self.fill_missing_check.setObjectName("fillMissingCheck")
        self.fill_missing_check.setToolTip(
            "An empty or NA cell in a numeric feature column "
            "becomes the mean of that column's values (the "
            "dataset's notes say how many)."
        )
        self.fill_missing_check.setAccessibleName("Fill a missing value with its column's mean")

        self.error_label = QLabel(self)
        self.error_label.setObjectName("importError")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.setStyleSheet("color: #d64541;")  # red reads on light and dark
        self.error_label.setAccessibleName("Import error")
        self.error_label.setToolTip("Why the file could not be loaded")
        self.error_label.hide()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Import")
        self.ok_button.setObjectName("importButton")
        self.ok_button.setToolTip("Load the file with these choices.")
        self.ok_button.setAccessibleName("Import")
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setToolTip("Close without changing the dataset.")
        cancel.setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(file_label, 1)
        top.addWidget(QLabel("Delimiter:", self))
        top.addWidget(self.delimiter_combo)
        top.addWidget(self.header_check)

        form = QFormLayout()
        form.addRow("Target (y):", self.target_combo)
        form.addRow("Target is:", self.target_type_combo)
        form.addRow("Features (x):", self.feature_list)
        form.addRow("Scaling:", self.scaling_combo)
        missing = QVBoxLayout()
        missing.addWidget(self.drop_missing_check)
        missing.addWidget(self.fill_missing_check)
        form.addRow("Missing values:", missing)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.info_label)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

        self.delimiter_combo.activated.connect(self._relayout)
        self.delimiter_combo.lineEdit().editingFinished.connect(self._relayout)
        self.header_check.toggled.connect(self._relayout)
        self.target_combo.currentTextChanged.connect(self._target_changed)
        self.feature_list.itemChanged.connect(self._update_ok)

    # -- preview ------------------------------------------------------------------------

    def _relayout(self, *_args) -> None:
        self._load_preview(delimiter=self.delimiter(), header=self.header_check.isChecked())

    def _load_preview(self, delimiter: str | None, header) -> None:
        try:
            preview = engine_data.preview_csv(
                self.path, n_rows=PREVIEW_ROWS, delimiter=delimiter, header=header
            )
        except _load_errors() as exc:
            self.preview = None
            self.table.clear()
            self.table.setRowCount(0)
            self.table.setColumnCount(0)
            self.target_combo.clear()
            self.feature_list.clear()
            self._show_error(str(exc))
            self._update_ok()
            return
        self.preview = preview
        self._clear_error()
        self._show_layout_controls(preview)
        self._fill_table(preview)
        self._fill_columns(preview)
        rows = (
            "?"
            if preview.n_rows_total is None
            else f"{'' if preview.n_rows_exact else '~'}{preview.n_rows_total}"
        )
        info = [
            f"{rows} {'row' if rows == '1' else 'rows'} × {count(len(preview.columns), 'column')}, "
            f"{preview.delimiter_name}-"
            f"separated{', decimal comma' if preview.decimal == ',' else ''}."
        ]
        if preview.id_columns:
            info.append(f"Looks like an ID, left out: {', '.join(preview.id_columns)}.")
        info += preview.notes
        self.info_label.setText(" ".join(info))

    def _show_layout_controls(self, preview) -> None:
        for widget in (self.delimiter_combo, self.header_check):
            widget.blockSignals(True)
        labels = {value: label for label, value in DELIMITER_CHOICES}
        self.delimiter_combo.setCurrentText(labels.get(preview.delimiter, preview.delimiter))
        self.header_check.setChecked(preview.has_header)
        for widget in (self.delimiter_combo, self.header_check):
            widget.blockSignals(False)

    def _fill_table(self, preview) -> None:
        self.table.clear()
        self.table.setColumnCount(len(preview.columns))
        self.table.setRowCount(len(preview.rows))
        self.table.setHorizontalHeaderLabels(preview.columns)
        for r, row in enumerate(preview.rows):
            for c, cell in enumerate(row[: len(preview.columns)]):
                item = QTableWidgetItem(cell)
                if preview.column_kinds[c] == "numeric":
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()

    def _fill_columns(self, preview) -> None:
        previous_target = self.target_combo.currentText()
        previous_unticked = {
            self.feature_list.item(i).text()
            for i in range(self.feature_list.count())
            if self.feature_list.item(i).checkState() != Qt.CheckState.Checked
        }
        self.target_combo.blockSignals(True)
        self.target_combo.clear()
        self.target_combo.addItems(preview.columns)
        target = previous_target if previous_target in preview.columns else preview.suggested_target
        self.target_combo.setCurrentText(target)
        self.target_combo.blockSignals(False)

        self.feature_list.blockSignals(True)
        self.feature_list.clear()
        for name, kind in zip(preview.columns, preview.column_kinds):
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            unticked = name in preview.id_columns or name in previous_unticked
            item.setCheckState(Qt.CheckState.Unchecked if unticked else Qt.CheckState.Checked)
            item.setToolTip(
                f"{name}: {kind}" + (" (text: one-hot encoded)" if kind == "text" else "")
            )
            self.feature_list.addItem(item)
        self.feature_list.blockSignals(False)
        self._target_changed(target)

    def _target_changed(self, target: str) -> None:
        """The target is never a feature; a text target can only be classes."""
        for i in range(self.feature_list.count()):
            item = self.feature_list.item(i)
            item.setHidden(item.text() == target)
        self._mark_target_column(target)
        kind = self._kind_of(target)
        self.target_type_combo.setEnabled(kind == "numeric")
        if kind == "text":
            self.target_type_combo.setCurrentIndex(1)
        elif (
            self.target_type_combo.currentData() == "classes"
            and not self.target_type_combo.isEnabled()
        ):
            self.target_type_combo.setCurrentIndex(0)
        self._update_ok()

    def _mark_target_column(self, target: str) -> None:
        for c in range(self.table.columnCount()):
            header = self.table.horizontalHeaderItem(c)
            if header is None:
                continue
            font = QFont(self.table.font())
            font.setBold(header.text() == target)
            header.setFont(font)
            header.setToolTip("Target (y)" if header.text() == target else "")

    def _kind_of(self, column: str) -> str | None:
        if self.preview is None or column not in self.preview.columns:
            return None
        return self.preview.column_kinds[self.preview.columns.index(column)]

    def _columns(self) -> list[str]:
        return [] if self.preview is None else list(self.preview.columns)

    def _update_ok(self, *_args) -> None:
        self.ok_button.setEnabled(
            self.preview is not None and bool(self.features()) and self.target() is not None
        )

    def _point_at_bad_cell(self, message: str) -> None:
        """Select the preview cell an engine message names ("line 3, column 'x2'"), when it
        is among the previewed rows, so the person sees the bad value in place."""
        match = BAD_CELL.search(message)
        if match is None or self.preview is None:
            return
        row = int(match.group(1)) - 1 - int(self.preview.has_header)
        column = match.group(2)
        if column not in self.preview.columns or not 0 <= row < self.table.rowCount():
            return
        item = self.table.item(row, self.preview.columns.index(column))
        if item is not None:
            self.table.setCurrentItem(item)
            self.table.scrollToItem(item)

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    def _clear_error(self) -> None:
        self.error_label.clear()
        self.error_label.hide()


def _in_dialog_words(message: str) -> str:
    """The engine speaks to programmers ("load with drop_missing=True"); here the same
    choice is the dialog's check box."""
    return message.replace(
        "or load with drop_missing=True to leave out rows with missing values",
        'or tick "Leave out rows with a missing value"',
    ).replace("or load with drop_missing=True", 'or tick "Leave out rows with a missing value"')
