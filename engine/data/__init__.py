"""engine.data: datasets for Netbuilder, Qt-free.

- Dataset: x (n_samples, n_features) float32, y (n_samples, 1), names, task, split().
- builtin(name, n_samples, noise, seed): the course's coffee data, Playground-style 2-D sets,
  sine, linear, iris.
- Standardizer, MinMaxScaler, make_scaler, scaler_from_config: feature scaling.
"""

from .builtins import builtin, builtin_defaults, builtin_names, describe_builtins
from .dataset import Dataset
from .scaling import (
    IdentityScaler,
    MinMaxScaler,
    Standardizer,
    make_scaler,
    scaler_from_config,
    scaler_names,
)

__all__ = [
    "Dataset",
    "IdentityScaler",
    "MinMaxScaler",
    "Standardizer",
    "builtin",
    "builtin_defaults",
    "builtin_names",
    "describe_builtins",
    "make_scaler",
    "scaler_from_config",
    "scaler_names",
]
