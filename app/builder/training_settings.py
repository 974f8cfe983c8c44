"""The training settings (their own dock): the model-wide choices of loss, optimizer and fit.

They used to sit below the layer fields in the inspector, where at 1400×900 they were only
reached by scrolling (#13 item 12). Here the six a person changes most (loss, optimizer,
learning rate, batch size, epochs, validation split) come first, in one column whose labels
never scroll away; the finer points (momentum, from_logits, seed, shuffle) follow.

Like the inspector it never edits the project: ``specFieldChanged(spec, field, value)``
(spec "compile" or "training"; batch_size None means full batch) becomes an undo command in
the main window, and `set_project` blocks that signal while it writes the controls.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.builder.inspector import _pretty, _set_tip
from app.builder.log_spinbox import LogSpinBox
from engine import losses, optimizers
from engine.project import Project
from engine.project.specs import DEFAULT_PATIENCE

LOSS_LABELS = {
    "binary_crossentropy": "Binary cross-entropy",
    "categorical_crossentropy": "Categorical cross-entropy",
    "sparse_categorical_crossentropy": "Sparse categorical cross-entropy",
    "mean_squared_error": "Mean squared error",
    "mean_absolute_error": "Mean absolute error",
    "huber": "Huber",
}
OPTIMIZER_LABELS = {"sgd": "SGD (gradient descent)", "rmsprop": "RMSprop", "adam": "Adam"}


def _form(group: QGroupBox) -> QFormLayout:
    form = QFormLayout(group)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    form.setHorizontalSpacing(10)
    form.setVerticalSpacing(6)
    # In a narrow dock a label goes above its field instead of setting a minimum width of
    # label + field (which made the window's minimum wider than 760 px).
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
    return form


class TrainingSettings(QWidget):
    specFieldChanged = Signal(str, str, object)
    # The "Find…" button beside the learning rate: the window opens the learning-rate finder.
    findLearningRateRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("trainingSettings")
        self._project: Project | None = None
        self._showing = False  # True while set_project writes controls

        inner = QWidget()
        column = QVBoxLayout(inner)
        column.setContentsMargins(8, 6, 8, 8)
        column.setSpacing(8)
        column.addWidget(self._build_main_group())
        column.addWidget(self._build_more_group())
        column.addStretch(1)

        # The six main fields fit the dock's default height; the finer points below them may
        # scroll when the window is small. Vertical only: the form reflows to the width.
        self.scroll = QScrollArea()
        self.scroll.setObjectName("trainingSettingsScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(inner)
        # Never narrower than the form: with no horizontal scroll bar, a narrow dock cut off
        # the fields' right ends.
        self.scroll.setMinimumWidth(
            inner.minimumSizeHint().width() + self.scroll.verticalScrollBar().sizeHint().width()
        )
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll)

    # --- construction ------------------------------------------------------------------

    def _build_main_group(self) -> QGroupBox:
        group = QGroupBox("Loss, optimizer and fit")
        group.setObjectName("mainSettingsGroup")
        form = _form(group)

        self.loss_combo = QComboBox(objectName="lossCombo")
        for name in losses.available():
            self.loss_combo.addItem(LOSS_LABELS.get(name, _pretty(name)), name)
        _set_tip(
            self.loss_combo,
            "Loss",
            "How wrong one prediction is; the cost is its average over the samples.",
        )
        self.loss_combo.currentIndexChanged.connect(
            lambda _i: self._spec_edit("compile", "loss", self.loss_combo.currentData())
        )
        # Label above, combo across the whole width: "Sparse categorical cross-entropy" was
        # cut to "Sparse categorical cross-e" beside its label.
        loss_label = QLabel("&Loss:")
        loss_label.setBuddy(self.loss_combo)
        form.addRow(loss_label)
        form.addRow(self.loss_combo)

        self.optimizer_combo = QComboBox(objectName="optimizerCombo")
        for name in optimizers.available():
            self.optimizer_combo.addItem(OPTIMIZER_LABELS.get(name, _pretty(name)), name)
        _set_tip(
            self.optimizer_combo,
            "Optimizer",
            "How gradient descent updates the weights. Adam adapts the step per weight.",
        )
        self.optimizer_combo.currentIndexChanged.connect(
            lambda _i: self._spec_edit("compile", "optimizer", self.optimizer_combo.currentData())
        )
        form.addRow("&Optimizer:", self.optimizer_combo)

        self.learning_rate_spin = LogSpinBox(1e-6, 10.0)
        self.learning_rate_spin.setObjectName("learningRateSpin")
        _set_tip(
            self.learning_rate_spin,
            "Learning rate",
            "Step size α of gradient descent (arrows step ×1.26). Too large: the cost "
            "jumps or diverges; too small: it falls slowly.",
        )
        self.learning_rate_spin.valueChanged.connect(
            lambda v: self._spec_edit("compile", "learning_rate", float(v))
        )
        self.lr_finder_button = QPushButton("Fin&d…", objectName="lrFinderButton")
        self.lr_finder_button.setToolTip("Find a learning rate (the learning-rate range test)")
        self.lr_finder_button.clicked.connect(self.findLearningRateRequested)
        rate_row = QHBoxLayout()
        rate_row.setContentsMargins(0, 0, 0, 0)
        rate_row.addWidget(self.learning_rate_spin, 1)
        rate_row.addWidget(self.lr_finder_button)
        # A label with an explicit buddy: QFormLayout gives one only to a widget field.
        rate_label = QLabel("Learning &rate:", objectName="learningRateLabel")
        rate_label.setBuddy(self.learning_rate_spin)
        form.addRow(rate_label, rate_row)

        self.batch_size_spin = QSpinBox(objectName="batchSizeSpin")
        self.batch_size_spin.setRange(1, 1_000_000)
        _set_tip(
            self.batch_size_spin,
            "Batch size",
            "Samples per gradient step (mini-batch gradient descent).",
        )
        self.batch_size_spin.valueChanged.connect(
            lambda v: self._spec_edit("training", "batch_size", int(v))
        )
        self.full_batch_check = QCheckBox("Full batch", objectName="fullBatchCheck")
        _set_tip(
            self.full_batch_check,
            "Full batch",
            "Use every training sample in each step: one epoch is one gradient step.",
        )
        self.full_batch_check.toggled.connect(self._full_batch_toggled)
        # The spin box itself as the field, not a layout with the check box: QFormLayout
        # gives a text label a buddy only for a widget field, and without one "&Batch size:"
        # showed its ampersand. "Full batch" goes on the row below, which also keeps the
        # column narrow enough for 1024×700.
        batch_label = QLabel("&Batch size:", objectName="batchSizeLabel")
        batch_label.setBuddy(self.batch_size_spin)
        form.addRow(batch_label, self.batch_size_spin)
        form.addRow("", self.full_batch_check)

        self.epochs_spin = QSpinBox(objectName="epochsSpin")
        self.epochs_spin.setRange(1, 1_000_000)
        self.epochs_spin.setSingleStep(10)
        _set_tip(self.epochs_spin, "Epochs", "Passes over the training data per Train press.")
        self.epochs_spin.valueChanged.connect(
            lambda v: self._spec_edit("training", "epochs", int(v))
        )
        form.addRow("&Epochs:", self.epochs_spin)

        self.validation_spin = QDoubleSpinBox(objectName="validationSplitSpin")
        self.validation_spin.setRange(0.0, 0.9)
        self.validation_spin.setSingleStep(0.05)
        self.validation_spin.setDecimals(2)
        _set_tip(
            self.validation_spin,
            "Validation split",
            "Fraction of samples held out to measure the validation cost (0 = none).",
        )
        self.validation_spin.valueChanged.connect(
            lambda v: self._spec_edit("training", "validation_split", float(v))
        )
        form.addRow("&Validation split:", self.validation_spin)

        # Early stopping watches the validation loss, so it sits by the validation split.
        self.early_stopping_check = QCheckBox(
            "Stop early, patience", objectName="earlyStoppingCheck"
        )
        _set_tip(
            self.early_stopping_check,
            "Early stopping",
            "Stop when the validation loss has not improved for this many epochs, and keep "
            "the weights of its best epoch (Keras' EarlyStopping with "
            "restore_best_weights). Needs a validation split.",
        )
        self.early_stopping_check.toggled.connect(self._early_stopping_toggled)
        self.patience_spin = QSpinBox(objectName="earlyStoppingPatienceSpin")
        self.patience_spin.setRange(1, 100_000)
        # What ticking the box turns on for a project that never had early stopping: the
        # measured default, not the spin box's minimum of 1 (which stopped at the first bump).
        self.patience_spin.setValue(DEFAULT_PATIENCE)
        self.patience_spin.setSuffix(" epochs")
        self.patience_spin.valueChanged.connect(  # "1 epoch", not "1 epochs"
            lambda v: self.patience_spin.setSuffix(" epoch" if v == 1 else " epochs")
        )
        _set_tip(
            self.patience_spin,
            "Patience",
            "Epochs without a better validation loss before training stops.",
        )
        self.patience_spin.valueChanged.connect(
            lambda v: (
                self._spec_edit("training", "early_stopping", int(v))
                if self.early_stopping_check.isChecked()
                else None
            )
        )
        form.addRow(self.early_stopping_check, self.patience_spin)
        return group

    def _build_more_group(self) -> QGroupBox:
        group = QGroupBox("More settings")
        group.setObjectName("moreSettingsGroup")
        form = _form(group)

        self.momentum_spin = QDoubleSpinBox(objectName="momentumSpin")
        self.momentum_spin.setRange(0.0, 0.99)
        self.momentum_spin.setSingleStep(0.05)
        self.momentum_spin.setDecimals(2)
        _set_tip(
            self.momentum_spin,
            "Momentum",
            "SGD only: how much of the previous step carries over (0 = plain gradient descent).",
        )
        self.momentum_spin.valueChanged.connect(
            lambda v: self._spec_edit("compile", "momentum", float(v))
        )
        form.addRow("&Momentum:", self.momentum_spin)

        self.from_logits_check = QCheckBox("Output is logits", objectName="fromLogitsCheck")
        _set_tip(
            self.from_logits_check,
            "From logits",
            "The loss applies the sigmoid/softmax itself: use with a linear output layer "
            "(numerically more stable).",
        )
        self.from_logits_check.toggled.connect(
            lambda on: self._spec_edit("compile", "from_logits", bool(on))
        )
        form.addRow(self.from_logits_check)

        self.seed_spin = QSpinBox(objectName="seedSpin")
        self.seed_spin.setRange(0, 2**31 - 1)
        _set_tip(
            self.seed_spin,
            "Seed",
            "Random seed for the initial weights, the shuffling and the split: the same "
            "seed trains the same way.",
        )
        self.seed_spin.valueChanged.connect(lambda v: self._spec_edit("training", "seed", int(v)))
        form.addRow("&Seed:", self.seed_spin)

        self.shuffle_check = QCheckBox("Shuffle each epoch", objectName="shuffleCheck")
        _set_tip(
            self.shuffle_check,
            "Shuffle",
            "Visit the training samples in a new random order every epoch.",
        )
        self.shuffle_check.toggled.connect(
            lambda on: self._spec_edit("training", "shuffle", bool(on))
        )
        form.addRow(self.shuffle_check)
        self.more_form = form
        return group

    # --- showing -------------------------------------------------------------------------

    def set_project(self, project: Project) -> None:
        self._project = project
        self._showing = True
        try:
            self._show()
        finally:
            self._showing = False

    def _show(self) -> None:
        spec, training = self._project.compile, self._project.training
        _select_data(self.loss_combo, spec.loss)
        self.from_logits_check.setChecked(bool(spec.from_logits))
        _select_data(self.optimizer_combo, spec.optimizer)
        self.learning_rate_spin.setValue(float(spec.learning_rate))
        self.momentum_spin.setValue(float(spec.momentum))
        self.momentum_spin.setEnabled(spec.optimizer == "sgd")
        full = training.batch_size is None
        self.full_batch_check.setChecked(full)
        self.batch_size_spin.setEnabled(not full)
        if not full:
            self.batch_size_spin.setValue(int(training.batch_size))
        self.epochs_spin.setValue(int(training.epochs))
        self.validation_spin.setValue(float(training.validation_split))
        self.seed_spin.setValue(int(training.seed))
        self.shuffle_check.setChecked(bool(training.shuffle))
        patience = training.early_stopping
        self.early_stopping_check.setChecked(bool(patience))
        self.patience_spin.setEnabled(bool(patience))
        if patience:
            self.patience_spin.setValue(int(patience))
        # Without validation data there is no validation loss to watch.
        has_validation = float(training.validation_split) > 0
        self.early_stopping_check.setEnabled(has_validation or bool(patience))

    # --- editing -------------------------------------------------------------------------

    def _spec_edit(self, spec: str, field: str, value) -> None:
        if self._showing or self._project is None:
            return
        if getattr(getattr(self._project, spec), field) == value:
            return
        self.specFieldChanged.emit(spec, field, value)

    def _early_stopping_toggled(self, on: bool) -> None:
        self.patience_spin.setEnabled(on)
        self._spec_edit(
            "training", "early_stopping", int(self.patience_spin.value()) if on else None
        )

    def _full_batch_toggled(self, on: bool) -> None:
        self.batch_size_spin.setEnabled(not on)
        self._spec_edit("training", "batch_size", None if on else int(self.batch_size_spin.value()))


def _select_data(combo: QComboBox, value: str) -> None:
    """Select the item whose data is `value`; add it if unknown (a newer file's name) rather
    than silently showing another choice."""
    index = combo.findData(value)
    if index < 0:
        combo.addItem(str(value), value)
        index = combo.count() - 1
    combo.setCurrentIndex(index)
