"""Metrics reported next to the loss: accuracy (binary, categorical or sparse, chosen from
the loss and output width as Keras 3 chooses), mse, mae.

Metrics are computed from prepared targets: y has the output's shape (n, k), sparse labels
already one-hot (see losses.SparseCategoricalCrossentropy.prepare_targets), so sparse and
categorical accuracy share one formula."""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import UnknownNameError
from .registry import Registry, Serializable


class Metric(Serializable):
    """`metric(y, p) -> float` for prepared (n, k) arrays. `.name` is the key in the logs
    and in History.history (the string the user passed, as Keras does)."""

    _config_keys = ("name",)

    def __init__(self, name: str | None = None):
        self.name = name or self.registered_name

    def __call__(self, y: np.ndarray, p: np.ndarray) -> float:
        raise NotImplementedError


def _mean(values: np.ndarray) -> float:
    """float mean; sum / size is 6x faster than np.mean on small arrays."""
    return float(np.sum(values)) / values.size


_registry = Registry("metric", Metric)
register = _registry.register


@register("binary_accuracy")
class BinaryAccuracy(Metric):
    """Fraction of outputs where (p > threshold) equals the 0/1 label."""

    _config_keys = ("name", "threshold")

    def __init__(self, name: str | None = None, threshold: float = 0.5):
        super().__init__(name)
        self.threshold = float(threshold)

    def __call__(self, y, p):
        return _mean(y == (p > self.threshold))


@register("categorical_accuracy")
class CategoricalAccuracy(Metric):
    """Fraction of samples whose argmax prediction is the argmax (one-hot) label."""

    def __call__(self, y, p):
        return _mean(np.argmax(y, axis=-1) == np.argmax(p, axis=-1))


@register("sparse_categorical_accuracy")
class SparseCategoricalAccuracy(CategoricalAccuracy):
    """Categorical accuracy for integer labels (the model one-hot encodes them first)."""


@register("mean_squared_error", "mse")
class MeanSquaredError(Metric):
    def __call__(self, y, p):
        d = p - y
        return _mean(d * d)


@register("mean_absolute_error", "mae")
class MeanAbsoluteError(Metric):
    def __call__(self, y, p):
        return _mean(np.abs(p - y))


def available() -> list[str]:
    return ["accuracy", *_registry.available()]


def get(identifier: Any, loss=None, output_units: int | None = None) -> Metric:
    """Resolve a metric. "accuracy"/"acc" depends on the loss (Keras 3's rule): binary
    accuracy for binary cross-entropy or a one-unit output, sparse categorical accuracy for
    sparse labels, categorical accuracy otherwise. With from_logits=True the threshold is 0
    (sigmoid(0) = 0.5), so accuracy stays meaningful on logits."""
    if isinstance(identifier, str) and identifier in ("accuracy", "acc"):
        loss_name = getattr(loss, "name", "")
        if loss_name == "binary_crossentropy" or output_units == 1:
            threshold = 0.0 if getattr(loss, "from_logits", False) else 0.5
            return BinaryAccuracy(name=identifier, threshold=threshold)
        if loss_name == "sparse_categorical_crossentropy":
            return SparseCategoricalAccuracy(name=identifier)
        return CategoricalAccuracy(name=identifier)
    if isinstance(identifier, str):
        if identifier not in _registry._lookup:
            raise UnknownNameError(
                f"Unknown metric: {identifier!r}. Received: metrics=[{identifier!r}]. "
                f"Valid names are: {', '.join(available())}."
            )
        return _registry.lookup_class(identifier)(name=identifier)
    return _registry.get(identifier)


def serialize(metric: Metric) -> dict[str, Any]:
    return _registry.serialize(metric)


def deserialize(config: dict[str, Any] | str) -> Metric:
    return _registry.deserialize(config)
