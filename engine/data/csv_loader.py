"""load_csv: a person's own table, checked and turned into a Dataset.

pandas parses the file (it is 10-30x faster than the alternatives and handles quoting, BOMs
and CRLF). The fast path never looks at a cell in Python. When pandas fails, or the parsed
table has holes or non-finite numbers, `_scan` walks the file once with the csv module to find
the first bad cell and raise a DatasetError naming the file, line, column and text. Only the
finished Dataset is returned: any problem raises before anything is handed out.
"""

from __future__ import annotations

import csv
import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DatasetError
from .csv_sniff import (
    DELIMITERS,
    CsvInput,
    Layout,
    inspect,
    is_blank,
    is_missing,
    is_number,
    not_utf8_error,
    to_float,
)
from .dataset import Dataset, natural_sort_key

AUTO_MAX_CLASSES = 10  # a numeric target with at most this many whole-number values is classes
MAX_ONE_HOT = 100  # a text column with more distinct values is an ID or free text, not a category
TARGET_TYPES = ("auto", "classes", "values")
CHUNK_ROWS = 131072  # rows pandas parses at a time (see _pandas_read)
_FLOAT32_MAX = float(np.finfo(np.float32).max)


def load_csv(
    path,
    target: str | int,
    features: list[str | int] | None = None,
    delimiter: str | None = None,
    header: str | bool = "auto",
    drop_missing: bool = False,
    target_type: str = "auto",
    one_hot: str | bool | list[str | int] = "auto",
    class_order: list[str] | None = None,
    name: str | None = None,
    categorical_targets: str | bool | None = None,
) -> Dataset:
    """Load a CSV file into a Dataset.

    Args:
        path: the file. UTF-8 with or without BOM, LF or CRLF line ends.
        target: the column to predict, by name or 0-based index.
        features: columns to use as inputs, by name or index; None means every column except
            the target (leave an ID column out by listing the others).
        delimiter: ",", ";", "\\t" or "|"; None detects it from the first lines.
        header: "auto" (detect), True or False (columns are then "column 1", "column 2", ...).
        drop_missing: leave out rows with a missing value in a used column (reported in
            dataset.notes) instead of raising.
        target_type: "auto", "classes" or "values". Text targets are always classes, indexed in
            natural sort order ("no" < "yes", "B" < "M", "class 2" < "class 10"). "auto" makes a
            numeric target classes when it has at most 10 distinct whole-number values, and
            says so in dataset.notes.
        one_hot: "auto" encodes every text feature column as 0/1 columns named "color=red";
            False refuses text features; a list names the columns to encode (numeric codes
            too).
        class_order: class names in index order, to keep indices fixed across files.
        name: display name; default the file name.
        categorical_targets: older spelling of target_type (True = "classes", False =
            "values").

    Returns a Dataset whose .source holds these arguments (see load_source), and whose .notes
    say what was decided or dropped. Raises DatasetError for anything it cannot load.
    """
    inp = CsvInput.from_path(path)
    target_type = _target_type(target_type, categorical_targets)
    ds, params = _load(inp, target, features, delimiter, header, drop_missing, target_type,
                       one_hot, class_order, name or inp.path.name)
    ds.source = {"kind": "csv", "path": str(inp.path), **params}
    return ds


def load_csv_bytes(data: bytes, target: str | int, name: str = "dataset.csv", **kwargs: Any
                   ) -> Dataset:
    """load_csv for CSV text held in memory (e.g. the dataset.csv inside a project file).
    `name` labels error messages and the Dataset; other arguments as load_csv."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise DatasetError(f"load_csv_bytes takes bytes. Received: {type(data).__name__}.")
    inp = CsvInput(data=bytes(data), label=name)
    target_type = _target_type(kwargs.pop("target_type", "auto"),
                               kwargs.pop("categorical_targets", None))
    unknown = set(kwargs) - {"features", "delimiter", "header", "drop_missing", "one_hot",
                             "class_order"}
    if unknown:
        raise DatasetError(f"load_csv_bytes got unknown arguments: {sorted(unknown)}.")
    ds, params = _load(inp, target, kwargs.get("features"), kwargs.get("delimiter"),
                       kwargs.get("header", "auto"), kwargs.get("drop_missing", False),
                       target_type, kwargs.get("one_hot", "auto"), kwargs.get("class_order"),
                       name)
    ds.source = {"kind": "csv_bytes", "name": name, **params}
    return ds


def _target_type(target_type, categorical_targets) -> str:
    if categorical_targets is not None and target_type == "auto":
        target_type = {True: "classes", False: "values"}.get(categorical_targets,
                                                              categorical_targets)
    if target_type not in TARGET_TYPES:
        raise DatasetError(f"target_type must be one of {list(TARGET_TYPES)}. Received: "
                           f"target_type={target_type!r}.")
    return target_type


def _load(inp: CsvInput, target, features, delimiter, header, drop_missing, target_type,
          one_hot, class_order, name):
    layout = inspect(inp, delimiter, header)
    cols = layout.columns
    if len(cols) < 2:
        raise DatasetError(
            f"{inp.label}: found only one column (no comma, semicolon or tab separates the "
            "values on the first lines). A dataset needs at least one feature column and a "
            "target column. If the values are separated by another character, pass it as "
            "delimiter."
        )
    if not layout.records and layout.whole_file:
        raise DatasetError(f"{inp.label}: the file has a header row but no data rows. Add rows "
                           "of data below the header.")
    t = _column_index(target, cols, "target", inp, layout)
    feats = _feature_indices(features, t, cols, inp, layout)
    encode = _one_hot_columns(one_hot, feats, cols, inp, layout)
    text_target = layout.kinds[t] == "text" and target_type != "values"
    plan = _Plan(layout, t, feats, encode, text_target, target_type)
    table = _read_with_pandas(inp, plan)

    notes = list(layout.notes)
    n_read = len(table.missing)
    if n_read == 0:
        raise DatasetError(f"{inp.label}: the file has a header row but no data rows. Add rows "
                           "of data below the header.")
    dropped = False
    if table.missing.any():
        lines = _scan(inp, plan, allow_missing=drop_missing)
        if not drop_missing:  # _scan found no hole where pandas found one
            raise DatasetError(f"{inp.label}: {int(table.missing.sum())} rows have a missing "
                               "value in a used column. Fill them in, or load with "
                               "drop_missing=True.")
        n_dropped = int(table.missing.sum())
        if n_dropped == n_read:
            raise DatasetError(f"{inp.label}: every row has a missing value in a used column, "
                               "so dropping them leaves nothing. Fill in the gaps or choose other "
                               "columns.")
        table = table.take(~table.missing)
        dropped = True
        shown = ", ".join(str(n) for n in lines[:10]) + (", ..." if len(lines) > 10 else "")
        notes.append(f"Dropped {n_dropped} of {n_read} rows with a missing value"
                     + (f" (line{'s' if len(lines) > 1 else ''} {shown})." if lines else "."))

    y, class_names, target_note = _target(table.target, cols[t], text_target, target_type,
                                          class_order, inp, dropped)
    if target_note:
        notes.append(target_note)
    x, feature_names, encode_notes = _features(table, plan, inp)
    notes.extend(encode_notes)
    del table
    try:  # Dataset checks that every number is finite (pandas reads "inf" and 1e39 as inf)
        ds = Dataset(x, y, feature_names=feature_names, target_name=cols[t],
                     class_names=class_names, name=name, notes=notes)
    except DatasetError:
        _scan(inp, plan, allow_missing=True)  # raises, naming the line of the bad number
        raise
    params = {
        "target": cols[t],
        "features": [cols[j] for j in feats],
        "delimiter": layout.delimiter,
        "header": layout.has_header,
        "drop_missing": bool(drop_missing),
        "target_type": "values" if class_names is None else "classes",
        "one_hot": [cols[j] for j in feats if j in encode],
        "class_order": class_names,
    }
    return ds, params


def _column_index(ref, cols: list[str], role: str, inp: CsvInput, layout: Layout) -> int:
    listing = ", ".join(repr(c) for c in cols)
    if isinstance(ref, (int, np.integer)) and not isinstance(ref, bool):
        j = int(ref)
        if -len(cols) <= j < len(cols):
            return j % len(cols)
        raise DatasetError(f"{inp.label}: {role} column index {j} is out of range: the file "
                           f"has {len(cols)} columns (0 to {len(cols) - 1}): {listing}.")
    if isinstance(ref, str):
        if ref in cols:
            return cols.index(ref)
        stripped = [c.strip().casefold() for c in cols]
        if ref.strip().casefold() in stripped and stripped.count(ref.strip().casefold()) == 1:
            return stripped.index(ref.strip().casefold())
        hint = ("" if layout.has_header else " The file has no header row, so its columns are "
                "named by position; pass header=True if the first row holds names.")
        raise DatasetError(f"{inp.label}: there is no {role} column {ref!r}. The columns are: "
                           f"{listing}.{hint}")
    raise DatasetError(f"A {role} column is given by name or 0-based index. Received: "
                       f"{role}={ref!r}.")


def _feature_indices(features, t, cols, inp, layout) -> list[int]:
    if features is None:
        return [j for j in range(len(cols)) if j != t]
    if isinstance(features, (str, int)) or not hasattr(features, "__iter__"):
        raise DatasetError(f"features is a list of column names or indices. Received: "
                           f"features={features!r}.")
    feats = [_column_index(f, cols, "feature", inp, layout) for f in features]
    if not feats:
        raise DatasetError(f"{inp.label}: features is empty. Choose at least one input column "
                           f"besides the target {cols[t]!r}.")
    if t in feats:
        raise DatasetError(f"{inp.label}: the target column {cols[t]!r} is also listed as a "
                           "feature. A model must not see the answer: remove it from features.")
    dup = sorted({cols[j] for j in feats if feats.count(j) > 1})
    if dup:
        raise DatasetError(f"{inp.label}: features lists {dup} more than once. List each column "
                           "once.")
    return feats


def _one_hot_columns(one_hot, feats, cols, inp, layout) -> set[int]:
    if one_hot == "auto" or one_hot is True:
        return {j for j in feats if layout.kinds[j] == "text"}
    if one_hot is False or one_hot is None or one_hot == "never":
        return set()
    if isinstance(one_hot, (list, tuple)):
        chosen = {_column_index(c, cols, "one_hot", inp, layout) for c in one_hot}
        stray = sorted(cols[j] for j in chosen - set(feats))
        if stray:
            raise DatasetError(f"{inp.label}: one_hot names {stray}, which are not features. "
                               "List only feature columns.")
        return chosen
    raise DatasetError(f"one_hot must be 'auto', False or a list of columns. Received: "
                       f"one_hot={one_hot!r}.")


class _Plan:
    """Which columns are read, and how: numeric features straight to float32, one-hot feature
    columns and a text target as strings."""

    def __init__(self, layout: Layout, t: int, feats: list[int], encode: set[int],
                 text_target: bool, target_type: str):
        self.layout, self.t, self.feats, self.encode = layout, t, feats, encode
        self.text_target, self.target_type = text_target, target_type
        self.numeric_feats = [j for j in feats if j not in encode]  # x_numeric's columns
        self.text_feats = [j for j in feats if j in encode]
        self.read = sorted({t, *feats})
        self.numeric = set(self.numeric_feats) | (set() if text_target else {t})
        self.last_record_line = 1  # where _scan saw the last record start


@dataclass
class _Table:
    """The used columns of the whole file."""

    x_numeric: np.ndarray  # (n, len(plan.numeric_feats)) float32, C-ordered
    target: np.ndarray  # (n,) float32, or object for a text target
    text: dict[int, np.ndarray]  # one-hot feature column -> (n,) object
    missing: np.ndarray  # (n,) bool: the row has a missing used cell

    def take(self, rows: np.ndarray) -> _Table:
        return _Table(self.x_numeric[rows], self.target[rows],
                      {j: a[rows] for j, a in self.text.items()}, self.missing[rows])


def _read_with_pandas(inp: CsvInput, plan: _Plan) -> _Table:
    """Parse the whole file. Every column is parsed, not only the used ones: with `usecols`,
    pandas silently cuts rows that have too many fields. Unused columns are parsed as their
    sample suggests; if that fails and _scan finds the used columns fine, the file is parsed
    again leniently: every column as text, numbers then converted by the same rules _scan
    checks (so a blank or tab-only cell is missing, as _scan says)."""
    try:
        return _pandas_read(inp, plan, lenient=False)
    except Exception as exc:  # pandas' ParserError, ValueError, UnicodeDecodeError, ...
        _scan(inp, plan, allow_missing=True)
        first = exc
    try:
        return _pandas_read(inp, plan, lenient=True)
    except Exception:
        if "EOF inside string" in str(first):
            raise DatasetError(
                f"{inp.label}, line {plan.last_record_line}: a quoted field starts here and is "
                "never closed (a '\"' without its partner), so the rest of the file reads as "
                "one cell. Add the closing quote or remove the stray one.") from None
        raise DatasetError(f"{inp.label}: could not be read as CSV ({type(first).__name__}: "
                           f"{first}). Check that it is a plain table with one row per line."
                           ) from None


def _pandas_read(inp: CsvInput, plan: _Plan, lenient: bool) -> _Table:
    """Read in chunks of CHUNK_ROWS rows, moving each chunk's numbers into a float32 block at
    once: pandas' per-column buffers then never exceed one chunk, which keeps peak memory
    near twice the final arrays instead of several times."""
    layout, cols = plan.layout, plan.layout.columns
    dtypes = {}
    for j, c in enumerate(cols):
        if j in plan.read:
            dtypes[c] = np.float32 if j in plan.numeric and not lenient else object
        else:
            dtypes[c] = object if lenient or layout.kinds[j] == "text" else np.float32
    xs, ys, misses = [], [], []
    texts: dict[int, list[np.ndarray]] = {j: [] for j in plan.text_feats}
    with warnings.catch_warnings(record=True) as caught:
        # Overflow to inf is checked after reading. A ParserWarning means pandas cut a row to
        # fit the header: a ragged row, which _scan then finds.
        warnings.simplefilter("always")
        reader = pd.read_csv(
            inp.pandas_source(),
            sep=layout.delimiter,
            header=0 if layout.has_header else None,
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
        with reader:
            for chunk in reader:
                block = np.empty((len(chunk), len(plan.numeric_feats)), dtype=np.float32)
                for k, j in enumerate(plan.numeric_feats):
                    block[:, k] = _floats(chunk[cols[j]], lenient, layout.decimal)
                missing = np.isnan(block).any(axis=1)
                if plan.text_target:
                    y = chunk[cols[plan.t]].to_numpy(dtype=object)
                    missing |= pd.isna(y)
                else:
                    y = np.array(_floats(chunk[cols[plan.t]], lenient, layout.decimal))
                    missing |= np.isnan(y)
                for j in plan.text_feats:
                    values = chunk[cols[j]].to_numpy(dtype=object)
                    missing |= pd.isna(values)
                    texts[j].append(values)
                xs.append(block)
                ys.append(y)
                misses.append(missing)
    if any(issubclass(w.category, pd.errors.ParserWarning) for w in caught):
        raise ValueError("a row does not have as many fields as the header")
    width = len(plan.numeric_feats)
    return _Table(
        _concat(xs, np.empty((0, width), dtype=np.float32)),
        _concat(ys, np.empty(0, dtype=object if plan.text_target else np.float32)),
        {j: _concat(parts, np.empty(0, dtype=object)) for j, parts in texts.items()},
        _concat(misses, np.empty(0, dtype=bool)),
    )


def _floats(column: pd.Series, lenient: bool, decimal: str) -> np.ndarray:
    """A parsed column as float32; in lenient mode (text parsed by us) missing cells -> NaN."""
    if not lenient:
        return column.to_numpy(dtype=np.float32, copy=False)
    return np.array([math.nan if not isinstance(c, str) or is_missing(c) else to_float(c, decimal)
                     for c in column.to_numpy(dtype=object)], dtype=np.float32)


def _concat(parts: list[np.ndarray], empty: np.ndarray) -> np.ndarray:
    if not parts:
        return empty
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def _scan(inp: CsvInput, plan: _Plan, allow_missing: bool) -> list[int]:
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
            reader = csv.reader(fh, delimiter=layout.delimiter,
                                skipinitialspace=layout.skip_space, strict=False)
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
                                "missing values.")
                        row_missing = True
                    elif j in plan.numeric:
                        _check_number(cell, j, where, line, layout, plan.target_type, example)
                if row_missing:
                    missing_lines.append(line)
    except UnicodeDecodeError:
        raise _find_bad_utf8(inp) from None
    except csv.Error as exc:
        raise DatasetError(f"{inp.label}, line {line_end + 1}: cannot be split into fields "
                           f"({exc}). Check the quotes on that line.") from None
    return missing_lines


def _check_number(cell, j, where, line, layout, target_type, example) -> None:
    text = cell.strip()
    if is_number(text, layout.decimal):
        value = to_float(text, layout.decimal)
        if math.isfinite(value) and abs(value) <= _FLOAT32_MAX:
            example.setdefault(j, (line, text))
            return
        raise DatasetError(f"{where}: {text!r} is not a usable number (infinite, or too large "
                           f"for 32-bit floats). Replace it with a finite value.")
    shown = text if len(text) <= 40 else text[:37] + "..."
    quote_hint = (" (it spans lines: is a closing quote missing?)" if "\n" in text else "")
    if layout.kinds[j] == "text":
        why = ("target_type='values' needs numbers; use target_type='classes' or 'auto'"
               if target_type == "values" else
               "one-hot encoding is off for it; pass one_hot='auto' or leave the column out "
               "of the features")
        raise DatasetError(f"{where}: {shown!r} is text{quote_hint}, but {why}.")
    seen = f" (e.g. {example[j][1]!r} on line {example[j][0]})" if j in example else ""
    raise DatasetError(f"{where}: {shown!r} is not a number{quote_hint}, but the column holds "
                       f"numbers{seen}. Correct the cell, or leave the column out.")


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


def _find_bad_utf8(inp: CsvInput) -> DatasetError:
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
                    carry = buf[exc.start:]  # a character cut by the chunk boundary
                    buf = buf[: exc.start]
                else:
                    return not_utf8_error(inp.label, buf, exc.start, lines_before)
            if not chunk:
                return DatasetError(f"{inp.label}: the file is not UTF-8 text. Save it as 'CSV "
                                    "UTF-8' and load it again.")
            lines_before += buf.count(b"\n")


def _format_label(value: float) -> str:
    return np.format_float_positional(np.float32(value), trim="-")


def _target(values: np.ndarray, col: str, text_target: bool, target_type: str, class_order,
            inp: CsvInput, dropped: bool):
    """(y float32 (n,), class_names or None, note or None) for the target column's values."""
    note = None
    if text_target:
        codes, uniques = pd.factorize(values)
        labels = [str(u).strip() for u in uniques]
    else:
        if target_type == "values" or not len(values):
            return values, None, None
        distinct = np.unique(values)
        whole = bool(np.all(distinct == np.round(distinct)))
        if target_type == "auto":
            few = whole and len(distinct) <= AUTO_MAX_CLASSES and len(distinct) <= max(
                2, len(values) // 2)
            if not few:
                return values, None, None
            note = (f"Target {col!r} has {len(distinct)} distinct whole-number values, so it is "
                    "treated as classes. Load with target_type='values' for regression.")
        codes = np.searchsorted(distinct, values)
        labels = [_format_label(v) for v in distinct]
    names = sorted(set(labels), key=natural_sort_key) if class_order is None else [
        str(c).strip() for c in class_order]
    index = {n: i for i, n in enumerate(names)}
    unknown = [lab for lab in labels if lab not in index]
    if unknown:
        raise DatasetError(f"{inp.label}: target {col!r} has the value {unknown[0]!r}, which is "
                           f"not one of the expected classes {names}.")
    if len(set(labels)) < 2:
        after = " left after dropping rows with missing values" if dropped else ""
        raise DatasetError(
            f"{inp.label}: the target column {col!r} has only one class ({labels[0]!r} on every "
            f"row{after}). A classifier needs at least two. Pick another target column, or "
            "check that the file is complete.")
    lookup = np.array([index[lab] for lab in labels], dtype=np.float32)
    return lookup[codes], names, note


def _features(table: _Table, plan: _Plan, inp: CsvInput):
    """(x float32 (n, n_features) C-ordered, feature names, notes), columns in features order,
    each one-hot column expanded in place into its categories."""
    cols = plan.layout.columns
    if not plan.text_feats:  # the common case: x_numeric already is x
        return table.x_numeric, [cols[j] for j in plan.feats], []
    notes = []
    categories: dict[int, tuple[np.ndarray, list[str]]] = {}
    for j in plan.text_feats:
        stripped = np.array([str(v).strip() for v in table.text[j]], dtype=object)
        codes, uniques = pd.factorize(stripped)
        if len(uniques) > MAX_ONE_HOT:
            raise DatasetError(
                f"{inp.label}: column {cols[j]!r} holds {len(uniques)} different texts (e.g. "
                f"{str(uniques[0])!r}); one-hot encoding it would add {len(uniques)} features. "
                "It looks like an ID or free text: leave it out of the features.")
        cats = sorted(uniques, key=natural_sort_key)
        remap = np.array([cats.index(u) for u in uniques], dtype=np.int64)
        categories[j] = (remap[codes], cats)
        shown = ", ".join(f"{cols[j]}={c}" for c in cats[:5]) + (", ..." if len(cats) > 5 else "")
        notes.append(f"Column {cols[j]!r} holds text: encoded as {len(cats)} one-hot columns "
                     f"({shown}).")
    n = len(table.missing)
    width = len(plan.numeric_feats) + sum(len(c) for _, c in categories.values())
    x = np.empty((n, width), dtype=np.float32)
    names: list[str] = []
    k = 0
    for j in plan.feats:
        if j in categories:
            codes, cats = categories[j]
            x[:, k : k + len(cats)] = codes[:, None] == np.arange(len(cats))
            names.extend(f"{cols[j]}={c}" for c in cats)
            k += len(cats)
        else:
            x[:, k] = table.x_numeric[:, plan.numeric_feats.index(j)]
            names.append(cols[j])
            k += 1
    return x, names, notes
