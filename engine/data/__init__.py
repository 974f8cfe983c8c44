"""engine.data: datasets for Netbuilder, Qt-free.

- Dataset: x (n_samples, n_features) float32, y (n_samples, 1), names, task, split().
- builtin(name, n_samples, noise, seed): the course's coffee data, Playground-style 2-D sets,
  sine, linear, iris.
- load_csv(path, target, ...), load_csv_bytes, preview_csv (for the import dialog),
  load_npz, load_source(dataset.source).
- Standardizer, MinMaxScaler, make_scaler, scaler_from_config: feature scaling.
Every failure raises engine.errors.DatasetError with a message that says what to do.
"""

from .builtins import builtin, builtin_defaults, builtin_names, describe_builtins
from .csv_loader import load_csv, load_csv_bytes
from .csv_sniff import CsvPreview, preview_csv
from .dataset import Dataset
from .npz_loader import load_npz, load_source
from .scaling import (
    IdentityScaler,
    MinMaxScaler,
    Standardizer,
    make_scaler,
    scaler_from_config,
    scaler_names,
)

__all__ = [
    "CsvPreview",
    "Dataset",
    "IdentityScaler",
    "MinMaxScaler",
    "Standardizer",
    "builtin",
    "builtin_defaults",
    "builtin_names",
    "describe_builtins",
    "load_csv",
    "load_csv_bytes",
    "load_npz",
    "load_source",
    "make_scaler",
    "preview_csv",
    "scaler_from_config",
    "scaler_names",
]
