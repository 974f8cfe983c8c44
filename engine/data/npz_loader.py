"""load_npz (arrays saved with NumPy) and load_source (remake a dataset from its .source)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import DatasetError
from .builtins import builtin
from .csv_loader import load_csv
from .csv_sniff import CsvInput
from .dataset import Dataset, natural_sort_key


def load_npz(path) -> Dataset:  # noqa: C901 - one check per way an archive can be wrong, in order
    """Load arrays `x` (n_samples, n_features) and `y` (n_samples,) or (n_samples, 1) from an
    .npz file, with optional `feature_names`, `target_name` and `class_names` string arrays.

    Read with allow_pickle=False: a file holding Python objects is refused, never executed.
    Without class_names, an integer, boolean or text `y` becomes classes (sorted), a float
    `y` regression values."""
    p = CsvInput.from_path(path).path  # refuses a missing file, a folder, a FIFO, a device
    with open(p, "rb") as fh:
        magic = fh.read(6)
    if not magic.startswith((b"PK\x03\x04", b"\x93NUMPY")):
        raise DatasetError(
            f"{p}: is not an .npz archive (it does not start like one). Save "
            "the arrays with numpy.savez(path, x=x, y=y), or load a CSV file "
            "with load_csv."
        )
    try:
        loaded = np.load(p, allow_pickle=False)
        if not hasattr(loaded, "files"):
            raise DatasetError(
                f"{p}: is a single .npy array, not an .npz archive. Save with "
                "numpy.savez(path, x=x, y=y)."
            )
        with loaded as npz:
            arrays = {k: npz[k] for k in npz.files}
    except DatasetError:
        raise
    except ValueError as exc:
        if "pickle" not in str(exc):
            raise DatasetError(
                f"{p}: is not a readable .npz file ({exc}). Save the arrays with "
                "numpy.savez(path, x=x, y=y)."
            ) from None
        raise DatasetError(
            f"{p}: holds Python objects ({exc}); they are not loaded, because "
            "loading them could run code. Save plain numeric arrays."
        ) from None
    except Exception as exc:  # noqa: BLE001 - zipfile and numpy raise many kinds for a damaged archive
        raise DatasetError(
            f"{p}: is not a readable .npz file ({type(exc).__name__}: {exc}). "
            "Save the arrays with numpy.savez(path, x=x, y=y)."
        ) from None
    for key in ("x", "y"):
        if key not in arrays:
            raise DatasetError(
                f"{p}: has no array named {key!r}. Arrays found: "
                f"{sorted(arrays)}. Save with numpy.savez(path, x=x, y=y)."
            )
    x, y = arrays["x"], arrays["y"]
    if x.dtype.kind not in "biuf":
        raise DatasetError(f"{p}: x must be numeric. Received: dtype {x.dtype}.")
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise DatasetError(
            f"{p}: y must have shape (n_samples,) or (n_samples, 1). Received: "
            f"shape {arrays['y'].shape}."
        )
    feature_names = _strings(arrays.get("feature_names"), p, "feature_names")
    target_name = _strings(arrays.get("target_name"), p, "target_name")
    class_names = _strings(arrays.get("class_names"), p, "class_names")
    if class_names is None and y.dtype.kind in "biuU":
        values = [str(v) for v in y.tolist()] if y.dtype.kind == "U" else y
        distinct = (
            sorted(set(values), key=natural_sort_key) if y.dtype.kind == "U" else np.unique(y)
        )
        if len(distinct) < 2:
            raise DatasetError(
                f"{p}: y has only one class ({distinct[0]!r}). A classifier needs at least two."
            )
        if y.dtype.kind == "U":
            index = {v: i for i, v in enumerate(distinct)}
            y = np.array([index[v] for v in values], dtype=np.float32)
        else:
            y = np.searchsorted(distinct, y).astype(np.float32)
        class_names = [
            str(v) for v in (distinct if isinstance(distinct, list) else distinct.tolist())
        ]
    elif y.dtype.kind not in "biuf":
        raise DatasetError(f"{p}: y must be numbers or text labels. Received: dtype {y.dtype}.")
    return Dataset(
        x,
        y,
        feature_names=feature_names,
        target_name=target_name[0] if target_name else "target",
        class_names=class_names,
        name=p.name,
        source={"kind": "npz", "path": str(p)},
    )


def _strings(arr, p, key) -> list[str] | None:
    if arr is None:
        return None
    if arr.dtype.kind not in "US":
        raise DatasetError(f"{p}: {key} must be an array of strings. Received: dtype {arr.dtype}.")
    return [str(v) for v in np.atleast_1d(arr).tolist()]


def load_source(source: dict[str, Any]) -> Dataset:
    """Make a dataset again from its `.source` dict (as stored in a project file)."""
    if not isinstance(source, dict) or "kind" not in source:
        raise DatasetError(f"A dataset source is a dict with a 'kind'. Received: {source!r}.")
    kind = source["kind"]
    rest = {k: v for k, v in source.items() if k not in ("kind", "path")}
    if kind == "builtin":
        return builtin(
            source.get("name"),
            n_samples=source.get("n_samples"),
            noise=source.get("noise"),
            seed=source.get("seed", 0),
        )
    if kind == "csv":
        return load_csv(source.get("path"), **rest)
    if kind == "npz":
        return load_npz(source.get("path"))
    raise DatasetError(
        f"Unknown dataset source kind. Received: kind={kind!r}; expected 'builtin', 'csv' or 'npz'."
    )
