"""File ▸ Export Image…: the network diagram or any plot as PNG or SVG, for slides and notes.

Plots go through pyqtgraph's own exporters (ImageExporter, SVGExporter), which know how to
draw their items at another resolution; the canvas is a plain QGraphicsScene, drawn with
QPainter onto a QImage or a QSvgGenerator. Both write through engine.files.atomic_write, so a
failed export never leaves half a file, and an OSError becomes a message, not a traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyqtgraph as pg
import pyqtgraph.exporters as pg_exporters
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFormLayout,
    QGraphicsView,
    QLabel,
    QSpinBox,
    QWidget,
)

from engine.files import atomic_write

FORMATS = ("png", "svg")
IMAGE_FILTER = "PNG image (*.png);;SVG drawing (*.svg)"
MAX_SIDE = 8000  # a 8000×8000 ARGB image is 256 MB: beyond that QImage allocation can fail
CANVAS_MARGIN = 16.0  # scene units around the network, so edge labels are not cut


@dataclass
class View:
    """One exportable view: its label in the dialog and the QGraphicsView that shows it."""

    label: str
    widget: QGraphicsView

    @property
    def is_plot(self) -> bool:
        return isinstance(self.widget, pg.GraphicsView)

    def size(self) -> QSize:
        return self.widget.viewport().size()


def _dock_title(widget: QWidget) -> str:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QDockWidget):
        parent = parent.parentWidget()
    return parent.windowTitle() if parent is not None else ""


def _plot_name(widget: QGraphicsView) -> str:
    """A plot's own name: its left axis label (the cost dock's "loss", "metric") or its
    objectName in words ("rocPlot" -> "roc plot")."""
    item = getattr(widget, "plotItem", None)
    if item is not None:
        label = item.getAxis("left").labelText
        if label:
            return label
    name = widget.objectName()
    return re.sub(r"(?<!^)([A-Z])", r" \1", name).lower() if name else ""


def window_views(window) -> list[View]:
    """The views of `window` that are on screen now: the network diagram first, then every
    pyqtgraph view in the docks. A view hidden in another tab or a closed dock is left out:
    it has no size to export at."""
    views = [View("Network diagram", window.canvas)]
    for widget in window.findChildren(pg.GraphicsView):
        if not widget.isVisible() or widget.width() < 2 or widget.height() < 2:
            continue
        parts = [p for p in (_dock_title(widget), _plot_name(widget)) if p]
        views.append(View(" — ".join(parts) or "Plot", widget))
    # Two plots can share a label (e.g. the panels of one dock): number them.
    seen: dict[str, int] = {}
    for view in views:
        seen[view.label] = seen.get(view.label, 0) + 1
        if seen[view.label] > 1:
            view.label = f"{view.label} ({seen[view.label]})"
    return views


def default_size(view: View, fmt: str) -> QSize:
    """PNG at twice the view's size (sharp on slides and high-DPI screens), SVG at its size."""
    size = view.size()
    factor = 2 if fmt == "png" else 1
    return QSize(max(1, size.width() * factor), max(1, size.height() * factor))


def format_of(path: str | Path) -> str:
    """ "png" or "svg" from the file suffix; ValueError names the suffixes offered."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ValueError(
            f"{Path(path).name}: an image is saved as .png or .svg. Received: "
            f"{'.' + suffix if suffix else 'no suffix'}."
        )
    return suffix


def _png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise OSError("the image could not be encoded as PNG")
    buffer.close()
    return bytes(data.data())


def _plot_item(view: View):
    """The whole drawing: a layout's items even where a narrow dock cuts them off on
    screen (the activation panels), else the scene as shown."""
    layout = getattr(view.widget, "ci", None)
    return layout if layout is not None else view.widget.scene()


def _plot_png(view: View, width: int, height: int) -> bytes:
    exporter = pg_exporters.ImageExporter(_plot_item(view))
    params = exporter.parameters()
    shown = exporter.getTargetRect()
    # pyqtgraph scales pixel-sized things (points, pens) by the width ratio alone, so a
    # size of other proportions gave points far too big: export at the view's proportions,
    # as large as fits, then centre that on a background of the asked size.
    scale = min(width / max(1.0, shown.width()), height / max(1.0, shown.height()))
    params.param("width").setValue(max(1, round(shown.width() * scale)))
    params.param("height").setValue(
        min(height, max(1, round(shown.height() * scale))), blockSignal=exporter.heightChanged
    )
    drawn = exporter.export(toBytes=True)
    if (drawn.width(), drawn.height()) == (width, height):
        return _png_bytes(drawn)
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(params["background"])
    painter = QPainter(image)
    painter.drawImage((width - drawn.width()) // 2, (height - drawn.height()) // 2, drawn)
    painter.end()
    return _png_bytes(image)


def _sized_svg(svg: bytes, width: int, height: int, view_width: float, view_height: float) -> bytes:
    """Give the SVG root the asked width and height, with a viewBox of the drawing's own
    size, so a slide program shows it at that size and scales it without distortion."""
    text = svg.decode("utf-8")
    start = text.index("<svg")
    end = text.index(">", start)
    tag = re.sub(r'\s(?:width|height|viewBox|preserveAspectRatio)="[^"]*"', "", text[start:end])
    text = text[:start] + tag + text[end:]
    attrs = (
        f' width="{width}" height="{height}" '
        f'viewBox="0 0 {view_width:g} {view_height:g}" '
        'preserveAspectRatio="xMidYMid meet"'
    )
    text = re.sub(r"<svg\b", "<svg" + attrs, text, count=1)
    return text.encode("utf-8")


def _plot_svg(view: View, width: int, height: int) -> bytes:
    exporter = pg_exporters.SVGExporter(_plot_item(view))
    try:
        svg = exporter.export(toBytes=True)
    except ValueError:
        # pyqtgraph 0.14 re-parses the path data Qt's SVG generator writes, and Qt 6.11
        # writes it in a form it cannot split ("not enough values to unpack"): draw the
        # visible scene with Qt's generator directly, as for the canvas.
        widget, item = view.widget, _plot_item(view)
        source = (
            item.sceneBoundingRect()
            if item is not widget.scene()
            else widget.mapToScene(widget.viewport().rect()).boundingRect()
        )
        return _scene_svg(widget, source, view.label, width, height, exporter)
    size = view.size()
    return _sized_svg(svg, width, height, size.width(), size.height())


def _canvas_source(view: View) -> QRectF:
    scene = view.widget.scene()
    rect = scene.itemsBoundingRect()
    if rect.isEmpty():
        rect = scene.sceneRect()
    return rect.adjusted(-CANVAS_MARGIN, -CANVAS_MARGIN, CANVAS_MARGIN, CANVAS_MARGIN)


def _background(widget: QGraphicsView) -> QColor:
    """What the view paints behind its items: its background brush, else the palette's."""
    brush = widget.backgroundBrush()
    if brush.style() != Qt.BrushStyle.NoBrush:
        return brush.color()
    brush = widget.scene().backgroundBrush()
    if brush.style() != Qt.BrushStyle.NoBrush:
        return brush.color()
    return widget.palette().base().color()


def _canvas_png(view: View, width: int, height: int) -> bytes:
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    if image.isNull():
        raise OSError(f"there is not enough memory for a {width} × {height} image")
    image.fill(_background(view.widget))
    painter = QPainter(image)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    view.widget.scene().render(painter, QRectF(0, 0, width, height), _canvas_source(view))
    painter.end()
    return _png_bytes(image)


def _scene_svg(
    widget: QGraphicsView, source: QRectF, title: str, width: int, height: int, exporter=None
) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(QSize(width, height))
    generator.setViewBox(QRectF(0, 0, width, height))
    generator.setTitle(title)
    painter = QPainter(generator)
    painter.fillRect(QRectF(0, 0, width, height), _background(widget))
    if exporter is not None:
        # Export mode makes scatter points draw as shapes: their on-screen pixmap fragments
        # came out as smudges in the SVG.
        exporter.setExportMode(
            True,
            {
                "painter": painter,
                "antialias": True,
                "background": _background(widget),
                # pixel-sized symbols grow as render() scales
                "resolutionScale": min(
                    width / max(1.0, source.width()), height / max(1.0, source.height())
                ),
            },
        )
    try:
        widget.scene().render(painter, QRectF(0, 0, width, height), source)
    finally:
        if exporter is not None:
            exporter.setExportMode(False)
        painter.end()
    buffer.close()
    # QSvgGenerator gives the size in millimetres at the screen's resolution; slides and
    # browsers want the pixels asked for.
    return _sized_svg(bytes(data.data()), width, height, width, height)


def _canvas_svg(view: View, width: int, height: int) -> bytes:
    return _scene_svg(view.widget, _canvas_source(view), view.label, width, height)


def export_view(view: View, path: str | Path, width: int, height: int) -> Path:
    """Write `view` to `path` (.png or .svg) at width × height pixels. Raises ValueError for
    a wrong suffix or size and OSError when the file cannot be written."""
    fmt = format_of(path)
    if not (1 <= width <= MAX_SIDE and 1 <= height <= MAX_SIDE):
        raise ValueError(
            f"an image is 1 to {MAX_SIDE} pixels on each side. Received: {width} × {height}."
        )
    if view.is_plot:
        data = _plot_png(view, width, height) if fmt == "png" else _plot_svg(view, width, height)
    else:
        data = (
            _canvas_png(view, width, height) if fmt == "png" else _canvas_svg(view, width, height)
        )
    return atomic_write(path, data)


class ExportImageDialog(QDialog):
    """Which view, and at what size. The format follows the file name chosen afterwards."""

    def __init__(self, views: list[View], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exportImageDialog")
        self.setWindowTitle("Export Image")
        self.views = views
        self.view_combo = QComboBox(self)
        self.view_combo.setObjectName("exportViewCombo")
        self.view_combo.setAccessibleName("View to export")
        for view in views:
            self.view_combo.addItem(view.label)
        self.format_combo = QComboBox(self)
        self.format_combo.setObjectName("exportFormatCombo")
        self.format_combo.setAccessibleName("Image format")
        self.format_combo.addItem("PNG image", "png")
        self.format_combo.addItem("SVG drawing", "svg")
        self.format_combo.setToolTip(
            "PNG for slides and documents; SVG stays sharp at any "
            "size. A file name ending in .png or .svg decides."
        )
        self.width_spin = self._spin("exportWidth", "Width in pixels")
        self.height_spin = self._spin("exportHeight", "Height in pixels")
        self.note = QLabel(self)
        self.note.setObjectName("exportSizeNote")
        self.note.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Export…")
        self.ok_button.setObjectName("exportImageButton")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("View:", self.view_combo)
        form.addRow("Format:", self.format_combo)
        form.addRow("Width:", self.width_spin)
        form.addRow("Height:", self.height_spin)
        form.addRow(self.note)
        form.addRow(buttons)
        self.view_combo.currentIndexChanged.connect(self._reset_size)
        self.format_combo.currentIndexChanged.connect(self._reset_size)
        self._reset_size()

    def _spin(self, name: str, accessible: str) -> QSpinBox:
        spin = QSpinBox(self)
        spin.setObjectName(name)
        spin.setAccessibleName(accessible)
        spin.setRange(1, MAX_SIDE)
        spin.setSuffix(" px")
        return spin

    def _reset_size(self, *_args) -> None:
        view = self.view()
        if view is None:
            return
        size = default_size(view, self.fmt())
        self.width_spin.setValue(size.width())
        self.height_spin.setValue(size.height())
        shown = view.size()
        self.note.setText(
            f"On screen: {shown.width()} × {shown.height()} px. Other "
            "proportions centre the view on its background."
        )

    def view(self) -> View | None:
        index = self.view_combo.currentIndex()
        return self.views[index] if 0 <= index < len(self.views) else None

    def fmt(self) -> str:
        return self.format_combo.currentData()

    def export_size(self) -> QSize:
        """The asked size (not QWidget.size, the dialog's own)."""
        return QSize(self.width_spin.value(), self.height_spin.value())


def _safe_stem(text: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_").lower()
    return stem or "image"


def export_image(window) -> bool:
    """The menu action: ask what, at which size and where; write it; say what happened."""
    views = window_views(window)
    choice = window.dialogs.ask_export_image(views)
    if choice is None:
        return False
    view, fmt, size = choice
    folder = window.project.path.parent if window.project.path else Path.cwd()
    suggested = str(folder / f"{_safe_stem(window.project.name)}_{_safe_stem(view.label)}.{fmt}")
    path = window.dialogs.ask_save_path("Export Image", suggested, IMAGE_FILTER)
    if not path:
        return False
    if not Path(path).suffix:
        path += f".{fmt}"
    try:
        with window.busy(f"Exporting {Path(path).name}…"):
            written = export_view(view, path, size.width(), size.height())
    except (ValueError, OSError) as exc:
        window.dialogs.show_error(
            "Could not export the image", f"Could not write {Path(path).name}:\n\n{exc}"
        )
        return False
    window.status_message(
        f"Exported {view.label} to {written.name} ({size.width()} × {size.height()})."
    )
    return True
