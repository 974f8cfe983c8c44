"""Seeding, as keras.utils.set_random_seed: one global generator feeds weight initialisation
and shuffling, so the same seed and data give bit-identical weights and history. A thread
inside private_random_state has a generator of its own instead (work that must stay
reproducible while another thread seeds)."""

from __future__ import annotations

import contextlib
import random
import threading

import numpy as np

from .errors import EngineValueError

_generator = np.random.default_rng()
# A thread inside private_random_state draws from (and seeds) a generator of its own.
_private = threading.local()


def set_random_seed(seed: int) -> None:
    """Seed the engine's generator (initializers, shuffling), NumPy's legacy global one and
    Python's `random`, as Keras seeds all of its backends. Inside private_random_state: this
    thread's own generator only."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise EngineValueError(f"The seed must be a non-negative integer. Received: seed={seed!r}")
    if getattr(_private, "generator", None) is not None:
        _private.generator = np.random.default_rng(int(seed))  # this thread's own only
        return
    global _generator
    _generator = np.random.default_rng(int(seed))
    np.random.seed(int(seed) % 2**32)
    random.seed(int(seed))


def install_generator(generator: np.random.Generator) -> None:
    """Make `generator` the engine's global generator: a process that carries on another's
    work (the window's training process) draws what that one would have drawn next."""
    global _generator
    _generator = generator


def rng() -> np.random.Generator:
    """The engine's generator (replaced by every set_random_seed call): the global one, or
    this thread's own inside private_random_state."""
    private = getattr(_private, "generator", None)
    return _generator if private is None else private


@contextlib.contextmanager
def private_random_state(seed: int | None = None):
    """Run a block with a generator of this thread's own: everything in it that draws
    (initializers, shuffling) or seeds (set_random_seed) uses that generator, so seeding on
    another thread cannot change what the block draws, and the block changes nothing the
    next run draws. For work on a background thread that must be reproducible while the
    window goes on (a comparison, the learning-rate finder): the window reseeds the global
    generator whenever it redraws its views from a freshly built model."""
    previous = getattr(_private, "generator", None)
    _private.generator = np.random.default_rng(seed)
    try:
        yield
    finally:
        _private.generator = previous
