"""The inspector (right dock): settings of the selected layer and of the model.

It never edits the project itself. Each control change becomes a signal that the main window
turns into an undo command:

- ``layerFieldChanged(index, field, value)`` for LayerSpec fields (units, activation, name,
  kernel_initializer, l2) of layer `index`;
- ``specFieldChanged(spec, field, value)`` for ``project.compile`` / ``project.training``
  fields (spec is "compile" or "training"); batch_size None means full batch.

`set_project(project, selection)` shows the project; it blocks the controls' signals while it
writes them so showing never creates an edit.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.builder import activation_info
from app.builder.activation_icon import curve_pixmap
from app.builder.log_spinbox import LogSpinBox
from engine import activations, initializers, losses, optimizers
from engine.project import Project
from engine.project.edits import MAX_UNITS

LOSS_LABELS = {
    "binary_crossentropy": "Binary cross-entropy",
    "categorical_crossentropy": "Categorical cross-entropy",
    "sparse_categorical_crossentropy": "Sparse categorical cross-entropy",
    "mean_squared_error": "Mean squared error",
    "mean_absolute_error": "Mean absolute error",
    "huber": "Huber",
}
OPTIMIZER_LABELS = {"sgd": "SGD (gradient descent)", "rmsprop": "RMSprop", "adam": "Adam"}
PLOT_SIZE = (220, 84)


def _pretty(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _set_tip(widget: QWidget, name: str, tip: str) -> QWidget:
    """Every control gets a tooltip and an accessible name (screen readers, tests)."""
    if isinstance(widget, QComboBox):
        # Long entries ("Sparse categorical cross-entropy") must not widen the dock: the
        # combo shrinks and its popup still shows the full text.
        widget.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        widget.setMinimumContentsLength(8)
    widget.setToolTip(tip)
    widget.setAccessibleName(name)
    widget.setAccessibleDescription(tip)
    return widget


class LayerInspector(QWidget):
    layerFieldChanged = Signal(int, str, object)
    specFieldChanged = Signal(str, str, object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("layerInspector")
        self._project: Project | None = None
        self._index = -1
        self._showing = False  # True while set_project writes controls

        inner = QWidget()
        column = QVBoxLayout(inner)
        column.setContentsMargins(8, 8, 8, 8)
        column.setSpacing(10)
        column.addWidget(self._build_layer_group())
        column.addWidget(self._build_compile_group())
        column.addWidget(self._build_training_group())
        column.addStretch(1)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        # Only vertical scrolling: the form reflows to the dock's width instead.
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self._show_layer()

    # --- construction ------------------------------------------------------------------

    def _form(self, group: QGroupBox) -> QFormLayout:
        form = QFormLayout(group)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(6)
        return form

    def _build_layer_group(self) -> QGroupBox:
        self.layer_group = QGroupBox("Layer")
        form = self._form(self.layer_group)

        self.layer_hint = QLabel("Select a layer on the canvas to edit it.")
        self.layer_hint.setWordWrap(True)
        self.layer_hint.setObjectName("layerHint")
        form.addRow(self.layer_hint)

        self.units_spin = QSpinBox(objectName="unitsSpin")
        self.units_spin.setRange(1, MAX_UNITS)  # 0 units is impossible, so it cannot be typed
        _set_tip(self.units_spin, "Units", "Number of neurons in this Dense layer (at least 1).")
        self.units_spin.valueChanged.connect(lambda v: self._layer_edit("units", int(v)))
        form.addRow("&Units:", self.units_spin)

        self.params_label = QLabel(objectName="paramsLabel")
        self.params_label.setWordWrap(True)
        _set_tip(self.params_label, "Parameters",
                 "Trainable numbers in this layer: one weight per input per unit, plus one "
                 "bias per unit.")
        form.addRow("Parameters:", self.params_label)

        self.activation_combo = QComboBox(objectName="activationCombo")
        for name in activations.available():
            self.activation_combo.addItem(activation_info.label(name), name)
            index = self.activation_combo.count() - 1
            self.activation_combo.setItemData(index, activation_info.info(name).advice,
                                              Qt.ItemDataRole.ToolTipRole)
        _set_tip(self.activation_combo, "Activation",
                 "The function g(z) applied to each neuron's weighted sum z.")
        self.activation_combo.currentIndexChanged.connect(
            lambda _i: self._layer_edit("activation", self.activation_combo.currentData()))
        form.addRow("&Activation:", self.activation_combo)

        self.activation_plot = QLabel(objectName="activationSketch")
        self.activation_plot.setMinimumHeight(PLOT_SIZE[1])
        self.activation_plot.setAlignment(Qt.AlignmentFlag.AlignCenter)
        _set_tip(self.activation_plot, "Activation plot", "g(z) for z from -3.5 to 3.5.")
        self.activation_advice = QLabel(objectName="activationAdvice")
        self.activation_advice.setWordWrap(True)
        self.activation_advice.setEnabled(False)  # dimmed: secondary text
        form.addRow(self.activation_plot)
        form.addRow(self.activation_advice)

        self.name_edit = QLineEdit(objectName="layerNameEdit")
        self.name_edit.setPlaceholderText("automatic")
        _set_tip(self.name_edit, "Layer name",
                 "The Keras name of the layer (empty: chosen automatically, e.g. dense_1).")
        self.name_edit.editingFinished.connect(
            lambda: self._layer_edit("name", self.name_edit.text().strip()))
        form.addRow("&Name:", self.name_edit)

        self.initializer_combo = QComboBox(objectName="initializerCombo")
        for name in initializers.available():
            self.initializer_combo.addItem(_pretty(name), name)
        _set_tip(self.initializer_combo, "Kernel initializer",
                 "How the weights are drawn before training (Glorot for sigmoid/tanh, He for "
                 "ReLU).")
        self.initializer_combo.currentIndexChanged.connect(
            lambda _i: self._layer_edit("kernel_initializer",
                                        self.initializer_combo.currentData()))
        form.addRow("&Initializer:", self.initializer_combo)

        self.l2_spin = QDoubleSpinBox(objectName="l2Spin")
        self.l2_spin.setDecimals(5)
        self.l2_spin.setRange(0.0, 10.0)
        self.l2_spin.setSingleStep(0.001)
        self.l2_spin.setSpecialValueText("none")
        _set_tip(self.l2_spin, "L2 penalty",
                 "L2 regularization λ on this layer's weights (0 = none). Larger values keep "
                 "weights small and reduce overfitting.")
        self.l2_spin.valueChanged.connect(lambda v: self._layer_edit("l2", float(v)))
        form.addRow("L&2 penalty:", self.l2_spin)
        self._layer_controls = (self.units_spin, self.activation_combo, self.name_edit,
                                self.initializer_combo, self.l2_spin)
        return self.layer_group

    def _build_compile_group(self) -> QGroupBox:
        group = QGroupBox("Loss and optimizer")
        form = self._form(group)

        self.loss_combo = QComboBox(objectName="lossCombo")
        for name in losses.available():
            self.loss_combo.addItem(LOSS_LABELS.get(name, _pretty(name)), name)
        _set_tip(self.loss_combo, "Loss",
                 "How wrong one prediction is; the cost is its average over the samples.")
        self.loss_combo.currentIndexChanged.connect(
            lambda _i: self._spec_edit("compile", "loss", self.loss_combo.currentData()))
        form.addRow("&Loss:", self.loss_combo)

        self.from_logits_check = QCheckBox("Output is logits (from_logits)",
                                           objectName="fromLogitsCheck")
        _set_tip(self.from_logits_check, "From logits",
                 "The loss applies the sigmoid/softmax itself: use with a linear output layer "
                 "(numerically more stable).")
        self.from_logits_check.toggled.connect(
            lambda on: self._spec_edit("compile", "from_logits", bool(on)))
        form.addRow(self.from_logits_check)

        self.optimizer_combo = QComboBox(objectName="optimizerCombo")
        for name in optimizers.available():
            self.optimizer_combo.addItem(OPTIMIZER_LABELS.get(name, _pretty(name)), name)
        _set_tip(self.optimizer_combo, "Optimizer",
                 "How gradient descent updates the weights. Adam adapts the step per weight.")
        self.optimizer_combo.currentIndexChanged.connect(
            lambda _i: self._spec_edit("compile", "optimizer", self.optimizer_combo.currentData()))
        form.addRow("&Optimizer:", self.optimizer_combo)

        self.learning_rate_spin = LogSpinBox(1e-6, 10.0)
        self.learning_rate_spin.setObjectName("learningRateSpin")
        _set_tip(self.learning_rate_spin, "Learning rate",
                 "Step size α of gradient descent (arrows step ×1.26). Too large: the cost "
                 "jumps or diverges; too small: it falls slowly.")
        self.learning_rate_spin.valueChanged.connect(
            lambda v: self._spec_edit("compile", "learning_rate", float(v)))
        form.addRow("Learning &rate:", self.learning_rate_spin)

        self.momentum_spin = QDoubleSpinBox(objectName="momentumSpin")
        self.momentum_spin.setRange(0.0, 0.99)
        self.momentum_spin.setSingleStep(0.05)
        self.momentum_spin.setDecimals(2)
        _set_tip(self.momentum_spin, "Momentum",
                 "SGD only: how much of the previous step carries over (0 = plain gradient "
                 "descent).")
        self.momentum_spin.valueChanged.connect(
            lambda v: self._spec_edit("compile", "momentum", float(v)))
        form.addRow("&Momentum:", self.momentum_spin)
        return group

    def _build_training_group(self) -> QGroupBox:
        group = QGroupBox("Training")
        form = self._form(group)

        self.batch_size_spin = QSpinBox(objectName="batchSizeSpin")
        self.batch_size_spin.setRange(1, 1_000_000)
        _set_tip(self.batch_size_spin, "Batch size",
                 "Samples per gradient step (mini-batch gradient descent).")
        self.batch_size_spin.valueChanged.connect(
            lambda v: self._spec_edit("training", "batch_size", int(v)))
        self.full_batch_check = QCheckBox("Full batch", objectName="fullBatchCheck")
        _set_tip(self.full_batch_check, "Full batch",
                 "Use every training sample in each step: one epoch is one gradient step.")
        self.full_batch_check.toggled.connect(self._full_batch_toggled)
        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(self.batch_size_spin, 1)
        row.addWidget(self.full_batch_check)
        form.addRow("&Batch size:", row)

        self.epochs_spin = QSpinBox(objectName="epochsSpin")
        self.epochs_spin.setRange(1, 1_000_000)
        self.epochs_spin.setSingleStep(10)
        _set_tip(self.epochs_spin, "Epochs", "Passes over the training data per Train press.")
        self.epochs_spin.valueChanged.connect(
            lambda v: self._spec_edit("training", "epochs", int(v)))
        form.addRow("&Epochs:", self.epochs_spin)

        self.validation_spin = QDoubleSpinBox(objectName="validationSplitSpin")
        self.validation_spin.setRange(0.0, 0.9)
        self.validation_spin.setSingleStep(0.05)
        self.validation_spin.setDecimals(2)
        _set_tip(self.validation_spin, "Validation split",
                 "Fraction of samples held out to measure the validation cost (0 = none).")
        self.validation_spin.valueChanged.connect(
            lambda v: self._spec_edit("training", "validation_split", float(v)))
        form.addRow("&Validation split:", self.validation_spin)

        self.seed_spin = QSpinBox(objectName="seedSpin")
        self.seed_spin.setRange(0, 2**31 - 1)
        _set_tip(self.seed_spin, "Seed",
                 "Random seed for the initial weights, the shuffling and the split: the same "
                 "seed trains the same way.")
        self.seed_spin.valueChanged.connect(lambda v: self._spec_edit("training", "seed", int(v)))
        form.addRow("&Seed:", self.seed_spin)

        self.shuffle_check = QCheckBox("Shuffle each epoch", objectName="shuffleCheck")
        _set_tip(self.shuffle_check, "Shuffle",
                 "Visit the training samples in a new random order every epoch.")
        self.shuffle_check.toggled.connect(
            lambda on: self._spec_edit("training", "shuffle", bool(on)))
        form.addRow(self.shuffle_check)
        return group

    # --- showing -------------------------------------------------------------------------

    def set_project(self, project: Project, selection: int = -1) -> None:
        self._project = project
        self._index = selection if 0 <= selection < len(project.layers) else -1
        self._showing = True
        try:
            self._show_layer()
            self._show_model()
        finally:
            self._showing = False

    def _show_layer(self) -> None:
        project = self._project
        has_layer = project is not None and self._index >= 0
        for widget in self._layer_controls:
            widget.setEnabled(has_layer)
        self.layer_hint.setVisible(not has_layer)
        self.activation_plot.setVisible(has_layer)
        self.activation_advice.setVisible(has_layer)
        if not has_layer:
            self.layer_group.setTitle("Layer")
            return
        layer = project.layers[self._index]
        last = len(project.layers) - 1
        role = "output layer" if self._index == last else "hidden layer"
        self.layer_group.setTitle(f"Layer {self._index + 1} of {last + 1} — {role}")
        self.units_spin.setValue(int(layer.units))
        self.params_label.setText(_parameter_text(project, self._index))
        _select_data(self.activation_combo, layer.activation or "linear")
        if self.name_edit.text() != layer.name:
            self.name_edit.setText(layer.name)
        _select_data(self.initializer_combo, layer.kernel_initializer)
        self.l2_spin.setValue(float(layer.l2))
        self._draw_activation(layer.activation or "linear")

    def _draw_activation(self, name: str) -> None:
        ratio = self.devicePixelRatioF() if self.isVisible() else 2.0
        self.activation_plot.setPixmap(
            curve_pixmap(name, *PLOT_SIZE, self.palette(), max(2.0, ratio)))
        self.activation_advice.setText(activation_info.info(name).advice)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        # Light/dark switch or a move to a high-DPI screen: redraw the sketch to match.
        if (event.type() in (QEvent.Type.PaletteChange, QEvent.Type.DevicePixelRatioChange)
                and self._project is not None and self._index >= 0):
            self._draw_activation(self._project.layers[self._index].activation or "linear")
        super().changeEvent(event)

    def _show_model(self) -> None:
        project = self._project
        if project is None:
            return
        spec, training = project.compile, project.training
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

    # --- editing -------------------------------------------------------------------------

    def _layer_edit(self, field: str, value) -> None:
        if self._showing or self._project is None or self._index < 0:
            return
        if getattr(self._project.layers[self._index], field) == value:
            return  # e.g. editingFinished without a change
        self.layerFieldChanged.emit(self._index, field, value)

    def _spec_edit(self, spec: str, field: str, value) -> None:
        if self._showing or self._project is None:
            return
        if getattr(getattr(self._project, spec), field) == value:
            return
        self.specFieldChanged.emit(spec, field, value)

    def _full_batch_toggled(self, on: bool) -> None:
        self.batch_size_spin.setEnabled(not on)
        self._spec_edit("training", "batch_size", None if on else int(self.batch_size_spin.value()))


def _parameter_text(project: Project, index: int) -> str:
    """E.g. "2 × 25 weights + 25 biases = 75" for layer `index`."""
    units = int(project.layers[index].units)
    n_in = project.layers[index - 1].units if index > 0 else project.resolved_input_dim()
    if n_in is None:
        return f"{units} biases + weights per input (no dataset yet)"
    return f"{n_in * units + units:,}  ({n_in} × {units} weights + {units} biases)"


def _select_data(combo: QComboBox, value: str) -> None:
    """Select the item whose data is `value`; add it if unknown (a newer file's name) rather
    than silently showing another choice."""
    index = combo.findData(value)
    if index < 0:
        combo.addItem(str(value), value)
        index = combo.count() - 1
    combo.setCurrentIndex(index)
