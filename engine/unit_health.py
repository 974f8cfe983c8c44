"""Saturated and dead units: the course's argument for ReLU in hidden layers, counted.

A sigmoid or tanh unit whose |z| is large for most samples sits on a flat tail, where g'(z)
is tiny and backprop passes almost nothing through it. A ReLU unit whose z is <= 0 for every
sample outputs 0 everywhere and gets no gradient: it is dead and stays dead. The activation
panels (app/plots/stats.py) and the same-start comparison (engine/compare.py) both count
them with these functions, so the two agree.

    z = model.preactivations(x)[layer]          # (n_samples, units)
    saturated_share(z, "sigmoid"), dead_share(z, "relu")
    layer_health(model, x)                      # both, for every layer
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "SATURATION_Z",
    "SATURATING",
    "DYING",
    "LayerHealth",
    "saturated_share",
    "dead_share",
    "layer_health",
]

# |z| above this puts sigmoid/tanh on their flat tails, where the gradient is < 0.02 (sigmoid
# g'(4) = 0.018; tanh g'(4) = 0.0013) -- the course's argument for ReLU in hidden layers.
SATURATION_Z = 4.0
SATURATING = ("sigmoid", "tanh")
# Only plain ReLU can die (zero output and zero gradient everywhere); leaky/elu/silu cannot.
DYING = ("relu",)


def saturated_share(z: np.ndarray, activation: str) -> float | None:
    """The share of the layer's units (in [0, 1]) with |z| > SATURATION_Z for more than half
    of the samples; None when `activation` cannot saturate or there are no samples.
    z: (n_samples, units)."""
    z = np.asarray(z)
    if activation not in SATURATING or z.ndim != 2 or not z.shape[0]:
        return None
    with np.errstate(invalid="ignore"):
        return float(np.mean(np.mean(np.abs(z) > SATURATION_Z, axis=0) > 0.5))


def dead_share(z: np.ndarray, activation: str) -> float | None:
    """The share of the layer's units (in [0, 1]) whose z <= 0 for every sample (a ReLU that
    outputs 0 everywhere); None when `activation` cannot die or there are no samples.
    z: (n_samples, units)."""
    z = np.asarray(z)
    if activation not in DYING or z.ndim != 2 or not z.shape[0]:
        return None
    with np.errstate(invalid="ignore"):
        return float(np.mean(np.all(z <= 0.0, axis=0)))


@dataclass(frozen=True)
class LayerHealth:
    """One Dense layer's units on some data. index: 0-based layer position; activation: its
    registered name; units: its width; dead / saturated: shares in [0, 1], or None when the
    activation cannot die / saturate. is_output: the output layer, where a saturated sigmoid
    is a confident prediction rather than a vanishing gradient."""

    index: int
    activation: str
    units: int
    dead: float | None
    saturated: float | None
    is_output: bool

    @property
    def dead_units(self) -> int | None:
        return None if self.dead is None else round(self.dead * self.units)

    @property
    def saturated_units(self) -> int | None:
        return None if self.saturated is None else round(self.saturated * self.units)


def layer_health(model, x) -> list[LayerHealth]:
    """LayerHealth of every layer of a built engine Sequential on inputs x (n_samples,
    n_features), as the network feeds them (already scaled)."""
    zs = model.preactivations(x)
    last = len(zs) - 1
    health = []
    for index, (layer, z) in enumerate(zip(model.layers, zs)):
        name = _activation_name(layer.activation)
        health.append(
            LayerHealth(
                index=index,
                activation=name,
                units=int(z.shape[1]),
                dead=dead_share(z, name),
                saturated=saturated_share(z, name),
                is_output=index == last,
            )
        )
    return health


def _activation_name(activation) -> str:
    if isinstance(activation, str):
        return activation
    return str(getattr(activation, "registered_name", "") or type(activation).__name__.lower())
