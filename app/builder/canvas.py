"""The network canvas: the network drawn left to right, edited by drag and drop.

The canvas never edits the project; it emits a request signal and the main window turns it
into an undo command, then calls set_project() with the result. Indices are positions in
project.layers (the last one is the output layer).

Mouse: drop a palette preset in a gap between columns (a vertical line marks the gap while
dragging) → layerInsertRequested; drag a layer to another gap → layerMoveRequested; click
selects; double-click edits units; right-click opens the context menu.
Keyboard: Left/Right (and Home/End) move the selection, Ctrl+Left/Right move the layer,
Delete/Backspace removes it, Enter/F2 edits units, the Menu key opens the context menu,
Escape selects the model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QLineF,
    QMimeData,
    QPoint,
    QPointF,
    QRectF,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QActionGroup,
    QColor,
    QContextMenuEvent,
    QDrag,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QInputDialog,
    QMenu,
    QWidget,
)

from app.wording import count

from . import activation_info
from .canvas_items import (
    COLUMN_GAP,
    LABEL_GAP,
    ColumnColours,
    ColumnItem,
    ColumnSpec,
)
from .canvas_weights import ConnectionGap, build_pens
from .palette import LAYER_MIME_TYPE

MOVE_MIME_TYPE = "application/x-netbuilder-layer-index"  # internal reorder drag: the index
MAX_ZOOM = 1.6  # a tiny network is not blown up beyond this when fitted to the view
# When the fitted view is small, the labels are drawn larger so they come out at no less than
# MIN_TEXT_ZOOM of their point size, up to MAX_TEXT_BOOST times larger (more and the node
# labels, 24 scene units apart, and the title above its column would touch).
MIN_TEXT_ZOOM = 0.9
MAX_TEXT_BOOST = 1.4
MAX_UNITS = 100_000
AUTO_NAME = re.compile(r"(layer|dense)_?\d*", re.IGNORECASE)


def ask_units(parent: QWidget, title: str, current: int) -> int | None:
    """Ask for a unit count (>= 1); None when cancelled. Module-level so tests can replace it."""
    value, ok = QInputDialog.getInt(
        parent, title, "Units (neurons) in this layer:", current, 1, MAX_UNITS, 1
    )
    return int(value) if ok else None


def show_menu(menu: QMenu, global_pos: QPoint) -> None:
    """Run a context menu; module-level so tests can replace the blocking exec."""
    menu.exec(global_pos)


def layer_move_mime_data(index: int) -> QMimeData:
    """The payload of an internal drag that moves the layer at `index`."""
    mime = QMimeData()
    mime.setData(MOVE_MIME_TYPE, QByteArray(str(index).encode("ascii")))
    return mime


def column_specs(project) -> list[ColumnSpec]:
    """The inputs column followed by one column per layer, from a Project.

    Without a dataset the input count comes from trained weights (features x1..xn), or the
    inputs are drawn as one node labelled "inputs"."""
    layers = list(project.layers)
    dataset = project.dataset
    specs: list[ColumnSpec] = []
    if dataset is not None:
        names = [str(n) for n in dataset.feature_names]
        specs.append(
            ColumnSpec(
                -1,
                len(names),
                "Input",
                count(len(names), "feature"),
                node_labels=names,
                tooltip=_input_tooltip(names),
            )
        )
    elif project.weights:
        n_in = int(np.shape(project.weights[0])[0])
        names = [f"x{i + 1}" for i in range(n_in)]
        specs.append(
            ColumnSpec(
                -1,
                n_in,
                "Input",
                count(n_in, "feature"),
                node_labels=names,
                tooltip=_input_tooltip(names),
            )
        )
    else:
        specs.append(
            ColumnSpec(
                -1,
                1,
                "Input",
                "no dataset",
                side_label="inputs",
                units_known=False,
                tooltip="Inputs: load a dataset to see its features.",
            )
        )
    for i, layer in enumerate(layers):
        is_output = i == len(layers) - 1
        label = activation_info.label(layer.activation)
        role = "Output" if is_output else f"Dense {i + 1}"
        # Automatic names ("layer2", "dense_1") say less than the role; a chosen name wins.
        title = role if not layer.name or AUTO_NAME.fullmatch(layer.name) else layer.name
        spec = ColumnSpec(
            i,
            int(layer.units),
            title,
            f"{layer.units} · {label}",
            activation=layer.activation,
            tooltip=(
                f"{layer.name + ': ' if layer.name else ''}"
                f"{'Output layer' if is_output else 'Hidden layer'} {i + 1} of "
                f"{len(layers)}: Dense, {count(layer.units, 'unit')}, {label} activation.\n"
                "Double-click to change units, drag to move, right-click for more."
            ),
        )
        if is_output and dataset is not None:
            classes = list(dataset.class_names or [])
            if len(classes) == layer.units and layer.units > 1:
                spec.node_labels = [str(c) for c in classes]
            else:
                spec.side_label = f"→ {dataset.target_name}"
        specs.append(spec)
    return specs


def _input_tooltip(names: Sequence[str]) -> str:
    shown = ", ".join(names[:8]) + (", …" if len(names) > 8 else "")
    return f"Inputs: {count(len(names), 'feature')} ({shown})"


class NetworkCanvas(QGraphicsView):
    """The network, left to right. See the module docstring for the interactions."""

    layerInsertRequested = Signal(int, str)
    layerMoveRequested = Signal(int, int)
    layerDeleteRequested = Signal(int)
    layerDuplicateRequested = Signal(int)
    layerUnitsChangeRequested = Signal(int, int)
    layerActivationChangeRequested = Signal(int, str)
    layerSelected = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("networkCanvas")
        self.setAccessibleName("Network canvas")
        self.setToolTip(
            "The network, inputs on the left. Drop palette layers between "
            "columns; click to select, drag to move, double-click to edit units, "
            "right-click or Menu key for more; arrows select, Ctrl+arrows move."
        )
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(
            QPainter.RenderHint.Antialiasing
            | QPainter.RenderHint.TextAntialiasing
            | QPainter.RenderHint.SmoothPixmapTransform
        )
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setMinimumSize(240, 160)

        self._project = None
        self._layers: list = []
        self._columns: list[ColumnItem] = []  # [inputs, layer 0, layer 1, ...]
        self._gaps: list[ConnectionGap] = []
        self._pens = {}
        self._weights: list[np.ndarray] | None = None
        self._selected = -1
        self._text_boost = 1.0  # see MIN_TEXT_ZOOM
        self._boosting = False
        self._label_y = 0.0
        self._bottom_y = 0.0
        self._drop_line = None
        self._drop_label = None
        self._press_pos: QPoint | None = None
        self._press_index = -1
        self._redraw()

    # -- public API -------------------------------------------------------------------------

    def set_project(self, project) -> None:
        """Redraw from project.layers, project.dataset and project.weights. When the columns
        would come out as drawn (a training run recorded, a learning rate edited), only the
        weight colouring is redone: rebuilding the scene costs far more than recolouring."""
        self._project = project
        self._layers = list(project.layers) if project is not None else []
        self._weights = project.weights if project is not None else None
        if project is not None and self._columns and column_specs(project) == self._drawn_specs:
            self.set_weights(self._weights)
        else:
            self._redraw()
        if self._selected >= len(self._layers):
            self.select_layer(len(self._layers) - 1)

    def select_layer(self, index: int) -> None:
        """Select layer `index` (-1: none, i.e. the model). Emits layerSelected on change."""
        index = int(index) if -1 <= int(index) < len(self._layers) else -1
        if index == self._selected:
            return
        self._selected = index
        self._show_selection()
        self.layerSelected.emit(index)

    def selected_layer(self) -> int:
        return self._selected

    def set_weights(self, weights: list[np.ndarray] | None) -> None:
        """Colour/thicken connections by the kernels in weights ([W1, b1, W2, b2, ...], each
        W (n_in, units)). None, or shapes that do not match the drawn network, draw neutral."""
        self._weights = weights
        kernels = list(weights[0::2]) if weights else []
        for i, gap in enumerate(self._gaps):
            gap.show_kernel(kernels[i] if i < len(kernels) else None, self._pens)

    def connection_lines(self, gap: int) -> list:
        """The line items between column `gap` and `gap + 1` (0: inputs → first layer),
        row-major: index i * n_right_nodes + j joins left node i to right node j."""
        return list(self._gaps[gap].lines)

    def gap_count(self) -> int:
        """How many gaps of connection lines are drawn (one per layer)."""
        return len(self._gaps)

    def column_spec(self, index: int) -> ColumnSpec:
        """What the column of layer `index` shows (-1: the inputs)."""
        return self._columns[index + 1].spec

    def insertion_index_at(self, scene_x: float) -> int:
        """The project.layers position a drop at scene x inserts at (gap left of the first
        layer column whose centre is right of x)."""
        centres = [c.pos().x() for c in self._columns[1:]]
        return int(sum(1 for cx in centres if cx < scene_x))

    def gap_scene_x(self, index: int) -> float:
        """Scene x of the insertion gap before layer `index` (len(layers): after the last)."""
        xs = [c.pos().x() for c in self._columns]  # xs[0] inputs, xs[k + 1] layer k
        if index + 1 < len(xs):
            return (xs[index] + xs[index + 1]) / 2
        return xs[-1] + COLUMN_GAP / 2

    def gap_view_pos(self, index: int) -> QPoint:
        """Viewport position of the middle of the insertion gap before layer `index`."""
        return self.mapFromScene(QPointF(self.gap_scene_x(index), 0.0))

    def layer_view_pos(self, index: int) -> QPoint:
        """Viewport position of the centre of layer `index`'s column (-1: the inputs)."""
        column = self._columns[index + 1]
        return self.mapFromScene(QPointF(column.pos().x(), self._label_y + 8.0))

    def drop_indicator_visible(self) -> bool:
        return self._drop_line is not None and self._drop_line.isVisible()

    def drop_indicator_x(self) -> float:
        return self._drop_line.line().x1() + self._drop_line.pos().x()

    def context_menu(self, index: int) -> QMenu:
        """The context menu for layer `index` (not shown; the caller execs it)."""
        n = len(self._layers)
        layer = self._layers[index]
        menu = QMenu(self)
        menu.setObjectName("layerContextMenu")
        menu.setAccessibleName(f"Layer {index + 1} actions")
        units = menu.addAction("Edit Units…\tEnter")
        units.setObjectName("editUnitsAction")
        units.triggered.connect(lambda: self.edit_units(index))
        act_menu = menu.addMenu("Activation")
        act_menu.setObjectName("activationMenu")
        group = QActionGroup(act_menu)
        for info in activation_info.ACTIVATIONS:
            action = act_menu.addAction(info.label)
            action.setObjectName(f"activation_{info.name}")
            action.setCheckable(True)
            action.setChecked(info.name == layer.activation)
            action.setToolTip(info.advice)
            group.addAction(action)
            action.triggered.connect(
                lambda _=False, name=info.name: self._request_activation(index, name)
            )
        act_menu.setToolTipsVisible(True)
        menu.addSeparator()
        # "\t" puts the keyboard alternative in the menu's shortcut column (text only, so it
        # cannot clash with the window's own Delete shortcut).
        duplicate = menu.addAction("Duplicate")
        duplicate.setObjectName("duplicateAction")
        duplicate.triggered.connect(lambda: self.layerDuplicateRequested.emit(index))
        left = menu.addAction("Move Layer Left\tCtrl+Left")
        left.setObjectName("moveLeftAction")
        left.setEnabled(index > 0)
        left.triggered.connect(lambda: self.layerMoveRequested.emit(index, index - 1))
        right = menu.addAction("Move Layer Right\tCtrl+Right")
        right.setObjectName("moveRightAction")
        right.setEnabled(index < n - 1)
        right.triggered.connect(lambda: self.layerMoveRequested.emit(index, index + 1))
        menu.addSeparator()
        delete = menu.addAction("Delete\tDel")
        delete.setObjectName("deleteAction")
        delete.setEnabled(n > 1)
        if n <= 1:
            delete.setToolTip("A network needs at least one layer.")
        delete.triggered.connect(lambda: self.layerDeleteRequested.emit(index))
        menu.setToolTipsVisible(True)
        return menu

    def edit_units(self, index: int) -> None:
        """Ask for a new unit count for layer `index`; emits layerUnitsChangeRequested."""
        if not 0 <= index < len(self._layers):
            return
        current = int(self._layers[index].units)
        units = ask_units(self, f"Layer {index + 1} units", current)
        if units is not None and units >= 1 and units != current:
            self.layerUnitsChangeRequested.emit(index, units)

    # -- drawing ----------------------------------------------------------------------------

    def _redraw(self) -> None:
        scene = self.scene()
        scene.clear()
        self._columns, self._gaps = [], []
        colours = ColumnColours.from_palette(self.palette())
        colours.text_scale = self._text_boost
        neutral = QColor(colours.text)
        neutral.setAlpha(55)
        self._pens = build_pens(neutral)
        self.setBackgroundBrush(self.palette().color(QPalette.ColorRole.Base))

        specs = (
            column_specs(self._project)
            if self._project is not None
            else [ColumnSpec(-1, 1, "Input", "no dataset", side_label="inputs", units_known=False)]
        )
        self._drawn_specs = specs if self._project is not None else None
        half = max(s.half_height() for s in specs)
        self._label_y = -half - LABEL_GAP
        self._bottom_y = half
        for i, spec in enumerate(specs):
            column = ColumnItem(spec, i * COLUMN_GAP, self._label_y, self._bottom_y, colours)
            scene.addItem(column)
            self._columns.append(column)
        for left, right in zip(self._columns, self._columns[1:]):
            self._gaps.append(
                ConnectionGap(
                    scene,
                    left.node_scene_points(),
                    right.node_scene_points(),
                    left.spec.group_starts(),
                    right.spec.group_starts(),
                    left.spec.units if left.spec.units_known else -1,
                    right.spec.units,
                    self._pens[-1],
                )
            )
        if not self._layers:
            self._add_empty_hint(scene, colours)

        pen = QPen(colours.highlight, 3.0, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        self._drop_line = scene.addLine(QLineF(0, self._label_y - 4, 0, self._bottom_y + 8), pen)
        self._drop_line.setZValue(10)
        self._drop_line.setVisible(False)
        self._drop_label = QGraphicsSimpleTextItem("", self._drop_line)
        font = QFont()
        font.setPointSizeF(8.5)
        font.setBold(True)
        self._drop_label.setFont(font)
        self._drop_label.setBrush(colours.highlight)

        last_x = self._columns[-1].pos().x()
        bounds = scene.itemsBoundingRect().united(
            QRectF(
                -COLUMN_GAP / 2,
                self._label_y,
                last_x + COLUMN_GAP,
                self._bottom_y + 30 - self._label_y,
            )
        )  # room for the drop caption
        scene.setSceneRect(bounds.adjusted(-16, -16, 16, 16))
        self._show_selection()
        self.set_weights(self._weights)
        self._fit()
        self._update_accessible_description()

    def _add_empty_hint(self, scene: QGraphicsScene, colours: ColumnColours) -> None:
        hint = scene.addSimpleText("← Drag a Dense layer here from the palette")
        font = QFont()
        font.setPointSizeF(10)
        hint.setFont(font)
        hint.setBrush(colours.muted)
        r = hint.boundingRect()
        hint.setPos(COLUMN_GAP * 0.6, -r.height() / 2)

    def _show_selection(self) -> None:
        for column in self._columns:
            column.set_highlighted(column.layer_index == self._selected and self._selected >= 0)

    def _fit(self) -> None:
        rect = self.sceneRect()
        view = self.viewport().rect()
        if rect.isEmpty() or view.isEmpty():
            return
        scale = min(view.width() / rect.width(), view.height() / rect.height(), MAX_ZOOM)
        boost = round(min(MAX_TEXT_BOOST, max(1.0, MIN_TEXT_ZOOM / scale)) * 10) / 10
        # Larger text widens the scene a little, which lowers the scale a little: the 0.1
        # steps and the one-level guard stop that from redrawing back and forth.
        if boost != self._text_boost and not self._boosting:
            self._text_boost = boost
            self._boosting = True
            try:
                self._redraw()  # fits again
            finally:
                self._boosting = False
            return
        self.resetTransform()
        self.scale(scale, scale)
        self.centerOn(rect.center())

    def text_zoom(self) -> float:
        """How large the labels come out against their nominal point size (1 = as set)."""
        return self._text_boost * self.transform().m11()

    def _update_accessible_description(self) -> None:
        parts = [
            c.spec.subtitle if c.layer_index >= 0 else f"inputs: {c.spec.subtitle}"
            for c in self._columns
        ]
        self.setAccessibleDescription("Network: " + " → ".join(parts))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._fit()

    def changeEvent(self, event: QEvent) -> None:
        # Light/dark switch: every colour comes from the palette, so draw again.
        if event.type() == QEvent.Type.PaletteChange:
            self._redraw()
        super().changeEvent(event)

    # -- hit testing ------------------------------------------------------------------------

    def _column_at(self, view_pos: QPoint) -> ColumnItem | None:
        for item in self.items(view_pos):
            while item is not None and not isinstance(item, ColumnItem):
                item = item.parentItem()
            if item is not None:
                return item
        return None

    # -- mouse ------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        if event.button() == Qt.MouseButton.LeftButton:
            column = self._column_at(event.position().toPoint())
            index = column.layer_index if column is not None else -1
            self.select_layer(index)
            self._press_pos = event.position().toPoint()
            self._press_index = index
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if (
            self._press_pos is not None
            and self._press_index >= 0
            and event.buttons() & Qt.MouseButton.LeftButton
        ):
            distance = (event.position().toPoint() - self._press_pos).manhattanLength()
            if distance >= QApplication.startDragDistance():
                index, self._press_pos = self._press_index, None
                self._start_move_drag(index)
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._press_pos = None
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        column = self._column_at(event.position().toPoint())
        if column is not None and column.layer_index >= 0:
            self.select_layer(column.layer_index)
            self.edit_units(column.layer_index)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def _start_move_drag(self, index: int) -> None:
        drag = QDrag(self)
        drag.setMimeData(layer_move_mime_data(index))
        column = self._columns[index + 1]
        # The dragged layer's picture follows the cursor.
        rect = column.sceneBoundingRect()
        pixmap = self.grab(self.mapFromScene(rect).boundingRect())
        if not pixmap.isNull():
            drag.setPixmap(pixmap)
            drag.setHotSpot(QPoint(pixmap.width() // 2, pixmap.height() // 3))
        drag.exec(Qt.DropAction.MoveAction)
        self._drop_line.setVisible(False)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        if event.reason() == QContextMenuEvent.Reason.Mouse:
            column = self._column_at(event.pos())
            index = column.layer_index if column is not None else -1
            if index >= 0:
                self.select_layer(index)
        else:
            index = self._selected
        if index < 0:
            return
        menu = self.context_menu(index)
        pos = event.globalPos()
        if event.reason() != QContextMenuEvent.Reason.Mouse:
            pos = self.viewport().mapToGlobal(self.layer_view_pos(index))
        show_menu(menu, pos)

    # -- drag and drop ----------------------------------------------------------------------

    @staticmethod
    def _accepts(mime: QMimeData) -> bool:
        return mime.hasFormat(LAYER_MIME_TYPE) or mime.hasFormat(MOVE_MIME_TYPE)

    def _show_drop_indicator(self, view_pos: QPoint, mime: QMimeData) -> int:
        """Show the vertical line at the gap under view_pos, captioned with what a drop
        there does ("+ ReLU", "move here")."""
        index = self.insertion_index_at(self.mapToScene(view_pos).x())
        if mime.hasFormat(LAYER_MIME_TYPE):
            name = bytes(mime.data(LAYER_MIME_TYPE).data()).decode("utf-8", "replace")
            caption = f"+ {activation_info.label(name)}"
        else:
            caption = "move here"
        if self._drop_label.text() != caption:
            self._drop_label.setText(caption)
        r = self._drop_label.boundingRect()
        self._drop_label.setPos(-r.width() / 2, self._bottom_y + 10)
        self._drop_line.setPos(self.gap_scene_x(index), 0.0)
        self._drop_line.setVisible(True)
        return index

    def drop_indicator_caption(self) -> str:
        return self._drop_label.text()

    @staticmethod
    def _accept_drop(event) -> None:
        # A palette preset is copied (the palette keeps it); a layer drag moves the layer.
        copy = event.mimeData().hasFormat(LAYER_MIME_TYPE)
        event.setDropAction(Qt.DropAction.CopyAction if copy else Qt.DropAction.MoveAction)
        event.accept()

    def dragEnterEvent(self, event) -> None:
        if self._accepts(event.mimeData()):
            self._show_drop_indicator(event.position().toPoint(), event.mimeData())
            self._accept_drop(event)
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if self._accepts(event.mimeData()):
            self._show_drop_indicator(event.position().toPoint(), event.mimeData())
            self._accept_drop(event)
        else:
            event.ignore()

    def dragLeaveEvent(self, event) -> None:
        self._drop_line.setVisible(False)
        event.accept()

    def dropEvent(self, event) -> None:
        self._drop_line.setVisible(False)
        mime = event.mimeData()
        if not self._accepts(mime):
            event.ignore()
            return
        gap = self.insertion_index_at(self.mapToScene(event.position().toPoint()).x())
        if mime.hasFormat(LAYER_MIME_TYPE):
            activation = bytes(mime.data(LAYER_MIME_TYPE).data()).decode("utf-8").strip()
            if not activation:
                event.ignore()
                return
            self.layerInsertRequested.emit(gap, activation)
        else:
            try:
                source = int(bytes(mime.data(MOVE_MIME_TYPE).data()).decode("ascii"))
            except ValueError:
                event.ignore()
                return
            # Dropping in gap g puts the layer before the layer now at g; after removing it
            # from its old place, that is position g - 1 when it came from the left.
            target = gap - 1 if gap > source else gap
            if 0 <= source < len(self._layers) and target != source:
                self.layerMoveRequested.emit(source, target)
        self._accept_drop(event)

    # -- keyboard ---------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        n, sel = len(self._layers), self._selected
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and n:
            step = -1 if key == Qt.Key.Key_Left else 1
            if ctrl:
                if sel >= 0 and 0 <= sel + step < n:
                    self.layerMoveRequested.emit(sel, sel + step)
            elif sel < 0:
                self.select_layer(0 if step > 0 else n - 1)
            else:
                self.select_layer(min(max(sel + step, 0), n - 1))
        elif key == Qt.Key.Key_Home and n:
            self.select_layer(0)
        elif key == Qt.Key.Key_End and n:
            self.select_layer(n - 1)
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            if sel >= 0 and n > 1:
                self.layerDeleteRequested.emit(sel)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2):
            if sel >= 0:
                self.edit_units(sel)
        elif key == Qt.Key.Key_Escape:
            self.select_layer(-1)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def _request_activation(self, index: int, name: str) -> None:
        if 0 <= index < len(self._layers) and self._layers[index].activation != name:
            self.layerActivationChangeRequested.emit(index, name)
