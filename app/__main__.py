"""`python -m app` and the `netbuilder` console script.

With a command (new, train, evaluate, predict, summary, export, lr-find) or --version/--help, the
arguments go to engine.cli without importing Qt, so batch runs start fast and work on a
machine without a display. With no arguments, or a .nnproj path, it opens the window.
"""

from __future__ import annotations

import os
import sys

COMMANDS = ("new", "train", "evaluate", "predict", "summary", "export", "lr-find")
CLI_OPTIONS = ("--version", "--help", "-h")


def main(argv: list[str] | None = None) -> int:
    """Dispatch to the command line or the window; returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and (args[0] in COMMANDS or args[0] in CLI_OPTIONS):
        from app.cli import main as cli_main

        return cli_main(args)
    if not args:
        return _open_window(None)
    if len(args) == 1 and args[0].lower().endswith(".nnproj"):
        if not os.path.exists(args[0]):
            print(f"netbuilder: error: {args[0]}: no such file", file=sys.stderr)
            return 1
        return _open_window(args[0])
    # Anything else is a usage error: let argparse say so (exit status 2).
    from app.cli import main as cli_main

    return cli_main(args)


def _open_window(path: str | None) -> int:
    problem = _display_problem()
    if problem:
        print(f"netbuilder: error: cannot open the window: {problem}", file=sys.stderr)
        return 1
    # Before NumPy loads (it reads them once): the window keeps a core for its GUI thread.
    from app.blas_threads import leave_a_core_for_the_window

    leave_a_core_for_the_window()
    try:
        from app.main_window import run
    except ImportError as exc:  # PySide6 missing, or a system library Qt needs (libGL, libEGL)
        print(
            f"netbuilder: error: cannot open the window: {exc}. The command line works "
            "without it: netbuilder --help",
            file=sys.stderr,
        )
        return 1
    return run(path)


def _display_problem() -> str | None:
    """Why Qt could not show a window here (it would abort the process), or None."""
    if not sys.platform.startswith("linux"):
        return None
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and platform != "xcb":
        return None
    if not platform and os.environ.get("WAYLAND_DISPLAY"):
        return None
    if not platform and not os.environ.get("DISPLAY"):
        return (
            "no display (neither DISPLAY nor WAYLAND_DISPLAY is set). Run it on a desktop, or "
            "use the command line: netbuilder --help"
        )
    missing = missing_x11_packages()
    if missing:
        return (
            "Qt's X11 support needs system libraries that are not installed. On Debian or "
            f"Ubuntu: sudo apt-get install {' '.join(missing)}"
        )
    return None


# Libraries Qt's xcb platform plugin loads beyond a basic X11 client, with the Debian/Ubuntu
# package of each. Without one of them Qt aborts the process with a core dump.
X11_LIBRARIES = {
    "xcb-cursor": "libxcb-cursor0",
    "xcb-icccm": "libxcb-icccm4",
    "xcb-keysyms": "libxcb-keysyms1",
    "xcb-image": "libxcb-image0",
    "xcb-render-util": "libxcb-render-util0",
    "xcb-shape": "libxcb-shape0",
    "xkbcommon-x11": "libxkbcommon-x11-0",
    "EGL": "libegl1",
    "fontconfig": "libfontconfig1",
    "dbus-1": "libdbus-1-3",
}


def missing_x11_packages(find_library=None) -> list[str]:
    """The packages of the X11 libraries Qt needs that the system cannot find."""
    if find_library is None:
        from ctypes.util import find_library
    return [package for lib, package in X11_LIBRARIES.items() if not find_library(lib)]


if __name__ == "__main__":
    sys.exit(main())
