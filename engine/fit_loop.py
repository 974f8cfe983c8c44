"""The fit loop: epochs of shuffled batches through a compiled step (engine/step_plan.py),
the epoch's logs, validation, the callbacks, and the snapshot that a diverged run falls back
to. Also the checks of fit's scalar arguments and the progress printer (verbose=1 or 2).

How training is kept cheap (the framework should add almost nothing to the NumPy work):
- all weights live in one flat array and all gradients in another, so the optimizer does one
  vectorised update per step whatever the depth (layers hold views into them);
- every buffer a step touches is allocated once per fit, per batch size (`StepPlan`), and
  every operation writes into it with out=;
- each epoch shuffles the data once into two buffers; batches are then plain row slices,
  prepared once per fit;
- the output layer writes its predictions straight into an epoch-long buffer, so the epoch's
  loss and metrics (the sample-weighted mean of the batch values, as Keras reports them) are
  computed once per epoch in a few vectorised operations instead of once per batch;
- sigmoid + binary cross-entropy and softmax + categorical cross-entropy use the fused
  gradient dL/dz = (p - y) / n;
- the optimizer's step is a closure over the flat arrays (`Optimizer.bind`);
- callback hooks that no callback overrides are never called; with a batch hook, the running
  loss costs one batch-sized loss evaluation per batch.
"""

from __future__ import annotations

import math
import sys
import time

import numpy as np

from . import callbacks as callbacks_module
from . import utils
from .errors import EngineTypeError, EngineValueError, TrainingDiverged
from .step_plan import StepPlan, with_ones_column

QUIET = {"over": "ignore", "under": "ignore", "invalid": "ignore", "divide": "ignore"}

# An epoch whose weights pass WEIGHT_LIMIT * max(1, max |y|) in norm is unhealthy. Why 1e6: in
# float32, the engine's dtype, a weight past 1e6 is stored to within 0.06 (24-bit
# mantissa), so ordinary steps (learning rate x gradient, far below that) no longer move it:
# it is no longer gradient descent. On the standardised inputs the app trains on, a sigmoid
# or tanh unit fed by such weights is saturated for every sample (float32 sigmoid is exactly
# 1 past z = 17), and a linear or ReLU stack multiplies them layer by layer: three layers of
# 25 units reach 1e21, whose square in MSE overflows float32 (3.4e38). Healthy training on
# such inputs keeps weights of order 1 to 1e3. The targets' magnitude scales the limit
# because a regression's output weights legitimately grow with unscaled targets.
WEIGHT_LIMIT = 1e6


class _Snapshot:
    """A copy of the weights and the optimizer state at the end of a healthy epoch (epoch
    None: from before this fit), to fall back to when a later epoch is not healthy."""

    def __init__(self, flat: np.ndarray, optimizer):
        self.weights = flat.copy()
        self.state = [a.copy() for a in optimizer.state()]
        self.iterations = optimizer.iterations
        self.epoch: int | None = None

    def take(self, flat, optimizer_state, iterations: int, epoch: int) -> None:
        self.weights[...] = flat  # slice assignment: cheaper than np.copyto
        for saved, live in zip(self.state, optimizer_state):
            saved[...] = live
        self.iterations, self.epoch = iterations, epoch

    def restore(self, flat, optimizer_state, optimizer) -> None:
        flat[...] = self.weights
        for live, saved in zip(optimizer_state, self.state):
            live[...] = saved
        optimizer.iterations = self.iterations


def _non_finite(value: float) -> str:
    return "NaN" if math.isnan(value) else "infinite"


def fit_checked(  # noqa: C901 - the hot loop stays inline: a call per batch costs throughput
    model,
    x,
    y,
    x_val,
    y_val,
    batch_size: int,
    epochs: int,
    initial_epoch: int,
    verbose: int,
    callback_list: list,
    shuffle: bool,
) -> callbacks_module.History:
    """Train `model` (a built, compiled Sequential) on checked, prepared arrays: x (n, n_in),
    y (n, k), optional x_val / y_val likewise. Returns the History; raises TrainingDiverged
    (the model then holds the last healthy epoch's weights and optimizer state)."""
    n, units = len(x), model._layers[-1].units
    batch = min(batch_size, n)
    full_batch = batch >= n
    steps = -(-n // batch)
    metrics = model._resolved_metrics()
    history = callbacks_module.History()
    callback_list = [*callback_list, history]
    if verbose:
        callback_list.append(ProgressPrinter(verbose))
    params = {"epochs": epochs, "steps": steps, "verbose": verbose}
    for cb in callback_list:
        cb.set_model(model)
        cb.set_params(params)

    def hooks(name):
        return [getattr(cb, name) for cb in callback_list if callbacks_module.overrides(cb, name)]

    on_batch_begin, on_batch_end = hooks("on_train_batch_begin"), hooks("on_train_batch_end")
    on_epoch_begin, on_epoch_end = hooks("on_epoch_begin"), hooks("on_epoch_end")
    batch_hooks = bool(on_batch_begin or on_batch_end)

    # Shuffled copies live in fixed buffers, so every batch is a slice prepared once.
    x_plain, x = x, with_ones_column(x, model._layers)
    if shuffle and not full_batch:  # a full batch's gradient is order-independent
        xs, ys = np.empty_like(x), np.empty_like(y)
        generator = utils.rng()
    else:
        xs, ys, generator = x, y, None
    flat = model._flat
    optimizer = model.optimizer
    loss = model.loss
    outputs = np.empty((n, units), dtype=flat.dtype)
    fused = loss.fuses_with(model._layers[-1].activation, y)  # once, not per batch size
    batches, plans = _batches(model, xs, ys, outputs, batch, y, fused)
    epoch_loss = loss.bind_value(ys, outputs)  # the whole epoch's rows, as usual
    update = None
    for plan in plans.values():  # builds the optimizer's slots once, before any step
        update = plan.bind_optimizer(optimizer, update)
    regularized = any(
        layer.kernel_regularizer is not None or layer.bias_regularizer is not None
        for layer in model._layers
    )
    optimizer_state = optimizer.state()
    # Two snapshots taken in turn: the latest healthy epoch and the one before, in case the
    # latest turns out unhealthy too (its own loss is only seen by the next epoch's batches).
    latest, older = _Snapshot(flat, optimizer), _Snapshot(flat, optimizer)
    weight_limit = WEIGHT_LIMIT * max(1.0, float(np.abs(y).max()))
    limit_squared, dot = weight_limit**2, np.dot

    def diverged(epoch: int, reason: str, loss_value: float) -> TrainingDiverged:
        """Put back the last healthy epoch (the one before, if the last one's own training
        loss is not finite either) and describe what happened."""
        # A callback that explains divergence (engine/gradient_stats.py) must see the
        # blown-up weights and the last gradient before they are put back.
        for cb in callback_list:
            if hasattr(cb, "on_train_diverged"):
                cb.on_train_diverged(epoch)
        kept = latest
        kept.restore(flat, optimizer_state, optimizer)
        if kept.epoch is not None:
            # only here, on the failure path: one forward pass checks the kept weights
            own_loss = loss.value(y, model._predict_checked(x_plain))
            if not math.isfinite(own_loss):
                kept = older
                kept.restore(flat, optimizer_state, optimizer)
                history.epoch.pop()
                for values in history.history.values():
                    values.pop()
        kept_text = (
            "the weights from before this fit"
            if kept.epoch is None
            else f"the weights of epoch {kept.epoch + 1}, the last healthy one"
        )
        return TrainingDiverged(
            f"Training diverged at epoch {epoch + 1}: {reason}. The model keeps {kept_text}. "
            f"Try a lower learning rate (it is {optimizer.learning_rate:g}) or scale the "
            "inputs.",
            epoch=epoch,
            loss=loss_value,
            reason=reason,
            kept_epoch=kept.epoch,
        )

    model.stop_training = False
    model.history = history
    for cb in callback_list:
        cb.on_train_begin()
    logs: dict[str, float] = {}
    with np.errstate(**QUIET):
        for epoch in range(initial_epoch, epochs):
            for hook in on_epoch_begin:
                hook(epoch, {})
            if generator is not None:
                order = generator.permutation(n)
                np.take(x, order, axis=0, out=xs, mode="clip")  # "clip": no buffering
                np.take(y, order, axis=0, out=ys, mode="clip")
            penalty_sum = batch_loss_sum = 0.0
            rows = n
            if batch_hooks or regularized:
                for index, (step, xb, yb, pb, stop) in enumerate(batches):
                    if batch_hooks:
                        for hook in on_batch_begin:
                            hook(index, {})
                    if regularized:
                        penalty_sum += model._penalty() * len(xb)
                    step(xb, yb, pb)
                    if batch_hooks and on_batch_end:  # running mean, as Keras reports it
                        batch_loss_sum += loss.value(yb, pb) * len(pb)
                        running = (batch_loss_sum + penalty_sum) / stop
                        for hook in on_batch_end:
                            hook(index, {"loss": running})
                    if model.stop_training:
                        rows = stop
                        break
            else:  # the usual case, with nothing to do between steps but the stop check
                for step, xb, yb, pb, stop in batches:
                    step(xb, yb, pb)
                    if model.stop_training:  # may be set from another thread (a Stop button)
                        rows = stop
                        break
            seen = epoch_loss() if rows == n else loss.value(ys[:rows], outputs[:rows])
            logs = {"loss": seen + penalty_sum / rows}
            # The epoch is healthy when its loss is finite, its weights are finite and within
            # bounds, and so is its validation loss. The weights cost one BLAS dot product (no
            # temporary array): their norm bounds every |w|, and a NaN or an overflowing
            # square makes it fail the test too. The loss and val_loss are already computed.
            if not math.isfinite(logs["loss"]):
                raise diverged(epoch, f"the loss became {_non_finite(logs['loss'])}", logs["loss"])
            norm_squared = float(dot(flat, flat))
            if not norm_squared <= limit_squared:  # True for NaN too
                if np.isfinite(flat).all():
                    reason = (
                        f"the weights grew past {weight_limit:.3g} (their norm "
                        f"reached {math.sqrt(norm_squared):.3g})"
                    )
                else:
                    reason = "the weights became non-finite"
                raise diverged(epoch, reason, logs["loss"])
            for metric in metrics:
                logs[metric.name] = metric(ys[:rows], outputs[:rows])
            if x_val is not None:
                for key, value in model._evaluate_checked(x_val, y_val, metrics).items():
                    logs["val_" + key] = value
                if not math.isfinite(logs["val_loss"]):
                    raise diverged(
                        epoch,
                        f"the validation loss became {_non_finite(logs['val_loss'])}",
                        logs["loss"],
                    )
            latest, older = older, latest
            latest.take(flat, optimizer_state, optimizer.iterations, epoch)
            for hook in on_epoch_end:
                hook(epoch, logs)
            if model.stop_training:
                break
    for cb in callback_list:
        cb.on_train_end(logs)
    return history


def _batches(model, xs, ys, outputs, batch: int, y, fused: bool):
    """Every batch of an epoch as (step, x rows, y rows, prediction rows, end row): views of
    the epoch's buffers, made once per fit; and the plans, one per batch size. The full
    batches are the rows of a (steps, batch, columns) view, which NumPy iterates in C
    (slicing 313 batches in a Python loop took ~0.5 ms of each fit on the course net)."""
    n = len(xs)
    full = n // batch * batch
    plans: dict[int, StepPlan] = {}
    batches: list[tuple] = []
    if full:
        plans[batch] = StepPlan(model, batch, y, fused)
        step = plans[batch].step
        views = (a[:full].reshape(full // batch, batch, a.shape[1]) for a in (xs, ys, outputs))
        batches = [
            (step, xb, yb, pb, stop)
            for (xb, yb, pb), stop in zip(zip(*views), range(batch, full + 1, batch))
        ]
    if full < n:
        plans[n - full] = StepPlan(model, n - full, y, fused)
        batches.append((plans[n - full].step, xs[full:], ys[full:], outputs[full:], n))
    return batches, plans


class ProgressPrinter(callbacks_module.Callback):
    """verbose=1: Keras 3's epoch line with a full bar; verbose=2: one compact line."""

    def __init__(self, verbose: int):
        super().__init__()
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()
        if self.verbose == 1:
            print(f"Epoch {epoch + 1}/{self.params['epochs']}", file=sys.stdout)

    def on_epoch_end(self, epoch, logs=None):
        elapsed = time.perf_counter() - self._start
        steps = self.params["steps"]
        per_step = elapsed / max(steps, 1)
        per_step_text = (
            f"{per_step * 1e3:.0f}ms/step" if per_step >= 1e-3 else f"{per_step * 1e6:.0f}us/step"
        )
        values = " - ".join(f"{k}: {v:.4f}" for k, v in (logs or {}).items())
        if self.verbose == 1:
            print(f"{steps}/{steps} {'━' * 20} {elapsed:.0f}s {per_step_text} - {values}")
        else:
            print(
                f"Epoch {epoch + 1}/{self.params['epochs']} - {elapsed:.0f}s - "
                f"{per_step_text} - {values}"
            )


# ---- checks of fit's (and predict's, evaluate's) scalar arguments ------------------------------
def check_batch_size(batch_size) -> int:
    if batch_size is None:
        return 32
    if (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, (int, np.integer))
        or batch_size < 1
    ):
        raise EngineValueError(
            f"batch_size must be a positive integer or None (32). Received: "
            f"batch_size={batch_size!r}"
        )
    return int(batch_size)


def check_count(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise EngineValueError(f"{name} must be a non-negative integer. Received: {name}={value!r}")
    return int(value)


def verbosity(verbose) -> int:
    if verbose == "auto":
        return 1
    if verbose in (0, 1, 2) and not isinstance(verbose, float):
        return int(verbose)
    raise EngineValueError(f'verbose must be "auto", 0, 1 or 2. Received: verbose={verbose!r}')


def check_callbacks(callbacks) -> list[callbacks_module.Callback]:
    if callbacks is None:
        return []
    if isinstance(callbacks, callbacks_module.Callback):
        callbacks = [callbacks]
    result = list(callbacks)
    for cb in result:
        if not isinstance(cb, callbacks_module.Callback):
            raise EngineTypeError(
                "callbacks must be Callback instances. Received: "
                f"{cb!r} (type {type(cb).__name__})."
            )
    return result
