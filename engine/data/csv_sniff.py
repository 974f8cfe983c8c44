"""Looking at the start of a CSV file before parsing it: is it readable UTF-8 text, which
delimiter does it use, does it have a header row, which columns hold numbers.

The whole file is parsed later by pandas; this module reads only its first HEAD_BYTES, so it
costs the same for a 10-line file and a 10-million-line one. preview_csv() exposes the result
to the GUI's import dialog.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DatasetError
from ..files import NotRegularFile, open_regular

HEAD_BYTES = 256 * 1024
# The csv module refuses a field over 131,072 characters (its default limit) and the sample
# then looked empty: a 200,000-character header cell was "the file has no rows". The head
# is at most HEAD_BYTES, so no field in it can be longer; raising the process-wide limit to
# that only accepts what pandas accepts anyway.
csv.field_size_limit(max(csv.field_size_limit(), HEAD_BYTES + 1))
SAMPLE_RECORDS = 500
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
# Among delimiters that split every sample line into the same number (>= 2) of fields, the
# first one here wins: a semicolon file often has decimal commas ("1,5;2,25"), so both split
# it evenly, but a comma file rarely has a semicolon or tab on every line.
PREFERENCE = ("\t", ";", "|", ",")
# Cells pandas reads as missing (its defaults) plus "?", which the UCI repository files use.
NA_STRINGS = frozenset(
    [
        "",
        "#N/A",
        "#N/A N/A",
        "#NA",
        "-1.#IND",
        "-1.#QNAN",
        "-NaN",
        "-nan",
        "1.#IND",
        "1.#QNAN",
        "<NA>",
        "N/A",
        "NA",
        "NULL",
        "NaN",
        "None",
        "n/a",
        "nan",
        "null",
        "?",
    ]
)
# ASCII digits only: pandas does not read "１２" (full-width digits) as a number.
_NUMBER = re.compile(
    r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?(inf|Inf|INF|infinity|Infinity)", re.ASCII
)
_DECIMAL_COMMA_NUMBER = re.compile(r"[+-]?(\d+,?\d*|,\d+)([eE][+-]?\d+)?", re.ASCII)
_MAGIC = [
    (b"PK\x03\x04", "a zip archive (an Excel .xlsx workbook, or a NumPy .npz file?)"),
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls workbook"),
    (b"\x93NUMPY", "a NumPy .npy array"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\x1f\x8b", "a gzip-compressed file"),
]


class CsvInput:
    """A CSV source for messages and reading: a file on disk, or bytes held in memory (a
    dataset embedded in a project file). `label` names it in every error message."""

    def __init__(
        self,
        path: str | os.PathLike | None = None,
        data: bytes | None = None,
        label: str | None = None,
    ):
        self.path = None if path is None else Path(path)
        self.data = data
        self.label = label or (str(self.path) if self.path is not None else "<csv data>")

    @classmethod
    def from_path(cls, path) -> CsvInput:
        if isinstance(path, (bytes, bytearray)):
            raise DatasetError(
                "load_csv takes a file path. Received: bytes; use "
                "load_csv_bytes(data, target) for CSV text held in memory."
            )
        p = Path(path).expanduser()
        if not p.exists() and not p.is_symlink():
            hint = f" The folder {p.parent} does not exist either." if not p.parent.exists() else ""
            raise DatasetError(
                f"{p}: file not found.{hint} Check the path, or pick the file again."
            )
        try:
            # A FIFO would block the first read forever and a device never ends: only a
            # regular file is read (see engine.files.open_regular).
            with open_regular(p) as fh:
                fh.read(1)
        except NotRegularFile as exc:
            what = (
                "is a folder, not a file. Pick a .csv file inside it"
                if p.is_dir()
                else f"{exc.strerror}, so it cannot be read as a CSV file. Pick a .csv file"
            )
            raise DatasetError(f"{p}: {what}.") from None
        except FileNotFoundError:
            raise DatasetError(
                f"{p}: file not found (a symbolic link to a missing file). "
                "Check the path, or pick the file again."
            ) from None
        except OSError as exc:
            raise DatasetError(
                f"{p}: cannot be read ({exc.strerror or exc}). Check that you "
                "have permission to read it and that no other program locks it."
            ) from exc
        try:
            return cls(path=p.resolve())
        except (OSError, RuntimeError):  # pragma: no cover - it was just opened
            return cls(path=p.absolute())

    def open_binary(self):
        return io.BytesIO(self.data) if self.data is not None else open(self.path, "rb")

    def open_text(self):
        """Text stream for the csv module: BOM removed, newlines left to csv."""
        return io.TextIOWrapper(self.open_binary(), encoding="utf-8-sig", newline="")

    def pandas_source(self):
        return io.BytesIO(self.data) if self.data is not None else str(self.path)

    def size(self) -> int:
        return len(self.data) if self.data is not None else self.path.stat().st_size


@dataclass
class Layout:
    """What the head of a CSV file says about all of it."""

    delimiter: str
    has_header: bool
    columns: list[str]  # one unique name per column
    kinds: list[str]  # per column: "numeric" or "text", from the sample
    decimal: str  # "." or "," (semicolon files from European spreadsheets)
    records: list[list[str]]  # sample data records (header excluded), cells as written
    whole_file: bool  # the sample is the whole file
    notes: list[str] = field(default_factory=list)
    # Skip spaces after a delimiter, so that `1, "a, b"` is two fields. Only switched on when
    # the head has such spaces: it slows pandas down by ~10%, and numbers parse without it.
    skip_space: bool = True
    blank_columns: list[int] = field(default_factory=list)  # unnamed and empty in the sample


def read_head(inp: CsvInput) -> tuple[str, bool]:
    """The first HEAD_BYTES of the file as text (BOM removed, cut at the last full line) and
    whether that is the whole file. Raises DatasetError for binary, non-UTF-8 or empty input."""
    with inp.open_binary() as fh:
        raw = fh.read(HEAD_BYTES + 1)
    whole = len(raw) <= HEAD_BYTES
    raw = raw[:HEAD_BYTES]
    for magic, what in _MAGIC:
        if raw.startswith(magic):
            raise DatasetError(
                f"{inp.label}: this is {what}, not CSV text. Export or save the "
                "data as CSV (comma-separated values) and load that file."
            )
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise DatasetError(
            f"{inp.label}, line {line}: the file contains binary data (a NUL "
            "byte), so it is not CSV text. Export the data as CSV and load that "
            "file."
        )
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        text = decoder.decode(raw, final=whole)
    except UnicodeDecodeError as exc:
        raise not_utf8_error(inp.label, raw, exc.start) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not whole:
        cut = max(text.rfind("\n"), text.rfind("\r"))
        if cut < 0:  # the sample would be a cut piece of line 1, read as one column
            raise DatasetError(
                f"{inp.label}, line 1: the first line is longer than "
                f"{HEAD_BYTES:,} bytes, so it is not the header or a row of a "
                "table Netbuilder can read. Check that the file is a CSV table "
                "with one row per line."
            )
        text = text[: cut + 1]
    if not text.strip():
        raise DatasetError(
            f"{inp.label}: the file is empty. A dataset needs a header row "
            "(optional) and at least one row of data."
        )
    return text, whole


def not_utf8_error(label: str, raw: bytes, pos: int, lines_before: int = 0) -> DatasetError:
    """The error for an undecodable byte at offset `pos` of `raw`, a piece of the file that
    starts after `lines_before` newlines."""
    line = lines_before + raw[:pos].count(b"\n") + 1
    start = raw.rfind(b"\n", 0, pos) + 1
    context = raw[start : pos + 12].split(b"\n")[0].decode("utf-8", "replace").strip()
    return DatasetError(
        f"{label}, line {line}: the file is not UTF-8 text (byte 0x{raw[pos]:02X} in "
        f"{context!r}). Save it as 'CSV UTF-8' in your spreadsheet program, or convert it "
        "to UTF-8, and load it again."
    )


def parse_records(
    text: str, delimiter: str, limit: int = SAMPLE_RECORDS, skip_space: bool = True
) -> list[list[str]]:
    """Up to `limit` non-blank records of `text`, as the csv module splits them."""
    out = []
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=delimiter,
        skipinitialspace=skip_space,
        strict=False,
    )
    try:
        for rec in reader:
            if is_blank(rec):
                continue
            out.append(rec)
            if len(out) >= limit:
                break
    except csv.Error:
        pass  # a broken record ends the sample; the full parse reports it with its line
    return out


def is_blank(record: list[str]) -> bool:
    return not record or (len(record) == 1 and not record[0].strip())


def detect_delimiter(text: str) -> str:
    """The delimiter that splits the sample most consistently into >= 2 fields."""
    best, best_score = ",", (-1.0, 0)
    for d in PREFERENCE:
        counts = [len(r) for r in parse_records(text, d, 100)]
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        if mode < 2:
            continue
        share = counts.count(mode) / len(counts)
        if share == 1.0:
            return d  # consistent on every line: take it, in PREFERENCE order
        if (share, mode) > best_score:
            best, best_score = d, (share, mode)
    return best


def check_delimiter(delimiter) -> str:
    names = {"comma": ",", "semicolon": ";", "tab": "\t", "\\t": "\t", "pipe": "|"}
    d = names.get(delimiter, delimiter) if isinstance(delimiter, str) else delimiter
    if not isinstance(d, str) or len(d) != 1 or d in '"\r\n' or d.isalnum():
        raise DatasetError(
            f"The delimiter must be one character such as ',', ';' or '\\t' (tab). Received: "
            f"delimiter={delimiter!r}."
        )
    return d


def is_number(cell: str, decimal: str = ".") -> bool:
    cell = cell.strip()
    if decimal == ",":
        return bool(_DECIMAL_COMMA_NUMBER.fullmatch(cell)) or bool(_NUMBER.fullmatch(cell))
    return bool(_NUMBER.fullmatch(cell))


def to_float(cell: str, decimal: str = ".") -> float:
    cell = cell.strip()
    return float(cell.replace(",", ".") if decimal == "," else cell)


def is_missing(cell: str) -> bool:
    return cell.strip() in NA_STRINGS


def detect_header(records: list[list[str]], decimal: str) -> bool:
    """True when the first record looks like column names rather than data: it has text in a
    column whose other cells are numbers, or (for all-text data) none of its cells appears
    again in its column."""
    first, rest = records[0], records[1:]
    if not rest:
        return not any(is_number(c, decimal) for c in first)
    for j, cell in enumerate(first):
        below = [r[j] for r in rest if j < len(r) and not is_missing(r[j])]
        if (
            not is_number(cell, decimal)
            and not is_missing(cell)
            and below
            and all(is_number(c, decimal) for c in below)
        ):
            return True
    if any(is_number(c, decimal) for c in first):
        return False
    return all(
        cell.strip() not in {r[j].strip() for r in rest if j < len(r)}
        for j, cell in enumerate(first)
    )


def column_kinds(records: list[list[str]], n_columns: int, decimal: str) -> list[str]:
    """Per column, "text" when most of its non-missing sample cells are not numbers, else
    "numeric" (so one stray word in a column of numbers is reported, not one-hot encoded)."""
    kinds = []
    for j in range(n_columns):
        cells = [r[j] for r in records if j < len(r) and not is_missing(r[j])]
        numbers = sum(is_number(c, decimal) for c in cells)
        kinds.append("text" if cells and numbers * 2 < len(cells) else "numeric")
    return kinds


def inspect(inp: CsvInput, delimiter=None, header="auto") -> Layout:
    """Read the head of `inp` and decide delimiter, header, column names and kinds."""
    text, whole = read_head(inp)
    notes: list[str] = []
    d = detect_delimiter(text) if delimiter is None else check_delimiter(delimiter)
    skip_space = d + " " in text
    records = parse_records(text, d, skip_space=skip_space)
    if not records:
        raise DatasetError(
            f"{inp.label}: the file has no rows. A dataset needs a header row "
            "(optional) and at least one row of data."
        )
    decimal = "."
    if d == ";" and any(
        re.fullmatch(r"[+-]?[0-9]+,[0-9]+", c.strip()) for r in records[:50] for c in r
    ):
        decimal = ","
        notes.append("Numbers use a decimal comma (1,5 = 1.5); the delimiter is ';'.")
    if header == "auto":
        has_header = detect_header(records, decimal)
    elif header is True or header is False or header is None:
        has_header = bool(header)  # None: no header, as in pandas
    else:
        raise DatasetError(f"header must be 'auto', True or False. Received: header={header!r}.")
    n_columns = len(records[0])
    unnamed = [j for j in range(n_columns) if not has_header or not records[0][j].strip()]
    if has_header:
        columns = [c.strip() or f"column {j + 1}" for j, c in enumerate(records[0])]
        seen: dict[str, int] = {}
        for j, name in enumerate(columns):
            if name in seen:
                raise DatasetError(
                    f"{inp.label}, line {header_line(text)}: the column name {name!r} appears "
                    f"twice (columns {seen[name] + 1} and {j + 1}). Rename one of them in the "
                    "header row."
                )
            seen[name] = j
        records = records[1:]
    else:
        columns = [f"column {j + 1}" for j in range(n_columns)]
    kinds = column_kinds(records, n_columns, decimal)
    # A column without a name whose sampled cells are all blank is what a delimiter at the
    # end of every line makes; it is left out of the default features.
    blank = [
        j for j in unnamed if records and all(j >= len(r) or not r[j].strip() for r in records)
    ]
    return Layout(d, has_header, columns, kinds, decimal, records, whole, notes, skip_space, blank)


def header_line(text: str) -> int:
    """Line number of the first non-blank line (the header, when there is one)."""
    for i, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            return i
    return 1


@dataclass
class CsvPreview:
    """What the import dialog shows before loading: the detected layout and the first rows."""

    path: str
    delimiter: str
    delimiter_name: str
    has_header: bool
    columns: list[str]
    column_kinds: list[str]  # "numeric" | "text", per column
    rows: list[list[str]]  # first data rows, cells as written
    n_rows_total: int | None  # data rows in the file (counted exactly when cheap)
    n_rows_exact: bool
    decimal: str
    suggested_target: str  # the last column: where most tables keep the label
    id_columns: list[str]  # columns that look like row IDs, best left out of the features
    notes: list[str]


_COUNT_EXACT_BYTES = 16 * 1024 * 1024
_COUNT_APPROX_BYTES = 1024 * 1024 * 1024


def preview_csv(path, n_rows: int = 20, delimiter=None, header="auto") -> CsvPreview:
    """Detect the layout of a CSV file and return its first `n_rows` rows, for the import
    dialog. delimiter/header override the detection (the dialog's own controls)."""
    inp = CsvInput.from_path(path)
    layout = inspect(inp, delimiter, header)
    return CsvPreview(
        path=str(inp.path),
        delimiter=layout.delimiter,
        delimiter_name=DELIMITERS.get(layout.delimiter, repr(layout.delimiter)),
        has_header=layout.has_header,
        columns=layout.columns,
        column_kinds=layout.kinds,
        rows=[list(r) for r in layout.records[: max(0, int(n_rows))]],
        **_count_rows(inp, layout),
        decimal=layout.decimal,
        suggested_target=layout.columns[-1],
        id_columns=[c for j, c in enumerate(layout.columns) if _looks_like_id(layout, j)],
        notes=layout.notes,
    )


def _count_rows(inp: CsvInput, layout: Layout) -> dict:
    # The sample holds the whole file's text but at most SAMPLE_RECORDS records: a file of
    # 569 rows that fits the sample's bytes was reported as "499 rows" (the sample's count).
    sampled_all = len(layout.records) + int(layout.has_header) < SAMPLE_RECORDS
    if layout.whole_file and sampled_all:
        return {"n_rows_total": len(layout.records), "n_rows_exact": True}
    size = inp.size()
    if size <= _COUNT_EXACT_BYTES:
        with inp.open_text() as fh:
            reader = csv.reader(
                fh, delimiter=layout.delimiter, skipinitialspace=layout.skip_space, strict=False
            )
            try:
                n = sum(1 for rec in reader if not is_blank(rec))
            except (csv.Error, UnicodeDecodeError):
                return {"n_rows_total": None, "n_rows_exact": False}
        return {"n_rows_total": n - int(layout.has_header), "n_rows_exact": True}
    if size <= _COUNT_APPROX_BYTES:  # newlines, ~0.1 s per 100 MB; quoted newlines overcount
        lines, last = 0, b"\n"
        with inp.open_binary() as fh:
            while chunk := fh.read(1 << 22):
                lines += chunk.count(b"\n")
                last = chunk[-1:]
        lines += last != b"\n"
        return {"n_rows_total": lines - int(layout.has_header), "n_rows_exact": False}
    return {"n_rows_total": None, "n_rows_exact": False}


def _looks_like_id(layout: Layout, j: int) -> bool:
    """A column named like an ID, or whole numbers counting up by one on every row."""
    name = layout.columns[j].strip().lower()
    if (
        name in {"id", "index", "idx", "row", "rowid", "row_id", "no", "nr", "#", "key", "uuid"}
        or name.endswith("_id")
        or name.endswith(" id")
    ):
        return True
    cells = [r[j].strip() for r in layout.records if j < len(r)]
    if len(cells) < 3 or not all(c.isdigit() for c in cells):
        return False
    values = [int(c) for c in cells]
    return all(b - a == 1 for a, b in zip(values, values[1:]))
