"""Scene items of the network canvas: one ColumnItem per column (the inputs, each Dense layer).

A column draws its neurons as circles; above BLOCK_THRESHOLD units it draws a compact block
of BLOCK_NODES representative nodes instead, each standing for a contiguous group of units
(np.array_split order). `group_starts` tells the weight painter which units each drawn node
stands for. Colours come from a ColumnColours built from the widget palette (light and dark
themes alike).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPalette, QPen
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsRectItem,
    QGraphicsSimpleTextItem,
)

from . import activation_info

BLOCK_THRESHOLD = 16  # more units than this → compact block
BLOCK_NODES = 6  # representative nodes drawn in a block (3 above the ellipsis, 3 below)
NODE_RADIUS = 9.0
NODE_GAP = 24.0  # centre-to-centre distance of neurons in a column
COLUMN_GAP = 150.0  # centre-to-centre distance of columns
COLUMN_HALF_WIDTH = 52.0  # half width of a column's clickable/highlight area
LABEL_GAP = 46.0  # room above the tallest column for the title and subtitle


@dataclass
class ColumnSpec:
    """What one column shows. layer_index is the position in project.layers (-1: inputs)."""

    layer_index: int
    units: int
    title: str
    subtitle: str
    activation: str | None = None
    node_labels: list[str] = field(default_factory=list)  # one per unit, or empty
    side_label: str = ""  # one label beside the column (e.g. "→ y" for the output)
    tooltip: str = ""
    units_known: bool = True  # False: inputs of a project without dataset (count unknown)

    @property
    def is_block(self) -> bool:
        return self.units > BLOCK_THRESHOLD

    @property
    def n_nodes(self) -> int:
        return BLOCK_NODES if self.is_block else self.units

    def group_starts(self) -> np.ndarray:
        """Index of the first unit each drawn node stands for, shape (n_nodes,)."""
        if not self.is_block:
            return np.arange(self.units)
        sizes = [len(g) for g in np.array_split(np.arange(self.units), BLOCK_NODES)]
        return np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(int)

    def node_offsets(self) -> list[float]:
        """Vertical offsets (scene units, 0 = column centre) of the drawn nodes."""
        if not self.is_block:
            return [(i - (self.units - 1) / 2) * NODE_GAP for i in range(self.units)]
        half = BLOCK_NODES // 2
        # Leave the middle slot free for the ellipsis.
        slots = [i - half for i in range(half)] + [i + 1 for i in range(BLOCK_NODES - half)]
        return [s * NODE_GAP for s in slots]

    def half_height(self) -> float:
        offsets = self.node_offsets()
        return max(abs(o) for o in offsets) + NODE_RADIUS + (8.0 if self.is_block else 0.0)


@dataclass
class ColumnColours:
    """Colours taken from the widget palette once per redraw."""

    text: QColor
    muted: QColor
    base: QColor
    alt_base: QColor
    highlight: QColor
    node_outline: QColor
    # Text is drawn this much larger than its nominal point size: the canvas raises it when
    # fitting the network shrinks the view (at 1024×700 the labels were ~5 pt).
    text_scale: float = 1.0

    @classmethod
    def from_palette(cls, palette: QPalette) -> ColumnColours:
        text = QColor(palette.color(QPalette.ColorRole.Text))
        muted = QColor(text)
        muted.setAlpha(150)
        outline = QColor(text)
        outline.setAlpha(170)
        return cls(
            text=text,
            muted=muted,
            base=QColor(palette.color(QPalette.ColorRole.Base)),
            alt_base=QColor(palette.color(QPalette.ColorRole.AlternateBase)),
            highlight=QColor(palette.color(QPalette.ColorRole.Highlight)),
            node_outline=outline,
        )


def _text(
    parent: QGraphicsItem,
    text: str,
    colour: QColor,
    bold: bool = False,
    point_size: float = 9.0,
    scale: float = 1.0,
) -> QGraphicsSimpleTextItem:
    item = QGraphicsSimpleTextItem(text, parent)
    font = QFont()
    font.setPointSizeF(point_size * scale)
    font.setBold(bold)
    item.setFont(font)
    item.setBrush(QBrush(colour))
    item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
    return item


class ColumnItem(QGraphicsRectItem):
    """A column of the network. Its own rectangle is the hit/highlight area; children draw
    the nodes and labels. Position: x is the column centre, y = 0 the vertical centre."""

    def __init__(
        self, spec: ColumnSpec, x: float, label_y: float, bottom_y: float, colours: ColumnColours
    ) -> None:
        super().__init__(
            QRectF(
                -COLUMN_HALF_WIDTH, label_y - 6.0, 2 * COLUMN_HALF_WIDTH, bottom_y - label_y + 12.0
            )
        )
        self.spec = spec
        self.colours = colours
        self.setPos(x, 0.0)
        self.setPen(QPen(Qt.PenStyle.NoPen))
        self.setBrush(QBrush(Qt.BrushStyle.NoBrush))
        self.setToolTip(spec.tooltip)
        self.setAcceptHoverEvents(True)
        if spec.layer_index >= 0:
            self.setCursor(Qt.CursorShape.OpenHandCursor)
        self._selected = False
        self._hovered = False
        self.node_items: list[QGraphicsEllipseItem] = []
        self._draw_nodes()
        self._draw_labels(label_y)

    # -- geometry the canvas needs --------------------------------------------------------

    @property
    def layer_index(self) -> int:
        return self.spec.layer_index

    def node_scene_points(self) -> list[QPointF]:
        x = self.pos().x()
        return [QPointF(x, y) for y in self.spec.node_offsets()]

    # -- selection look ---------------------------------------------------------------------

    def set_highlighted(self, selected: bool) -> None:
        self._selected = selected
        self._restyle()

    def hoverEnterEvent(self, event) -> None:
        self._hovered = True
        self._restyle()
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event) -> None:
        self._hovered = False
        self._restyle()
        super().hoverLeaveEvent(event)

    def _restyle(self) -> None:
        if self._selected:
            fill = QColor(self.colours.highlight)
            fill.setAlpha(45)
            self.setBrush(QBrush(fill))
            self.setPen(QPen(self.colours.highlight, 1.5))
        elif self._hovered and self.spec.layer_index >= 0:
            fill = QColor(self.colours.highlight)
            fill.setAlpha(22)
            self.setBrush(QBrush(fill))
            self.setPen(QPen(Qt.PenStyle.NoPen))
        else:
            self.setBrush(QBrush(Qt.BrushStyle.NoBrush))
            self.setPen(QPen(Qt.PenStyle.NoPen))

    # -- drawing ----------------------------------------------------------------------------

    def _node_colours(self) -> tuple[QColor, QColor]:
        if self.spec.activation is None:  # inputs: neutral
            return QColor(self.colours.alt_base), QColor(self.colours.node_outline)
        accent = QColor(activation_info.info(self.spec.activation).colour)
        # Opaque tint (accent mixed into the background) so lines do not show through nodes.
        base, mix = self.colours.base, 0.35
        fill = QColor(
            round(base.red() + (accent.red() - base.red()) * mix),
            round(base.green() + (accent.green() - base.green()) * mix),
            round(base.blue() + (accent.blue() - base.blue()) * mix),
        )
        return fill, accent

    def _draw_nodes(self) -> None:
        spec, c = self.spec, self.colours
        offsets = spec.node_offsets()
        if spec.is_block:
            half = spec.half_height()
            frame = QGraphicsRectItem(
                QRectF(-NODE_RADIUS - 8, -half, 2 * NODE_RADIUS + 16, 2 * half), self
            )
            frame.setBrush(QBrush(c.alt_base))
            frame.setPen(QPen(c.muted, 1.0, Qt.PenStyle.DashLine))
            frame.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
            dots = _text(self, "⋮", c.text, bold=True, point_size=12, scale=c.text_scale)
            r = dots.boundingRect()
            dots.setPos(-r.width() / 2, -r.height() / 2)
        fill, outline = self._node_colours()
        for y in offsets:
            node = QGraphicsEllipseItem(
                QRectF(-NODE_RADIUS, y - NODE_RADIUS, 2 * NODE_RADIUS, 2 * NODE_RADIUS), self
            )
            node.setBrush(QBrush(fill))
            node.setPen(QPen(outline, 1.3))
            node.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
            self.node_items.append(node)
        if spec.node_labels and not spec.is_block:
            self._draw_node_labels(offsets)
        if spec.side_label:
            side = _text(self, spec.side_label, c.muted, scale=c.text_scale)
            r = side.boundingRect()
            if spec.layer_index < 0:
                side.setPos(
                    -NODE_RADIUS - 8 - r.width() - (14 if spec.is_block else 0), -r.height() / 2
                )
            else:
                side.setPos(NODE_RADIUS + 8 + (10 if spec.is_block else 0), -r.height() / 2)

    def _draw_node_labels(self, offsets: list[float]) -> None:
        # Inputs: names to the left of the nodes; output: class names to the right.
        for y, name in zip(offsets, self.spec.node_labels):
            label = _text(
                self,
                _shorten(name),
                self.colours.muted,
                point_size=8.5,
                scale=self.colours.text_scale,
            )
            r = label.boundingRect()
            if self.spec.layer_index < 0:
                label.setPos(-NODE_RADIUS - 6 - r.width(), y - r.height() / 2)
            else:
                label.setPos(NODE_RADIUS + 6, y - r.height() / 2)

    def _draw_labels(self, label_y: float) -> None:
        c = self.colours
        title = _text(self, self.spec.title, c.text, bold=True, point_size=9.5, scale=c.text_scale)
        r = title.boundingRect()
        title.setPos(-r.width() / 2, label_y)
        sub = _text(self, self.spec.subtitle, c.muted, point_size=8.5, scale=c.text_scale)
        rs = sub.boundingRect()
        sub.setPos(-rs.width() / 2, label_y + r.height())


def _shorten(name: str, limit: int = 22) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"
