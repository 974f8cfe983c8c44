"""Qt-free summaries of a layer's pre-activations for the activation panels.

Computed on the training worker so the GUI thread only draws: a histogram of z over the
validation sample, the share of saturated units and of dead ReLUs, and the share of the
gradient the layer passes back (mean g'(z))."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine import activations
from engine.errors import EngineError

# What counts as saturated or dead lives in the engine (engine/unit_health.py), so the panels
# and the same-start comparison agree; the names stay importable from here.
from engine.unit_health import (  # noqa: F401 - the constants are re-exported
    DYING,
    SATURATING,
    SATURATION_Z,
    dead_share,
    saturated_share,
)

# The z axis always shows at least this range, so the curve's shape is recognisable.
MIN_HALF_RANGE = 6.0
MAX_HALF_RANGE = 60.0


@dataclass
class LayerStats:
    """What the activation panel of one layer shows.

    edges: (bins + 1,) histogram bin edges on the z axis; counts: (bins,) share of all
    (sample, unit) pre-activations in each bin (values beyond the range fall in the end
    bins); saturated / dead: share of the layer's units, in [0, 1], or None when the
    activation cannot saturate / die; units: the layer width. mean_gradient: mean g'(z) over
    every (sample, unit): backprop multiplies the gradient reaching the layer by g'(z), so
    this is the share of it the layer passes on (sigmoid at most 0.25; ReLU the share of
    active units); None for an activation the engine does not know."""

    activation: str
    edges: np.ndarray
    counts: np.ndarray
    saturated: float | None
    dead: float | None
    units: int
    mean_gradient: float | None = None

    @property
    def z_range(self) -> tuple[float, float]:
        return float(self.edges[0]), float(self.edges[-1])


# The half-ranges the z axis snaps to, so it changes rarely (a changing range means
# redrawing the axes and the curve).
HALF_RANGES = (6.0, 8.0, 10.0, 15.0, 20.0, 30.0, 40.0, MAX_HALF_RANGE)


def z_range_for(z: np.ndarray) -> tuple[float, float]:
    """A symmetric z range covering the central 99% of z: ±6, 8, 10, 15, 20, 30, 40 or 60."""
    finite = z[np.isfinite(z)]
    if finite.size == 0:
        return -MIN_HALF_RANGE, MIN_HALF_RANGE
    lo, hi = np.percentile(finite, [0.5, 99.5])
    need = max(abs(lo), abs(hi)) * 1.05
    half = next((h for h in HALF_RANGES if h >= need), MAX_HALF_RANGE)
    return -half, half


def layer_stats(z: np.ndarray, activation: str, bins: int = 60) -> LayerStats:
    """Summarise pre-activations z, shape (n_samples, units), of a layer with `activation`."""
    z = np.asarray(z, dtype=np.float64)
    if z.ndim != 2:
        raise ValueError(f"pre-activations must be (n_samples, units); received shape {z.shape}")
    lo, hi = z_range_for(z)
    edges = np.linspace(lo, hi, bins + 1)
    flat = np.clip(z[np.isfinite(z)], lo, hi)
    counts, _ = np.histogram(flat, bins=edges)
    counts = counts / max(flat.size, 1)
    n_samples, units = z.shape
    # A unit is saturated when it sits on a flat tail for most samples, dead when it outputs
    # 0 for every one.
    saturated = saturated_share(z, activation)
    dead = dead_share(z, activation)
    return LayerStats(
        activation, edges, counts, saturated, dead, units, mean_gradient(z, activation)
    )


def mean_gradient(z: np.ndarray, activation: str) -> float | None:
    """Mean g'(z) over the finite entries of z (n_samples, units), from the engine's own
    derivative (softmax: its Jacobian diagonal); None for an unknown activation or no z."""
    finite = np.isfinite(z)
    if not finite.any():
        return None
    try:
        deriv = np.asarray(activations.get(activation).derivative(z), dtype=np.float64)
    except EngineError:
        return None
    return float(np.mean(deriv[finite]))
