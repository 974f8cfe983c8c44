"""Qt-free preparation of a training run or a view refresh from the project: the model, the
prepared (split, scaled) data and the keys that say when either must be rebuilt."""

from __future__ import annotations

import numpy as np

from engine.project import runtime


def layer_activations(project) -> list[str]:
    return [str(layer.activation) for layer in project.layers]


class Same:
    """Compares equal only to a Same of the very same object. Keys hold it instead of id():
    it keeps the object alive, so a new object cannot reuse the address and pass as the old
    one (and a Dataset's arrays are never compared element by element)."""

    __slots__ = ("obj",)

    def __init__(self, obj):
        self.obj = obj

    def __eq__(self, other) -> bool:
        return isinstance(other, Same) and other.obj is self.obj

    def __hash__(self) -> int:
        return id(self.obj)


def architecture_signature(project) -> tuple:
    """What the trained weights depend on: layer shapes and activations, and the data."""
    layers = tuple((layer.units, layer.activation) for layer in project.layers)
    return layers, Same(project.dataset), project.training.scaling


def data_key(project) -> tuple:
    """What runtime.prepare_data(project) depends on (the dataset is replaced, never edited)."""
    t = project.training
    # The loss decides whether targets are one-hot (categorical cross-entropy).
    return Same(project.dataset), t.scaling, t.validation_split, t.seed, project.compile.loss


class PreparedCache:
    """The last runtime.prepare_data() result, reused while data_key is unchanged: scaling
    10,000 x 784 inputs takes a noticeable fraction of a second, and Train, Step and every
    idle view refresh need the same arrays. The arrays are only read (fit shuffles copies)."""

    def __init__(self):
        self.key = None
        self.prepared = None

    def get(self, project):
        key = data_key(project)
        if key != self.key or self.prepared is None:
            self.prepared = runtime.prepare_data(project)
            self.key = key
        return self.prepared


def probe_rows(y, limit: int = 64):
    """Indices of a few rows of y (n, k) that any label check would fail on if any row does:
    the first rows, each column's minimum and maximum, and one row per distinct value (up to
    `limit`; for class labels that is every class)."""
    y = np.asarray(y)
    flat = y.reshape(len(y), -1)
    rows = set(range(min(4, len(y))))
    rows.update(int(i) for i in np.argmin(flat, axis=0))
    rows.update(int(i) for i in np.argmax(flat, axis=0))
    _, first = np.unique(flat[:, 0], return_index=True)
    rows.update(int(i) for i in first[:limit])
    return np.array(sorted(rows))
