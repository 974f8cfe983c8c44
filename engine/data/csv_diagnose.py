"""Finding the first bad cell of a CSV file, for an error message that names its line.

Slow (the csv module, about 1 s per million rows), so it runs only when the fast pandas path
has failed or found holes.
"""

from __future__ import annotations

import csv
import math
from typing import TYPE_CHECKING

import numpy as np

from ..errors import DatasetError
from .csv_sniff import (
    DELIMITERS,
    CsvInput,
    is_blank,
    is_missing,
    is_number,
    not_utf8_error,
    to_float,
)

if TYPE_CHECKING:  # csv_read imports this module
    from .csv_read import ReadPlan

_FLOAT32_MAX = float(np.finfo(np.float32).max)


def scan(inp: CsvInput, plan: ReadPlan, allow_missing: bool) -> list[int]:
    """Walk the file with the csv module and raise a DatasetError for the first ragged row,
    missing value (unless allow_missing), non-numeric or non-finite cell in a used numeric
    column. Returns the line numbers of rows with a missing value. Slow (about 1 s per
    million rows), so it only runs when something is wrong."""
    layout = plan.layout
    cols, n_cols = layout.columns, len(layout.columns)
    who = "the header" if layout.has_header else "the first row"
    missing_lines: list[int] = []
    example: dict[int, tuple[int, str]] = {}
    header_pending = layout.has_header
    line_end = 0
    try:
        with inp.open_text() as fh:
            reader = csv.reader(
                fh, delimiter=layout.delimiter, skipinitialspace=layout.skip_space, strict=False
            )
            for rec in reader:
                line, line_end = line_end + 1, reader.line_num
                if is_blank(rec):
                    continue
                plan.last_record_line = line
                if header_pending:
                    header_pending = False
                    continue
                if len(rec) != n_cols:
                    raise _ragged(inp, layout, line, rec, who)
                row_missing = False
                for j in plan.read:
                    cell = rec[j]
                    where = f"{inp.label}, line {line}, column {cols[j]!r}"
                    if is_missing(cell):
                        if not allow_missing:
                            shown = "an empty cell" if not cell.strip() else f"{cell.strip()!r}"
                            raise DatasetError(
                                f"{where}: missing value ({shown}). Fill it in or delete the "
                                "row, or load with drop_missing=True to leave out rows with "
                                "missing values."
                            )
                        row_missing = True
                    elif j in plan.numeric:
                        _check_number(cell, j, where, line, layout, plan, example)
                if row_missing:
                    missing_lines.append(line)
    except UnicodeDecodeError:
        raise find_bad_utf8(inp) from None
    except csv.Error as exc:
        raise DatasetError(
            f"{inp.label}, line {line_end + 1}: cannot be split into fields "
            f"({exc}). Check the quotes on that line."
        ) from None
    return missing_lines


def _check_number(cell, j, where, line, layout, plan, example) -> None:
    target_type = plan.target_type
    text = cell.strip()
    if is_number(text, layout.decimal):
        value = to_float(text, layout.decimal)
        if math.isfinite(value) and abs(value) <= _FLOAT32_MAX:
            example.setdefault(j, (line, text))
            return
        raise DatasetError(
            f"{where}: {text!r} is not a usable number (infinite, or too large "
            f"for 32-bit floats). Replace it with a finite value."
        )
    shown = text if len(text) <= 40 else text[:37] + "..."
    quote_hint = " (it spans lines: is a closing quote missing?)" if "\n" in text else ""
    if layout.kinds[j] == "text":
        why = (
            "target_type='values' needs numbers; use target_type='classes' or 'auto'"
            if target_type == "values"
            else "one-hot encoding is off for it; pass one_hot='auto' or leave the column out "
            "of the features"
        )
        raise DatasetError(f"{where}: {shown!r} is text{quote_hint}, but {why}.")
    seen = f" (e.g. {example[j][1]!r} on line {example[j][0]})" if j in example else ""
    raise DatasetError(
        f"{where}: {shown!r} is not a number{quote_hint}, but the column holds "
        f"numbers{seen}. Correct the cell, or "
        + ("delete the row." if j == plan.t else "leave the column out of the features.")
    )


def _ragged(inp, layout, line, rec, who) -> DatasetError:
    d = layout.delimiter
    text = d.join(rec)
    text = text if len(text) <= 60 else text[:57] + "..."
    hint = ""
    if any("\n" in c for c in rec):
        hint = " A quoted field spans several lines: is a closing quote missing?"
    elif len(rec) > len(layout.columns) and d == ",":
        hint = " A value containing a comma must be in double quotes."
    return DatasetError(
        f"{inp.label}, line {line}: this row has {len(rec)} field{'' if len(rec) == 1 else 's'} "
        f"but {who} has "
        f"{len(layout.columns)} ({DELIMITERS.get(d, repr(d))}-separated): {text!r}.{hint} "
        "Fix or remove that row."
    )


def find_bad_utf8(inp: CsvInput) -> DatasetError:
    """The error for the first byte that is not UTF-8, anywhere in the file."""
    lines_before, carry = 0, b""
    with inp.open_binary() as fh:
        while True:
            chunk = fh.read(1 << 20)
            buf = carry + chunk
            try:
                buf.decode("utf-8")
                carry = b""
            except UnicodeDecodeError as exc:
                if chunk and exc.reason == "unexpected end of data":
                    carry = buf[exc.start :]  # a character cut by the chunk boundary
                    buf = buf[: exc.start]
                else:
                    return not_utf8_error(inp.label, buf, exc.start, lines_before)
            if not chunk:
                return DatasetError(
                    f"{inp.label}: the file is not UTF-8 text. Save it as 'CSV "
                    "UTF-8' and load it again."
                )
            lines_before += buf.count(b"\n")
