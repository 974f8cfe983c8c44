"""Render the window with the Sample and Gradients panels side by side after a real run of a
deep sigmoid network on XOR (the README's docs/backprop-views.png).

    QT_QPA_PLATFORM=offscreen python scripts/render_backprop_screenshot.py [out.png]
        [--size=1500x950] [--epochs=150]

Five hidden layers of 16 sigmoid units trained with SGD: the Gradients panel shows the first
layers starved. Uses a temporary settings folder, so a saved layout does not leak in."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def _option(argv: list[str], name: str, default: str) -> str:
    return next((a.split("=", 1)[1] for a in argv if a.startswith(f"--{name}=")), default)


def main(argv: list[str]) -> int:
    out = Path(next((a for a in argv if not a.startswith("--")), "docs/backprop-views.png"))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["NETBUILDER_CONFIG_DIR"] = tempfile.mkdtemp(prefix="netbuilder-shot-")
    from PySide6.QtCore import QBuffer, QByteArray, QEventLoop, QIODevice, Qt, QTimer
    from PySide6.QtWidgets import QApplication, QDockWidget, QStyleFactory

    from app.main_window import MainWindow
    from engine.data import builtin
    from engine.files import atomic_write
    from engine.project import LayerSpec, Project

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setStyle(QStyleFactory.create("Fusion"))
    window = MainWindow()
    project = Project.new_for_dataset(builtin("xor"))
    project.layers = [LayerSpec(16, "sigmoid") for _ in range(5)] + [LayerSpec(1, "sigmoid")]
    project.compile.optimizer, project.compile.learning_rate = "sgd", 0.1
    project.training.early_stopping = None
    project.training.epochs = int(_option(argv, "epochs", "150"))
    window.set_project(project)
    width, height = (int(n) for n in _option(argv, "size", "1500x950").split("x"))
    window.resize(width, height)
    window.show()
    gradients = window.findChild(QDockWidget, "gradientDock")
    sample = window.findChild(QDockWidget, "sampleInspector")
    window.splitDockWidget(gradients, sample, Qt.Orientation.Horizontal)
    window.splitDockWidget(sample, gradients, Qt.Orientation.Horizontal)
    for dock in (sample, gradients):
        dock.show()
        dock.raise_()
    for _ in range(10):
        app.processEvents()
    loop = QEventLoop()
    window.training.controller.runFinished.connect(lambda _result: loop.quit())
    QTimer.singleShot(120_000, loop.quit)  # never hang a build on a wedged run
    window.training.controller.train()
    loop.exec()
    sample.widget().select_row(3)
    for _ in range(20):
        app.processEvents()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not window.grab().save(buffer, "PNG"):
        print(f"could not encode {out}", file=sys.stderr)
        return 1
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out, bytes(data.data()))
    print(out)
    print(gradients.widget().title.text())
    window.undo_stack.setClean()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
