"""File ▸ Export Image…: the network diagram and every plot on screen as PNG or SVG at the
asked size; a folder that cannot be written gives a message, not a traceback."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QDialog, QSpinBox

from app import image_export
from app.image_export import ExportImageDialog

pytest_plugins = ["window_fixtures"]

SVG = "{http://www.w3.org/2000/svg}"
DRAWING = {
    "path",
    "rect",
    "line",
    "polyline",
    "polygon",
    "text",
    "circle",
    "ellipse",
    "image",
    "use",
}


@pytest.fixture
def shown(window, qtbot):
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    return window


def _views(window):
    return {view.label: view for view in image_export.window_views(window)}


def _export_through_the_menu(window, view_label, path, width=None, height=None):
    """Drive the real dialog: pick the view, set the size, press Export…"""

    def ask(views):
        dialog = ExportImageDialog(views, window)
        dialog.view_combo.setCurrentText(view_label)
        if path.suffix == ".svg":
            dialog.format_combo.setCurrentIndex(1)
        if width is not None:
            dialog.findChild(QSpinBox, "exportWidth").setValue(width)
            dialog.findChild(QSpinBox, "exportHeight").setValue(height)
        dialog.ok_button.click()
        assert dialog.result() == QDialog.DialogCode.Accepted
        return dialog.view(), dialog.fmt(), dialog.export_size()

    window.dialogs.ask_export_image = ask
    window.dialogs.ask_save_path = lambda *a, **k: str(path)
    window.export_image_action.trigger()


def test_every_kind_of_view_is_listed(shown):
    labels = list(_views(shown))
    assert labels[0] == "Network diagram"
    for kind in ("Cost — loss", "Activations", "Output"):
        assert any(label.startswith(kind) for label in labels), labels
    assert shown.export_image_action in shown.menuBar().actions()[0].menu().actions()


@pytest.mark.parametrize("kind", ["Network diagram", "Cost — loss", "Activations", "Output"])
def test_png_of_the_asked_size(shown, tmp_path, kind, answers):
    label = next(label for label in _views(shown) if label.startswith(kind))
    path = tmp_path / "view.png"
    _export_through_the_menu(shown, label, path, 640, 360)
    assert not answers.errors
    image = QImage(str(path))
    assert not image.isNull() and (image.width(), image.height()) == (640, 360)
    # Something is drawn: more than the background colour.
    colours = {image.pixel(x, y) for x in range(0, 640, 8) for y in range(0, 360, 8)}
    assert len(colours) > 2
    assert path.name in shown.statusBar().currentMessage()


def test_png_defaults_to_twice_the_view(shown, tmp_path):
    view = _views(shown)["Network diagram"]
    path = tmp_path / "net.png"
    _export_through_the_menu(shown, "Network diagram", path)
    image = QImage(str(path))
    assert (image.width(), image.height()) == (2 * view.size().width(), 2 * view.size().height())


@pytest.mark.parametrize("kind", ["Network diagram", "Cost — loss", "Activations", "Output"])
def test_svg_is_a_drawing(shown, tmp_path, kind, answers):
    label = next(label for label in _views(shown) if label.startswith(kind))
    path = tmp_path / "view.svg"
    _export_through_the_menu(shown, label, path, 800, 500)
    assert not answers.errors
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    assert root.get("width").rstrip("px") == "800" and root.get("height").rstrip("px") == "500"
    drawn = [el for el in root.iter() if el.tag.removeprefix(SVG) in DRAWING]
    assert len(drawn) > 3


def test_an_unwritable_folder_gives_a_message(shown, tmp_path, answers):
    path = tmp_path / "no such folder" / "net.png"
    _export_through_the_menu(shown, "Network diagram", path, 100, 100)
    assert len(answers.errors) == 1
    title, text = answers.errors[0]
    assert title == "Could not export the image" and "net.png" in text
    assert "Traceback" not in text
    assert not shown.status_state.is_busy()


def test_a_wrong_suffix_is_refused(shown, tmp_path, answers):
    _export_through_the_menu(shown, "Network diagram", tmp_path / "net.bmp", 100, 100)
    assert answers.errors and ".png or .svg" in answers.errors[0][1]
