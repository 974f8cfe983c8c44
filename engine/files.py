"""Writing files the way every part of Netbuilder writes them: whole or not at all.

`atomic_write` is the one writer for projects, predictions and exports. A temporary file in
the target's folder is written, flushed and fsynced, given the mode the target would have
(an existing file keeps its own; a new one gets 0o666 minus the umask, as `open` would give
it: mkstemp's 0o600 would hide the file from the person's other accounts and tools), then
renamed over the target. An interrupted write leaves the previous file as it was.

A writer killed mid-save (kill -9, a power cut) cannot remove its temporary file, so the
temporary file's name carries the writer's process id (`.NAME.pid-1234.XXXX.tmp`): the next
save of the same target removes those whose process is gone.

`open_regular` and `read_bounded` are the one way the loaders open a file someone gave them:
a named pipe would block the open forever, a device such as /dev/zero never ends, so anything
that is not a regular file (after following symlinks) is refused before it is read, and no
read takes more bytes than its caller can hold.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

__all__ = [
    "NotRegularFile",
    "TooLarge",
    "atomic_write",
    "atomic_write_all",
    "new_file_mode",
    "open_regular",
    "read_bounded",
    "special_file_kind",
]


class NotRegularFile(OSError):
    """The path names a named pipe, a device, a socket or a folder, not a file's bytes."""


class TooLarge(OSError):
    """A file holds more bytes than the reader may take."""


def special_file_kind(mode: int) -> str | None:
    """What a st_mode describes when it is not a regular file ("a named pipe (FIFO)", ...), or
    None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    for test, what in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISCHR, "a character device (such as /dev/zero)"),
        (stat.S_ISBLK, "a block device (a disk)"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return what
    return "not a regular file"


def open_regular(path: str | os.PathLike):
    """Open `path` for reading bytes, refusing anything but a regular file (after following
    symlinks). Raises NotRegularFile (an OSError naming what it is) for a FIFO, a device, a
    socket or a folder, and OSError as `open` does (missing, unreadable, a symlink loop).

    The file is opened non-blocking, so opening a FIFO with no writer returns at once instead
    of waiting forever; fstat of the open descriptor then decides (no race with a file
    swapped in between a stat and the open)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except IsADirectoryError:
        raise NotRegularFile(errno.EISDIR, "is a folder, not a file", str(path)) from None
    try:
        kind = special_file_kind(os.fstat(fd).st_mode)
        if kind is not None:
            raise NotRegularFile(errno.EINVAL, f"is {kind}, not a regular file", str(path))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bounded(path: str | os.PathLike, limit: int) -> bytes:
    """The whole of a regular file of at most `limit` bytes (open_regular's refusals, and
    TooLarge past the limit). The limit is checked on the bytes actually read, not only on
    the size the file system reports, so a file growing meanwhile cannot get past it."""
    with open_regular(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > limit:
            raise TooLarge(
                errno.EFBIG, f"holds {size:,} bytes, more than the {limit:,} allowed", str(path)
            )
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(errno.EFBIG, f"holds more than the {limit:,} bytes allowed", str(path))
    return data


def atomic_write(
    path: str | os.PathLike, write: Callable[[IO], None] | bytes | str, binary: bool | None = None
) -> Path:
    """Write `path` atomically and return the path written (a symlink's target).

    write: the bytes or text to write, or a function that writes to the open file. binary:
    open the file in bytes mode (default: True unless `write` is a str); text is UTF-8 with
    newlines written as given. Raises OSError (the folder missing, not writable, the disk
    full); the previous file is then unchanged and no temporary file is left behind."""
    return atomic_write_all([(path, write, binary)])[0]


def atomic_write_all(
    files: list[tuple[str | os.PathLike, Callable[[IO], None] | bytes | str, bool | None]],
) -> list[Path]:
    """Write several files that belong together (a script and its weights) as one: every
    one is written to its temporary file first, and only when all of them are complete are
    they renamed over their targets. A failure while writing (a full disk) leaves every
    target as it was and no temporary file behind. Items are (path, write, binary) as for
    atomic_write; returns the paths written."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, write, binary in files:
            if binary is None:
                binary = not isinstance(write, str)
            target = Path(os.path.realpath(path))  # write through a symlink, do not replace it
            remove_stale_temporaries(target)
            fd, tmp_name = tempfile.mkstemp(
                dir=target.parent, prefix=_temp_prefix(target), suffix=".tmp"
            )
            staged.append((tmp_name, target))
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
        for tmp_name, target in staged:
            os.replace(tmp_name, target)
    except BaseException:
        for tmp_name, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
        raise
    for folder in {target.parent for _, target in staged}:
        _fsync_folder(folder)
    return [target for _, target in staged]


def _temp_prefix(target: Path) -> str:
    return f".{target.name}.pid-{os.getpid()}."


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Remove the temporary files earlier writes of `target` left behind when their process
    was killed: those named `.NAME.pid-N.*.tmp` whose process N no longer runs. A live
    writer's file (another Netbuilder saving the same project right now) is left alone.
    Best effort: returns what was removed, never raises."""
    removed = []
    pattern = re.compile(re.escape(f".{target.name}.pid-") + r"(\d+)\.[^/\\]*\.tmp$")
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return removed
    for entry in entries:
        match = pattern.match(entry.name)
        if match is None or _process_alive(int(match[1])):
            continue
        with contextlib.suppress(OSError):
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True  # this process: another thread may be writing the same target
    if pid <= 0:
        return False
    if os.name != "posix":
        # Windows' os.kill(pid, 0) sends Ctrl+C rather than asking: never guess, keep the file.
        return True
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, owned by someone else
    except (OSError, OverflowError, ValueError):
        return False  # a pid no process can have
    return True


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
