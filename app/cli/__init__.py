"""Netbuilder's command line: new, train, evaluate, predict, summary, export keras, lr-find.

It runs without a screen and never imports Qt: `app/__main__.py` hands every subcommand here.
One module per command, each with `add_parser(commands)` and `run(args)`; they train and read
projects through the engine's one runtime (engine.project.runtime), as the window does.
Exit status: 0 on success; 2 on a usage error (argparse prints why); 1 when a file is
missing, unreadable or does not fit, with exactly one line on stderr,
``netbuilder: error: <file>: <what is wrong>``, never a traceback; 130 when training was
interrupted with Ctrl+C (the project is still saved, with the epochs finished so far).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys

from engine.errors import EngineError

from . import evaluate, export, lr_find, new, predict, summary, train
from .arguments import add_version
from .errors import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_USAGE, PROG, CliError, report

COMMANDS = ("new", "train", "evaluate", "predict", "summary", "export", "lr-find")
_MODULES = (new, train, evaluate, predict, summary, export, lr_find)

__all__ = ["COMMANDS", "EXIT_INTERRUPTED", "main", "build_parser"]


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit status (never raises SystemExit)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if getattr(args, "handler", None) is None:
        parser.print_usage(sys.stderr)
        print(f"{PROG}: error: choose a command: {', '.join(COMMANDS)}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return args.handler(args)
    except SystemExit as exc:  # a usage check inside a command (parser.error)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except CliError as exc:
        return report(exc.file, exc.message)
    except EngineError as exc:
        return report(None, str(exc))
    except BrokenPipeError:  # e.g. `netbuilder predict ... | head`: the reader left
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    except OSError as exc:
        return report(exc.filename, exc.strerror or str(exc))
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - a bug: still one line, and how to report it
        return report(
            None,
            f"unexpected {type(exc).__name__}: {exc} -- this is a bug in Netbuilder; please "
            "report it with the command you ran",
        )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Build and train dense neural networks. Without a command, or with a "
        ".nnproj file, `netbuilder` opens the window; these commands run without one.",
        epilog="example:\n"
        "  netbuilder new xor.nnproj --builtin xor --layers 8:tanh,1:sigmoid --epochs 200\n"
        "  netbuilder train xor.nnproj\n"
        "  netbuilder evaluate xor.nnproj\n"
        "  netbuilder predict xor.nnproj points.csv -o predictions.csv --probabilities\n"
        "  netbuilder export keras xor.nnproj -o model.py\n"
        "  netbuilder lr-find xor.nnproj -o lr.png\n"
        "\n"
        "`netbuilder COMMAND --help` describes each command.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_version(parser)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    for module in _MODULES:
        module.add_parser(commands)
    return parser
