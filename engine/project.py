"""The project document: everything a person builds in Netbuilder, and the .nnproj file.

This module is the hub the GUI, the training worker and the command line share. It is
Qt-free. The dataclasses below are the in-memory document; `save`/`load` write and read the
.nnproj zip (see DESIGN.md, "The project file")."""

from __future__ import annotations

import copy as _copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

SCHEMA_VERSION = 1
FORMAT_NAME = "netbuilder-project"


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
    """How fit is called. batch_size None means full-batch gradient descent."""

    epochs: int = 100
    batch_size: int | None = 32
    validation_split: float = 0.2
    shuffle: bool = True
    seed: int = 0
    scaling: str = "standardize"  # "standardize" | "minmax" | "none"


@dataclass
class DatasetSource:
    """Where the dataset comes from, so it can be recreated.

    kind "builtin": `name` is a built-in generator, `params` its n_samples/noise/seed.
    kind "csv": `path` the file (absolute in memory, stored relative to the project file),
    `sha256` of its bytes, `params` the load_csv arguments (target, features, delimiter, ...).
    """

    kind: str = "builtin"
    name: str | None = "coffee"
    params: dict[str, Any] = field(default_factory=dict)
    path: str | None = None
    sha256: str | None = None


@dataclass
class Project:
    name: str = "Untitled"
    layers: list[LayerSpec] = field(default_factory=list)
    compile: CompileSpec = field(default_factory=CompileSpec)
    training: TrainingSpec = field(default_factory=TrainingSpec)
    dataset_source: DatasetSource | None = None
    # In-memory only (stored as dataset.csv / recreated from dataset_source):
    dataset: Any = None  # engine.data.Dataset | None
    scaler: dict[str, Any] | None = None  # get_config() of the fitted scaler
    weights: list[np.ndarray] | None = None
    history: dict[str, list[float]] = field(default_factory=dict)
    epochs_trained: int = 0
    # Per-epoch weight snapshots for rewinding: epoch -> weights list.
    snapshots: dict[int, list[np.ndarray]] = field(default_factory=dict)
    ui: dict[str, Any] = field(default_factory=dict)
    # Where the project was loaded from / last saved to; never stored in the file.
    path: Path | None = None
    # Messages from loading that the user should see (e.g. a moved dataset file).
    warnings: list[str] = field(default_factory=list)

    def copy(self) -> Project:
        """A deep copy (arrays copied too), for undo snapshots and the training worker."""
        return _copy.deepcopy(self)
