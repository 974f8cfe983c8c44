"""Writing files the way every part of Netbuilder writes them: whole or not at all.

`atomic_write` is the one writer for projects, predictions and exports. A temporary file in
the target's folder is written, flushed and fsynced, given the mode the target would have
(an existing file keeps its own; a new one gets 0o666 minus the umask, as `open` would give
it: mkstemp's 0o600 would hide the file from the person's other accounts and tools), then
renamed over the target. An interrupted write leaves the previous file as it was.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

__all__ = ["atomic_write", "new_file_mode"]


def atomic_write(path: str | os.PathLike, write: Callable[[IO], None] | bytes | str,
                 binary: bool | None = None) -> Path:
    """Write `path` atomically and return the path written (a symlink's target).

    write: the bytes or text to write, or a function that writes to the open file. binary:
    open the file in bytes mode (default: True unless `write` is a str); text is UTF-8 with
    newlines written as given. Raises OSError (the folder missing, not writable, the disk
    full); the previous file is then unchanged and no temporary file is left behind."""
    if binary is None:
        binary = not isinstance(write, str)
    target = Path(os.path.realpath(path))  # write through a symlink, do not replace it
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        mode = "wb" if binary else "w"
        text_options = {} if binary else {"encoding": "utf-8", "newline": ""}
        with os.fdopen(fd, mode, **text_options) as handle:
            if callable(write):
                write(handle)
            else:
                handle.write(write)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, new_file_mode(target))
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    _fsync_folder(target.parent)
    return target


def new_file_mode(target: Path) -> int:
    """An existing file's permissions, or 0o666 minus the umask for a new one."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); best effort, as Windows cannot open folders."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
