"""engine.unit_health: a dead ReLU outputs 0 for every sample, a saturated sigmoid or tanh
sits past |z| = 4 for most samples; other activations have no such count. The activation
panels' statistics (app.plots.stats) count with the same functions."""

from __future__ import annotations

import numpy as np
import pytest

import engine
from engine.layers import Dense
from engine.unit_health import dead_share, layer_health, saturated_share


def test_dead_and_saturated_shares():
    z = np.array([[-1.0, 5.0, 0.5, -6.0], [-2.0, 6.0, -0.5, 7.0], [0.0, -5.0, 1.0, -8.0]])
    # column 0 is <= 0 for every sample: one dead unit of four
    assert dead_share(z, "relu") == 0.25
    # columns 1 and 3 are past |z| = 4 for all three samples
    assert saturated_share(z, "sigmoid") == 0.5
    assert saturated_share(z, "tanh") == 0.5
    assert dead_share(z, "sigmoid") is None and saturated_share(z, "relu") is None
    assert dead_share(z, "leaky_relu") is None  # a leaky unit still passes a gradient
    assert dead_share(np.empty((0, 3)), "relu") is None


def test_layer_health_of_a_model_and_the_panels_agree():
    from app.plots.stats import layer_stats

    model = engine.Sequential(
        [engine.Input(shape=(2,)), Dense(6, activation="relu"), Dense(1, activation="sigmoid")]
    )
    weights = model.get_weights()
    weights[0][:, :3] = -abs(weights[0][:, :3]) - 1.0  # three units see only negative z ...
    weights[1][:3] = -1.0
    weights[0][:, 3:] = abs(weights[0][:, 3:]) + 0.1  # and three only positive z
    model.set_weights(weights)
    x = np.abs(np.random.default_rng(0).normal(size=(50, 2)))  # ... on positive inputs
    hidden, output = layer_health(model, x)
    assert (hidden.index, hidden.activation, hidden.units, hidden.is_output) == (
        0,
        "relu",
        6,
        False,
    )
    assert hidden.dead == pytest.approx(0.5) and hidden.dead_units == 3
    assert hidden.saturated is None and output.dead is None and output.is_output
    z = model.preactivations(x)
    assert layer_stats(z[0], "relu").dead == hidden.dead
    assert layer_stats(z[1], "sigmoid").saturated == output.saturated
