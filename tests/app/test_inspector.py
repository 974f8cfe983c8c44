"""Every inspector control changes the project through an undo command, and undo restores."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox, QWidget

from app.builder.log_spinbox import LogSpinBox, log_step

# Fixtures: window, make_window, answers, config_dir (temporary settings folder).
pytest_plugins = ["window_fixtures"]


def set_control(widget, value, qtbot=None):
    if isinstance(widget, QComboBox):
        widget.setCurrentIndex(widget.findData(value))
    elif isinstance(widget, QCheckBox):
        widget.setChecked(value)
    elif isinstance(widget, (QSpinBox, QDoubleSpinBox)):
        widget.setValue(value)
    elif isinstance(widget, QLineEdit):
        widget.setFocus()
        widget.setText(value)
        widget.editingFinished.emit()
    else:
        raise TypeError(widget)


def read(project, path):
    target = project
    for part in path.split("."):
        target = target[int(part)] if part.isdigit() else getattr(target, part)
    return target


CONTROLS = [
    ("unitsSpin", "layers.0.units", 40),
    ("activationCombo", "layers.0.activation", "relu"),
    ("layerNameEdit", "layers.0.name", "hidden_wide"),
    ("initializerCombo", "layers.0.kernel_initializer", "he_normal"),
    ("l2Spin", "layers.0.l2", 0.01),
    ("lossCombo", "compile.loss", "mean_squared_error"),
    ("fromLogitsCheck", "compile.from_logits", True),
    ("optimizerCombo", "compile.optimizer", "sgd"),
    ("learningRateSpin", "compile.learning_rate", 0.2),
    ("batchSizeSpin", "training.batch_size", 64),
    ("fullBatchCheck", "training.batch_size", None),
    ("epochsSpin", "training.epochs", 250),
    ("validationSplitSpin", "training.validation_split", 0.3),
    ("seedSpin", "training.seed", 7),
    ("shuffleCheck", "training.shuffle", False),
]


@pytest.mark.parametrize(("name", "path", "value"), CONTROLS, ids=[c[0] for c in CONTROLS])
def test_control_edits_project_and_undo_restores(window, name, path, value):
    window.canvas.select_layer(0)
    widget = window.findChild(QWidget, name)
    assert widget is not None, name
    before = read(window.project, path)
    assert before != value
    set_control(widget, True if name == "fullBatchCheck" else value)
    assert read(window.project, path) == value
    assert window.undo_stack.count() == 1
    window.undo()
    assert read(window.project, path) == before
    window.redo()
    assert read(window.project, path) == value


def test_momentum_is_only_for_sgd(window):
    spin = window.findChild(QDoubleSpinBox, "momentumSpin")
    assert not spin.isEnabled()  # the example uses Adam
    set_control(window.training_settings.optimizer_combo, "sgd")
    assert spin.isEnabled()
    spin.setValue(0.9)
    assert window.project.compile.momentum == 0.9
    window.undo()
    assert window.project.compile.momentum == 0.0


def test_inspector_follows_the_selection(window):
    inspector = window.inspector
    window.canvas.select_layer(2)
    assert inspector.units_spin.value() == window.project.layers[2].units
    assert "output" in inspector.layer_group.title()
    window.canvas.select_layer(-1)
    assert not inspector.units_spin.isEnabled()
    assert inspector.layer_hint.isVisibleTo(inspector)


def test_showing_a_project_creates_no_edit(window):
    window.canvas.select_layer(1)
    window.canvas.select_layer(0)
    window.inspector.set_project(window.project, 1)
    assert window.undo_stack.count() == 0


def test_units_cannot_go_below_one(window):
    window.canvas.select_layer(0)
    spin = window.inspector.units_spin
    spin.setValue(0)
    assert spin.value() == 1
    assert window.project.layers[0].units == 1


def test_spin_arrow_presses_merge_into_one_undo_step(window, qtbot):
    window.canvas.select_layer(0)
    spin = window.inspector.units_spin
    start = spin.value()
    spin.setFocus()
    for _ in range(5):
        qtbot.keyClick(spin, Qt.Key.Key_Up)
    assert window.project.layers[0].units == start + 5
    assert window.undo_stack.count() == 1
    window.undo()
    assert window.project.layers[0].units == start


def test_learning_rate_steps_on_a_log_scale(window):
    spin = window.training_settings.learning_rate_spin
    spin.setValue(0.001)
    for _ in range(10):
        spin.stepUp()
    assert spin.value() == pytest.approx(0.01)
    spin.stepDown()
    assert spin.value() == pytest.approx(0.00794, rel=1e-3)
    assert spin.textFromValue(1e-6) == "1e-06"


def test_log_step_clamps_to_the_range():
    assert log_step(5.0, 10, 1e-6, 10.0) == 10.0
    assert log_step(2e-6, -10, 1e-6, 10.0) == 1e-6
    assert log_step(0.001, 1, 1e-6, 10.0) == pytest.approx(0.00126)


def test_log_spinbox_accepts_typed_scientific_notation(qtbot):
    spin = LogSpinBox()
    qtbot.addWidget(spin)
    spin.lineEdit().setText("3e-4")
    spin.interpretText()
    assert spin.value() == pytest.approx(3e-4)


def test_full_batch_disables_the_batch_size(window):
    window.training_settings.full_batch_check.setChecked(True)
    assert window.project.training.batch_size is None
    assert not window.training_settings.batch_size_spin.isEnabled()
    window.training_settings.full_batch_check.setChecked(False)
    assert window.project.training.batch_size == window.training_settings.batch_size_spin.value()


def test_every_control_has_a_tooltip_and_accessible_name(window):
    kinds = (QSpinBox, QDoubleSpinBox, QComboBox, QCheckBox, QLineEdit)
    panels = (window.inspector, window.training_settings)
    controls = [
        c
        for panel in panels
        for c in panel.findChildren(QWidget)
        if isinstance(c, kinds) and c.objectName() != "qt_spinbox_lineedit"
    ]
    assert len(controls) >= 15
    for control in controls:
        assert control.toolTip(), control.objectName()
        assert control.accessibleName(), control.objectName()


def test_activation_sketch_is_drawn(window):
    window.canvas.select_layer(0)
    pixmap = window.inspector.activation_plot.pixmap()
    assert pixmap is not None and not pixmap.isNull()
    assert "flat on both sides" in window.inspector.activation_advice.text()


def test_parameter_count_follows_units(window):
    window.canvas.select_layer(1)  # 25 -> 15
    assert window.inspector.params_label.text() == "390  (25 × 15 weights + 15 biases)"
    window.canvas.layerUnitsChangeRequested.emit(0, 10)
    assert window.current_selection() == 0  # the edited layer is selected
    assert window.inspector.params_label.text() == "30  (2 × 10 weights + 10 biases)"
    window.canvas.select_layer(1)
    assert window.inspector.params_label.text() == "165  (10 × 15 weights + 15 biases)"


def test_activation_sketch_is_redrawn_for_a_new_palette(window):
    from PySide6.QtGui import QColor, QPalette

    window.canvas.select_layer(0)
    before = window.inspector.activation_plot.pixmap().toImage()
    dark = QPalette(window.inspector.palette())
    dark.setColor(QPalette.ColorRole.Text, QColor("#f0f0f0"))
    window.inspector.setPalette(dark)
    after = window.inspector.activation_plot.pixmap().toImage()
    assert after != before  # the axes now use the light text colour


def test_a_refused_edit_puts_the_control_back(window):
    window.canvas.select_layer(0)
    window.training_guard = lambda: False  # "keep training"
    start = window.project.layers[0].units
    window.inspector.units_spin.setValue(start + 3)
    assert window.project.layers[0].units == start
    assert window.inspector.units_spin.value() == start
