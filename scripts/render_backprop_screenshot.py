"""Render the window with the Sample and Gradients panels side by side after a real run of a
deep sigmoid network on XOR (the README's docs/backprop-views.png).

    QT_QPA_PLATFORM=offscreen python scripts/render_backprop_screenshot.py [out.png]
        [--size=1500x950] [--epochs=150]

Five hidden layers of 16 sigmoid units trained with SGD: the Gradients panel shows the first
layers starved. Uses a temporary settings folder, so a saved layout does not leak in."""

from __future__ import annotations

import sys

from shot_support import option, output, save_png, size, start_app


def main(argv: list[str]) -> int:
    out = output(argv, "docs/backprop-views.png")
    app = start_app()
    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtWidgets import QDockWidget

    from app.main_window import MainWindow
    from engine.data import builtin
    from engine.project import LayerSpec, Project

    window = MainWindow()
    project = Project.new_for_dataset(builtin("xor"))
    project.layers = [LayerSpec(16, "sigmoid") for _ in range(5)] + [LayerSpec(1, "sigmoid")]
    project.compile.optimizer, project.compile.learning_rate = "sgd", 0.1
    project.training.early_stopping = None
    project.training.epochs = int(option(argv, "epochs", "150"))
    window.set_project(project)
    window.resize(*size(argv, "1700x950"))
    window.show()
    gradients = window.findChild(QDockWidget, "gradientDock")
    sample = window.findChild(QDockWidget, "sampleInspector")
    # Out of their tab group (behind Activations), side by side after the Cost plot: a dock
    # split off a tabbed one would join its tabs.
    cost = window.findChild(QDockWidget, "plotsDock")
    for dock in (gradients, sample):
        window.removeDockWidget(dock)
    window.splitDockWidget(cost, sample, Qt.Orientation.Horizontal)
    window.splitDockWidget(cost, gradients, Qt.Orientation.Horizontal)
    for dock in (sample, gradients):
        dock.show()
    for name in ("activationDock", "runsDock"):  # room for the two panels shown
        window.findChild(QDockWidget, name).hide()
    output_dock = window.findChild(QDockWidget, "boundaryDock")
    window.resizeDocks(
        [cost, gradients, sample, output_dock], [270, 480, 440, 270], Qt.Orientation.Horizontal
    )
    window.resizeDocks([gradients], [400], Qt.Orientation.Vertical)
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
    if not save_png(window, out):
        return 1
    print(gradients.widget().title.text())
    window.undo_stack.setClean()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
