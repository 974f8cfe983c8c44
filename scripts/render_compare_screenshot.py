"""Render the Compare dialog after a real sigmoid-vs-ReLU comparison on the coffee data (the
README's docs/compare-sigmoid-relu.png).

    QT_QPA_PLATFORM=offscreen python scripts/render_compare_screenshot.py [out.png]
        [--size=1180x760] [--epochs=300]

The window opens the coffee example as a person would; Compare… trains its 25-15-1 sigmoid
network and the same network with ReLU in layer 1, from the same initial weights, on the
dialog's own thread. Uses a temporary settings folder, so a saved layout does not leak in."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def _option(argv: list[str], name: str, default: str) -> str:
    return next((a.split("=", 1)[1] for a in argv if a.startswith(f"--{name}=")), default)


def main(argv: list[str]) -> int:
    out = Path(next((a for a in argv if not a.startswith("--")), "docs/compare-sigmoid-relu.png"))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["NETBUILDER_CONFIG_DIR"] = tempfile.mkdtemp(prefix="netbuilder-shot-")
    from PySide6.QtCore import QBuffer, QByteArray, QEventLoop, QIODevice, QTimer
    from PySide6.QtWidgets import QApplication, QStyleFactory

    from app.main_window import MainWindow
    from engine.compare import Change
    from engine.files import atomic_write

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setStyle(QStyleFactory.create("Fusion"))
    window = MainWindow()
    window.show()
    dialog = window.training.learning_tools.open_compare()
    width, height = (int(n) for n in _option(argv, "size", "1180x760").split("x"))
    dialog.resize(width, height)
    dialog.choose(Change("activation", "relu", layer=0))
    dialog.epochs_spin.setValue(int(_option(argv, "epochs", "300")))
    loop = QEventLoop()
    dialog.comparisonFinished.connect(lambda _result: loop.quit())
    QTimer.singleShot(120_000, loop.quit)  # never hang a build on a wedged run
    if not dialog.start():
        print(f"could not compare: {dialog.message.text()}", file=sys.stderr)
        return 1
    loop.exec()
    if dialog.result is None:
        print("the comparison did not finish", file=sys.stderr)
        return 1
    for _ in range(5):
        app.processEvents()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not dialog.grab().save(buffer, "PNG"):
        print(f"could not encode {out}", file=sys.stderr)
        return 1
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out, bytes(data.data()))
    print(out)
    print(dialog.verdict.text())
    window.undo_stack.setClean()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
