"""Render the main window to a PNG (the README's docs/screenshot.png).

    QT_QPA_PLATFORM=offscreen python scripts/render_screenshot.py [out.png] [--dark]
        [--size=1024x700]

Uses a temporary settings folder, so a saved window layout does not leak into the picture."""

from __future__ import annotations

import sys

from shot_support import output, save_png, size, start_app


def main(argv: list[str]) -> int:
    out = output(argv, "docs/screenshot.png")
    app = start_app()
    from app.main_window import MainWindow

    window = MainWindow()
    if "--dark" in argv:
        window.set_colour_scheme("dark")  # View > Colour Scheme > Dark
    window.resize(*size(argv, "1400x900"))
    window.show()
    for _ in range(5):
        app.processEvents()
    if not save_png(window, out):
        return 1
    window.undo_stack.setClean()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
