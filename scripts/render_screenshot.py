"""Render the main window to a PNG (the README's docs/screenshot.png).

    QT_QPA_PLATFORM=offscreen python scripts/render_screenshot.py [out.png] [--dark]
        [--size=1024x700]

Uses a temporary settings folder, so a saved window layout does not leak into the picture."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def main(argv: list[str]) -> int:
    out = Path(next((a for a in argv if not a.startswith("--")), "docs/screenshot.png"))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["NETBUILDER_CONFIG_DIR"] = tempfile.mkdtemp(prefix="netbuilder-shot-")
    from PySide6.QtWidgets import QApplication, QStyleFactory

    from app.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setStyle(QStyleFactory.create("Fusion"))
    window = MainWindow()
    if "--dark" in argv:
        window.set_colour_scheme("dark")  # View > Colour Scheme > Dark
    size = next((a.split("=", 1)[1] for a in argv if a.startswith("--size=")), "1400x900")
    width, height = (int(n) for n in size.split("x"))
    window.resize(width, height)
    window.show()
    for _ in range(5):
        app.processEvents()
    out.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(out)):
        print(f"could not write {out}", file=sys.stderr)
        return 1
    print(out)
    window.undo_stack.setClean()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
