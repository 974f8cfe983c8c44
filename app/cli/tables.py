"""Reading a project's columns from another CSV file (for `evaluate --data` and `predict`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from engine.data.csv_sniff import CsvInput, inspect

from .errors import CliError, about

FLOAT32_MAX = float(np.finfo(np.float32).max)


def read_table(path, columns: list[str], target: str | None = None, class_names=None):
    """Read the named columns of a CSV file (any column order, extra columns ignored).

    Returns x (n_rows, len(columns)) float32 and, when `target` is given, y (n_rows, 1) float32:
    the index into `class_names` for classification, the value for regression."""
    path = str(path)
    if not Path(path).exists():
        raise CliError(path, "no such file")
    # The data layer's sniffing, so a file reads here as it did when the project was made
    # (a ';' file with decimal commas, say).
    with about(path, loading=True):  # "file, line 2: ..." becomes "file: line 2: ..."
        layout = inspect(CsvInput.from_path(path), header=True)
    try:
        frame = pd.read_csv(
            path, sep=layout.delimiter, dtype=str, keep_default_na=False, encoding="utf-8-sig"
        )
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise CliError(path, f"cannot be read as CSV: {' '.join(str(exc).split())}") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    wanted = list(columns) + ([target] if target is not None else [])
    one_hot = {c: _one_hot_source(c, frame.columns) for c in columns if c not in frame.columns}
    missing = [c for c in wanted if c not in frame.columns and not one_hot.get(c)]
    if missing:
        found = ", ".join(frame.columns[:12]) + (", ..." if len(frame.columns) > 12 else "")
        role = "target column" if missing == [target] else "column(s)"
        raise CliError(
            path,
            f"has no {role} {', '.join(repr(c) for c in missing)}; the project needs "
            f"{', '.join(wanted)} (found: {found})",
        )
    if len(frame) == 0:
        raise CliError(path, "has a header but no data rows")
    x = np.empty((len(frame), len(columns)), dtype=np.float32)
    for j, name in enumerate(columns):
        if one_hot.get(name):  # "color=red": 1 where the text column color says red
            base, category = one_hot[name]
            x[:, j] = (frame[base].str.strip() == category).to_numpy(dtype=np.float32)
        else:
            x[:, j] = _numeric_column(frame[name], name, path, layout.decimal)
    if target is None:
        return x, None
    if class_names is None:
        y = _numeric_column(frame[target], target, path, layout.decimal).reshape(-1, 1)
        return x, y
    index = {str(name): i for i, name in enumerate(class_names)}
    y = np.empty((len(frame), 1), dtype=np.float32)
    for row, text in enumerate(frame[target]):
        key = _class_key(text.strip(), index)
        if key is None:
            raise CliError(
                path,
                f"line {row + 2}, column {target!r}: class {text!r} is not one of the "
                f"project's classes ({', '.join(index)})",
            )
        y[row, 0] = index[key]
    return x, y


def _one_hot_source(feature: str, columns) -> tuple[str, str] | None:
    """engine.data one-hot encodes a text column `color` as features "color=red", ...;
    find the text column such a feature comes from: (column, category) or None."""
    for i, char in enumerate(feature):
        if char == "=" and feature[:i] in columns:
            return feature[:i], feature[i + 1 :]
    return None


def _class_key(text: str, index: dict[str, int]) -> str | None:
    """Match '1', '1.0' and ' 1' to the class named '1'."""
    if text in index:
        return text
    try:
        number = float(text)
    except ValueError:
        return None
    if number.is_integer() and str(int(number)) in index:
        return str(int(number))
    return None


def _numeric_column(values, name: str, path: str, decimal: str = ".") -> np.ndarray:
    stripped = values.str.strip()
    if decimal == ",":
        stripped = stripped.str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(stripped, errors="coerce").to_numpy(dtype=np.float64)
    # The model computes in float32: a finite float64 such as 1e308 would become inf there
    # (with NumPy's RuntimeWarning), so it is refused here, by line, as `new` refuses it.
    with np.errstate(invalid="ignore"):
        bad = np.flatnonzero(~(np.abs(numbers) <= FLOAT32_MAX))
    if bad.size:
        row = int(bad[0])
        text = values.iloc[row]
        if stripped.iloc[row] == "":
            what = "is empty"
        elif np.isfinite(numbers[row]) or stripped.iloc[row].lower().lstrip("+-") in (
            "inf",
            "infinity",
        ):
            what = (
                f"holds {text!r}, beyond the largest number the model computes with "
                f"({FLOAT32_MAX:.4g}); scale the value down or remove the row"
            )
        else:
            what = f"holds {text!r}, not a number"
        raise CliError(path, f"line {row + 2}, column {name!r} {what}")
    return numbers.astype(np.float32)
