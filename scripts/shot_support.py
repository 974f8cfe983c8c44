"""What the screenshot scripts share: their options, an offscreen application with a settings
folder of its own (a saved layout must not leak into a picture), and a PNG written whole."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def option(argv: list[str], name: str, default: str) -> str:
    """The value of --name=value in argv, else default."""
    return next((a.split("=", 1)[1] for a in argv if a.startswith(f"--{name}=")), default)


def size(argv: list[str], default: str) -> tuple[int, int]:
    """--size=WIDTHxHEIGHT."""
    width, height = (int(n) for n in option(argv, "size", default).split("x"))
    return width, height


def output(argv: list[str], default: str) -> Path:
    """The first argument that is not an option, else default."""
    return Path(next((a for a in argv if not a.startswith("--")), default))


def start_app():
    """The QApplication (Fusion style, offscreen unless a platform is set), with a fresh
    settings folder. Call before importing anything that builds widgets."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["NETBUILDER_CONFIG_DIR"] = tempfile.mkdtemp(prefix="netbuilder-shot-")
    from PySide6.QtWidgets import QApplication, QStyleFactory

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setStyle(QStyleFactory.create("Fusion"))
    return app


def save_png(widget, out: Path) -> bool:
    """Grab `widget` and write it to `out` atomically; prints the path, or why not."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    from engine.files import atomic_write

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not widget.grab().save(buffer, "PNG"):
        print(f"could not encode {out}", file=sys.stderr)
        return False
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out, bytes(data.data()))
    print(out)
    return True
