"""Seeding, as keras.utils.set_random_seed: one global generator feeds weight initialisation
and shuffling, so the same seed and data give bit-identical weights and history."""

from __future__ import annotations

import contextlib
import random

import numpy as np

from .errors import EngineValueError

_generator = np.random.default_rng()


def set_random_seed(seed: int) -> None:
    """Seed the engine's generator (initializers, shuffling), NumPy's legacy global one and
    Python's `random`, as Keras seeds all of its backends."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise EngineValueError(f"The seed must be a non-negative integer. Received: seed={seed!r}")
    global _generator
    _generator = np.random.default_rng(int(seed))
    np.random.seed(int(seed) % 2**32)
    random.seed(int(seed))


def rng() -> np.random.Generator:
    """The engine's global generator (replaced by every set_random_seed call)."""
    return _generator


@contextlib.contextmanager
def preserved_random_state():
    """Run a block and put every generator set_random_seed touches back as it was: the
    engine's (the same object, so a caller holding rng() keeps drawing where it left off),
    NumPy's legacy global one and Python's `random`. For work that must not change what the
    next run draws (the learning-rate finder, a comparison)."""
    global _generator
    generator = _generator
    engine_state = generator.bit_generator.state
    legacy_state = np.random.get_state()
    python_state = random.getstate()
    try:
        yield
    finally:
        _generator = generator
        generator.bit_generator.state = engine_state
        np.random.set_state(legacy_state)
        random.setstate(python_state)
