"""Feature scaling, fitted on the training split only and stored in the project file.

Standardizer is the equivalent of the Keras `Normalization` layer the course adapts to the
training data: x' = (x - mean) / std per column. MinMaxScaler maps each column to [0, 1].
IdentityScaler ("none") has the same API and changes nothing, so callers need no special case.
A constant column has no spread to divide by; it is scaled by 1 instead of producing NaN.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import DatasetError


class _Scaler:
    """Shared fit/transform plumbing. Subclasses set `kind` and define `_fit` and the
    per-column `offset_` and `scale_` so that transform(x) = (x - offset_) / scale_."""

    kind = ""

    def __init__(self) -> None:
        self.offset_: np.ndarray | None = None  # (n_features,) float64
        self.scale_: np.ndarray | None = None  # (n_features,) float64, never 0

    @property
    def fitted(self) -> bool:
        return self.offset_ is not None

    @property
    def n_features(self) -> int | None:
        return None if self.offset_ is None else int(self.offset_.shape[0])

    def fit(self, x: Any) -> _Scaler:
        """Learn the per-column statistics of x (n_samples, n_features). Returns self."""
        x = _as_2d(x, "fit")
        if x.shape[0] == 0:
            raise DatasetError(
                f"{type(self).__name__}.fit needs at least one sample. Received: "
                f"x with shape {x.shape}."
            )
        offset, scale = self._fit(x.astype(np.float64, copy=False))
        scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
        self.offset_, self.scale_ = offset, scale
        return self

    def _fit(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def transform(self, x: Any) -> np.ndarray:
        """Scaled copy of x, float32 (n_samples, n_features)."""
        x = self._check(x, "transform")
        return ((x - self.offset_) / self.scale_).astype(np.float32)

    def inverse_transform(self, x: Any) -> np.ndarray:
        """Undo transform: back to the original units, float32 (n_samples, n_features)."""
        x = self._check(x, "inverse_transform")
        return (x * self.scale_ + self.offset_).astype(np.float32)

    def fit_transform(self, x: Any) -> np.ndarray:
        return self.fit(x).transform(x)

    def _check(self, x: Any, method: str) -> np.ndarray:
        x = _as_2d(x, method)
        if self.offset_ is None:
            raise DatasetError(
                f"{type(self).__name__}.{method} was called before fit. Call fit(x_train) first."
            )
        if x.shape[1] != self.offset_.shape[0]:
            raise DatasetError(
                f"{type(self).__name__} was fitted on {self.offset_.shape[0]} features. "
                f"Received: x with shape {x.shape} in {method}."
            )
        return x.astype(np.float64, copy=False)

    def get_config(self) -> dict[str, Any]:
        """JSON-safe description including the fitted statistics (lists of floats)."""
        cfg: dict[str, Any] = {"kind": self.kind}
        if self.offset_ is not None:
            cfg["offset"] = [float(v) for v in self.offset_]
            cfg["scale"] = [float(v) for v in self.scale_]
        return cfg

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> _Scaler:
        scaler = cls()
        if "offset" in config:
            offset = np.asarray(config["offset"], dtype=np.float64).reshape(-1)
            scale = np.asarray(config.get("scale", []), dtype=np.float64).reshape(-1)
            if scale.shape != offset.shape or not (
                np.isfinite(offset).all() and np.isfinite(scale).all() and (scale > 0).all()
            ):
                raise DatasetError(
                    f"Scaler config has unusable statistics. Received: offset={config['offset']!r}, "
                    f"scale={config.get('scale')!r}; expected equal-length lists of finite numbers, "
                    "scale > 0."
                )
            scaler.offset_, scaler.scale_ = offset, scale
        return scaler

    def __repr__(self) -> str:
        state = f"{self.n_features} features" if self.fitted else "not fitted"
        return f"<{type(self).__name__} {state}>"


class Standardizer(_Scaler):
    """x' = (x - mean) / std per column (population std, as Keras Normalization)."""

    kind = "standardize"

    def _fit(self, x):
        return x.mean(axis=0), x.std(axis=0)

    @property
    def mean_(self) -> np.ndarray | None:
        return self.offset_

    @property
    def std_(self) -> np.ndarray | None:
        return self.scale_


class MinMaxScaler(_Scaler):
    """x' = (x - min) / (max - min) per column: the training data lands in [0, 1]."""

    kind = "minmax"

    def _fit(self, x):
        lo = x.min(axis=0)
        return lo, x.max(axis=0) - lo

    @property
    def min_(self) -> np.ndarray | None:
        return self.offset_


class IdentityScaler(_Scaler):
    """No scaling, with the same API, so "none" needs no special case in callers."""

    kind = "none"

    def _fit(self, x):
        return np.zeros(x.shape[1]), np.ones(x.shape[1])


_SCALERS: dict[str, type[_Scaler]] = {
    "standardize": Standardizer,
    "minmax": MinMaxScaler,
    "none": IdentityScaler,
}
_ALIASES = {
    "standard": "standardize",
    "standardizer": "standardize",
    "zscore": "standardize",
    "min_max": "minmax",
    "minmaxscaler": "minmax",
    "identity": "none",
}


def scaler_names() -> list[str]:
    return list(_SCALERS)


def make_scaler(kind: str | None) -> _Scaler:
    """A new, unfitted scaler: "standardize", "minmax" or "none" (None means "none")."""
    key = "none" if kind is None else str(kind).lower()
    key = _ALIASES.get(key, key)
    if key not in _SCALERS:
        raise DatasetError(
            f"Unknown scaling. Received: kind={kind!r}; expected one of {scaler_names()}."
        )
    return _SCALERS[key]()


def scaler_from_config(config: dict[str, Any] | None) -> _Scaler:
    """Rebuild a (possibly fitted) scaler from get_config(); None gives an unfitted "none"."""
    if config is None:
        return IdentityScaler()
    if not isinstance(config, dict) or "kind" not in config:
        raise DatasetError(f"A scaler config is a dict with a 'kind'. Received: {config!r}.")
    return type(make_scaler(config["kind"])).from_config(config)


def _as_2d(x: Any, method: str) -> np.ndarray:
    arr = np.asarray(x)
    if arr.ndim != 2:
        raise DatasetError(
            f"Scalers take a 2-D array (n_samples, n_features). Received: shape {arr.shape} in "
            f"{method}."
        )
    return arr
