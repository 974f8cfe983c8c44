"""The loss along one weight: the training loss as one kernel entry W[i, j] of one layer
moves around its value while every other weight stays fixed, with the slope there (dL/dw,
from the engine's own compute_gradients) and where the optimizer's next step lands.

This is the one-dimensional picture behind gradient descent: the tangent's slope is the
gradient, and SGD steps w - lr·dL/dw along it. Adam and RMSprop scale their step per weight
(by running averages of the gradient), so for them only the first step from fresh state is
known, approximately: w - lr·sign(dL/dw).

    s = loss_along_weight(model, x_train, y_train, layer=0, row=2, col=1)
    s.ws, s.losses      # the curve
    s.w, s.loss, s.slope, s.next_w
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["WeightSlice", "loss_along_weight", "MAX_ROWS"]

# The curve costs one forward and backward pass per point: on more rows than this a fixed
# random subset (seeded, so the same weight gives the same curve) stands in for the data.
MAX_ROWS = 2000


@dataclass(frozen=True)
class WeightSlice:
    """layer, row, col: the weight W[row, col] of Dense layer `layer` (0-based). w: its
    value; loss: the loss at w (regularization included, as training minimises it); slope:
    dL/dw there. ws, losses: the curve. rows, total_rows: rows used / rows of the data.
    optimizer: its registered name; learning_rate; next_w: where the next step lands;
    exact_step: True when next_w is the optimizer's step (SGD), False when it is the
    approximation w - lr·sign(dL/dw) of an adaptive optimizer's first step. next_loss: the
    loss at next_w (the others fixed)."""

    layer: int
    row: int
    col: int
    w: float
    loss: float
    slope: float
    ws: np.ndarray
    losses: np.ndarray
    rows: int
    total_rows: int
    optimizer: str
    learning_rate: float
    next_w: float
    exact_step: bool
    next_loss: float = float("nan")


def _subset(x, y, max_rows: int, seed: int):
    n = len(x)
    if n <= max_rows:
        return x, y
    keep = np.sort(np.random.default_rng(seed).choice(n, size=max_rows, replace=False))
    return x[keep], y[keep]


def _next_step(optimizer, w: float, slope: float) -> tuple[float, bool]:
    name = getattr(optimizer, "registered_name", "")
    lr = float(getattr(optimizer, "learning_rate", 0.0))
    if name == "sgd":
        momentum = float(getattr(optimizer, "momentum", 0.0) or 0.0)
        # From fresh state the velocity is zero: plain and momentum SGD step lr·g, Nesterov
        # looks ahead one more momentum step, (1 + momentum)·lr·g.
        factor = 1.0 + momentum if getattr(optimizer, "nesterov", False) else 1.0
        return w - factor * lr * slope, True
    return w - lr * float(np.sign(slope)), False


def loss_along_weight(
    model,
    x,
    y,
    layer: int,
    row: int,
    col: int,
    points: int = 121,
    half_span: float | None = None,
    max_rows: int = MAX_ROWS,
    seed: int = 0,
) -> WeightSlice:
    """The loss of `model` (built and compiled) on (x, y) as W[row, col] of Dense layer
    `layer` takes `points` values around its own (always including it), the others fixed.
    half_span: how far either side (None: enough to show the next step and the value's own
    size, at least 1). The model's weights are put back afterwards."""
    total = len(x)
    x, y = _subset(np.asarray(x), np.asarray(y), int(max_rows), int(seed))
    weights = model.get_weights()
    index = 2 * int(layer)  # [W1, b1, W2, b2, ...]
    kernel = weights[index]
    if not (0 <= row < kernel.shape[0] and 0 <= col < kernel.shape[1]):
        raise IndexError(
            f"layer {layer} has no weight [{row}, {col}]; its kernel is "
            f"{kernel.shape[0]}×{kernel.shape[1]}"
        )
    w = float(kernel[row, col])
    loss, grads = model.compute_gradients(x, y)
    slope = float(grads[index][row, col])
    next_w, exact = _next_step(model.optimizer, w, slope)
    if half_span is None:
        half_span = max(1.0, 2.0 * abs(w), 1.5 * abs(next_w - w))
    half_span = float(half_span) if np.isfinite(half_span) else 1.0
    ws = w + np.linspace(-half_span, half_span, int(points) | 1)  # odd: w is the middle
    ws[len(ws) // 2] = w
    losses = np.empty(len(ws) + 1)
    try:
        for k, value in enumerate([*ws, next_w]):
            moved = [a.copy() if i == index else a for i, a in enumerate(weights)]
            moved[index][row, col] = value
            model.set_weights(moved)
            losses[k] = float(model.compute_gradients(x, y)[0])
    finally:
        model.set_weights(weights)
    losses, next_loss = losses[:-1], float(losses[-1])
    # The point at w is the loss compute_gradients gave with the model's own weights.
    losses[len(ws) // 2] = float(loss)
    return WeightSlice(
        int(layer),
        int(row),
        int(col),
        w,
        float(loss),
        slope,
        ws,
        losses,
        len(x),
        int(total),
        getattr(model.optimizer, "registered_name", ""),
        float(getattr(model.optimizer, "learning_rate", 0.0)),
        next_w,
        exact,
        next_loss,
    )
