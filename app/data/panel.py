"""The dataset panel: pick a built-in dataset or import a CSV, see what the data looks like.

The panel never changes the project. It loads the dataset itself (so a loading error is shown
here, with the engine's message, and nothing changes) and emits
datasetChangeRequested(DatasetSource, Dataset); a scaling change emits
scalingChangeRequested(kind). The window applies both as undo commands and calls
set_project() with the result.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.plots.class_colours import class_colour
from app.wording import count
from engine import data as engine_data
from engine.errors import EngineError
from engine.project import DatasetSource

from .import_dialog import CsvImportDialog
from .preview_plot import DatasetPreviewPlot
from .scaling_choice import fill_scaling_combo, select_scaling

MAX_SEED = 2**31 - 1


def ask_csv_path(parent: QWidget) -> str:
    """Ask for a CSV file; "" when cancelled. Module-level so tests can replace it."""
    path, _filter = QFileDialog.getOpenFileName(
        parent, "Import CSV dataset", "", "CSV files (*.csv *.tsv *.txt);;All files (*)"
    )
    return path


def run_import_dialog(path: str, parent: QWidget):
    """Show the import dialog for `path`; its import_result() or None when cancelled.
    Module-level so tests can drive the real dialog without a blocking exec()."""
    dialog = CsvImportDialog(path, parent)
    try:
        if dialog.exec() == CsvImportDialog.DialogCode.Accepted:
            return dialog.import_result()
        return None
    finally:
        dialog.deleteLater()


class DatasetPanel(QWidget):
    """Built-in picker, CSV import, summary, scatter preview and scaling choice."""

    datasetChangeRequested = Signal(object, object)  # (DatasetSource, engine.data.Dataset)
    scalingChangeRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("datasetPanel")
        self.setAccessibleName("Dataset panel")
        self.setToolTip("The training data: pick a built-in dataset or import a CSV file.")
        self._project = None
        self._updating = False  # True while set_project fills the controls
        self._build()
        self._show_builtin_controls(self.builtin_combo.currentData())
        self._show_dataset(None)

    # -- public -------------------------------------------------------------------------

    def set_project(self, project) -> None:
        """Show project.dataset, its source's parameters and project.training.scaling."""
        self._project = project
        self._updating = True
        try:
            source = getattr(project, "dataset_source", None)
            if source is not None and source.kind == "builtin" and source.name:
                self._select_builtin(source.name)
                self._show_builtin_controls(source.name, source.params)
            else:
                self._select_csv_placeholder(source)
            select_scaling(self.scaling_combo, project.training.scaling)
        finally:
            self._updating = False
        self._show_dataset(project.dataset)

    def load_builtin(
        self,
        name: str,
        n_samples: int | None = None,
        noise: float | None = None,
        seed: int | None = None,
    ) -> None:
        """Make the built-in dataset `name` with the given (or the panel's) parameters and
        emit datasetChangeRequested; on failure show the engine's message instead."""
        if n_samples is None and self.samples_spin.isEnabled():
            n_samples = self.samples_spin.value()
        if noise is None and self.noise_spin.isEnabled():
            noise = self.noise_spin.value()
        seed = self.seed_spin.value() if seed is None else seed
        try:
            dataset = engine_data.builtin(name, n_samples=n_samples, noise=noise, seed=seed)
        except (EngineError, ValueError, TypeError) as exc:
            self.show_error(f"Could not make the {name} dataset: {exc}")
            return
        self.clear_error()
        self.datasetChangeRequested.emit(DatasetSource.from_dataset(dataset), dataset)

    def import_csv(self, path: str | None = None) -> None:
        """Ask for a CSV file (unless given), run the import dialog, emit on success."""
        path = path or ask_csv_path(self)
        if not path:
            return
        result = run_import_dialog(path, self)
        if result is None:
            return
        source, dataset, scaling = result
        self.clear_error()
        self.datasetChangeRequested.emit(source, dataset)
        current = self._project.training.scaling if self._project is not None else None
        if scaling != current:
            self.scalingChangeRequested.emit(scaling)

    def open_import_dialog(self, path: str | None = None) -> None:
        """The menu's File ▸ Import Dataset…: same as the Import CSV… button."""
        self.import_csv(path)

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    def clear_error(self) -> None:
        self.error_label.clear()
        self.error_label.hide()

    def error_text(self) -> str:
        return self.error_label.text()

    # -- building -----------------------------------------------------------------------

    def _build(self) -> None:
        self.builtin_combo = QComboBox(self)
        self.builtin_combo.setObjectName("builtinDatasetCombo")
        self.builtin_combo.setAccessibleName("Built-in dataset")
        self.builtin_combo.setToolTip("A built-in dataset to train on.")
        for name, description in engine_data.describe_builtins():
            self.builtin_combo.addItem(name, name)
            self.builtin_combo.setItemData(
                self.builtin_combo.count() - 1, description, Qt.ItemDataRole.ToolTipRole
            )
        self.description_label = QLabel(self)
        self.description_label.setObjectName("datasetDescription")
        self.description_label.setWordWrap(True)
        self.description_label.setEnabled(False)  # secondary text colour
        self.description_label.setAccessibleName("Dataset description")
        self.description_label.setToolTip("What this dataset is")

        self.samples_spin = QSpinBox(self)
        self.samples_spin.setObjectName("samplesSpin")
        self.samples_spin.setAccessibleName("Number of samples")
        self.samples_spin.setToolTip("How many samples to generate.")
        self.noise_spin = QDoubleSpinBox(self)
        self.noise_spin.setObjectName("noiseSpin")
        self.noise_spin.setAccessibleName("Noise")
        self.seed_spin = QSpinBox(self)
        self.seed_spin.setObjectName("datasetSeedSpin")
        self.seed_spin.setRange(0, MAX_SEED)
        self.seed_spin.setAccessibleName("Dataset seed")
        self.seed_spin.setToolTip("The random seed: the same seed always makes the same data.")
        for spin in (self.samples_spin, self.noise_spin, self.seed_spin):
            spin.setKeyboardTracking(False)  # one request per finished edit, not per keystroke

        self.import_button = QPushButton("Import CSV…", self)
        self.import_button.setObjectName("importCsvButton")
        self.import_button.setAccessibleName("Import CSV file")
        self.import_button.setToolTip(
            "Load your own table from a CSV file: preview it, pick "
            "the target and the feature columns."
        )

        source_box = QGroupBox("Source", self)
        form = QFormLayout(source_box)
        form.addRow("Built-in:", self.builtin_combo)
        form.addRow(self.description_label)
        form.addRow("Samples:", self.samples_spin)
        form.addRow("Noise:", self.noise_spin)
        form.addRow("Seed:", self.seed_spin)
        form.addRow(self.import_button)

        self.summary_label = QLabel(self)
        self.summary_label.setObjectName("datasetSummary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextFormat(Qt.TextFormat.RichText)
        self.summary_label.setAccessibleName("Dataset summary")
        self.summary_label.setToolTip("Samples, features, task and class balance")
        self.preview_plot = DatasetPreviewPlot(self)
        # Data of more than two features: which plane the preview shows.
        self.projection_combo = QComboBox(self)
        self.projection_combo.setObjectName("projectionCombo")
        self.projection_combo.addItem("Principal components", "pca")
        self.projection_combo.addItem("Two features", "features")
        self.projection_combo.setToolTip(
            "Wide data in two dimensions: the plane of the first two principal components of "
            "the standardised features (it shows most of the spread), or two features by name."
        )
        self.projection_x_combo = QComboBox(self)
        self.projection_x_combo.setObjectName("previewXCombo")
        self.projection_y_combo = QComboBox(self)
        self.projection_y_combo.setObjectName("previewYCombo")
        for combo in (self.projection_combo, self.projection_x_combo, self.projection_y_combo):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(6)
            combo.currentIndexChanged.connect(self._projection_changed)
        self.projection_row = QWidget(self)
        projection_layout = QHBoxLayout(self.projection_row)
        projection_layout.setContentsMargins(0, 0, 0, 0)
        projection_layout.addWidget(self.projection_combo, 2)
        projection_layout.addWidget(self.projection_x_combo, 1)
        projection_layout.addWidget(self.projection_y_combo, 1)
        self.projection_row.hide()

        self.scaling_combo = QComboBox(self)
        self.scaling_combo.setObjectName("scalingCombo")
        # Its longest entry set the dock's minimum width (305 px); at 1024×700 the column
        # must be narrower. The popup still shows the whole text.
        self.scaling_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.scaling_combo.setMinimumContentsLength(12)
        fill_scaling_combo(self.scaling_combo)
        self.scaling_combo.setAccessibleName("Feature scaling")

        self.error_label = QLabel(self)
        self.error_label.setObjectName("datasetError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #d64541;")  # red reads on light and dark
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.setAccessibleName("Dataset error")
        self.error_label.setToolTip("Why the dataset could not be loaded")
        self.error_label.hide()

        data_box = QGroupBox("Data", self)
        data_layout = QVBoxLayout(data_box)
        data_layout.addWidget(self.summary_label)
        data_layout.addWidget(self.projection_row)
        data_layout.addWidget(self.preview_plot, 1)
        scaling_form = QFormLayout()
        scaling_form.addRow("Scaling:", self.scaling_combo)
        data_layout.addLayout(scaling_form)

        # The content scrolls, so the panel never forces the window taller than the screen.
        content = QWidget(self)
        content.setObjectName("datasetPanelContent")
        layout = QVBoxLayout(content)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(source_box)
        layout.addWidget(self.error_label)
        layout.addWidget(data_box, 1)
        scroll = QScrollArea(self)
        scroll.setObjectName("datasetPanelScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)
        scroll.setAccessibleName("Dataset panel contents")
        scroll.setMinimumWidth(
            content.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width()
        )
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        self.builtin_combo.activated.connect(self._builtin_picked)
        self.samples_spin.valueChanged.connect(self._parameter_changed)
        self.noise_spin.valueChanged.connect(self._parameter_changed)
        self.seed_spin.valueChanged.connect(self._parameter_changed)
        self.import_button.clicked.connect(lambda: self.import_csv())
        self.scaling_combo.activated.connect(
            lambda _i: self.scalingChangeRequested.emit(self.scaling_combo.currentData())
        )

    # -- reactions ----------------------------------------------------------------------

    def _builtin_picked(self, _index: int) -> None:
        name = self.builtin_combo.currentData()
        if name is None:  # the "CSV file" placeholder
            return
        self._updating = True
        try:
            self._show_builtin_controls(name)  # each dataset starts from its own defaults
        finally:
            self._updating = False
        self.load_builtin(name)

    def _parameter_changed(self, *_args) -> None:
        name = self.builtin_combo.currentData()
        if not self._updating and name is not None:
            self.load_builtin(name)

    # -- showing ------------------------------------------------------------------------

    def _select_builtin(self, name: str) -> None:
        self._remove_csv_placeholder()
        index = self.builtin_combo.findData(name)
        if index >= 0:
            self.builtin_combo.setCurrentIndex(index)

    def _select_csv_placeholder(self, source: DatasetSource | None) -> None:
        self._remove_csv_placeholder()
        label = "(no dataset)" if source is None else f"{source.name or 'CSV file'} (file)"
        self.builtin_combo.insertItem(0, label, None)
        self.builtin_combo.setItemData(
            0,
            "The current dataset is not a built-in one; pick one to replace it.",
            Qt.ItemDataRole.ToolTipRole,
        )
        self.builtin_combo.setCurrentIndex(0)
        for spin in (self.samples_spin, self.noise_spin, self.seed_spin):
            _blank(spin)
        self.description_label.setText("")
        self.description_label.hide()

    def _remove_csv_placeholder(self) -> None:
        if self.builtin_combo.count() and self.builtin_combo.itemData(0) is None:
            self.builtin_combo.removeItem(0)

    def _show_builtin_controls(self, name: str | None, params: dict | None = None) -> None:
        """Set ranges and values of the sample/noise/seed controls for built-in `name`."""
        if name is None:
            return
        params = params or {}
        defaults = engine_data.builtin_defaults(name)
        index = self.builtin_combo.findData(name)
        self.description_label.setText(
            self.builtin_combo.itemData(index, Qt.ItemDataRole.ToolTipRole) or ""
        )
        self.description_label.setVisible(bool(self.description_label.text()))
        low, high = defaults["n_samples_range"]
        for spin in (self.samples_spin, self.noise_spin, self.seed_spin):
            spin.setSpecialValueText("")  # undo _blank
        self.samples_spin.setRange(int(low), int(high))
        self.samples_spin.setValue(int(params.get("n_samples") or defaults["n_samples"]))
        self.samples_spin.setEnabled(low != high)
        if defaults["noise"] is None:
            _blank(self.noise_spin)
            self.noise_spin.setToolTip("This dataset is fixed: it has no noise setting.")
        else:
            n_low, n_high = defaults["noise_range"]
            self.noise_spin.setEnabled(True)
            self.noise_spin.setRange(float(n_low), float(n_high))
            self.noise_spin.setDecimals(3 if n_high <= 1 else 1)
            self.noise_spin.setSingleStep((n_high - n_low) / 50)
            noise = params.get("noise")
            self.noise_spin.setValue(float(defaults["noise"] if noise is None else noise))
            self.noise_spin.setToolTip(f"Noise: {defaults['noise_meaning']}.")
        if defaults["noise"] is None:  # a fixed table has no seed
            _blank(self.seed_spin)
        else:
            self.seed_spin.setEnabled(True)
            self.seed_spin.setValue(int(params.get("seed", 0) or 0))

    def _show_dataset(self, dataset) -> None:
        wide = dataset is not None and dataset.n_features > 2
        self.projection_row.setVisible(wide)
        if wide:
            self._fill_projection(dataset)
        self.preview_plot.show_dataset(dataset)
        if dataset is None:
            self.summary_label.setText("<i>No dataset loaded.</i>")
            self.setAccessibleDescription("No dataset loaded")
            return
        self.summary_label.setText(summary_html(dataset))
        self.setAccessibleDescription(dataset.describe())

    def _fill_projection(self, dataset) -> None:
        """Offer this dataset's features; a new dataset starts at its principal components."""
        names = _feature_names(dataset)
        if [
            self.projection_x_combo.itemText(k) for k in range(self.projection_x_combo.count())
        ] == names:
            return
        self._filling = True
        try:
            for combo, first in ((self.projection_x_combo, 0), (self.projection_y_combo, 1)):
                combo.clear()
                combo.addItems(names)
                combo.setCurrentIndex(first)
            self.projection_combo.setCurrentIndex(0)
            self._sync_projection_controls()
            self.preview_plot.set_projection("pca")
        finally:
            self._filling = False

    def _sync_projection_controls(self) -> None:
        by_features = self.projection_combo.currentData() == "features"
        self.projection_x_combo.setEnabled(by_features)
        self.projection_y_combo.setEnabled(by_features)

    def _projection_changed(self, _index: int = 0) -> None:
        if getattr(self, "_filling", False):
            return
        self._sync_projection_controls()
        self.preview_plot.set_projection(
            self.projection_combo.currentData() or "pca",
            self.projection_x_combo.currentIndex(),
            self.projection_y_combo.currentIndex(),
        )


def _feature_names(dataset) -> list[str]:
    return [str(name) for name in dataset.feature_names]


def _blank(spin) -> None:
    """Disable a setting this dataset does not have, and show a dash instead of the last
    dataset's value (which read as if it applied)."""
    spin.setEnabled(False)
    spin.setSpecialValueText("—")
    spin.setValue(spin.minimum())


def summary_html(dataset) -> str:
    """Name, samples, features, task and class balance as a few lines of rich text."""
    features = ", ".join(dataset.feature_names[:6])
    if dataset.n_features > 6:
        features += f", … ({dataset.n_features} in all)"
    task = {
        "binary": "binary classification",
        "multiclass": f"{dataset.n_classes}-class classification",
        "regression": "regression",
    }
    lines = [
        f"<b>{_escape(dataset.name)}</b> — {count(dataset.n_samples, 'sample')}, "
        f"{task.get(dataset.task, dataset.task)}",
        f"Features: {_escape(features)}",
        f"Target: {_escape(dataset.target_name)}",
    ]
    counts = dataset.class_counts()
    if counts:
        total = max(1, sum(counts.values()))
        balance = ", ".join(
            f"<span style='color:{class_colour(i)}'>●</span> "
            f"{_escape(k)} {v} ({100 * v / total:.0f}%)"
            for i, (k, v) in enumerate(counts.items())
        )
        lines.append(f"Classes: {balance}")
    else:
        lo, hi = float(dataset.y.min()), float(dataset.y.max())
        lines.append(f"Values from {lo:.4g} to {hi:.4g}")
    return "<br>".join(lines)


def _escape(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
