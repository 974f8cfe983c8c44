"""Netbuilder's training engine: dense neural networks in pure NumPy, with Keras 3's names.

from engine import Sequential
from engine.layers import Dense
from engine.losses import BinaryCrossentropy
model = Sequential([Dense(25, activation="sigmoid"), Dense(1, activation="sigmoid")])
model.compile(loss=BinaryCrossentropy)
model.fit(X, Y, epochs=100)
"""

from . import (
    activations,
    callbacks,
    config,
    errors,
    initializers,
    layers,
    losses,
    metrics,
    optimizers,
    regularizers,
    utils,
)
from .layers import Input
from .sequential import Sequential

__all__ = [
    "Sequential",
    "Input",
    "activations",
    "callbacks",
    "config",
    "errors",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "optimizers",
    "regularizers",
    "utils",
]
