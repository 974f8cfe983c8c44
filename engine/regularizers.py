"""Weight penalties added to the loss: L1 (l1 sum |w|), L2 (l2 sum w^2), L1L2 (both), with
Keras 3 defaults. Each gives its penalty and its gradient with respect to the weights."""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import EngineValueError
from .registry import Registry, Serializable


class Regularizer(Serializable):
    """Base class: `__call__(w) -> float` penalty; `gradient(w) -> ndarray` like w."""

    l1 = 0.0
    l2 = 0.0

    @property
    def name(self) -> str:
        return self.registered_name

    def __call__(self, w: np.ndarray) -> float:
        flat = np.ravel(w)
        penalty = 0.0
        if self.l1:
            penalty += self.l1 * float(np.sum(np.abs(flat)))
        if self.l2:
            penalty += self.l2 * float(np.dot(flat, flat))
        return penalty

    def gradient(self, w: np.ndarray) -> np.ndarray:
        grad = np.zeros_like(w)
        self.add_gradient(w, grad)
        return grad

    def add_gradient(self, w: np.ndarray, grad: np.ndarray, work: np.ndarray | None = None) -> None:
        """grad += d penalty / dw, in place (the training loop's form). `work`, scratch like
        w, spares the step an array per batch."""
        if work is None:
            work = np.empty_like(w)
        if self.l2:
            np.multiply(w, 2.0 * self.l2, out=work)
            grad += work
        if self.l1:
            np.sign(w, out=work)
            work *= self.l1
            grad += work


def _check(name: str, value) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        value = float("nan")
    if not np.isfinite(value) or value < 0:
        raise EngineValueError(
            f"The {name} regularization factor must be a non-negative number. "
            f"Received: {name}={value!r}"
        )
    return value


_registry = Registry("regularizer", Regularizer)
register = _registry.register


@register("l1")
class L1(Regularizer):
    """l1 * sum(|w|), Keras default l1=0.01."""

    _config_keys = ("l1",)

    def __init__(self, l1: float = 0.01):
        self.l1 = _check("l1", l1)


@register("l2")
class L2(Regularizer):
    """l2 * sum(w^2), Keras default l2=0.01."""

    _config_keys = ("l2",)

    def __init__(self, l2: float = 0.01):
        self.l2 = _check("l2", l2)


@register("l1_l2", "l1l2")
class L1L2(Regularizer):
    """l1 * sum(|w|) + l2 * sum(w^2), Keras defaults 0 and 0."""

    _config_keys = ("l1", "l2")

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        self.l1 = _check("l1", l1)
        self.l2 = _check("l2", l2)


def available() -> list[str]:
    return _registry.available()


def get(identifier: Any) -> Regularizer | None:
    """None stays None (no penalty); otherwise a name, class, instance or config dict."""
    if identifier is None:
        return None
    return _registry.get(identifier)


def serialize(regularizer: Regularizer | None) -> dict[str, Any] | None:
    return None if regularizer is None else _registry.serialize(regularizer)


def deserialize(config: dict[str, Any] | str | None) -> Regularizer | None:
    return None if config is None else _registry.deserialize(config)
