"""The layer palette: one Dense preset per activation, dragged onto the network canvas.

Drag data: mime type LAYER_MIME_TYPE, payload the activation's canonical name in UTF-8.
Keyboard/button alternative: select a preset and press Enter or "Add Layer" →
addLayerRequested(activation).
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QDrag, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from . import activation_info
from .activation_icon import curve_icon

LAYER_MIME_TYPE = "application/x-netbuilder-layer"
ACTIVATION_ROLE = Qt.ItemDataRole.UserRole


def layer_mime_data(activation: str) -> QMimeData:
    """The drag payload for a new Dense layer with this activation."""
    mime = QMimeData()
    mime.setData(LAYER_MIME_TYPE, QByteArray(activation.encode("utf-8")))
    mime.setText(f"Dense · {activation_info.label(activation)}")
    return mime


class PresetList(QListWidget):
    """The presets; drags carry LAYER_MIME_TYPE instead of Qt's internal item format."""

    activated_by_key = Signal(str)

    def mimeTypes(self) -> list[str]:
        return [LAYER_MIME_TYPE]

    def mimeData(self, items) -> QMimeData:
        """Drag data for the first of `items` (the list allows one selection at a time)."""
        if not items:
            return QMimeData()
        return layer_mime_data(items[0].data(ACTIVATION_ROLE))

    def startDrag(self, supported_actions) -> None:
        """Drag a copy of the preset. Qt's default would offer MoveAction too, and a move
        accepted by the canvas would delete the preset from the palette."""
        item = self.currentItem()
        if item is None:
            return
        drag = QDrag(self)
        drag.setMimeData(self.mimeData([item]))
        drag.setPixmap(item.icon().pixmap(self.iconSize()))
        drag.exec(Qt.DropAction.CopyAction)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        item = self.currentItem()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and item is not None:
            self.activated_by_key.emit(item.data(ACTIVATION_ROLE))
            event.accept()
            return
        super().keyPressEvent(event)


class LayerPalette(QWidget):
    """Dense layer presets. Signal addLayerRequested(str activation)."""

    addLayerRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("layerPalette")
        self.setAccessibleName("Layer palette")
        self.setToolTip(
            "Dense layer presets: drag one onto the network, or select it and "
            "press Enter or Add Layer."
        )

        self.list = PresetList(self)
        self.list.setObjectName("paletteList")
        self.list.setAccessibleName("Layer presets")
        self.list.setToolTip(
            "Drag a preset onto the network canvas, between two layers, to "
            "insert it there. Enter adds it before the output layer."
        )
        self.list.setDragEnabled(True)
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.list.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setIconSize(QSize(40, 26))
        self.list.setSpacing(2)
        self.list.setUniformItemSizes(True)

        self.add_button = QPushButton("Add Layer", self)
        self.add_button.setObjectName("addLayerButton")
        self.add_button.setAccessibleName("Add layer")
        self.add_button.setToolTip(
            "Add the selected preset as a hidden layer before the "
            "output layer (keyboard alternative to dragging)."
        )

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.add_button)

        self._fill()
        self.list.setCurrentRow(0)
        self.add_button.clicked.connect(self._add_current)
        self.list.activated_by_key.connect(self.addLayerRequested)
        self.list.itemDoubleClicked.connect(
            lambda item: self.addLayerRequested.emit(item.data(ACTIVATION_ROLE))
        )

    # -- public -------------------------------------------------------------------------

    def activations(self) -> list[str]:
        """Canonical activation names in palette order."""
        return [self.list.item(i).data(ACTIVATION_ROLE) for i in range(self.list.count())]

    def item_for(self, activation: str) -> QListWidgetItem:
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.data(ACTIVATION_ROLE) == activation:
                return item
        raise KeyError(
            f"No palette preset for activation {activation!r}; presets: {self.activations()}"
        )

    def mimeData(self, activation: str) -> QMimeData:
        """The drag payload the palette produces for this preset (what a drop receives)."""
        return self.list.mimeData([self.item_for(activation)])

    def current_activation(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else item.data(ACTIVATION_ROLE)

    # -- internals ----------------------------------------------------------------------

    def _fill(self) -> None:
        self.list.clear()
        for act in activation_info.ACTIVATIONS:
            # At least 2x, so the icon stays sharp when the window moves to a high-DPI screen.
            icon = curve_icon(
                act.name, self.palette(), device_pixel_ratio=max(2.0, self.devicePixelRatioF())
            )
            item = QListWidgetItem(icon, f"Dense · {act.label}")
            item.setData(ACTIVATION_ROLE, act.name)
            item.setToolTip(f"<b>Dense · {act.label}</b><br>{act.advice}")
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"Dense layer, {act.label}")
            item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, act.advice)
            self.list.addItem(item)

    def _add_current(self) -> None:
        activation = self.current_activation()
        if activation is not None:
            self.addLayerRequested.emit(activation)

    def changeEvent(self, event: QEvent) -> None:
        # Redraw icons when the system switches light/dark, so axes stay readable.
        if event.type() == QEvent.Type.PaletteChange:
            row = self.list.currentRow()
            self._fill()
            self.list.setCurrentRow(row)
        super().changeEvent(event)
