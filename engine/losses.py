"""Losses: value L(y, p) and gradient dL/dp side by side, reduced as Keras 3 reduces them
("sum_over_batch_size": the mean over samples of a per-sample loss).

Shapes: y_true and y_pred are (n_samples, k). The elementwise losses (binary cross-entropy,
MSE, MAE, Huber) average over the k outputs and then over the samples, so their gradient
carries a factor 1/(n k); the categorical ones sum over the k classes, so 1/n.

Fusion: a sigmoid output with binary cross-entropy, or a softmax output with categorical
cross-entropy, has dL/dz = (p - y) * scale, exact and cheap; `fuses_with(activation, y)` tells
the model when it may skip the output activation's own backward pass.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import config
from .errors import EngineValueError
from .registry import Registry, Serializable

_QUIET = {"over": "ignore", "under": "ignore", "invalid": "ignore", "divide": "ignore"}


class Loss(Serializable):
    """Base class. Engine-side methods take prepared 2-D arrays of equal shape."""

    #: True when the loss averages over the outputs (scale 1/(n k)) instead of summing (1/n).
    elementwise_mean = True
    #: The task the loss is for: "binary", "multiclass" or "regression". Front ends ask the
    #: loss (never a list of class names) whether outputs are class probabilities.
    task = "regression"
    #: True when targets must be one-hot rows rather than class indices.
    one_hot_targets = False

    @property
    def classifies(self) -> bool:
        return self.task != "regression"

    @property
    def name(self) -> str:
        return self.registered_name

    # ---- public, allocating API -------------------------------------------------------
    def __call__(self, y_true, y_pred) -> float:
        """The mean loss over the batch, a Python float."""
        y_pred = _as_2d_float(y_pred, "y_pred")
        y_true = self.prepare_targets(y_true, y_pred.shape[1], y_pred.dtype)
        with np.errstate(**_QUIET):
            return float(self.value(y_true, y_pred))

    def gradient(self, y_true, y_pred) -> np.ndarray:
        """dL/dy_pred, same shape as y_pred (n_samples, k), including the 1/n reduction."""
        y_pred = _as_2d_float(y_pred, "y_pred")
        y_true = self.prepare_targets(y_true, y_pred.shape[1], y_pred.dtype)
        out = np.empty_like(y_pred)
        with np.errstate(**_QUIET):
            return self.gradient_into(y_true, y_pred, out)

    # ---- engine API -------------------------------------------------------------------
    def scale(self, n: int, k: int) -> float:
        """The reduction factor of the gradient: 1/(n k) or 1/n."""
        return 1.0 / (n * k) if self.elementwise_mean else 1.0 / n

    def value(self, y: np.ndarray, p: np.ndarray) -> float:
        """Mean loss over the batch for prepared (n, k) arrays."""
        raise NotImplementedError

    def gradient_into(self, y: np.ndarray, p: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Write dL/dp into out (n, k)."""
        raise NotImplementedError

    def bind_value(self, y: np.ndarray, p: np.ndarray):
        """A zero-argument function returning value(y, p) for whatever these two buffers
        hold when it is called: fit's epoch loss, once per epoch. A loss may keep scratch
        buffers in it so that the evaluation allocates nothing."""
        return lambda: self.value(y, p)

    def fuses_with(self, activation, y: np.ndarray | None = None) -> bool:
        """True when dL/dz for this output activation is (p - y) * scale for the prepared
        targets y (every training target; None: targets of the loss's usual form)."""
        return False

    def prepare_targets(self, y, units: int, dtype) -> np.ndarray:
        """Validate y for an output of `units` columns; return it as a (n, units) array of
        `dtype`. 1-D y becomes a column. Raises EngineValueError saying what is wrong."""
        y = _as_2d_float(y, "y", dtype)
        if y.shape[1] != units:
            raise EngineValueError(
                f"{type(self).__name__} needs targets with one column per output unit: the "
                f"model has {units} output unit(s). Received: y with shape {y.shape}."
            )
        return y


def _as_2d_float(a, what: str, dtype=None) -> np.ndarray:
    a = np.asarray(a)
    if a.dtype.kind not in "biuf":
        raise EngineValueError(f"{what} must be numeric. Received: {what} with dtype {a.dtype}.")
    if a.ndim == 1:
        a = a.reshape(-1, 1)
    if a.ndim != 2:
        raise EngineValueError(
            f"{what} must be 2-D (n_samples, k). Received: {what} with shape {a.shape}."
        )
    if dtype is None:
        dtype = a.dtype if a.dtype.kind == "f" else config.dtype()
    return a.astype(dtype, copy=False)


_registry = Registry("loss", Loss)
register = _registry.register


def _clipped(p: np.ndarray) -> np.ndarray:
    eps = config.epsilon()
    q = np.maximum(p, eps)  # maximum + minimum: 4x faster than np.clip on small arrays
    return np.minimum(q, 1.0 - eps, out=q)


def _mean(values: np.ndarray) -> float:
    """float mean; add.reduce / size is 10x faster than np.mean on small arrays."""
    return float(np.add.reduce(values, axis=None)) / values.size


def _clip_mask(p: np.ndarray) -> np.ndarray:
    """1 where clipping leaves p unchanged (the gradient flows), 0 where it is clipped."""
    eps = config.epsilon()
    return ((p > eps) & (p < 1.0 - eps)).astype(p.dtype)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


@register("binary_crossentropy", "bce", "BCE", "binary_cross_entropy")
class BinaryCrossentropy(Loss):
    """-(y log p + (1 - y) log(1 - p)), p clipped to [eps, 1 - eps] as Keras clips it.

    from_logits=True: y_pred are logits z, and the loss is the stable
    max(z, 0) - z y + log(1 + e^-|z|) with gradient sigmoid(z) - y."""

    task = "binary"

    _config_keys = ("from_logits",)

    def __init__(self, from_logits: bool = False):
        self.from_logits = bool(from_logits)

    def value(self, y, p):
        if self.from_logits:
            return _mean(np.maximum(p, 0.0) - p * y + np.log1p(np.exp(-np.abs(p))))
        # Term by term, as Keras computes it: the shortcut y . (log q - log(1 - q)) +
        # sum(log(1 - q)) cancels two large sums and, once predictions saturate, returned 0 or
        # a tiny negative loss where Keras reports -log(1 - eps) = 1.2e-07.
        q = _clipped(p)
        bce = np.log(q)
        bce *= y
        log_not_q = np.log(np.subtract(1.0, q, out=q), out=q)
        log_not_q *= 1.0 - y
        bce += log_not_q
        return -_mean(bce)

    def bind_value(self, y, p):
        """value(y, p) in ten ufunc calls into three scratch arrays: the same operations in
        the same order as `value`, so the same bits, without its five temporary arrays and
        helper calls (~10 -> ~5 us on 200 rows, a whole epoch's overhead in full-batch
        training)."""
        if self.from_logits:
            return super().bind_value(y, p)
        q, log_q, not_y = np.empty_like(p), np.empty_like(p), np.empty_like(p)
        eps = config.epsilon()
        low, high, one = (np.array(c, dtype=p.dtype) for c in (eps, 1.0 - eps, 1.0))
        maximum, minimum, log, multiply, subtract = (
            np.maximum,
            np.minimum,
            np.log,
            np.multiply,
            np.subtract,
        )
        add, size = np.add, p.size

        def value():
            maximum(p, low, out=q)  # out= required here (a positional out is deprecated)
            minimum(q, high, out=q)
            log(q, log_q)
            multiply(log_q, y, log_q)
            subtract(one, q, q)
            log(q, q)
            subtract(one, y, not_y)
            multiply(q, not_y, q)
            add(log_q, q, log_q)
            return -(float(add.reduce(log_q, axis=None)) / size)

        return value

    def gradient_into(self, y, p, out):
        n, k = p.shape
        if self.from_logits:
            np.subtract(_sigmoid(p), y, out=out)
        else:
            q = _clipped(p)
            np.subtract(q, y, out=out)
            out /= q * (1.0 - q)
            out *= _clip_mask(p)
        out *= self.scale(n, k)
        return out

    def fuses_with(self, activation, y=None) -> bool:
        return not self.from_logits and getattr(activation, "name", None) == "sigmoid"

    def prepare_targets(self, y, units, dtype):
        y = super().prepare_targets(y, units, dtype)
        if y.size and (y.min() < 0.0 or y.max() > 1.0):
            raise EngineValueError(
                "BinaryCrossentropy expects labels in [0, 1] (0 = negative, 1 = positive "
                f"class). Received: y with values from {float(y.min()):g} to "
                f"{float(y.max()):g}. Re-encode the labels as 0/1; for integer labels of more "
                "than two classes use a softmax output with one unit per class and "
                "'sparse_categorical_crossentropy'; for real-valued targets use 'mse'."
            )
        return y


@register("categorical_crossentropy", "cce", "CCE", "categorical_cross_entropy")
class CategoricalCrossentropy(Loss):
    """-sum_k y_k log q_k with q = p / sum(p) clipped to [eps, 1 - eps] (Keras 3); y one-hot
    (n, k). from_logits=True: log-softmax of the logits, gradient softmax(z) sum(y) - y."""

    task = "multiclass"
    one_hot_targets = True

    elementwise_mean = False
    _config_keys = ("from_logits",)

    def __init__(self, from_logits: bool = False):
        self.from_logits = bool(from_logits)

    def value(self, y, p):
        if self.from_logits:
            shifted = p - np.max(p, axis=-1, keepdims=True)
            log_q = shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
        else:
            log_q = np.log(_clipped(p / np.sum(p, axis=-1, keepdims=True)))
        return -float(np.vdot(y, log_q)) / p.shape[0]

    def gradient_into(self, y, p, out):
        n = p.shape[0]
        if self.from_logits:
            np.multiply(_softmax(p), np.sum(y, axis=-1, keepdims=True), out=out)
            out -= y
        else:
            total = np.sum(p, axis=-1, keepdims=True)
            q = p / total
            g = -y / _clipped(q) * _clip_mask(q)  # dL/dq
            # q = p / S: dL/dp_i = (dL/dq_i - sum_j dL/dq_j q_j) / S
            np.subtract(g, np.sum(g * q, axis=-1, keepdims=True), out=out)
            out /= total
        out *= 1.0 / n
        return out

    def fuses_with(self, activation, y=None) -> bool:
        """Softmax's p - y also needs every target row to sum to one."""
        if self.from_logits or getattr(activation, "name", None) != "softmax":
            return False
        return y is None or self.rows_sum_to_one(y)

    def prepare_targets(self, y, units, dtype):
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] != units or y.ndim == 1 and units != 1:
            hint = (
                " These look like integer class labels: use SparseCategoricalCrossentropy "
                "(loss='sparse_categorical_crossentropy') or one-hot encode them."
                if y.ndim == 1 or y.shape[1] == 1
                else ""
            )
            raise EngineValueError(
                f"CategoricalCrossentropy needs one-hot targets of width {units} (the number "
                f"of output units). Received: y with shape {y.shape}.{hint}"
            )
        return super().prepare_targets(y, units, dtype)

    @staticmethod
    def rows_sum_to_one(y: np.ndarray) -> bool:
        """The fused softmax gradient p - y assumes every target row sums to 1."""
        return bool(np.allclose(np.sum(y, axis=-1), 1.0, atol=1e-3))


@register("sparse_categorical_crossentropy", "scce", "SCCE", "sparse_categorical_cross_entropy")
class SparseCategoricalCrossentropy(CategoricalCrossentropy):
    """Categorical cross-entropy with integer class labels y in [0, k), shape (n,) or (n, 1).
    The model trains on their one-hot form (n, k), exactly as Keras 3 computes it."""

    one_hot_targets = False

    def prepare_targets(self, y, units, dtype):
        y = np.asarray(y)
        if y.dtype.kind not in "biuf":
            raise EngineValueError(
                f"Sparse labels must be integers. Received: y with dtype {y.dtype}."
            )
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1:
            raise EngineValueError(
                "SparseCategoricalCrossentropy needs one integer class label per sample, "
                f"shape (n,) or (n, 1). Received: y with shape {y.shape}. For one-hot targets "
                "use CategoricalCrossentropy."
            )
        if y.size:
            bad = (y != np.round(y)) | (y < 0) | (y >= units)
            if bool(np.any(bad)):
                first = y[np.argmax(bad)]
                raise EngineValueError(
                    f"Sparse labels must be integers in [0, {units}) for a model with {units} "
                    f"output units. Received: y containing {first!r} (labels range from "
                    f"{y.min()!r} to {y.max()!r}). Give the last layer one unit per class."
                )
        one_hot = np.zeros((y.shape[0], units), dtype=dtype)
        one_hot[np.arange(y.shape[0]), y.astype(np.intp)] = 1.0
        return one_hot


@register("mean_squared_error", "mse", "MSE")
class MeanSquaredError(Loss):
    """mean((p - y)^2); gradient 2 (p - y) / (n k). For real-valued targets."""

    def value(self, y, p):
        d = np.subtract(p, y)
        return float(np.vdot(d, d)) / d.size

    def gradient_into(self, y, p, out):
        np.subtract(p, y, out=out)
        out *= 2.0 * self.scale(*p.shape)
        return out


@register("mean_absolute_error", "mae", "MAE")
class MeanAbsoluteError(Loss):
    """mean(|p - y|); gradient sign(p - y) / (n k)."""

    def value(self, y, p):
        return _mean(np.abs(p - y))

    def gradient_into(self, y, p, out):
        np.subtract(p, y, out=out)
        np.sign(out, out=out)
        out *= self.scale(*p.shape)
        return out


@register("huber", "huber_loss")
class Huber(Loss):
    """0.5 e^2 where |e| <= delta, else delta (|e| - 0.5 delta), e = p - y; gradient e
    clipped to [-delta, delta], over (n k)."""

    _config_keys = ("delta",)

    def __init__(self, delta: float = 1.0):
        self.delta = float(delta)

    def value(self, y, p):
        e = np.abs(p - y)
        d = self.delta
        return _mean(np.where(e <= d, 0.5 * e * e, d * e - 0.5 * d * d))

    def gradient_into(self, y, p, out):
        np.subtract(p, y, out=out)
        np.clip(out, -self.delta, self.delta, out=out)
        out *= self.scale(*p.shape)
        return out


def available() -> list[str]:
    """Canonical names of the registered losses."""
    return _registry.available()


def get(identifier: Any) -> Loss:
    """A Loss from a class (as the course writes `loss=BinaryCrossentropy`), an instance, a
    name or alias ("binary_crossentropy", "bce", "mse", ...), or a config dict."""
    if identifier is None:
        raise EngineValueError(
            "A loss is required. Received: loss=None. Pass e.g. loss='binary_crossentropy'. "
            f"Valid names are: {', '.join(available())}."
        )
    return _registry.get(identifier)


def serialize(loss: Loss) -> dict[str, Any]:
    return _registry.serialize(get(loss))


def deserialize(config: dict[str, Any] | str) -> Loss:
    return _registry.deserialize(config)
