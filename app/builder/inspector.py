"""The inspector (right dock): settings of the selected layer.

It never edits the project itself. Each control change becomes a signal that the main window
turns into an undo command:

- ``layerFieldChanged(index, field, value)`` for LayerSpec fields (units, activation, name,
  kernel_initializer, l2) of layer `index`;
- the model-wide settings (loss, optimizer, fit) have a dock of their own:
  app/builder/training_settings.py.

`set_project(project, selection)` shows the project; it blocks the controls' signals while it
writes them so showing never creates an edit.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.builder import activation_info
from app.builder.activation_icon import curve_pixmap
from app.wording import count
from engine import activations, initializers
from engine.project import Project
from engine.project.edits import MAX_UNITS

PLOT_SIZE = (220, 84)


def _pretty(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _set_tip(widget: QWidget, name: str, tip: str) -> QWidget:
    """Every control gets a tooltip and an accessible name (screen readers, tests)."""
    if isinstance(widget, QComboBox):
        # Long entries ("Sparse categorical cross-entropy") must not widen the dock: the
        # combo shrinks and its popup still shows the full text.
        widget.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        widget.setMinimumContentsLength(8)
    widget.setToolTip(tip)
    widget.setAccessibleName(name)
    widget.setAccessibleDescription(tip)
    return widget


class LayerInspector(QWidget):
    layerFieldChanged = Signal(int, str, object)

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
        _set_tip(
            self.params_label,
            "Parameters",
            "Trainable numbers in this layer: one weight per input per unit, plus one "
            "bias per unit.",
        )
        form.addRow("Parameters:", self.params_label)

        self.activation_combo = QComboBox(objectName="activationCombo")
        for name in activations.available():
            self.activation_combo.addItem(activation_info.label(name), name)
            index = self.activation_combo.count() - 1
            self.activation_combo.setItemData(
                index, activation_info.info(name).advice, Qt.ItemDataRole.ToolTipRole
            )
        _set_tip(
            self.activation_combo,
            "Activation",
            "The function g(z) applied to each neuron's weighted sum z.",
        )
        self.activation_combo.currentIndexChanged.connect(
            lambda _i: self._layer_edit("activation", self.activation_combo.currentData())
        )
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
        _set_tip(
            self.name_edit,
            "Layer name",
            "The Keras name of the layer (empty: chosen automatically, e.g. dense_1).",
        )
        self.name_edit.editingFinished.connect(
            lambda: self._layer_edit("name", self.name_edit.text().strip())
        )
        form.addRow("&Name:", self.name_edit)

        self.initializer_combo = QComboBox(objectName="initializerCombo")
        for name in initializers.available():
            self.initializer_combo.addItem(_pretty(name), name)
        _set_tip(
            self.initializer_combo,
            "Kernel initializer",
            "How the weights are drawn before training (Glorot for sigmoid/tanh, He for ReLU).",
        )
        self.initializer_combo.currentIndexChanged.connect(
            lambda _i: self._layer_edit("kernel_initializer", self.initializer_combo.currentData())
        )
        form.addRow("&Initializer:", self.initializer_combo)

        self.l2_spin = QDoubleSpinBox(objectName="l2Spin")
        self.l2_spin.setDecimals(5)
        self.l2_spin.setRange(0.0, 10.0)
        self.l2_spin.setSingleStep(0.001)
        self.l2_spin.setSpecialValueText("none")
        _set_tip(
            self.l2_spin,
            "L2 penalty",
            "L2 regularization λ on this layer's weights (0 = none). Larger values keep "
            "weights small and reduce overfitting.",
        )
        self.l2_spin.valueChanged.connect(lambda v: self._layer_edit("l2", float(v)))
        form.addRow("L&2 penalty:", self.l2_spin)
        self._layer_controls = (
            self.units_spin,
            self.activation_combo,
            self.name_edit,
            self.initializer_combo,
            self.l2_spin,
        )
        return self.layer_group

    # --- showing -------------------------------------------------------------------------

    def set_project(self, project: Project, selection: int = -1) -> None:
        self._project = project
        self._index = selection if 0 <= selection < len(project.layers) else -1
        self._showing = True
        try:
            self._show_layer()
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
            curve_pixmap(name, *PLOT_SIZE, self.palette(), max(2.0, ratio))
        )
        self.activation_advice.setText(activation_info.info(name).advice)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        # Light/dark switch or a move to a high-DPI screen: redraw the sketch to match.
        if (
            event.type() in (QEvent.Type.PaletteChange, QEvent.Type.DevicePixelRatioChange)
            and self._project is not None
            and self._index >= 0
        ):
            self._draw_activation(self._project.layers[self._index].activation or "linear")
        super().changeEvent(event)

    # --- editing -------------------------------------------------------------------------

    def _layer_edit(self, field: str, value) -> None:
        if self._showing or self._project is None or self._index < 0:
            return
        if getattr(self._project.layers[self._index], field) == value:
            return  # e.g. editingFinished without a change
        self.layerFieldChanged.emit(self._index, field, value)


def _parameter_text(project: Project, index: int) -> str:
    """E.g. "2 × 25 weights + 25 biases = 75" for layer `index`."""
    units = int(project.layers[index].units)
    n_in = project.layers[index - 1].units if index > 0 else project.resolved_input_dim()
    if n_in is None:
        return f"{count(units, 'bias', 'biases')} + weights per input (no dataset yet)"
    return (
        f"{n_in * units + units:,}  ({n_in} × {count(units, 'weight')} + "
        f"{count(units, 'bias', 'biases')})"
    )


def _select_data(combo: QComboBox, value: str) -> None:
    """Select the item whose data is `value`; add it if unknown (a newer file's name) rather
    than silently showing another choice."""
    index = combo.findData(value)
    if index < 0:
        combo.addItem(str(value), value)
        index = combo.count() - 1
    combo.setCurrentIndex(index)
