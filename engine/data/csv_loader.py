"""load_csv: a person's own table, checked and turned into a Dataset.

csv_sniff reads the head of the file (encoding, delimiter, header, column kinds), csv_read
parses all of it with pandas, csv_diagnose names the first bad cell when something is wrong.
This module resolves the target and feature columns, turns the target into classes or values
and one-hot encodes text features. Only a finished Dataset is returned: any problem raises a
DatasetError before anything is handed out.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import DatasetError
from .csv_diagnose import scan
from .csv_read import ReadPlan, Table, read_table
from .csv_sniff import CsvInput, Layout, inspect
from .dataset import Dataset, natural_sort_key

AUTO_MAX_CLASSES = 10  # a numeric target with at most this many whole-number values is classes
MAX_ONE_HOT = 100  # a text column with more distinct values is an ID or free text, not a category
TARGET_TYPES = ("auto", "classes", "values")


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
    fill_missing: str | None = None,
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
        fill_missing: "mean" replaces a missing cell of a numeric feature column by the mean
            of that column's loaded values (reported in dataset.notes); None leaves it
            missing. A missing target or text cell is never guessed: drop_missing decides.

    Returns a Dataset whose .source holds these arguments (see load_source), and whose .notes
    say what was decided or dropped. Raises DatasetError for anything it cannot load.
    """
    inp = CsvInput.from_path(path)
    target_type = _target_type(target_type, categorical_targets)
    ds, params = _load(
        inp,
        target,
        features,
        delimiter,
        header,
        drop_missing,
        target_type,
        one_hot,
        class_order,
        name or inp.path.name,
        fill_missing,
    )
    ds.source = {"kind": "csv", "path": str(inp.path), **params}
    return ds


def load_csv_bytes(
    data: bytes, target: str | int, name: str = "dataset.csv", **kwargs: Any
) -> Dataset:
    """load_csv for CSV text held in memory (e.g. the dataset.csv inside a project file).
    `name` labels error messages and the Dataset; other arguments as load_csv."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise DatasetError(f"load_csv_bytes takes bytes. Received: {type(data).__name__}.")
    inp = CsvInput(data=bytes(data), label=name)
    target_type = _target_type(
        kwargs.pop("target_type", "auto"), kwargs.pop("categorical_targets", None)
    )
    unknown = set(kwargs) - {
        "features",
        "delimiter",
        "header",
        "drop_missing",
        "one_hot",
        "class_order",
        "fill_missing",
    }
    if unknown:
        raise DatasetError(f"load_csv_bytes got unknown arguments: {sorted(unknown)}.")
    ds, params = _load(
        inp,
        target,
        kwargs.get("features"),
        kwargs.get("delimiter"),
        kwargs.get("header", "auto"),
        kwargs.get("drop_missing", False),
        target_type,
        kwargs.get("one_hot", "auto"),
        kwargs.get("class_order"),
        name,
        kwargs.get("fill_missing"),
    )
    ds.source = {"kind": "csv_bytes", "name": name, **params}
    return ds


def _target_type(target_type, categorical_targets) -> str:
    if categorical_targets is not None and target_type == "auto":
        target_type = {True: "classes", False: "values"}.get(
            categorical_targets, categorical_targets
        )
    if target_type not in TARGET_TYPES:
        raise DatasetError(
            f"target_type must be one of {list(TARGET_TYPES)}. Received: "
            f"target_type={target_type!r}."
        )
    return target_type


FILL_MISSING = (None, "mean")


def _load(
    inp: CsvInput,
    target,
    features,
    delimiter,
    header,
    drop_missing,
    target_type,
    one_hot,
    class_order,
    name,
    fill_missing=None,
):
    if fill_missing not in FILL_MISSING:
        raise DatasetError(
            f"fill_missing must be one of {list(FILL_MISSING)}. Received: "
            f"fill_missing={fill_missing!r}."
        )
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
        raise DatasetError(
            f"{inp.label}: the file has a header row but no data rows. Add rows "
            "of data below the header."
        )
    t = _column_index(target, cols, "target", inp, layout)
    feats = _feature_indices(features, t, cols, inp, layout)
    encode = _one_hot_columns(one_hot, feats, cols, inp, layout)
    text_target = layout.kinds[t] == "text" and target_type != "values"
    plan = ReadPlan(layout, t, feats, encode, text_target, target_type)
    table = read_table(inp, plan)

    notes = list(layout.notes)
    left_out = [cols[j] for j in layout.blank_columns if j != t and j not in feats]
    if left_out:
        notes.append(
            f"Left out {', '.join(repr(c) for c in left_out)}: no name and no values "
            "(a delimiter at the end of each line?)."
        )
    n_read = len(table.missing)
    if n_read == 0:
        raise DatasetError(
            f"{inp.label}: the file has a header row but no data rows. Add rows "
            "of data below the header."
        )
    dropped = False
    was_missing = None
    if fill_missing == "mean" and table.missing.any():
        was_missing = table.missing
        table, fill_note = _fill_with_means(table, plan, inp)
        if fill_note:
            notes.append(fill_note)
        if table.missing.any() and not drop_missing:
            # scan would name the first hole, which may be one just filled.
            raise DatasetError(
                f"{inp.label}: {int(table.missing.sum())} rows have a missing "
                "target or text value, which a mean cannot fill. Fill them "
                "in, or load with drop_missing=True."
            )
    if table.missing.any():
        lines = scan(inp, plan, allow_missing=drop_missing)
        if was_missing is not None:  # scan lists every row with a hole, filled ones too
            still = table.missing[np.flatnonzero(was_missing)]
            lines = (
                [line for line, keep in zip(lines, still, strict=True) if keep]
                if len(lines) == len(still)
                else []
            )
        if not drop_missing:  # scan found no hole where pandas found one
            raise DatasetError(
                f"{inp.label}: {int(table.missing.sum())} rows have a missing "
                "value in a used column. Fill them in, or load with "
                "drop_missing=True."
            )
        n_dropped = int(table.missing.sum())
        if n_dropped == n_read:
            raise DatasetError(
                f"{inp.label}: every row has a missing value in a used column, "
                "so dropping them leaves nothing. Fill in the gaps or choose other "
                "columns."
            )
        table = table.take(~table.missing)
        dropped = True
        shown = ", ".join(str(n) for n in lines[:10]) + (", ..." if len(lines) > 10 else "")
        notes.append(
            f"Dropped {n_dropped} of {n_read} rows with a missing value"
            + (f" (line{'s' if len(lines) > 1 else ''} {shown})." if lines else ".")
        )

    y, class_names, target_note = _target(
        table.target, cols[t], text_target, target_type, class_order, inp, dropped
    )
    if target_note:
        notes.append(target_note)
    x, feature_names, encode_notes = _features(table, plan, inp)
    notes.extend(encode_notes)
    del table
    try:  # Dataset checks that every number is finite (pandas reads "inf" and 1e39 as inf)
        ds = Dataset(
            x,
            y,
            feature_names=feature_names,
            target_name=cols[t],
            class_names=class_names,
            name=name,
            notes=notes,
        )
    except DatasetError:
        scan(inp, plan, allow_missing=True)  # raises, naming the line of the bad number
        raise
    params = {
        "target": cols[t],
        "features": [cols[j] for j in feats],
        "delimiter": layout.delimiter,
        "header": layout.has_header,
        "drop_missing": bool(drop_missing),
        # Only when set, so the sources of projects saved before this option stay the same.
        **({"fill_missing": fill_missing} if fill_missing else {}),
        "target_type": "values" if class_names is None else "classes",
        "one_hot": [cols[j] for j in feats if j in encode],
        "class_order": class_names,
    }
    return ds, params


def _fill_with_means(table: Table, plan: ReadPlan, inp: CsvInput) -> tuple[Table, str]:
    """Replace NaN cells of the numeric feature columns by their column's mean over the
    loaded rows. The rows' missing flags are recomputed, so a row still lacking its target or
    a text cell stays missing (drop_missing or an error decides)."""
    x = table.x_numeric
    holes = np.isnan(x)
    cols = plan.layout.columns
    filled = []
    for k in np.flatnonzero(holes.any(axis=0)):
        known = x[~holes[:, k], k]
        if not len(known):
            raise DatasetError(
                f"{inp.label}: column {cols[plan.numeric_feats[k]]!r} has no "
                "values at all, so it has no mean to fill its gaps with. Leave "
                "it out of the features."
            )
        mean = np.float32(known.astype(np.float64).mean())
        x[holes[:, k], k] = mean
        filled.append(
            f"{int(holes[:, k].sum())} in {cols[plan.numeric_feats[k]]!r} (mean {float(mean):.4g})"
        )
    missing = pd.isna(table.target) if plan.text_target else np.isnan(table.target)
    for values in table.text.values():
        missing = missing | pd.isna(values)
    table = Table(x, table.target, table.text, np.asarray(missing, dtype=bool))
    note = (
        "Filled missing values with their column's mean: " + ", ".join(filled) + "."
        if filled
        else ""
    )
    return table, note


def _column_index(ref, cols: list[str], role: str, inp: CsvInput, layout: Layout) -> int:
    listing = ", ".join(repr(c) for c in cols)
    if isinstance(ref, (int, np.integer)) and not isinstance(ref, bool):
        j = int(ref)
        if -len(cols) <= j < len(cols):
            return j % len(cols)
        raise DatasetError(
            f"{inp.label}: {role} column index {j} is out of range: the file "
            f"has {len(cols)} columns (0 to {len(cols) - 1}): {listing}."
        )
    if isinstance(ref, str):
        if ref in cols:
            return cols.index(ref)
        stripped = [c.strip().casefold() for c in cols]
        if ref.strip().casefold() in stripped and stripped.count(ref.strip().casefold()) == 1:
            return stripped.index(ref.strip().casefold())
        hint = (
            ""
            if layout.has_header
            else " The file has no header row, so its columns are "
            "named by position; pass header=True if the first row holds names."
        )
        raise DatasetError(
            f"{inp.label}: there is no {role} column {ref!r}. The columns are: {listing}.{hint}"
        )
    raise DatasetError(
        f"A {role} column is given by name or 0-based index. Received: {role}={ref!r}."
    )


def _feature_indices(features, t, cols, inp, layout) -> list[int]:
    if features is None:
        feats = [j for j in range(len(cols)) if j != t and j not in layout.blank_columns]
        if not feats:
            raise DatasetError(
                f"{inp.label}: besides the target {cols[t]!r} every column is "
                "empty, so there is nothing to learn from. Fill in the feature "
                "columns, or pick another target."
            )
        return feats
    if isinstance(features, (str, int)) or not hasattr(features, "__iter__"):
        raise DatasetError(
            f"features is a list of column names or indices. Received: features={features!r}."
        )
    feats = [_column_index(f, cols, "feature", inp, layout) for f in features]
    if not feats:
        raise DatasetError(
            f"{inp.label}: features is empty. Choose at least one input column "
            f"besides the target {cols[t]!r}."
        )
    if t in feats:
        raise DatasetError(
            f"{inp.label}: the target column {cols[t]!r} is also listed as a "
            "feature. A model must not see the answer: remove it from features."
        )
    dup = sorted({cols[j] for j in feats if feats.count(j) > 1})
    if dup:
        raise DatasetError(
            f"{inp.label}: features lists {dup} more than once. List each column once."
        )
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
            raise DatasetError(
                f"{inp.label}: one_hot names {stray}, which are not features. "
                "List only feature columns."
            )
        return chosen
    raise DatasetError(
        f"one_hot must be 'auto', False or a list of columns. Received: one_hot={one_hot!r}."
    )


def _format_label(value: float) -> str:
    return np.format_float_positional(np.float32(value), trim="-")


def _target(
    values: np.ndarray,
    col: str,
    text_target: bool,
    target_type: str,
    class_order,
    inp: CsvInput,
    dropped: bool,
):
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
            few = (
                whole
                and len(distinct) <= AUTO_MAX_CLASSES
                and len(distinct) <= max(2, len(values) // 2)
            )
            if not few:
                return values, None, None
            note = (
                f"Target {col!r} has {len(distinct)} distinct whole-number values, so it is "
                "treated as classes. Load with target_type='values' for regression."
            )
        codes = np.searchsorted(distinct, values)
        labels = [_format_label(v) for v in distinct]
    if class_order is not None:
        names = [str(c).strip() for c in class_order]
    elif text_target:
        names = sorted(set(labels), key=natural_sort_key)
    else:  # numbers keep their value order (-1 before 1, so 1 is the positive class), as in
        names = labels  # load_npz; the text order would put "1" before "-1"
    index = {n: i for i, n in enumerate(names)}
    unknown = [lab for lab in labels if lab not in index]
    if unknown:
        raise DatasetError(
            f"{inp.label}: target {col!r} has the value {unknown[0]!r}, which is "
            f"not one of the expected classes {names}."
        )
    if len(set(labels)) < 2:
        after = " left after dropping rows with missing values" if dropped else ""
        raise DatasetError(
            f"{inp.label}: the target column {col!r} has only one class ({labels[0]!r} on every "
            f"row{after}). A classifier needs at least two. Pick another target column, or "
            "check that the file is complete."
        )
    lookup = np.array([index[lab] for lab in labels], dtype=np.float32)
    return lookup[codes], names, note


def _features(table: Table, plan: ReadPlan, inp: CsvInput):
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
                "It looks like an ID or free text: leave it out of the features."
            )
        cats = sorted(uniques, key=natural_sort_key)
        remap = np.array([cats.index(u) for u in uniques], dtype=np.int64)
        categories[j] = (remap[codes], cats)
        shown = ", ".join(f"{cols[j]}={c}" for c in cats[:5]) + (", ..." if len(cats) > 5 else "")
        notes.append(
            f"Column {cols[j]!r} holds text: encoded as {len(cats)} one-hot columns ({shown})."
        )
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
