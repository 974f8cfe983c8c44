"""Single connections on the canvas: right-click ▸ "Loss along this weight" plots the
engine's loss as that one weight moves (engine.weight_slice) with the tangent of slope dL/dw
and the optimizer's next step; hovering shows the weight, its gradient for the sample
inspector's row and w·a, from the engine's own sample trace."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint
from PySide6.QtGui import QContextMenuEvent, QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip

from app import commands
from app.builder import canvas as canvas_module
from app.builder.connection_views import connection_at, line_view_pos
from app.visibility import on_screen
from engine.project import runtime

pytest_plugins = ["window_fixtures"]


@pytest.fixture
def shown(window, qtbot):
    window.show()
    qtbot.waitExposed(window)
    return window


def right_click_line(window, monkeypatch, layer, i, j, choose="Loss along this weight…"):
    canvas = window.canvas
    pos = line_view_pos(canvas, layer, i, j)
    assert connection_at(canvas, pos) == (layer, i, j)
    chosen = []

    def run(menu, _global_pos):
        texts = [a.text() for a in menu.actions()]
        chosen.append(texts)
        next(a for a in menu.actions() if a.text() == choose).trigger()

    monkeypatch.setattr(canvas_module, "show_menu", run)
    event = QContextMenuEvent(
        QContextMenuEvent.Reason.Mouse, pos, canvas.viewport().mapToGlobal(pos)
    )
    QApplication.sendEvent(canvas.viewport(), event)
    assert chosen, "no menu for the connection"
    return window.training.connection_views.dialog


def engine_loss_and_gradient(window, layer, i, j):
    model = runtime.build_model(window.project, seed=runtime.run_seed(window.project))
    prepared = runtime.prepare_data(window.project)
    loss, grads = model.compute_gradients(prepared.x_train, prepared.y_train)
    return float(loss), float(grads[2 * layer][i, j]), float(model.get_weights()[2 * layer][i, j])


def test_loss_along_a_weight_has_the_gradient_as_its_tangent_and_the_current_loss_at_w(
    shown, qtbot, monkeypatch
):
    window = shown
    window.push(commands.set_spec_field(window, "compile", "optimizer", "sgd"))
    layer = 2  # hidden 2 (15 units) → output: lines of one weight each
    # The weight with the steepest slope: a finite difference of float32 losses reads it well.
    grads = [abs(engine_loss_and_gradient(window, layer, i, 0)[1]) for i in range(15)]
    i, j = int(np.argmax(grads)), 0
    dialog = right_click_line(window, monkeypatch, layer, i, j)
    assert dialog is not None and dialog.isVisible()
    ws, losses = (np.asarray(a, dtype=np.float64) for a in dialog.curve.getData())
    loss, grad, w = engine_loss_and_gradient(window, layer, i, j)
    k = int(np.argmin(np.abs(ws - w)))
    assert ws[k] == pytest.approx(w)
    assert losses[k] == pytest.approx(loss, rel=1e-5)  # the curve passes through L(w)
    tx, ty = (np.asarray(a, dtype=np.float64) for a in dialog.tangent.getData())
    slope = (ty[1] - ty[0]) / (tx[1] - tx[0])
    assert slope == pytest.approx(grad, rel=1e-4)
    finite_difference = (losses[k + 1] - losses[k - 1]) / (ws[k + 1] - ws[k - 1])
    assert abs(grad) > 1e-3
    assert slope == pytest.approx(finite_difference, rel=0.03)
    # SGD's next step is w - lr·dL/dw on the curve
    sx, _ = dialog.step.getData()
    assert sx[0] == pytest.approx(w - window.project.compile.learning_rate * grad)
    assert "The next SGD step" in dialog.caption.text()
    dialog.grab().save("/tmp/weight_slice.png")


def test_adam_says_its_step_is_scaled_per_weight(shown, qtbot, monkeypatch):
    window = shown
    window.push(commands.set_spec_field(window, "compile", "optimizer", "adam"))
    layer = 2
    dialog = right_click_line(window, monkeypatch, layer, 3, 0)
    _, grad, w = engine_loss_and_gradient(window, layer, 3, 0)
    sx, _ = dialog.step.getData()
    lr = window.project.compile.learning_rate
    assert sx[0] == pytest.approx(w - lr * np.sign(grad))
    assert "scales its step per weight" in dialog.caption.text()
    assert "approximately" in dialog.caption.text()


def test_hovering_a_connection_shows_its_weight_gradient_and_share_of_z(shown, qtbot):
    window = shown
    inspector = window.training.backprop.sample_inspector
    window.training.backprop.sample_dock.raise_()  # the inspector traces while on screen
    qtbot.waitUntil(lambda: on_screen(inspector))
    inspector.select_row(5)
    inspector.recompute()
    trace = inspector.trace.layers[2]
    canvas = window.canvas
    pos = line_view_pos(canvas, 2, 4, 0)
    QApplication.sendEvent(
        canvas.viewport(), QHelpEvent(QEvent.Type.ToolTip, pos, canvas.viewport().mapToGlobal(pos))
    )
    text = QToolTip.text()
    w, a = float(trace.kernel[4, 0]), float(trace.a_prev[4])
    assert text.startswith("W3[unit 5 → unit 1]")
    assert f"weight w = {w:.4g}" in text
    assert f"dL/dw for row 5 = {float(trace.dW[4, 0]):.4g}" in text
    assert f"= {w * a:.4g} to unit 1's z = {float(trace.z[0]):.4g}" in text


def test_nothing_near_a_line_is_no_connection(shown):
    canvas = shown.canvas
    assert connection_at(canvas, QPoint(2, 2)) is None
    assert connection_at(canvas, canvas.layer_view_pos(0)) is None  # a column's own area
    # 2 inputs → 25 units is drawn in blocks: a line there is a block's mean, not one weight
    assert canvas.column_spec(0).is_block
    assert connection_at(canvas, line_view_pos(canvas, 0, 1, 4)) is None
