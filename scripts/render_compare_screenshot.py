"""Render the Compare dialog after a real sigmoid-vs-ReLU comparison on the coffee data (the
README's docs/compare-sigmoid-relu.png).

    QT_QPA_PLATFORM=offscreen python scripts/render_compare_screenshot.py [out.png]
        [--size=1180x760] [--epochs=300]

The window opens the coffee example as a person would; Compare… trains its 25-15-1 sigmoid
network and the same network with ReLU in layer 1, from the same initial weights, on the
dialog's own thread. Uses a temporary settings folder, so a saved layout does not leak in."""

from __future__ import annotations

import sys

from shot_support import option, output, save_png, size, start_app


def main(argv: list[str]) -> int:
    out = output(argv, "docs/compare-sigmoid-relu.png")
    app = start_app()
    from PySide6.QtCore import QEventLoop, QTimer

    from app.main_window import MainWindow
    from engine.compare import Change

    window = MainWindow()
    window.show()
    dialog = window.training.learning_tools.open_compare()
    dialog.resize(*size(argv, "1180x760"))
    dialog.choose(Change("activation", "relu", layer=0))
    dialog.epochs_spin.setValue(int(option(argv, "epochs", "300")))
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
    if not save_png(dialog, out):
        return 1
    print(dialog.verdict.text())
    window.undo_stack.setClean()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
