"""How the command line reports a problem: one line, `netbuilder: error: <file>: <what>`."""

from __future__ import annotations

import contextlib
import os
import sys

from engine.errors import EngineError

PROG = "netbuilder"
EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class CliError(Exception):
    """A problem with one file, reported as `netbuilder: error: <file>: <message>`."""

    def __init__(self, file, message: str):
        super().__init__(message)
        self.file = None if file is None else str(file)
        self.message = message


def report(file, message: str) -> int:
    """Print the one-line error; returns EXIT_ERROR. Never raises: it is what every failure
    ends in, so a path it cannot resolve (a symlink loop) or a message that cannot be
    printed must not turn one line into a traceback."""
    try:
        text = " ".join(str(message).split())  # one line, whatever the message held
        if file:
            file = str(file)
            for spelling in sorted(_spellings(file), key=len, reverse=True):
                # The engine's message already names the file ("path: ..." or "path, line 3").
                if text.startswith((spelling + ":", spelling + ",")):
                    text = text[len(spelling) + 1 :].lstrip()
                    break
            text = f"{file}: {text}"
        line = f"{PROG}: error: {text}"
    except Exception:  # noqa: BLE001 - see the docstring
        line = f"{PROG}: error: {file!r}: {message!r}"
    with contextlib.suppress(Exception):
        print(line, file=sys.stderr)
    return EXIT_ERROR


def _spellings(file: str) -> set[str]:
    """The ways a message may name `file`: as given, absolute, and with symlinks resolved.
    os.path.realpath (non-strict) never raises on a loop, unlike Path.resolve()."""
    spellings = {file}
    for spell in (os.path.abspath, os.path.realpath):
        with contextlib.suppress(Exception):
            spellings.add(spell(file))
    return spellings


@contextlib.contextmanager
def about(path, what: str = "", loading: bool = False):
    """Attribute errors raised inside to `path`. When `loading`, any failure to read means the
    file is broken (a library's own parse errors are not EngineErrors)."""
    try:
        yield
    except CliError:
        raise
    except EngineError as exc:
        raise CliError(path, f"{what}{exc}") from exc
    except OSError as exc:
        message = f"{what}{exc.strerror or exc}"
        other = exc.filename and str(exc.filename) != str(path)
        if other and path is not None and not str(exc.filename).endswith(".tmp"):
            message += f" ({exc.filename})"  # e.g. the dataset file a project points to
        raise CliError(path if path is not None else exc.filename, message) from exc
    except (KeyboardInterrupt, MemoryError):
        raise
    except Exception as exc:
        if not loading:
            raise
        raise CliError(path, f"{what}cannot be read: {type(exc).__name__}: {exc}") from exc
