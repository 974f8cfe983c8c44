"""fit's epoch loss through `Loss.bind_value`: the value of whatever the bound buffers hold
when it is called, bit for bit the loss's own `value`."""

from __future__ import annotations

import numpy as np
import pytest

from engine import losses
from engine.fit_loop import QUIET


@pytest.mark.parametrize("name", ["binary_crossentropy", "mse", "categorical_crossentropy"])
def test_a_bound_value_is_the_value_of_the_buffers_now(name):
    loss = losses.get(name)
    rng = np.random.default_rng(4)
    k = 3 if name == "categorical_crossentropy" else 1
    y = np.empty((200, k), dtype=np.float32)
    p = np.empty((200, k), dtype=np.float32)
    value = loss.bind_value(y, p)
    with np.errstate(**QUIET):
        for _ in range(3):  # new contents in the same buffers, as each epoch brings
            if k == 1:
                y[...] = rng.random((200, 1)) > 0.5
                p[...] = rng.random((200, 1))
                p[:5] = [[0.0], [1.0], [1e-9], [1 - 1e-9], [0.5]]  # clipped and saturated
            else:
                y[...] = np.eye(k)[rng.integers(0, k, 200)]
                p[...] = rng.dirichlet(np.ones(k), 200)
            assert value() == loss.value(y, p)


def test_binary_crossentropy_bound_value_allocates_nothing_per_call():
    import tracemalloc

    loss = losses.BinaryCrossentropy()
    y = np.ones((4096, 1), dtype=np.float32)
    p = np.full((4096, 1), 0.25, dtype=np.float32)
    value = loss.bind_value(y, p)
    with np.errstate(**QUIET):
        value()
        tracemalloc.start()
        try:
            value()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 4096  # value() allocated 4 arrays of 16 kB here
