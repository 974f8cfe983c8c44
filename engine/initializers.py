"""Weight initializers with Keras 3's names, defaults and formulas.

Each is called as `init(shape, dtype)` and returns a new array. Variance-scaling ones use
fan_in = shape[0] and fan_out = shape[1] for a Dense kernel (n_in, units); the "normal"
variants draw from a normal truncated at two standard deviations, rescaled so the variance
is the intended one (as Keras does)."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import config, utils
from .registry import Registry, Serializable

# std of a unit normal truncated to [-2, 2]; dividing by it restores the intended variance
_TRUNCATED_STD = 0.87962566103423978


class Initializer(Serializable):
    """Base class: `__call__(shape, dtype=None) -> ndarray`. `seed=None` draws from the
    engine's global generator (see engine.utils.set_random_seed)."""

    _config_keys = ("seed",)

    def __init__(self, seed: int | None = None):
        self.seed = seed

    @property
    def name(self) -> str:
        return self.registered_name

    def _rng(self) -> np.random.Generator:
        return utils.rng() if self.seed is None else np.random.default_rng(self.seed)

    def __call__(self, shape, dtype=None) -> np.ndarray:
        dtype = np.dtype(dtype or config.floatx())
        return np.asarray(self.sample(tuple(shape)), dtype=dtype)

    def sample(self, shape: tuple[int, ...]) -> np.ndarray:
        raise NotImplementedError


_registry = Registry("initializer", Initializer)
register = _registry.register


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    return shape[0], shape[1]


def _truncated_normal(rng: np.random.Generator, shape, stddev: float) -> np.ndarray:
    values = rng.standard_normal(shape)
    outside = np.abs(values) > 2.0
    while outside.any():  # redraw the tails; ~5% per round
        values[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(values) > 2.0
    return values * stddev


class _VarianceScaling(Initializer):
    scale = 1.0
    mode = "fan_in"
    distribution = "truncated_normal"

    def sample(self, shape):
        fan_in, fan_out = _fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}
        variance = self.scale / max(1.0, n[self.mode])
        rng = self._rng()
        if self.distribution == "uniform":
            limit = np.sqrt(3.0 * variance)
            return rng.uniform(-limit, limit, shape)
        return _truncated_normal(rng, shape, np.sqrt(variance) / _TRUNCATED_STD)


@register("glorot_uniform")
class GlorotUniform(_VarianceScaling):
    """U(-l, l), l = sqrt(6 / (fan_in + fan_out)). Keras' default kernel initializer."""

    mode, distribution = "fan_avg", "uniform"


@register("glorot_normal")
class GlorotNormal(_VarianceScaling):
    """Truncated normal, std = sqrt(2 / (fan_in + fan_out))."""

    mode = "fan_avg"


@register("he_normal")
class HeNormal(_VarianceScaling):
    """Truncated normal, std = sqrt(2 / fan_in). Suits ReLU layers."""

    scale = 2.0


@register("he_uniform")
class HeUniform(_VarianceScaling):
    """U(-l, l), l = sqrt(6 / fan_in)."""

    scale, distribution = 2.0, "uniform"


@register("lecun_normal")
class LecunNormal(_VarianceScaling):
    """Truncated normal, std = sqrt(1 / fan_in)."""


@register("random_normal")
class RandomNormal(Initializer):
    """N(mean, stddev^2), Keras defaults mean 0, stddev 0.05."""

    _config_keys = ("mean", "stddev", "seed")

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None):
        super().__init__(seed)
        self.mean = float(mean)
        self.stddev = float(stddev)

    def sample(self, shape):
        return self._rng().normal(self.mean, self.stddev, shape)


@register("random_uniform")
class RandomUniform(Initializer):
    """U(minval, maxval), Keras defaults -0.05, 0.05."""

    _config_keys = ("minval", "maxval", "seed")

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None):
        super().__init__(seed)
        self.minval = float(minval)
        self.maxval = float(maxval)

    def sample(self, shape):
        return self._rng().uniform(self.minval, self.maxval, shape)


@register("zeros")
class Zeros(Initializer):
    """All zeros. Keras' default bias initializer."""

    _config_keys = ()

    def __init__(self):
        super().__init__(None)

    def sample(self, shape):
        return np.zeros(shape)


@register("ones")
class Ones(Initializer):
    """All ones."""

    _config_keys = ()

    def __init__(self):
        super().__init__(None)

    def sample(self, shape):
        return np.ones(shape)


def available() -> list[str]:
    return _registry.available()


def get(identifier: Any) -> Initializer:
    """An Initializer from a name ("he_normal"), class, instance or config dict."""
    return _registry.get(identifier)


def serialize(initializer: Initializer) -> str | dict[str, Any]:
    """The name alone for default settings (as Keras writes "glorot_uniform"), else a dict."""
    initializer = get(initializer)
    if initializer.get_config() == type(initializer)().get_config():
        return initializer.name
    return _registry.serialize(initializer)


def deserialize(config: str | dict[str, Any]) -> Initializer:
    return _registry.deserialize(config)
