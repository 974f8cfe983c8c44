"""Sequential: a stack of Dense layers with Keras 3's compile / fit / evaluate / predict.

How training is kept cheap (the framework should add almost nothing to the NumPy work):
- all weights live in one flat array and all gradients in another, so the optimizer does one
  vectorised update per step whatever the depth (layers hold views into them);
- every buffer a step touches is allocated once per fit, per batch size (`_StepPlan`), and
  every operation writes into it with out=;
- each epoch shuffles the data once into two buffers; batches are then plain row slices,
  prepared once per fit;
- the output layer writes its predictions straight into an epoch-long buffer, so the epoch's
  loss and metrics (the sample-weighted mean of the batch values, as Keras reports them) are
  computed once per epoch in a few vectorised operations instead of once per batch;
- biases ride along in the matrix products (kernel and bias are one [kernel; bias] matrix,
  inputs carry a ones column), so a layer costs one product forward and one for its
  gradient -- see `_StepPlan`;
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
from typing import Any

import numpy as np

from . import callbacks as callbacks_module
from . import config, losses, optimizers, utils
from . import metrics as metrics_module
from .errors import (
    EngineTypeError,
    EngineValueError,
    NotBuiltError,
    TrainingDiverged,
    UnknownNameError,
)
from .layers import Dense, InputLayer, input_dim_from_shape, unique_name

_QUIET = {"over": "ignore", "under": "ignore", "invalid": "ignore", "divide": "ignore"}
_PREDICT_CHUNK = 4096  # rows per forward pass in predict/evaluate; results do not depend on it
_WIDE = 64  # hidden layers at least this wide keep row-major buffers (see _StepPlan)


class Sequential:
    """A linear stack of Dense layers.

    Sequential(layers=None, name=None); `.add(layer)`; the input size comes from an Input
    first item, `build(input_shape)`, a first layer's `input_shape=`, or the first data seen.
    """

    def __init__(self, layers=None, name: str | None = None, trainable: bool = True):
        self.name = name or unique_name("sequential")
        self._layers: list[Dense] = []
        self._input_dim: int | None = None
        self._input_layer_name: str | None = None
        self.built = False
        self.optimizer: optimizers.Optimizer | None = None
        self.loss: losses.Loss | None = None
        self._metric_ids: list[Any] = []
        self.stop_training = False
        self.history: callbacks_module.History | None = None
        self._flat: np.ndarray | None = None
        self._grad_flat: np.ndarray | None = None
        for layer in layers or []:
            self.add(layer)

    # ---- structure ----------------------------------------------------------------------
    @property
    def layers(self) -> list[Dense]:
        return list(self._layers)

    def add(self, layer) -> None:
        """Append a Dense layer (or an Input, as the first item)."""
        if isinstance(layer, InputLayer):
            if self._layers:
                raise EngineValueError(
                    "Input(...) must come before the first layer. Received: an Input after "
                    f"{len(self._layers)} layer(s)."
                )
            self._input_dim = layer.input_dim
            self._input_layer_name = layer.name
            return
        if not isinstance(layer, Dense):
            raise EngineTypeError(
                "Only Dense layers (and an Input first) can be added to a Sequential model. "
                f"Received: {layer!r} (type {type(layer).__name__})."
            )
        if any(existing is layer or existing.name == layer.name for existing in self._layers):
            raise EngineValueError(
                f"All layers in a model must have unique names. Received: a second layer "
                f"named {layer.name!r}."
            )
        if not self._layers and self._input_dim is None and layer._declared_input_dim:
            self._input_dim = layer._declared_input_dim
        self._layers.append(layer)
        self.built = False
        if self._input_dim is not None:
            self.build((None, self._input_dim))

    def pop(self) -> Dense:
        if not self._layers:
            raise EngineValueError("There are no layers to pop. Received: an empty model.")
        layer = self._layers.pop()
        self.built = False
        if self._input_dim is not None and self._layers:
            self.build((None, self._input_dim))
        return layer

    def build(self, input_shape=None) -> None:
        """Create every layer's weights for inputs of shape (None, n_features).

        Layers already built for the right input size keep their weights. All weights are then
        moved into one flat array; each layer's kernel/bias become views into it."""
        if input_shape is None:
            if self._input_dim is None:
                raise NotBuiltError(self._how_to_build("build() needs an input_shape"))
            input_shape = (None, self._input_dim)
        n_in = input_dim_from_shape(input_shape)
        if not self._layers:
            self._input_dim = n_in
            return
        dtype = config.dtype()
        width = n_in
        for layer in self._layers:
            if not layer.built or layer.kernel.shape[0] != width:
                layer.build((None, width))
            width = layer.units
        total = sum(w.size for layer in self._layers for w in layer.weights)
        flat = np.empty(total, dtype=dtype)
        grad_flat = np.zeros(total, dtype=dtype)
        offset = 0
        self._grad_views: list[list[np.ndarray]] = []
        self._layer_spans: list[slice] = []  # each layer's [kernel; bias] in the flat arrays
        for layer in self._layers:
            layer_start = offset
            grads = []
            for attr in ("kernel", "bias"):
                weight = getattr(layer, attr)
                if weight is None:
                    continue
                view = flat[offset : offset + weight.size].reshape(weight.shape)
                view[...] = weight
                setattr(layer, attr, view)
                grads.append(grad_flat[offset : offset + weight.size].reshape(weight.shape))
                offset += weight.size
            self._grad_views.append(grads)
            self._layer_spans.append(slice(layer_start, offset))
        self._flat, self._grad_flat = flat, grad_flat
        self._input_dim = n_in
        self.built = True

    def _how_to_build(self, what: str) -> str:
        return (
            f"{what}: model {self.name!r} is not built yet, because its input size is "
            "unknown. Build it with model.build(input_shape=(None, n_features)), start the "
            "layer list with Input(shape=(n_features,)), or call fit()/predict() on data."
        )

    def _require_built(self, what: str) -> None:
        if not self.built:
            raise NotBuiltError(self._how_to_build(what))

    @property
    def input_shape(self) -> tuple[None, int] | None:
        return None if self._input_dim is None else (None, self._input_dim)

    @property
    def output_shape(self) -> tuple[None, int] | None:
        return (None, self._layers[-1].units) if self._layers else None

    @property
    def weights(self) -> list[np.ndarray]:
        """The live weight arrays [W1, b1, W2, b2, ...] (views; get_weights copies)."""
        return [w for layer in self._layers for w in layer.weights]

    def count_params(self) -> int:
        self._require_built("count_params() needs the weights")
        return int(self._flat.size)

    def get_weights(self) -> list[np.ndarray]:
        """Copies of [W1 (n_in, units), b1 (units,), W2, b2, ...]; [] before build."""
        return [w.copy() for w in self.weights]

    def set_weights(self, weights) -> None:
        """Copy `weights` ([W1, b1, ...] as get_weights returns) into the model. Shapes are all
        checked before anything changes. An unbuilt model is built from W1's shape."""
        weights = [np.asarray(w) for w in weights]
        if not self.built and weights and weights[0].ndim == 2 and self._layers:
            expected = self._expected_shapes(weights[0].shape[0])
        elif self.built:
            expected = [w.shape for w in self.weights]
        else:
            raise NotBuiltError(self._how_to_build("set_weights() needs the weight shapes"))
        received = [w.shape for w in weights]
        if received != expected:
            raise EngineValueError(
                f"set_weights expects {len(expected)} arrays with shapes {expected} "
                f"([kernel (n_in, units), bias (units,)] per Dense layer). Received: "
                f"{len(received)} arrays with shapes {received}."
            )
        for w in weights:
            if w.dtype.kind not in "biuf" or not np.all(np.isfinite(w)):
                raise EngineValueError(
                    "set_weights needs finite numeric arrays. Received: an array with dtype "
                    f"{w.dtype} containing non-finite or non-numeric values."
                )
        if not self.built:
            self.build((None, weights[0].shape[0]))
        for target, source in zip(self.weights, weights):
            np.copyto(target, source, casting="unsafe")

    def _expected_shapes(self, n_in: int) -> list[tuple[int, ...]]:
        shapes, width = [], n_in
        for layer in self._layers:
            shapes += layer.weight_shapes(width)
            width = layer.units
        return shapes

    # ---- compile ------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, **kwargs) -> None:
        """Choose the optimizer (default "rmsprop", as Keras), the loss (a class such as
        BinaryCrossentropy, an instance, or a name/alias such as "bce") and the metrics
        ("accuracy", "mse", "mae")."""
        ignored = {"run_eagerly", "jit_compile", "steps_per_execution", "auto_scale_loss"}
        unknown = set(kwargs) - ignored
        if unknown:
            raise EngineTypeError(
                "Unrecognized keyword arguments passed to compile. Received: "
                + ", ".join(sorted(unknown))
            )
        optimizer_obj = optimizers.get(optimizer)
        loss_obj = None if loss is None else losses.get(loss)
        if metrics is None:
            metric_ids = []
        elif isinstance(metrics, (str, metrics_module.Metric)):
            metric_ids = [metrics]
        else:
            metric_ids = list(metrics)
        for identifier in metric_ids:  # fail now on unknown names, not in fit
            metrics_module.get(identifier, loss_obj, 1)
        self.optimizer, self.loss, self._metric_ids = optimizer_obj, loss_obj, metric_ids

    @property
    def compiled(self) -> bool:
        return self.optimizer is not None

    def _resolved_metrics(self) -> list[metrics_module.Metric]:
        units = self._layers[-1].units
        return [metrics_module.get(m, self.loss, units) for m in self._metric_ids]

    @property
    def metrics_names(self) -> list[str]:
        return ["loss", *(m.name for m in self._resolved_metrics())] if self._layers else []

    def _require_loss(self, what: str) -> None:
        if self.optimizer is None:
            raise EngineValueError(
                f"You must call compile() before {what}. Received: an uncompiled model. "
                "Example: model.compile(optimizer='adam', loss='binary_crossentropy')."
            )
        if self.loss is None:
            raise EngineValueError(
                f"No loss to compute in {what}. Received: loss=None in compile(). Pass a "
                f"loss, one of: {', '.join(losses.available())}."
            )

    def get_compile_config(self) -> dict[str, Any] | None:
        if self.optimizer is None:
            return None
        return {
            "optimizer": optimizers.serialize(self.optimizer),
            "loss": None if self.loss is None else losses.serialize(self.loss),
            "metrics": [m if isinstance(m, str) else metrics_module.serialize(m)
                        for m in self._metric_ids],
        }

    def compile_from_config(self, config: dict[str, Any]) -> None:
        metrics = [m if isinstance(m, str) else metrics_module.deserialize(m)
                   for m in config.get("metrics") or []]
        self.compile(
            optimizer=optimizers.deserialize(config["optimizer"]),
            loss=None if config.get("loss") is None else losses.deserialize(config["loss"]),
            metrics=metrics,
        )

    # ---- input checks -------------------------------------------------------------------
    def _check_x(self, x, what: str = "x") -> np.ndarray:
        if not self._layers:
            raise EngineValueError(
                f"The model has no layers. Received: {what} for an empty Sequential. Add "
                "Dense layers first."
            )
        if x is None:
            raise EngineValueError(f"{what} is required. Received: {what}=None.")
        try:
            arr = np.asarray(x)
        except ValueError as exc:  # ragged nested lists
            raise EngineValueError(
                f"{what} must be a 2-D numeric array (n_samples, n_features). Received: {what} "
                f"that NumPy cannot turn into an array ({exc})."
            ) from None
        if arr.dtype.kind not in "biuf":
            raise EngineValueError(
                f"{what} must be numeric. Received: {what} with dtype {arr.dtype}. Convert "
                "text columns to numbers (or one-hot encode them) first."
            )
        if arr.ndim == 1:
            raise EngineValueError(
                f"{what} must be 2-D (n_samples, n_features). Received: {what} with shape "
                f"{arr.shape}. If it is a single feature, use {what}.reshape(-1, 1); if it "
                f"is one sample, use {what}.reshape(1, -1)."
            )
        if arr.ndim != 2:
            raise EngineValueError(
                f"{what} must be 2-D (n_samples, n_features). Received: {what} with shape "
                f"{arr.shape}. Flatten each sample, e.g. {what}.reshape(len({what}), -1)."
            )
        if arr.shape[0] == 0 or arr.shape[1] == 0:
            raise EngineValueError(
                f"{what} is empty. Received: {what} with shape {arr.shape}. Give at least one "
                "sample with at least one feature."
            )
        if self._input_dim is not None and arr.shape[1] != self._input_dim:
            raise EngineValueError(
                f"The model expects {self._input_dim} input feature(s), shape "
                f"(None, {self._input_dim}). Received: {what} with shape {arr.shape}."
            )
        dtype = self._flat.dtype if self.built else config.dtype()
        arr = np.ascontiguousarray(arr, dtype=dtype)
        if not np.isfinite(arr).all():
            bad = np.argwhere(~np.isfinite(arr))[0]
            raise EngineValueError(
                f"{what} contains NaN or infinite values. Received: {what}[{bad[0]}, {bad[1]}]"
                f"={arr[bad[0], bad[1]]}. Remove or impute missing values first."
            )
        return arr

    def _check_y(self, y, n_rows: int, what: str = "y") -> np.ndarray:
        if y is None:
            raise EngineValueError(
                f"{what} is required for training and evaluation. Received: {what}=None."
            )
        try:
            arr = np.asarray(y)
        except ValueError as exc:
            raise EngineValueError(
                f"{what} must be a numeric array. Received: {what} that NumPy cannot turn "
                f"into an array ({exc})."
            ) from None
        if arr.dtype.kind not in "biuf":
            raise EngineValueError(
                f"{what} must be numeric. Received: {what} with dtype {arr.dtype}. Encode "
                "class names as integers 0..k-1 first."
            )
        if arr.ndim == 0 or arr.shape[0] != n_rows:
            shape = arr.shape
            raise EngineValueError(
                f"x and {what} must have the same number of samples (rows). Received: "
                f"{n_rows} rows in x and {what} with shape {shape}."
            )
        if not np.isfinite(arr).all():
            raise EngineValueError(
                f"{what} contains NaN or infinite values. Received: {what} with "
                f"{int(np.size(arr) - np.isfinite(arr).sum())} non-finite value(s). Remove "
                "or impute those samples first."
            )
        dtype = self._flat.dtype if self.built else config.dtype()
        prepared = self.loss.prepare_targets(arr, self._layers[-1].units, dtype)
        return np.ascontiguousarray(prepared)

    # ---- forward passes -----------------------------------------------------------------
    def _ensure_built_for(self, x: np.ndarray) -> None:
        if not self.built:
            self.build((None, x.shape[1]))

    def _forward(self, x: np.ndarray, keep_preactivations: bool = False):
        """Output (n_samples, units_last) for checked x; optionally also every layer's z."""
        zs = []
        a = x
        with np.errstate(**_QUIET):
            for layer in self._layers:
                z = a @ layer.kernel
                if layer.bias is not None:
                    z += layer.bias
                if keep_preactivations:
                    zs.append(z.copy())
                act = layer.activation
                a = act.forward(z, z if act.uses_output_only else np.empty_like(z))
        return (a, zs) if keep_preactivations else a

    def _predict_checked(self, x: np.ndarray) -> np.ndarray:
        if len(x) <= _PREDICT_CHUNK:
            return self._forward(x)
        parts = [self._forward(x[i : i + _PREDICT_CHUNK]) for i in range(0, len(x), _PREDICT_CHUNK)]
        return np.concatenate(parts)

    def predict(self, x, batch_size=None, verbose="auto") -> np.ndarray:
        """Outputs (n_samples, units_last) for x (n_samples, n_features). Builds the model
        from x's width if needed. batch_size is accepted for Keras compatibility; outputs do
        not depend on it."""
        _check_batch_size(batch_size)
        x = self._check_x(x)
        self._ensure_built_for(x)
        return self._predict_checked(x)

    def __call__(self, x) -> np.ndarray:
        return self.predict(x)

    def preactivations(self, x) -> list[np.ndarray]:
        """z = a_prev @ W + b of every Dense layer, each (n_samples, units)."""
        x = self._check_x(x)
        self._ensure_built_for(x)
        return self._forward(x, keep_preactivations=True)[1]

    def _penalty(self) -> float:
        return float(sum(layer.penalty() for layer in self._layers))

    def _evaluate_checked(self, x, y, metrics) -> dict[str, float]:
        p = self._predict_checked(x)
        with np.errstate(**_QUIET):
            logs = {"loss": self.loss.value(y, p) + self._penalty()}
            for metric in metrics:
                logs[metric.name] = metric(y, p)
        return logs

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", return_dict=False):
        """Loss (plus regularization) and metrics on (x, y): a float when there are no
        metrics, else [loss, metric, ...], or a dict with return_dict=True."""
        self._require_loss("evaluate()")
        _check_batch_size(batch_size)
        x = self._check_x(x)
        y = self._check_y(y, len(x))
        self._ensure_built_for(x)
        logs = self._evaluate_checked(x, y, self._resolved_metrics())
        if _verbosity(verbose):
            print(" - ".join(f"{k}: {v:.4f}" for k, v in logs.items()))
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def compute_gradients(self, x, y) -> tuple[float, list[np.ndarray]]:
        """(loss, [dL/dW1, dL/db1, ...]) on (x, y) as one batch, computed by exactly the code a
        training step runs (fused output gradients included), without updating anything.
        For gradient checks and teaching; the loss includes regularization."""
        self._require_loss("compute_gradients()")
        x = self._check_x(x)
        y = self._check_y(y, len(x))
        self._ensure_built_for(x)
        plan = _StepPlan(self, len(x), y)
        plan.apply_update = lambda: None
        outputs = np.empty((len(x), self._layers[-1].units), dtype=self._flat.dtype)
        with np.errstate(**_QUIET):
            penalty = self._penalty()
            plan.step(self._with_ones_column(x), y, outputs)
            value = self.loss.value(y, outputs) + penalty
        return value, [g.copy() for grads in self._grad_views for g in grads]

    def _input_ones_column(self) -> bool:
        """Whether training inputs carry a ones column for the first layer's bias (see
        _StepPlan). Not for wide inputs: copying x once per fit costs more than adding the
        bias separately in every step."""
        first = self._layers[0]
        return first.bias is not None and first.kernel.shape[0] < _WIDE

    def _with_ones_column(self, x: np.ndarray) -> np.ndarray:
        """x with a column of ones appended when _input_ones_column() says so."""
        if not self._input_ones_column():
            return np.ascontiguousarray(x)
        augmented = np.empty((x.shape[0], x.shape[1] + 1), dtype=x.dtype)
        augmented[:, :-1] = x
        augmented[:, -1] = 1.0
        return augmented

    # ---- training -----------------------------------------------------------------------
    def fit(
        self,
        x=None,
        y=None,
        batch_size=None,
        epochs=1,
        verbose="auto",
        callbacks=None,
        validation_split=0.0,
        validation_data=None,
        shuffle=True,
        initial_epoch=0,
    ) -> callbacks_module.History:
        """Train for epochs `initial_epoch` .. `epochs - 1` (Keras: epochs is the index of the
        last epoch + 1). batch_size None is 32; a batch size >= the number of samples is
        full-batch gradient descent, one step per epoch. Returns a History.

        Every argument is checked before anything changes. If the loss becomes NaN or inf,
        raises TrainingDiverged; the model then holds the last finite epoch's weights."""
        self._require_loss("fit()")
        batch_size = _check_batch_size(batch_size)
        epochs = _check_count(epochs, "epochs")
        initial_epoch = _check_count(initial_epoch, "initial_epoch")
        verbose = _verbosity(verbose)
        callback_list = _check_callbacks(callbacks)
        x = self._check_x(x)
        y = self._check_y(y, len(x))
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
                raise EngineValueError(
                    "validation_data must be a tuple (x_val, y_val). Received: "
                    f"validation_data of type {type(validation_data).__name__}."
                )
            x_val = self._check_x(validation_data[0], "x_val")
            y_val = self._check_y(validation_data[1], len(x_val), "y_val")
        elif validation_split:
            if (
                isinstance(validation_split, bool)
                or not isinstance(validation_split, (int, float))
                or not 0.0 < validation_split < 1.0
            ):
                raise EngineValueError(
                    "validation_split must be a number in [0, 1). Received: "
                    f"validation_split={validation_split!r}"
                )
            split_at = int(len(x) * (1.0 - validation_split))  # Keras: the last samples
            if split_at < 1 or split_at == len(x):
                raise EngineValueError(
                    f"validation_split={validation_split} of {len(x)} samples leaves "
                    f"{split_at} for training and {len(x) - split_at} for validation; both "
                    "need at least one. Received: too few samples for this split."
                )
            x, x_val = x[:split_at], x[split_at:]
            y, y_val = y[:split_at], y[split_at:]
        else:
            x_val = y_val = None
        self._ensure_built_for(x)
        return self._fit_checked(
            x, y, x_val, y_val, batch_size, epochs, initial_epoch, verbose, callback_list,
            bool(shuffle),
        )

    def _fit_checked(
        self, x, y, x_val, y_val, batch_size, epochs, initial_epoch, verbose, callback_list,
        shuffle,
    ) -> callbacks_module.History:
        n, units = len(x), self._layers[-1].units
        batch = min(batch_size, n)
        full_batch = batch >= n
        steps = -(-n // batch)
        metrics = self._resolved_metrics()
        history = callbacks_module.History()
        callback_list = [*callback_list, history]
        if verbose:
            callback_list.append(_ProgressPrinter(verbose))
        params = {"epochs": epochs, "steps": steps, "verbose": verbose}
        for cb in callback_list:
            cb.set_model(self)
            cb.set_params(params)

        def hooks(name):
            return [getattr(cb, name) for cb in callback_list
                    if callbacks_module.overrides(cb, name)]

        on_batch_begin, on_batch_end = hooks("on_train_batch_begin"), hooks("on_train_batch_end")
        on_epoch_begin, on_epoch_end = hooks("on_epoch_begin"), hooks("on_epoch_end")
        batch_hooks = bool(on_batch_begin or on_batch_end)

        # Shuffled copies live in fixed buffers, so every batch is a slice prepared once.
        x = self._with_ones_column(x)
        if shuffle and not full_batch:  # a full batch's gradient is order-independent
            xs, ys = np.empty_like(x), np.empty_like(y)
            generator = utils.rng()
        else:
            xs, ys, generator = x, y, None
        outputs = np.empty((n, units), dtype=self._flat.dtype)
        plans: dict[int, _StepPlan] = {}
        batches = []
        for start in range(0, n, batch):
            stop = min(start + batch, n)
            size = stop - start
            if size not in plans:
                plans[size] = _StepPlan(self, size, y)
            batches.append((plans[size].step, xs[start:stop], ys[start:stop],
                            outputs[start:stop], stop))
        for plan in plans.values():  # builds the optimizer's slots once, before any step
            plan.bind_optimizer(self.optimizer)
        regularized = any(
            layer.kernel_regularizer is not None or layer.bias_regularizer is not None
            for layer in self._layers
        )
        snapshot = self._flat.copy()
        optimizer_state = self.optimizer.state()
        optimizer_snapshot = [a.copy() for a in optimizer_state]
        iterations_snapshot = self.optimizer.iterations
        loss = self.loss
        self.stop_training = False
        self.history = history
        for cb in callback_list:
            cb.on_train_begin()
        logs: dict[str, float] = {}
        with np.errstate(**_QUIET):
            for epoch in range(initial_epoch, epochs):
                for hook in on_epoch_begin:
                    hook(epoch, {})
                if generator is not None:
                    order = generator.permutation(n)
                    np.take(x, order, axis=0, out=xs, mode="clip")  # "clip": no buffering
                    np.take(y, order, axis=0, out=ys, mode="clip")
                penalty_sum = batch_loss_sum = 0.0
                rows = 0
                for index, (step, xb, yb, pb, stop) in enumerate(batches):
                    if batch_hooks:
                        for hook in on_batch_begin:
                            hook(index, {})
                    if regularized:
                        penalty_sum += self._penalty() * len(xb)
                    step(xb, yb, pb)
                    rows = stop
                    if batch_hooks and on_batch_end:  # running mean, as Keras reports it
                        batch_loss_sum += loss.value(yb, pb) * len(pb)
                        running = (batch_loss_sum + penalty_sum) / rows
                        for hook in on_batch_end:
                            hook(index, {"loss": running})
                    if self.stop_training:
                        break
                logs = {"loss": loss.value(ys[:rows], outputs[:rows]) + penalty_sum / rows}
                if not math.isfinite(logs["loss"]):
                    self._flat[...] = snapshot
                    for target, saved in zip(optimizer_state, optimizer_snapshot):
                        target[...] = saved
                    self.optimizer.iterations = iterations_snapshot
                    kept = "the weights from before this fit" if epoch == initial_epoch else (
                        f"the weights of epoch {epoch}, the last finite one"
                    )
                    raise TrainingDiverged(
                        f"Training diverged at epoch {epoch + 1}: the loss became "
                        f"{logs['loss']}. The model keeps {kept}. Try a lower learning rate "
                        f"(it is {self.optimizer.learning_rate:g}) or scale the inputs.",
                        epoch=epoch,
                        loss=logs["loss"],
                    )
                for metric in metrics:
                    logs[metric.name] = metric(ys[:rows], outputs[:rows])
                if x_val is not None:
                    for key, value in self._evaluate_checked(x_val, y_val, metrics).items():
                        logs["val_" + key] = value
                snapshot[...] = self._flat  # slice assignment: cheaper than np.copyto
                for target, saved in zip(optimizer_state, optimizer_snapshot):
                    saved[...] = target
                iterations_snapshot = self.optimizer.iterations
                for hook in on_epoch_end:
                    hook(epoch, logs)
                if self.stop_training:
                    break
        for cb in callback_list:
            cb.on_train_end(logs)
        return history

    # ---- summary and config -------------------------------------------------------------
    def summary(self, print_fn=None) -> None:
        """Print a Keras-style table of layers, output shapes and parameter counts. Before
        the model is built, print how to build it instead."""
        print_fn = print_fn or print
        if not self.built:
            lines = [self._how_to_build(f'Model "{self.name}" has no weights yet')]
            for layer in self._layers:
                lines.append(
                    f"  {layer.name} (Dense): {layer.units} unit{'s' * (layer.units != 1)}, "
                    f"{layer.activation.name}"
                )
            print_fn("\n".join(lines))
            return
        rows = []
        for layer in self._layers:
            rows.append((f"{layer.name} (Dense)", f"(None, {layer.units})",
                         f"{layer.count_params():,}"))
        widths = (34, 25, 15)
        top = "┏" + "┳".join("━" * w for w in widths) + "┓"
        head = "┃" + "┃".join(
            f" {t:<{w - 2}} " if i < 2 else f" {t:>{w - 2}} "
            for i, (t, w) in enumerate(zip(("Layer (type)", "Output Shape", "Param #"), widths))
        ) + "┃"
        sep = "┡" + "╇".join("━" * w for w in widths) + "┩"
        body = [
            "│" + "│".join(
                f" {t:<{w - 2}} " if i < 2 else f" {t:>{w - 2}} "
                for i, (t, w) in enumerate(zip(row, widths))
            ) + "│"
            for row in rows
        ]
        bottom = "└" + "┴".join("─" * w for w in widths) + "┘"
        total = self.count_params()
        size = total * self._flat.dtype.itemsize
        lines = [f'Model: "{self.name}"', top, head, sep, *body, bottom,
                 f" Total params: {total:,} ({_bytes(size)})",
                 f" Trainable params: {total:,} ({_bytes(size)})",
                 " Non-trainable params: 0 (0.00 B)"]
        print_fn("\n".join(lines))

    def get_config(self) -> dict[str, Any]:
        """JSON-safe description of the architecture (Keras 3 layout, without weights)."""
        layers = []
        if self._input_dim is not None:
            layers.append({
                "class_name": "InputLayer",
                "config": {"batch_shape": [None, self._input_dim],
                           "name": self._input_layer_name or "input_layer"},
            })
        for layer in self._layers:
            layers.append({"class_name": "Dense", "config": layer.get_config()})
        dtype = str(self._flat.dtype) if self.built else config.floatx()
        return {"name": self.name, "trainable": True, "dtype": dtype, "layers": layers}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Sequential:
        """A new, freshly initialised model with the architecture `config` describes."""
        if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
            raise EngineValueError(
                "A Sequential config must be a dict with a 'layers' list. Received: "
                f"{type(config).__name__}."
            )
        model = cls(name=config.get("name"))
        for entry in config["layers"]:
            class_name = entry.get("class_name") if isinstance(entry, dict) else None
            layer_config = dict(entry.get("config") or {}) if isinstance(entry, dict) else {}
            if class_name == "InputLayer":
                model.add(InputLayer.from_config(layer_config))
            elif class_name == "Dense":
                model.add(Dense.from_config(layer_config))
            else:
                raise UnknownNameError(
                    f"Unknown layer class in config. Received: class_name={class_name!r}. "
                    "Valid names are: InputLayer, Dense."
                )
        return model

    def __repr__(self) -> str:
        return f"<Sequential name={self.name!r}, layers={len(self._layers)}, built={self.built}>"


class _StepPlan:
    """Every buffer one training step needs for a given batch size m, allocated once, and the
    step itself: forward, fused or chained output gradient, backward, optimizer update.

    Two layout choices remove work from every step:
    - Biases ride along in the matrix products. A layer's kernel (n_in, units) and bias
      (units,) sit back to back in the flat weight array, so together they are one
      (n_in + 1, units) matrix W_aug = [kernel; bias]; its input carries an extra column of
      ones, so z = [a, 1] @ W_aug and dL/dW_aug = [a, 1].T @ delta give the bias and its
      gradient with no separate add or reduction.
    - Narrow hidden activations are stored transposed (units + 1, m), C-contiguous, so [a, 1]
      is a column-major view whose ones row is written once, and the activation functions
      still see a contiguous (m, units) array. Wide layers (>= _WIDE units) keep row-major
      (m, units + 1) buffers: their rows are long enough that the strided view costs nothing,
      and BLAS is ~8% faster on row-major operands. The input batch (m, n_in + 1) and the
      output (m, units) are ordinary rows of the epoch's buffers.
    """

    def __init__(self, model: Sequential, size: int, y_all: np.ndarray):
        dtype = model._flat.dtype
        layers = model._layers
        self.model = model
        self.loss = model.loss
        last = len(layers) - 1
        self.items = []
        for index, layer in enumerate(layers):
            act = layer.activation
            grads = model._grad_views[index]
            # [kernel; bias] (n_in + 1, units) and its gradient, as views of the flat arrays
            rows = layer.kernel.shape[0] + (layer.bias is not None)
            span = model._layer_spans[index]
            w_aug = model._flat[span].reshape(rows, layer.units)
            g_aug = model._grad_flat[span].reshape(rows, layer.units)
            bias_apart = index == 0 and layer.bias is not None and not model._input_ones_column()
            if bias_apart:  # wide input without a ones column: the bias is added separately
                w_aug, g_aug = layer.kernel, grads[0]
            if index < last:
                has_ones = layers[index + 1].bias is not None
                if layer.units < _WIDE:  # transposed: a = stored[:units].T is contiguous
                    stored = np.empty((layer.units + has_ones, size), dtype=dtype)
                    if has_ones:
                        stored[-1] = 1.0
                    a_aug = stored.T  # (m, units [+ 1]), column-major
                    a = stored[: layer.units].T

                    def new():
                        return np.empty((layer.units, size), dtype=dtype).T  # noqa: B023
                else:  # wide rows: a row-major ones column costs nothing, BLAS likes C order
                    a_aug = np.empty((size, layer.units + has_ones), dtype=dtype)
                    if has_ones:
                        a_aug[:, -1] = 1.0
                    a = a_aug[:, : layer.units]

                    def new():
                        return np.empty((size, layer.units), dtype=dtype)  # noqa: B023
                z = a if act.uses_output_only else new()
                delta = new()
            else:
                a_aug = a = None  # the output goes straight into the epoch's output buffer
                z = np.empty((size, layer.units), dtype=dtype)
                delta = np.empty((size, layer.units), dtype=dtype)
            self.items.append({
                "bias_apart": layer.bias if bias_apart else None,
                "grad_bias_apart": grads[1] if bias_apart else None,
                "act": act, "in_place": act.uses_output_only,
                "kernel_t": layer.kernel.T, "w_aug": w_aug, "grad_aug": g_aug,
                "a_aug": a_aug, "a": a, "z": z, "delta": delta, "work": np.empty_like(delta),
                "kernel": layer.kernel, "bias": layer.bias,
                "grad_kernel": grads[0], "grad_bias": grads[1] if len(grads) > 1 else None,
                "kernel_reg": layer.kernel_regularizer, "bias_reg": layer.bias_regularizer,
            })
        out_act = layers[-1].activation
        fused = self.loss.fuses_with(out_act)
        if fused and isinstance(self.loss, losses.CategoricalCrossentropy):
            fused = losses.CategoricalCrossentropy.rows_sum_to_one(y_all)
        self.fused = fused
        # a 0-d array of the model's dtype: no Python-float conversion in every step
        self.scale = np.array(self.loss.scale(size, layers[-1].units), dtype=dtype)
        self.ones = np.ones(size, dtype=dtype)  # sum over the batch as a BLAS product
        self.step = self._build_step()

    def bind_optimizer(self, optimizer: optimizers.Optimizer):
        self.apply_update = optimizer.bind(self.model._grad_flat, self.model._flat)
        return self.apply_update

    def _build_step(self):
        # Locals, not attribute lookups, inside the step: this runs once per batch.
        matmul, subtract, multiply = np.matmul, np.subtract, np.multiply
        items = self.items
        hidden = [(it["w_aug"], it["bias_apart"], it["act"].forward, it["z"], it["a"],
                   it["a_aug"]) for it in items[:-1]]
        out = items[-1]
        out_w, out_act, out_z, out_in_place = out["w_aug"], out["act"], out["z"], out["in_place"]
        out_bias = out["bias_apart"]
        first_grad_bias, ones = items[0]["grad_bias_apart"], self.ones
        out_delta, out_work = out["delta"], out["work"]
        fused, scale, loss = self.fused, self.scale, self.loss
        add = np.add
        backward = []  # from the output layer down to the first
        for index in range(len(items) - 1, -1, -1):
            it = items[index]
            if index == 0:
                backward.append((it["delta"], it["grad_aug"], None, None, None, None, None,
                                 None, None))
                continue
            prev = items[index - 1]
            backward.append((it["delta"], it["grad_aug"], prev["a_aug"].T, it["kernel_t"],
                             prev["delta"], prev["act"].backward, prev["z"], prev["a"],
                             prev["work"]))
        regs = [(it["kernel_reg"], it["kernel"], it["grad_kernel"]) for it in items
                if it["kernel_reg"] is not None]
        regs += [(it["bias_reg"], it["bias"], it["grad_bias"]) for it in items
                 if it["bias_reg"] is not None and it["bias"] is not None]
        plan = self

        def step(xb, yb, pb):
            """xb (m, n_in [+ 1 ones column]), yb (m, k) targets, pb (m, k) receives p."""
            a = xb
            for w_aug, bias_apart, forward, z, a_out, a_aug in hidden:
                matmul(a, w_aug, out=z)
                if bias_apart is not None:
                    add(z, bias_apart, out=z)
                forward(z, a_out)
                a = a_aug
            z = pb if out_in_place else out_z  # predictions land in the epoch buffer's rows
            matmul(a, out_w, out=z)
            if out_bias is not None:
                add(z, out_bias, out=z)
            out_act.forward(z, pb)
            if fused:  # dL/dz = (p - y) / n
                subtract(pb, yb, out=out_delta)
                multiply(out_delta, scale, out=out_delta)
            else:
                loss.gradient_into(yb, pb, out_delta)
                out_act.backward(out_z, pb, out_delta, out_delta, out_work)
            for (delta, grad_aug, a_in_t, kernel_t, prev_delta, prev_backward, prev_z, prev_a,
                 prev_work) in backward:
                if a_in_t is None:  # first layer: its input is the batch itself
                    matmul(xb.T, delta, out=grad_aug)
                    if first_grad_bias is not None:
                        matmul(ones, delta, out=first_grad_bias)
                    break
                matmul(a_in_t, delta, out=grad_aug)  # [kernel; bias] gradient at once
                matmul(delta, kernel_t, out=prev_delta)  # dL/da of the previous layer
                prev_backward(prev_z, prev_a, prev_delta, prev_delta, prev_work)
            for reg, weight, grad in regs:
                reg.add_gradient(weight, grad)
            plan.apply_update()

        return step


class _ProgressPrinter(callbacks_module.Callback):
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
        per_step_text = (f"{per_step * 1e3:.0f}ms/step" if per_step >= 1e-3
                         else f"{per_step * 1e6:.0f}us/step")
        values = " - ".join(f"{k}: {v:.4f}" for k, v in (logs or {}).items())
        if self.verbose == 1:
            print(f"{steps}/{steps} {'━' * 20} {elapsed:.0f}s {per_step_text} - {values}")
        else:
            print(f"Epoch {epoch + 1}/{self.params['epochs']} - {elapsed:.0f}s - "
                  f"{per_step_text} - {values}")


def _bytes(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.2f} {unit}"
        n /= 1024
    return f"{n:.2f} GB"


def _check_batch_size(batch_size) -> int:
    if batch_size is None:
        return 32
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise EngineValueError(
            f"batch_size must be a positive integer or None (32). Received: "
            f"batch_size={batch_size!r}"
        )
    return int(batch_size)


def _check_count(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise EngineValueError(
            f"{name} must be a non-negative integer. Received: {name}={value!r}"
        )
    return int(value)


def _verbosity(verbose) -> int:
    if verbose == "auto":
        return 1
    if verbose in (0, 1, 2) and not isinstance(verbose, float):
        return int(verbose)
    raise EngineValueError(f'verbose must be "auto", 0, 1 or 2. Received: verbose={verbose!r}')


def _check_callbacks(callbacks) -> list[callbacks_module.Callback]:
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
