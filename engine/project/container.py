"""Reading and writing the .nnproj container: a zip of project.json, weights.npz and optionally
dataset.csv, snapshots.npz and runs.npz.

This module knows the container, not the meaning of its contents (that is engine/project.py).
Opening a file can never run code: project.json is read with `json`, arrays with
`numpy.load(allow_pickle=False)` after their headers have been checked, and nothing is ever
extracted to disk. Writing is atomic: a temporary file beside the target, flushed and fsynced,
then `os.replace`, so a crash or a full disk leaves the previous file as it was.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np

from ..errors import ProjectError
from ..files import NotRegularFile, atomic_write, open_regular
from .json_values import parse_json_float, parse_json_int
from .migrations import RawProject

FORMAT_NAME = "netbuilder-project"
PROJECT_JSON = "project.json"
WEIGHTS_NPZ = "weights.npz"
SNAPSHOTS_NPZ = "snapshots.npz"
RUNS_NPZ = "runs.npz"  # the final weights of the project's runs (schema 3)
DATASET_CSV = "dataset.csv"

# A real project is a few MB; this stops a zip bomb before anything is decompressed.
MAX_TOTAL_BYTES = 2 * 1024**3
# project.json holds settings and per-epoch history: 200 MB is ~10 million history values.
MAX_JSON_BYTES = 200 * 1024**2
# The embedded dataset is parsed from memory while its bytes are kept for the next save, so
# it costs about 3x its size at the peak of loading: a 1.9 GB dataset.csv took 6 GB and
# hung every front end. Netbuilder embeds CSV files under 20 MB (EMBED_LIMIT_BYTES); 256 MiB
# leaves room for data made in memory while staying under 1 GB at the peak.
MAX_DATASET_BYTES = 256 * 1024**2
# Each member is inflated this many bytes at a time, counting the bytes that actually come
# out: the sizes the zip directory declares can lie.
_READ_CHUNK = 1 << 20
# The only compression methods Netbuilder writes. bzip2 and lzma inflate a whole input block
# at once (8.8 KB of bzip2 became 6 GB), so they are refused before anything is inflated.
_ALLOWED_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}

_NPY_MEMBER = re.compile(r"^[A-Za-z0-9_]+\.npy$")

# What the zipfile, zlib, json and numpy readers raise on damaged bytes. Anything from this
# list while decoding means "the file is damaged", never "Netbuilder has a bug".
_DAMAGED = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    ValueError,  # includes UnicodeDecodeError and json.JSONDecodeError
    struct.error,
    OverflowError,
    NotImplementedError,  # unsupported compression method
    RuntimeError,  # encrypted member
    KeyError,
    IndexError,
    TypeError,
    MemoryError,
)


def _damaged(source: str, what: str, exc: BaseException | None = None) -> ProjectError:
    detail = f" ({type(exc).__name__}: {exc})" if exc is not None else ""
    return ProjectError(
        f"{source}: {what}{detail}. The file is damaged or incomplete; open a backup copy or "
        "ask whoever sent it for a new copy."
    )


# ---------------------------------------------------------------------------------- reading


def read_raw(path: str | os.PathLike) -> RawProject:
    """Read a .nnproj file into a RawProject, checking the container but not the schema.

    Raises ProjectError naming the file for: a missing or unreadable file, an empty or
    truncated file, not a zip, unsafe member names (absolute, '..', duplicates), more than
    MAX_TOTAL_BYTES uncompressed, no or invalid project.json, a wrong "format", and .npz
    members that hold object arrays (pickles) or are malformed.
    """
    source = str(path)
    try:
        handle = open_regular(path)
    except FileNotFoundError:
        raise ProjectError(f"{source}: no such file. Check the name and folder.") from None
    except NotRegularFile as exc:
        raise ProjectError(
            f"{source} {exc.strerror}, so it cannot be a project file; it was not read. Pick a "
            ".nnproj file."
        ) from None
    except OSError as exc:
        raise ProjectError(
            f"{source}: could not be read ({exc.strerror or exc}). Check that it exists and "
            "that you may read it."
        ) from exc
    with handle:
        return _read_open_file(handle, source)


def _read_open_file(handle, source: str) -> RawProject:
    size = os.fstat(handle.fileno()).st_size
    if size == 0:
        raise ProjectError(
            f"{source} is empty (0 bytes), so it is not a Netbuilder project. It was probably "
            "not saved completely; open a backup copy."
        )
    if size > MAX_TOTAL_BYTES:
        raise ProjectError(
            f"{source} is {size:,} bytes, more than the {MAX_TOTAL_BYTES:,} bytes a project may "
            "hold; it was refused without reading it. Open a project saved by Netbuilder."
        )
    try:
        # The zip is read from the file as needed: only the directory and the members asked
        # for, never the whole file at once.
        archive = zipfile.ZipFile(handle)
    except _DAMAGED as exc:
        raise ProjectError(
            f"{source} is not a Netbuilder project: it is not a zip archive or it is truncated "
            f"({type(exc).__name__}: {exc}). Open a .nnproj file saved by Netbuilder, or a "
            "backup copy if this one was cut short."
        ) from exc
    except OSError as exc:
        raise ProjectError(
            f"{source}: could not be read ({exc.strerror or exc}). Check that it exists and "
            "that you may read it."
        ) from exc
    with archive:
        infos = _checked_members(archive, source)
        names = {info.filename for info in infos}
        if PROJECT_JSON not in names:
            raise ProjectError(
                f"{source} has no {PROJECT_JSON}, so it is not a Netbuilder project (it holds: "
                f"{', '.join(sorted(names)) or 'nothing'}). Open a .nnproj file saved by "
                "Netbuilder."
            )
        meta = _read_json(archive, source)
        raw = RawProject(meta=meta)
        if WEIGHTS_NPZ in names:
            raw.weights = _read_npz(
                _read_member(archive, WEIGHTS_NPZ, source, MAX_TOTAL_BYTES), WEIGHTS_NPZ, source
            )
        if SNAPSHOTS_NPZ in names:
            raw.snapshots = _read_npz(
                _read_member(archive, SNAPSHOTS_NPZ, source, MAX_TOTAL_BYTES),
                SNAPSHOTS_NPZ,
                source,
            )
        if RUNS_NPZ in names:
            raw.runs = _read_npz(
                _read_member(archive, RUNS_NPZ, source, MAX_TOTAL_BYTES), RUNS_NPZ, source
            )
        if DATASET_CSV in names:
            raw.dataset_csv = _read_member(archive, DATASET_CSV, source, MAX_DATASET_BYTES)
    return raw


def _checked_members(archive: zipfile.ZipFile, source: str) -> list[zipfile.ZipInfo]:
    """The members, after refusing unsafe names and oversized contents (from the directory
    alone: nothing has been decompressed yet)."""
    try:
        infos = archive.infolist()
    except _DAMAGED as exc:  # pragma: no cover - ZipFile() already parsed the directory
        raise _damaged(source, "its table of contents cannot be read", exc) from exc
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        if _unsafe_member_name(name):
            raise ProjectError(
                f"{source} contains a member with an unsafe path {name!r} (absolute or with "
                "'..'). Netbuilder never writes such files; it was refused. Do not trust it."
            )
        if name in seen:
            raise ProjectError(
                f"{source} contains {name!r} twice, so which one counts is ambiguous; it was "
                "refused. The file was not written by Netbuilder or has been tampered with."
            )
        seen.add(name)
        if info.flag_bits & 0x1:
            raise ProjectError(
                f"{source}: member {name!r} is encrypted; Netbuilder projects never are. "
                "Open an unencrypted copy."
            )
        _check_method(info, source)
        limit = MAX_DATASET_BYTES if name == DATASET_CSV else None
        if limit is not None and info.file_size > limit:
            raise ProjectError(
                f"{source}: {name} would unpack to {info.file_size:,} bytes, more than the "
                f"{limit:,} bytes an embedded dataset may hold; it was refused without "
                "unpacking. Keep a dataset this big as a CSV file beside the project."
            )
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        raise ProjectError(
            f"{source} would unpack to {total:,} bytes, more than the {MAX_TOTAL_BYTES:,} bytes "
            "a project may hold; it was refused without unpacking (it may be a zip bomb). "
            "Open a project saved by Netbuilder."
        )
    return infos


def _unsafe_member_name(name: str) -> bool:
    if not name or name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return True
    return ".." in re.split(r"[/\\]", name)


def _check_method(info: zipfile.ZipInfo, source: str) -> None:
    if info.compress_type not in _ALLOWED_METHODS:
        raise ProjectError(
            f"{source}: member {info.filename!r} is compressed with method "
            f"{info.compress_type}; Netbuilder writes only stored and deflate members, so it "
            "was refused without unpacking. Open a project saved by Netbuilder."
        )


def _read_member(archive: zipfile.ZipFile, name: str, source: str, limit: int) -> bytes:
    """A member's bytes, inflated a chunk at a time and counted as they come out: past
    `limit` bytes the read stops, whatever size the zip directory declared."""
    chunks = []
    count = 0
    try:
        with archive.open(name) as stream:
            while chunk := stream.read(_READ_CHUNK):
                count += len(chunk)
                if count > limit:
                    raise ProjectError(
                        f"{source}: {name} unpacks to more than {limit:,} bytes, the most it "
                        "may hold; it was refused (it may be a zip bomb). Open a project saved "
                        "by Netbuilder."
                    )
                chunks.append(chunk)
    except ProjectError:
        raise
    except (*_DAMAGED, OSError) as exc:
        raise _damaged(source, f"{name} cannot be unpacked", exc) from exc
    return b"".join(chunks)


def _read_json(archive: zipfile.ZipFile, source: str) -> dict:
    if archive.getinfo(PROJECT_JSON).file_size > MAX_JSON_BYTES:
        raise ProjectError(
            f"{source}: {PROJECT_JSON} is larger than {MAX_JSON_BYTES:,} bytes; it was refused. "
            "Open a project saved by Netbuilder."
        )
    text = _read_member(archive, PROJECT_JSON, source, MAX_JSON_BYTES)
    try:
        meta = json.loads(
            text.decode("utf-8"), parse_int=parse_json_int, parse_float=parse_json_float
        )
    except UnicodeDecodeError as exc:
        raise ProjectError(
            f"{source}: {PROJECT_JSON} is not UTF-8 text ({exc.reason} at byte {exc.start}). "
            "The file is damaged; open a backup copy."
        ) from exc
    except json.JSONDecodeError as exc:
        raise ProjectError(
            f"{source}: {PROJECT_JSON} is not valid JSON ({exc.msg} at line {exc.lineno}, "
            f"column {exc.colno}). If you edited it by hand, fix that spot; otherwise open a "
            "backup copy."
        ) from exc
    except RecursionError as exc:
        raise _damaged(source, f"{PROJECT_JSON} is nested too deeply", exc) from exc
    if not isinstance(meta, dict):
        raise ProjectError(
            f"{source}: {PROJECT_JSON} holds a JSON {type(meta).__name__}, expected an object "
            'with "format" and "schema_version". Open a .nnproj file saved by Netbuilder.'
        )
    if meta.get("format") != FORMAT_NAME:
        raise ProjectError(
            f"{source}: {PROJECT_JSON} has format={meta.get('format')!r}, expected "
            f"{FORMAT_NAME!r}, so it is not a Netbuilder project. Open a .nnproj file saved by "
            "Netbuilder."
        )
    return meta


def _read_npz(data: bytes, member: str, source: str) -> dict[str, np.ndarray]:
    """The arrays of an .npz member, by key. Object arrays (pickles) are refused before numpy
    sees them, and every array's header is checked against its stored size, so a forged shape
    cannot make numpy allocate gigabytes."""
    where = f"{source}: {member}"
    try:
        inner = zipfile.ZipFile(io.BytesIO(data))
        with inner:
            total = 0
            for info in inner.infolist():
                if not _NPY_MEMBER.match(info.filename) or info.flag_bits & 0x1:
                    raise ProjectError(
                        f"{where} holds {info.filename!r}, which is not a plain .npy array; "
                        "it was refused. The file was not written by Netbuilder."
                    )
                _check_method(info, where)
                total += info.file_size
                if total > MAX_TOTAL_BYTES:
                    raise ProjectError(
                        f"{where} would unpack to more than {MAX_TOTAL_BYTES:,} bytes; it was "
                        "refused without unpacking. Open a project saved by Netbuilder."
                    )
                with inner.open(info) as stream:
                    _check_npy_header(stream, info, where)
        arrays = {}
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            for key in npz.files:
                arrays[key] = np.asarray(npz[key])
    except ProjectError:
        raise
    except _DAMAGED as exc:
        raise _damaged(source, f"{member} cannot be read", exc) from exc
    return arrays


def _check_npy_header(stream, info: zipfile.ZipInfo, where: str) -> None:
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        shape, _fortran, dtype = np.lib.format.read_array_header_1_0(stream)
    elif version == (2, 0):
        shape, _fortran, dtype = np.lib.format.read_array_header_2_0(stream)
    else:
        raise ProjectError(
            f"{where}: array {info.filename!r} uses .npy format {version}, which Netbuilder "
            "does not write; it was refused. Save it again with Netbuilder."
        )
    if dtype.hasobject:
        raise ProjectError(
            f"{where}: array {info.filename!r} holds Python objects (a pickle), which could run "
            "code when loaded; it was refused, never loaded. Do not trust this file."
        )
    n_bytes = math.prod(shape) * dtype.itemsize  # Python ints: a forged shape cannot overflow
    if n_bytes > info.file_size:
        raise ProjectError(
            f"{where}: array {info.filename!r} claims shape {shape} ({n_bytes:,} bytes) but "
            f"stores only {info.file_size:,} bytes. The file is damaged; open a backup copy."
        )


# ---------------------------------------------------------------------------------- writing


def write_raw(path: str | os.PathLike, raw: RawProject) -> None:
    """Write `raw` to `path` atomically (engine.files.atomic_write). On any failure the
    previous `path` is untouched and ProjectError says what went wrong."""
    source = str(path)
    existed = os.path.lexists(path)
    folder = Path(os.path.realpath(path)).parent
    if not folder.is_dir():
        raise ProjectError(
            f"Could not save {source}: the folder {folder} does not exist. Pick another folder."
        )
    try:
        members = _encode_members(raw)

        def write_zip(handle) -> None:
            with zipfile.ZipFile(handle, "w") as archive:
                for name, payload in members:
                    archive.writestr(
                        name,
                        payload,
                        compress_type=_compression(name),
                        compresslevel=DEFLATE_LEVEL,
                    )

        atomic_write(path, write_zip)
    except (OSError, ValueError, TypeError, zipfile.LargeZipFile) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        outcome = "The previous file is unchanged" if existed else "No file was written"
        raise ProjectError(
            f"Could not save {source}: {reason}. {outcome}. Check that the folder is writable "
            "and the disk is not full, then save again."
        ) from exc


def _encode_members(raw: RawProject) -> list[tuple[str, bytes]]:
    # allow_nan=False: the file must be standard JSON; project.py turns NaN history into null.
    # No indent: with one, json falls back to its pure-Python encoder. Saving 200,000 epochs
    # of history (ten 20,000-epoch runs) took 4.3 s of CPU with it and 2.3 s without, all of
    # it holding the GIL beside whatever the window does (the autosave writes on a thread).
    text = json.dumps(raw.meta, sort_keys=False, allow_nan=False)
    members = [(PROJECT_JSON, text.encode("utf-8"))]
    members.append((WEIGHTS_NPZ, _npz_bytes(raw.weights)))
    if raw.snapshots:
        members.append((SNAPSHOTS_NPZ, _npz_bytes(raw.snapshots)))
    if raw.runs:
        members.append((RUNS_NPZ, _npz_bytes(raw.runs)))
    if raw.dataset_csv is not None:
        members.append((DATASET_CSV, bytes(raw.dataset_csv)))
    return members


# zlib's fastest level: on an embedded 10,000 x 784 dataset (80 MB of CSV text) level 1 takes
# 0.7 s where the default level 6 takes 4.6 s, for a file 6% larger.
DEFLATE_LEVEL = 1


def _compression(member: str) -> int:
    """Deflate text; store arrays as they are. Trained float32 weights barely compress: on
    200 snapshots of a 2-256-256-1 network (54 MB) deflate saved 8% and took 1.8 s against
    0.05 s, which an autosave every few minutes would feel."""
    return zipfile.ZIP_STORED if member.endswith(".npz") else zipfile.ZIP_DEFLATED


def _npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **{key: np.asarray(value) for key, value in arrays.items()})
    return buffer.getvalue()
