"""The Dataset: a feature matrix, a target column and the names that make them readable.

Everything that loads or generates data (CSV, .npz, the built-in generators) ends in a
Dataset, and everything downstream (scaling, training, plots, the project file) starts from
one. A Dataset is checked once, when it is made, so nothing else needs to re-check it.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from ..errors import DatasetError

TASKS = ("binary", "multiclass", "regression")


def natural_sort_key(text: str) -> tuple:
    """Sort key that orders "class 2" before "class 10" and ignores case first.

    This is the documented order in which text labels become class indices, so "no"/"yes"
    map to 0/1, "B"/"M" to 0/1 and "setosa"/"versicolor"/"virginica" to 0/1/2."""
    parts = re.split(r"(\d+)", text)
    key = tuple((0, int(p), "") if p.isdigit() else (1, 0, p.casefold()) for p in parts if p)
    return (key, text)


class Dataset:
    """A table of samples ready for a dense network.

    Attributes:
        x: float32 array (n_samples, n_features), C-contiguous, all values finite.
        y: float32 array (n_samples, 1): the class index 0..n_classes-1 for a classification
            task, the target value for regression.
        feature_names: list of n_features column names (one-hot columns read "color=red").
        target_name: name of the target column.
        class_names: list of n_classes labels, index i naming class i; None for regression.
        task: "binary" (2 classes), "multiclass" (3 or more) or "regression".
        name: short display name, e.g. "iris" or "housing.csv".
        source: JSON-safe dict saying how to make this dataset again (see engine.data.
            load_source): {"kind": "builtin", "name", "n_samples", "noise", "seed"} or
            {"kind": "csv", "path", "target", "features", "delimiter", "header", ...}.
        notes: messages about what loading decided or dropped, for the person to read.
    """

    def __init__(
        self,
        x: Any,
        y: Any,
        feature_names: list[str] | None = None,
        target_name: str = "target",
        class_names: list[str] | None = None,
        name: str = "dataset",
        source: dict[str, Any] | None = None,
        notes: list[str] | None = None,
    ):
        try:
            x = np.ascontiguousarray(np.asarray(x, dtype=np.float32))
            y = np.asarray(y, dtype=np.float32)
        except (TypeError, ValueError) as exc:
            raise DatasetError(
                f"Dataset x and y must be numbers (class labels as indices 0..k-1 with "
                f"class_names). Received: {exc}."
            ) from None
        if x.ndim == 1:
            x = x.reshape(-1, 1)
        if x.ndim != 2:
            raise DatasetError(
                f"Dataset features must be a 2-D array (n_samples, n_features). Received: "
                f"x with shape {x.shape}."
            )
        if y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1):
            y = np.ascontiguousarray(y.reshape(-1, 1))
        else:
            raise DatasetError(
                f"Dataset target must have shape (n_samples,) or (n_samples, 1). Received: y "
                f"with shape {y.shape}."
            )
        if len(y) != len(x):
            raise DatasetError(
                f"Dataset x and y must have the same number of samples. Received: x with "
                f"{len(x)} rows and y with {len(y)} rows."
            )
        if feature_names is None:
            feature_names = [f"x{i + 1}" for i in range(x.shape[1])]
        feature_names = [str(n) for n in feature_names]
        if len(feature_names) != x.shape[1]:
            raise DatasetError(
                f"Dataset needs one name per feature column. Received: {len(feature_names)} "
                f"names for {x.shape[1]} columns."
            )
        names = [*feature_names, str(target_name)]
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise DatasetError(
                f"Feature and target names must all differ (they become CSV column names). "
                f"Received: {dup} more than once in features {feature_names} and target "
                f"{target_name!r}."
            )
        if not np.isfinite(x).all():
            row, col = np.argwhere(~np.isfinite(x))[0]
            raise DatasetError(
                f"Dataset features must be finite numbers. Received: {x[row, col]} in row "
                f"{row}, feature {feature_names[col]!r}. Remove or fill that value."
            )
        if not np.isfinite(y).all():
            row = int(np.argwhere(~np.isfinite(y))[0, 0])
            raise DatasetError(
                f"Dataset target must be finite numbers. Received: {y[row, 0]} in row {row}. "
                "Remove or fill that value."
            )
        if class_names is not None:
            class_names = [str(c) for c in class_names]
            if len(class_names) < 2:
                raise DatasetError(
                    f"A classification target needs at least 2 classes. Received: class_names="
                    f"{class_names}. Pick a different target column, or treat it as values."
                )
            if len(set(class_names)) != len(class_names):
                raise DatasetError(f"Class names must be unique. Received: {class_names}.")
            bad = (y != np.round(y)) | (y < 0) | (y >= len(class_names))
            if bad.any():
                row = int(np.argwhere(bad)[0, 0])
                raise DatasetError(
                    f"Class targets must be whole numbers 0..{len(class_names) - 1} (one per "
                    f"class name). Received: {y[row, 0]} in row {row}."
                )
        self.x: np.ndarray = x
        self.y: np.ndarray = y
        self.feature_names: list[str] = feature_names
        self.target_name: str = str(target_name)
        self.class_names: list[str] | None = class_names
        self.name: str = str(name)
        self.source: dict[str, Any] = dict(source) if source else {"kind": "arrays"}
        self.notes: list[str] = list(notes or [])

    # -- shape and task ------------------------------------------------------------------
    @property
    def n_samples(self) -> int:
        return int(self.x.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.x.shape[1])

    @property
    def n_classes(self) -> int:
        """Number of classes; 1 for regression (one output unit)."""
        return 1 if self.class_names is None else len(self.class_names)

    @property
    def task(self) -> str:
        if self.class_names is None:
            return "regression"
        return "binary" if len(self.class_names) == 2 else "multiclass"

    @property
    def is_classification(self) -> bool:
        return self.class_names is not None

    def __len__(self) -> int:
        return self.n_samples

    def __repr__(self) -> str:
        return f"<Dataset {self.describe()}>"

    # -- summaries -----------------------------------------------------------------------
    def class_counts(self) -> dict[str, int]:
        """Samples per class, in class-index order; {} for regression."""
        if self.class_names is None:
            return {}
        counts = np.bincount(self.y[:, 0].astype(np.int64), minlength=self.n_classes)
        return {name: int(c) for name, c in zip(self.class_names, counts)}

    def describe(self) -> str:
        """One line for a status bar, e.g. "iris: 150 samples × 4 features, multiclass
        (setosa 50, versicolor 50, virginica 50)"."""
        f = "feature" if self.n_features == 1 else "features"
        head = f"{self.name}: {self.n_samples} samples × {self.n_features} {f}, {self.task}"
        if self.class_names is not None:
            counts = ", ".join(f"{k} {v}" for k, v in self.class_counts().items())
            return f"{head} ({counts})"
        if self.n_samples == 0:
            return head
        lo, hi = float(self.y.min()), float(self.y.max())
        return f"{head} ({self.target_name} from {lo:.4g} to {hi:.4g})"

    def y_one_hot(self) -> np.ndarray:
        """Targets as one-hot rows, float32 (n_samples, n_classes), for categorical_crossentropy."""
        if self.class_names is None:
            raise DatasetError(
                f"{self.name} is a regression dataset: its target has no classes to one-hot encode."
            )
        out = np.zeros((self.n_samples, self.n_classes), dtype=np.float32)
        out[np.arange(self.n_samples), self.y[:, 0].astype(np.int64)] = 1.0
        return out

    # -- subsets -------------------------------------------------------------------------
    def subset(self, indices: Any, name: str | None = None) -> Dataset:
        """A new Dataset with the rows at `indices` (copied), same names and source."""
        idx = np.asarray(indices, dtype=np.int64)
        return Dataset(
            self.x[idx],
            self.y[idx],
            feature_names=list(self.feature_names),
            target_name=self.target_name,
            class_names=None if self.class_names is None else list(self.class_names),
            name=self.name if name is None else name,
            source=self.source,
            notes=self.notes,
        )

    def split(
        self, validation: float = 0.2, test: float = 0.0, seed: int = 0
    ) -> tuple[Dataset, ...]:
        """Random train/validation[/test] split; stratified by class for classification.

        Returns (train, validation) when test is 0, else (train, validation, test). Each part
        keeps the original row order. Fractions are of all samples; a non-zero fraction gets at
        least one sample. The same seed always gives the same split."""
        parts = self.split_indices(validation, test, seed)
        labels = ("train", "validation", "test")
        return tuple(
            self.subset(idx, f"{self.name} ({label})") for idx, label in zip(parts, labels)
        )

    def split_indices(
        self, validation: float = 0.2, test: float = 0.0, seed: int = 0
    ) -> tuple[np.ndarray, ...]:
        """The row indices split() takes, sorted: (train, validation[, test]). The views list
        a validation row by its number in the dataset, so they need the indices themselves."""
        for label, frac in (("validation", validation), ("test", test)):
            if not 0.0 <= float(frac) < 1.0:
                raise DatasetError(
                    f"The {label} fraction must be in [0, 1). Received: {label}={frac!r}."
                )
        n = self.n_samples
        n_val = _at_least_one(validation, n)
        n_test = _at_least_one(test, n)
        if n_val + n_test >= n:
            raise DatasetError(
                f"Splitting {n} samples into validation={validation} and test={test} leaves no "
                "training samples. Use smaller fractions or more data."
            )
        rng = np.random.default_rng(seed)
        if self.class_names is None:
            order = rng.permutation(n)
            val_idx, test_idx, train_idx = np.split(order, [n_val, n_val + n_test])
        else:
            val_idx, test_idx, train_idx = self._stratified(rng, n_val, n_test)
        parts = [np.sort(train_idx), np.sort(val_idx)]
        if test:
            parts.append(np.sort(test_idx))
        return tuple(parts)

    def _stratified(self, rng: np.random.Generator, n_val: int, n_test: int):
        """Indices for validation, test and train with each class in proportion."""
        labels = self.y[:, 0].astype(np.int64)
        members = [rng.permutation(np.flatnonzero(labels == k)) for k in range(self.n_classes)]
        sizes = np.array([len(m) for m in members])
        val_per = _apportion(n_val, sizes)
        test_per = _apportion(n_test, sizes - val_per)
        val, test, train = [], [], []
        for m, v, t in zip(members, val_per, test_per):
            val.append(m[:v])
            test.append(m[v : v + t])
            train.append(m[v + t :])
        return np.concatenate(val), np.concatenate(test), np.concatenate(train)

    # -- writing -------------------------------------------------------------------------
    def to_csv_bytes(self) -> bytes:
        """The dataset as UTF-8 CSV text: a header, the features, then the target column
        (class names for classification). float32 values are written in their shortest form
        that reads back to the same float32 ("0.1", not "0.100000001"), so
        `load_csv_bytes(data, **dataset.csv_params())` gives back an equal Dataset."""
        import pandas as pd  # here, so that using a Dataset does not need pandas loaded

        frame = pd.DataFrame(self.x, columns=self.feature_names, copy=False)
        if self.class_names is None:
            frame[self.target_name] = self.y[:, 0]
        else:
            labels = np.array(self.class_names, dtype=object)
            frame[self.target_name] = labels[self.y[:, 0].astype(np.int64)]
        return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")

    def csv_params(self) -> dict[str, Any]:
        """The load_csv arguments that read `to_csv_bytes()` back into this dataset."""
        params: dict[str, Any] = {
            "target": self.target_name,
            "delimiter": ",",
            "header": True,
            "target_type": "values" if self.class_names is None else "classes",
            "one_hot": False,
        }
        if self.class_names is not None:
            params["class_order"] = list(self.class_names)
        return params

    def save_npz(self, path) -> None:
        """Write x, y and the names to an uncompressed .npz that load_npz reads back."""
        arrays = {
            "x": self.x,
            "y": self.y,
            "feature_names": np.array(self.feature_names, dtype=str),
            "target_name": np.array(self.target_name, dtype=str),
        }
        if self.class_names is not None:
            arrays["class_names"] = np.array(self.class_names, dtype=str)
        np.savez(path, **arrays)


def _at_least_one(fraction: float, n: int) -> int:
    if not fraction:
        return 0
    return max(1, int(round(float(fraction) * n)))


def _apportion(total: int, sizes: np.ndarray) -> np.ndarray:
    """Split `total` across groups in proportion to `sizes` (largest remainder method),
    never giving a group more than it has."""
    sizes = np.asarray(sizes, dtype=np.int64)
    if total <= 0 or sizes.sum() == 0:
        return np.zeros_like(sizes)
    exact = total * sizes / sizes.sum()
    out = np.minimum(np.floor(exact).astype(np.int64), sizes)
    while out.sum() < min(total, sizes.sum()):
        # The group furthest below its exact share (and not yet full) gets the next sample.
        priority = np.where(out < sizes, exact - out, -np.inf)
        out[int(np.argmax(priority))] += 1
    return out
