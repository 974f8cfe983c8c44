"""The project's plain settings: what a person chose, as JSON-ready dataclasses.

A leaf module: it imports nothing of the engine, so the schema, the document, the runtime and
the front ends can all share these without import cycles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

# The course's output layer and loss for each task: sigmoid + binary cross-entropy for a
# binary target, softmax + sparse categorical cross-entropy for several classes, a linear
# output with mean squared error for real values.
TASK_OUTPUT = {
    "binary": ("sigmoid", "binary_crossentropy"),
    "multiclass": ("softmax", "sparse_categorical_crossentropy"),
    "regression": ("linear", "mean_squared_error"),
}


def classifies(task: str | None) -> bool:
    """True for the tasks whose targets are classes ("binary", "multiclass")."""
    return task in ("binary", "multiclass")


def output_units(dataset: Any) -> int | None:
    """Output units a dataset asks for: its number of classes for a multiclass target, 1
    otherwise; None when there is no dataset."""
    if dataset is None:
        return None
    if getattr(dataset, "task", None) == "multiclass":
        return int(dataset.n_classes)
    return 1


TARGET_SCALINGS = ("none", "standardize")

# The defaults of a new project (Project.new_for_dataset), chosen by held-out scores against
# scikit-learn's default MLP: benchmarks/default_quality.py, tuned on breast_cancer and
# diabetes, confirmed on digits, wine and friedman1 (README, Performance).
# Epochs without a better validation loss before a run stops. 20 stopped friedman1 (a tuning
# set) at R2 0.877 against scikit-learn's 0.898; 40 reaches 0.895 and changes no other tuning
# set's score (benchmarks/default_quality.py).
DEFAULT_PATIENCE = 40
DEFAULT_EPOCHS = 500  # an upper bound: early stopping ends most runs well before it
DEFAULT_LEARNING_RATE = 0.001  # Adam's own default; 0.01 overshot once the loss was small


def default_hidden_units(n_features: int) -> int:
    """Units of a new project's hidden layer: four per feature, at least 64 (a small input
    still needs room for curves: 32 fell 0.04 short on friedman1) and at most 256 (wider
    layers only overfit faster)."""
    return int(min(256, max(64, 4 * int(n_features))))


@dataclass
class LayerSpec:
    """One Dense layer as the person configured it."""

    units: int
    activation: str = "relu"
    name: str = ""
    kernel_initializer: str = "glorot_uniform"
    bias_initializer: str = "zeros"
    l2: float = 0.0  # L2 penalty on the kernel; 0 means no regularizer


@dataclass
class CompileSpec:
    """Loss and optimizer, as passed to Sequential.compile."""

    loss: str = "binary_crossentropy"
    from_logits: bool = False
    optimizer: str = "adam"
    learning_rate: float = 0.01
    momentum: float = 0.0  # SGD only
    metrics: list[str] = field(default_factory=lambda: ["accuracy"])


@dataclass
class TrainingSpec:
    """How fit is called. batch_size None means full-batch gradient descent.

    early_stopping: stop when the validation loss has not improved for this many epochs and
    keep the best epoch's weights (Keras' EarlyStopping(patience=N, restore_best_weights=True));
    None: off. It needs a validation split; without one it does nothing.
    target_scaling: "standardize" trains a regression on (y - mean) / std of the training
    split's target and reports losses and predictions in the target's own units; "none"
    trains on the raw target. Classification targets are never scaled.

    The defaults of these two are the old behaviour, so a TrainingSpec made in code trains as
    it always did; Project.new_for_dataset picks the measured defaults (DEFAULT_PATIENCE)."""

    epochs: int = 100
    batch_size: int | None = 32
    validation_split: float = 0.2
    shuffle: bool = True
    seed: int = 0
    scaling: str = "standardize"  # "standardize" | "minmax" | "none"
    early_stopping: int | None = None
    target_scaling: str = "none"  # "standardize" | "none"


@dataclass
class DatasetSource:
    """Where the dataset comes from, so it can be recreated.

    kind "builtin": `name` is a built-in generator, `params` its n_samples/noise/seed.
    kind "csv": `path` the file (absolute in memory, stored relative to the project file),
    `sha256` of its bytes, `params` the load_csv arguments (target, features, delimiter, ...).
    A "csv" source with path None lives only as the copy embedded in the project (data that
    came from arrays or an .npz file).
    """

    kind: str = "builtin"
    name: str | None = "coffee"
    params: dict[str, Any] = field(default_factory=dict)
    path: str | None = None
    sha256: str | None = None

    @classmethod
    def from_dataset(cls, dataset) -> DatasetSource:
        """The source recorded in `dataset.source` by engine.data (builtin or csv). Data with
        no file to go back to (arrays, .npz) becomes an embedded-only "csv" source; the
        Project then embeds `dataset.to_csv_bytes()`."""
        source = dict(getattr(dataset, "source", None) or {})
        kind = source.pop("kind", None)
        if kind == "builtin":
            name = source.pop("name", None)
            return cls(kind="builtin", name=name, params=json_safe(source))
        if kind == "csv" and source.get("path"):
            path = str(Path(source.pop("path")).absolute())
            name = getattr(dataset, "name", None) or Path(path).name
            return cls(kind="csv", name=name, params=json_safe(source), path=path)
        return cls(kind="csv", name=getattr(dataset, "name", None), params=dataset.csv_params())


def json_safe(value):
    """A deep copy of `value` with numpy scalars/arrays turned into plain JSON values."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return json_safe(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    return value
