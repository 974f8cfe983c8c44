"""Planes through wide data: two principal components, or two chosen features.

A `Plane` maps rows of (scaled) features to two plot coordinates and back. Mapping back is
how a decision boundary is drawn over a plane of data with more than two features: each point
of the plot's grid becomes a full row, the other principal components at their mean (0, the
data being centred) or the other features at their median, and the model is asked about it.

    plane = pca_plane(x_scaled)           # "PC1, 44% of variance"
    uv = plane.to_plane(x_scaled)         # (n, 2)
    rows = plane.from_plane(grid_uv)      # (m, n_features), for model.predict
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Plane", "pca_plane", "feature_plane"]


@dataclass(frozen=True)
class Plane:
    """to_plane(x) = ((x - center) @ basis) * scale + offset; from_plane is its inverse on
    the plane. basis: (n_features, 2), orthonormal columns. scale/offset turn the plane's
    coordinates into the units shown (a chosen feature in its original units).
    explained: the share of variance along each axis (principal components), else None."""

    kind: str  # "pca" or "features"
    labels: tuple[str, str]
    center: np.ndarray
    basis: np.ndarray
    scale: np.ndarray
    offset: np.ndarray
    explained: tuple[float, float] | None = None
    features: tuple[int, int] | None = None

    def to_plane(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        return ((x - self.center) @ self.basis) * self.scale + self.offset

    def from_plane(self, uv) -> np.ndarray:
        uv = np.asarray(uv, dtype=np.float64)
        return self.center + ((uv - self.offset) / self.scale) @ self.basis.T


def pca_plane(x, names_prefix: str = "PC") -> Plane:
    """The plane of the first two principal components of `x` (n, d), d >= 2, by an SVD of the
    centred data. Component signs are fixed (largest loading positive) so the picture does not
    flip between calls on nearly equal data."""
    x = np.asarray(x, dtype=np.float64)
    center = x.mean(axis=0)
    _, s, vt = np.linalg.svd(x - center, full_matrices=False)
    basis = vt[:2].T.copy()
    for j in range(basis.shape[1]):
        if basis[np.argmax(np.abs(basis[:, j])), j] < 0:
            basis[:, j] = -basis[:, j]
    variance = s**2
    total = float(variance.sum()) or 1.0
    explained = (float(variance[0] / total), float(variance[1] / total))
    labels = tuple(
        f"{names_prefix}{i + 1}, {share:.0%} of variance" for i, share in enumerate(explained)
    )
    return Plane("pca", labels, center, basis, np.ones(2), np.zeros(2), explained)


def feature_plane(x, i: int, j: int, names: list[str], unscale=None) -> Plane:
    """Features i and j of `x` (n, d); every other feature held at its median.
    unscale: optional function (m, d) -> (m, d) back to original units (an affine scaler's
    inverse_transform), so the axes read in the feature's own units."""
    x = np.asarray(x, dtype=np.float64)
    d = x.shape[1]
    center = np.median(x, axis=0)
    center[[i, j]] = 0.0  # the chosen features come from the plane itself
    basis = np.zeros((d, 2))
    basis[i, 0] = basis[j, 1] = 1.0
    scale, offset = np.ones(2), np.zeros(2)
    if unscale is not None:
        zero = np.asarray(unscale(np.zeros((1, d))), dtype=np.float64)[0]
        one = np.asarray(unscale(np.ones((1, d))), dtype=np.float64)[0]
        scale = np.array([one[i] - zero[i], one[j] - zero[j]])
        scale[scale == 0] = 1.0
        offset = np.array([zero[i], zero[j]])
    return Plane("features", (names[i], names[j]), center, basis, scale, offset, features=(i, j))
