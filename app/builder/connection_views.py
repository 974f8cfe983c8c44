"""Single connections on the network canvas, made readable: hovering a line shows its weight,
the gradient this weight gets from the selected sample (the sample inspector's row, else
row 0) and w·a, what it adds to the next unit's z (engine.sample_trace); right-clicking it
offers "Loss along this weight" (engine.weight_slice in a WeightSliceDialog).

Only lines that stand for one weight answer: on a wide layer the canvas draws a line per
block of units, whose colour is the block's mean weight, and there is no one weight to name.
Installed as an event filter on the canvas's viewport so the canvas's own code (layers,
drops, menus) stays as it is.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QToolTip

from app.builder import canvas as canvas_module
from app.builder.weight_slice_dialog import WeightSliceDialog
from engine.errors import EngineError
from engine.project import runtime
from engine.sample_trace import trace_sample
from engine.weight_slice import loss_along_weight

# How near (in pixels) the pointer must be to a line to mean it.
HIT_PIXELS = 4.0
# Within this many pixels of a column's centre the pointer is on the column, not a line.
COLUMN_PIXELS = 12.0


def _single_weight_nodes(spec) -> bool:
    return spec.units_known and not spec.is_block


def connection_at(canvas, view_pos: QPoint) -> tuple[int, int, int] | None:
    """(layer, i, j) of the line under `view_pos` joining input i to unit j of `layer`
    (0-based), or None: nothing near, a node or label there, or a line of blocks."""
    px, py = float(view_pos.x()), float(view_pos.y())
    # Near a column's centre the pointer is on its nodes, where the column keeps its own
    # clicks and tooltips. Decided by geometry, not scene.items(): wrapping the scene's items
    # from a tooltip filter crashed the garbage collector later (PySide, seen in the tests).
    for index in range(-1, canvas.gap_count()):
        if abs(canvas.layer_view_pos(index).x() - px) <= COLUMN_PIXELS:
            return None
    best, best_d = None, HIT_PIXELS
    for gap in range(canvas.gap_count()):
        left, right = canvas.column_spec(gap - 1), canvas.column_spec(gap)
        if not (_single_weight_nodes(left) and _single_weight_nodes(right)):
            continue
        lines = canvas.connection_lines(gap)
        n_right = right.n_nodes
        for k, line in enumerate(lines):
            seg = line.line()  # in scene coordinates: the lines sit at the scene origin
            a = canvas.mapFromScene(seg.p1())
            b = canvas.mapFromScene(seg.p2())
            d = _distance(px, py, a.x(), a.y(), b.x(), b.y())
            if d < best_d:
                best, best_d = (gap, k // n_right, k % n_right), d
    return best


def _distance(px, py, ax, ay, bx, by) -> float:
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def line_view_pos(canvas, layer: int, i: int, j: int) -> QPoint:
    """The viewport position of the middle of the line W[i, j] of `layer` (for tests and
    keyboard users' menus)."""
    n_right = canvas.column_spec(layer).n_nodes
    line = canvas.connection_lines(layer)[i * n_right + j]
    return canvas.mapFromScene(QPointF(line.line().center()))


def weight_name(layer: int, i: int, j: int, inputs: list[str] | None = None) -> str:
    """ "W1[x₂ → unit 3]": the kernel of layer 1 from its input 2 to its unit 3."""
    source = (
        inputs[i]
        if layer == 0 and inputs and i < len(inputs)
        else f"input {i + 1}"
        if layer == 0
        else f"unit {i + 1}"
    )
    return f"W{layer + 1}[{source} → unit {j + 1}]"


class ConnectionViews(QObject):
    """The hover tooltip and the context menu of single connections (see module doc)."""

    def __init__(self, window, selected_row=lambda: 0):
        super().__init__(window)
        self.window = window
        self.canvas = window.canvas
        self.selected_row = selected_row
        self.dialog: WeightSliceDialog | None = None
        self.canvas.viewport().installEventFilter(self)

    # ----- numbers ------------------------------------------------------------------------
    def _model(self):
        project = self.window.project
        if project is None or project.dataset is None or not project.layers:
            return None
        return runtime.build_model(project, seed=runtime.run_seed(project))

    def tooltip_text(self, layer: int, i: int, j: int) -> str:
        """The weight, its gradient for the selected sample and w·a, from trace_sample of
        that row, computed the way the sample inspector computes it."""
        project = self.window.project
        try:
            net = self._model()
            if net is None:
                return ""
            dataset = project.dataset
            row = min(max(int(self.selected_row()), 0), dataset.n_samples - 1)
            x, target = runtime.training_rows(project, row, row + 1)
            t = trace_sample(net, x[0], target[0]).layers[layer]
        except (EngineError, ValueError, IndexError):
            return ""
        w, a = float(t.kernel[i, j]), float(t.a_prev[i])
        name = weight_name(layer, i, j, list(getattr(dataset, "feature_names", []) or []))
        return (
            f"{name}\n"
            f"weight w = {w:.4g}\n"
            f"dL/dw for row {row} = {float(t.dW[i, j]):.4g}\n"
            f"adds w·a = {w:.4g} × {a:.4g} = {w * a:.4g} to unit {j + 1}'s "
            f"z = {float(t.z[j]):.4g}\n"
            "Right-click: loss along this weight"
        )

    def open_weight_slice(self, layer: int, i: int, j: int) -> WeightSliceDialog | None:
        """Compute the loss along W[i, j] of `layer` on the training data and show it."""
        project = self.window.project
        try:
            net = self._model()
            if net is None:
                return None
            prepared = runtime.prepare_data(project)
            s = loss_along_weight(net, prepared.x_train, prepared.y_train, layer, i, j)
        except (EngineError, ValueError, IndexError) as exc:
            show = getattr(self.window, "status_message", None)
            if callable(show):
                show(f"Loss along this weight: {exc}")
            return None
        names = list(getattr(project.dataset, "feature_names", []) or [])
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = WeightSliceDialog(s, weight_name(layer, i, j, names), self.window)
        self.dialog.show()
        return self.dialog

    # ----- events -------------------------------------------------------------------------
    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if kind == QEvent.Type.ToolTip:
            hit = connection_at(self.canvas, event.pos())
            text = "" if hit is None else self.tooltip_text(*hit)
            if text:
                QToolTip.showText(event.globalPos(), text, self.canvas.viewport())
                return True
        elif kind == QEvent.Type.ContextMenu:
            hit = connection_at(self.canvas, event.pos())
            if hit is not None:
                canvas_module.show_menu(self.context_menu(*hit), event.globalPos())
                return True
        return False

    def context_menu(self, layer: int, i: int, j: int) -> QMenu:
        menu = QMenu(self.canvas)
        action = QAction("Loss along this weight…", menu)
        action.setObjectName("actionLossAlongWeight")
        action.triggered.connect(lambda: self.open_weight_slice(layer, i, j))
        menu.addAction(action)
        return menu


def attach_connection_views(panel) -> ConnectionViews | None:
    """Install on the window's canvas; the selected sample is the sample inspector's row."""
    window = panel.window
    # Windows without the real canvas (the training tests' stand-ins) have no lines.
    if not isinstance(getattr(window, "canvas", None), canvas_module.NetworkCanvas):
        return None
    backprop = getattr(panel, "backprop", None)
    inspector = getattr(backprop, "sample_inspector", None)
    row = (lambda: inspector.spin.value()) if inspector is not None else (lambda: 0)
    return ConnectionViews(window, row)
