"""Parsing a whole CSV file with pandas into the arrays a Dataset needs.

The fast path never looks at a cell in Python: numeric columns go straight to float32, chunk
by chunk, and a big file is cut into parts that threads parse at once. When pandas fails,
csv_diagnose.scan finds the first bad cell and raises a DatasetError that names it.
"""

from __future__ import annotations

import io
import math
import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import DatasetError
from .csv_diagnose import scan
from .csv_sniff import CsvInput, Layout, is_missing, to_float

CHUNK_ROWS = 131072  # rows pandas parses at a time (see _read_part)
# A file smaller than this is parsed by one thread: below it, starting threads costs more than
# they save. Files at least this big are cut into MAX_PARTS parts at most, one per core.
PARALLEL_MIN_BYTES = 4 << 20
MAX_PARTS = 4


class ReadPlan:
    """Which columns are read, and how: numeric features straight to float32, one-hot feature
    columns and a text target as strings."""

    def __init__(
        self,
        layout: Layout,
        t: int,
        feats: list[int],
        encode: set[int],
        text_target: bool,
        target_type: str,
    ):
        self.layout, self.t, self.feats, self.encode = layout, t, feats, encode
        self.text_target, self.target_type = text_target, target_type
        self.numeric_feats = [j for j in feats if j not in encode]  # x_numeric's columns
        self.text_feats = [j for j in feats if j in encode]
        self.read = sorted({t, *feats})
        self.numeric = set(self.numeric_feats) | (set() if text_target else {t})
        self.last_record_line = 1  # where scan saw the last record start


@dataclass
class Table:
    """The used columns of the whole file."""

    x_numeric: np.ndarray  # (n, len(plan.numeric_feats)) float32, C-ordered
    target: np.ndarray  # (n,) float32, or object for a text target
    text: dict[int, np.ndarray]  # one-hot feature column -> (n,) object
    missing: np.ndarray  # (n,) bool: the row has a missing used cell

    def take(self, rows: np.ndarray) -> Table:
        return Table(
            self.x_numeric[rows],
            self.target[rows],
            {j: a[rows] for j, a in self.text.items()},
            self.missing[rows],
        )


def read_table(inp: CsvInput, plan: ReadPlan) -> Table:
    """Parse the whole file. Every column is parsed, not only the used ones: with `usecols`,
    pandas silently cuts rows that have too many fields. Unused columns are parsed as their
    sample suggests; if that fails and scan finds the used columns fine, the file is parsed
    again leniently: every column as text, numbers then converted by the same rules scan
    checks (so a blank or tab-only cell is missing, as scan says)."""
    try:
        return _pandas_read(inp, plan, lenient=False)
    except Exception as exc:  # noqa: BLE001 - pandas raises ParserError, ValueError, UnicodeDecodeError, ...
        scan(inp, plan, allow_missing=True)
        first = exc
    try:
        return _pandas_read(inp, plan, lenient=True)
    except Exception:  # noqa: BLE001 - as above; the diagnosis below names the cause
        if "EOF inside string" in str(first):
            raise DatasetError(
                f"{inp.label}, line {plan.last_record_line}: a quoted field starts here and is "
                "never closed (a '\"' without its partner), so the rest of the file reads as "
                "one cell. Add the closing quote or remove the stray one."
            ) from None
        raise DatasetError(
            f"{inp.label}: could not be read as CSV ({type(first).__name__}: "
            f"{first}). Check that it is a plain table with one row per line."
        ) from None


def _pandas_read(inp: CsvInput, plan: ReadPlan, lenient: bool) -> Table:
    """Parse the file with pandas. A big file on disk is cut at line ends into parts that
    threads parse at once (pandas' tokenizer releases the GIL); anything the parts cannot
    settle on their own, a warning, an error or a quoted field running across a cut, is read
    again in one piece, so a file's result and messages never depend on where it was cut."""
    kwargs = _read_kwargs(plan, lenient)
    # (A one-column table has no delimiter for the guard row of _read_in_parallel.)
    cuts = [] if lenient or len(plan.layout.columns) < 2 else _cut_points(inp)
    if len(cuts) > 2:
        parts = _read_in_parallel(inp.path, plan, kwargs, cuts)
        if parts is not None:
            return _join(parts, plan)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        part = _read_part(inp.pandas_source(), plan, kwargs, plan.layout.has_header, lenient)
    if _cut_a_row(caught):
        raise ValueError("a row does not have as many fields as the header")
    return _join([part], plan)


def _cut_a_row(caught: list[warnings.WarningMessage]) -> bool:
    """Whether pandas warned that it cut a row to fit the header: a ragged row, which scan
    then finds. (Other warnings, e.g. overflow to inf, are checked after reading.)"""
    return any(issubclass(w.category, pd.errors.ParserWarning) for w in caught)


def _read_kwargs(plan: ReadPlan, lenient: bool) -> dict:
    layout, cols = plan.layout, plan.layout.columns
    dtypes = {}
    for j, c in enumerate(cols):
        if j in plan.read:
            dtypes[c] = np.float32 if j in plan.numeric and not lenient else object
        else:
            dtypes[c] = object if lenient or layout.kinds[j] == "text" else np.float32
    return dict(
        sep=layout.delimiter,
        names=cols,
        index_col=False,
        dtype=dtypes,
        encoding="utf-8",
        skipinitialspace=layout.skip_space,
        skip_blank_lines=True,
        na_values=["?"],
        keep_default_na=True,
        decimal=layout.decimal,
        quotechar='"',
        engine="c",
        chunksize=CHUNK_ROWS,
    )


class _Part:
    """The used columns of one stretch of the file, chunk by chunk as pandas parsed them."""

    def __init__(self, plan: ReadPlan):
        self.xs: list[np.ndarray] = []
        self.ys: list[np.ndarray] = []
        self.misses: list[np.ndarray] = []
        self.texts: dict[int, list[np.ndarray]] = {j: [] for j in plan.text_feats}


def _read_part(
    source, plan: ReadPlan, kwargs: dict, header: bool, lenient: bool, drop_first: bool = False
) -> _Part:
    """Read in chunks of CHUNK_ROWS rows, moving each chunk's numbers into a float32 block at
    once: pandas' per-column buffers then never exceed one chunk, which keeps peak memory
    near twice the final arrays instead of several times. drop_first: leave out the first
    row (a part's guard row, see _read_in_parallel)."""
    cols, decimal = plan.layout.columns, plan.layout.decimal
    part = _Part(plan)
    with pd.read_csv(source, header=0 if header else None, **kwargs) as reader:
        for chunk in reader:
            if drop_first:
                chunk, drop_first = chunk.iloc[1:], False
            block = np.empty((len(chunk), len(plan.numeric_feats)), dtype=np.float32)
            for k, j in enumerate(plan.numeric_feats):
                block[:, k] = _floats(chunk[cols[j]], lenient, decimal)
            missing = _rows_with_nan(block)
            if plan.text_target:
                y = chunk[cols[plan.t]].to_numpy(dtype=object)
                missing |= pd.isna(y)
            else:
                y = np.array(_floats(chunk[cols[plan.t]], lenient, decimal))
                missing |= np.isnan(y)
            for j in plan.text_feats:
                values = chunk[cols[j]].to_numpy(dtype=object)
                missing |= pd.isna(values)
                part.texts[j].append(values)
            part.xs.append(block)
            part.ys.append(y)
            part.misses.append(missing)
    return part


def _join(parts: list[_Part], plan: ReadPlan) -> Table:
    width = len(plan.numeric_feats)
    return Table(
        _concat([a for p in parts for a in p.xs], np.empty((0, width), dtype=np.float32)),
        _concat(
            [a for p in parts for a in p.ys],
            np.empty(0, dtype=object if plan.text_target else np.float32),
        ),
        {
            j: _concat([a for p in parts for a in p.texts[j]], np.empty(0, dtype=object))
            for j in plan.text_feats
        },
        _concat([a for p in parts for a in p.misses], np.empty(0, dtype=bool)),
    )


def _cut_points(inp: CsvInput) -> list[int]:
    """Byte offsets [0, ..., size] that cut a file on disk into one part per core, each cut
    just after a line end; [] when one thread should read it all (small file, one core,
    bytes held in memory)."""
    if inp.path is None:
        return []
    size = inp.path.stat().st_size
    n_parts = _n_parts()
    if size < PARALLEL_MIN_BYTES or n_parts < 2:
        return []
    cuts = [0]
    with open(inp.path, "rb") as fh:
        for i in range(1, n_parts):
            fh.seek(max(size * i // n_parts, cuts[-1]))
            fh.readline()  # on to the start of the next line
            if cuts[-1] < fh.tell() < size:
                cuts.append(fh.tell())
    return [*cuts, size]


def _n_parts() -> int:
    """One part per core this process may run on, MAX_PARTS at most."""
    cores = (
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )
    return min(MAX_PARTS, cores)


def _read_in_parallel(path, plan: ReadPlan, kwargs: dict, cuts: list[int]) -> list[_Part] | None:
    """One thread per part; None when the parts cannot be trusted to give what one read of
    the whole file gives. A cut inside a quoted field leaves the part before it inside an open
    quote at its end, which pandas reports as an error; a cut anywhere else falls where one
    record ends and the next begins, exactly as in a single read.

    pandas treats a part's first row as it treats a file's: one with a trailing delimiter
    too many passes there and is an error anywhere else. So every part after the first
    starts with a guard row of empty cells, as wide as the table, which is then dropped."""
    guard = (plan.layout.delimiter * (len(plan.layout.columns) - 1) + "\n").encode()

    def read(i: int) -> _Part:
        prefix = guard if i else b""
        with io.BufferedReader(_ByteRange(path, cuts[i], cuts[i + 1], prefix), 1 << 20) as src:
            return _read_part(
                src, plan, kwargs, i == 0 and plan.layout.has_header, False, drop_first=i > 0
            )

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with ThreadPoolExecutor(len(cuts) - 1) as pool:
            futures = [pool.submit(read, i) for i in range(len(cuts) - 1)]
            try:
                parts = [f.result() for f in futures]
            except Exception:  # noqa: BLE001 - any part's failure: one whole read decides
                return None
    return None if _cut_a_row(caught) else parts  # the single read then finds the row


class _ByteRange(io.RawIOBase):
    """`prefix`, then bytes start..end of a file, as a stream that ends at `end`."""

    def __init__(self, path, start: int, end: int, prefix: bytes = b""):
        self._file = open(path, "rb")  # noqa: SIM115 - the stream owns it; close() closes it
        self._file.seek(start)
        self._left = end - start
        self._prefix = prefix

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._prefix:
            n = min(len(buffer), len(self._prefix))
            buffer[:n], self._prefix = self._prefix[:n], self._prefix[n:]
            return n
        n = self._file.readinto(memoryview(buffer)[: max(0, min(len(buffer), self._left))])
        self._left -= n
        return n

    def close(self) -> None:
        self._file.close()
        super().close()


def _rows_with_nan(block: np.ndarray) -> np.ndarray:
    """(n,) bool: rows of `block` holding a NaN. One summing pass settles the common case of
    no NaN at all without a temporary n x f mask (a sum of inf and -inf also reads as NaN
    here; scan then reports the infinite cell)."""
    if not np.isnan(block.sum(dtype=np.float64)):
        return np.zeros(len(block), dtype=bool)
    return np.isnan(block).any(axis=1)


def _floats(column: pd.Series, lenient: bool, decimal: str) -> np.ndarray:
    """A parsed column as float32; in lenient mode (text parsed by us) missing cells -> NaN."""
    if not lenient:
        return column.to_numpy(dtype=np.float32, copy=False)
    return np.array(
        [
            math.nan if not isinstance(c, str) or is_missing(c) else to_float(c, decimal)
            for c in column.to_numpy(dtype=object)
        ],
        dtype=np.float32,
    )


def _concat(parts: list[np.ndarray], empty: np.ndarray) -> np.ndarray:
    if not parts:
        return empty
    return parts[0] if len(parts) == 1 else np.concatenate(parts)
