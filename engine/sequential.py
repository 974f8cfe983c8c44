"""Sequential: a stack of Dense layers with Keras 3's names -- structure, build, weights,
compile, predict / evaluate, get_config / from_config. Training runs in engine/fit_loop.py
(`fit` here checks the arguments and hands over), each step in engine/step_plan.py, and the
summary table comes from engine/summary.py. engine/model.py re-exports Sequential for code
that imports it from there.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import callbacks as callbacks_module
from . import config, fit_loop, losses, optimizers
from . import metrics as metrics_module
from . import summary as summary_module
from .errors import (
    EngineTypeError,
    EngineValueError,
    NotBuiltError,
    UnknownNameError,
)
from .fit_loop import QUIET as _QUIET
from .fit_loop import check_batch_size, check_callbacks, check_count, verbosity
from .layers import Dense, InputLayer, input_dim_from_shape, unique_name
from .step_plan import StepPlan, with_ones_column

_PREDICT_CHUNK = 4096  # rows per forward pass in predict/evaluate; results do not depend on it


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
        self._pack(dtype)
        self._input_dim = n_in
        self.built = True

    def _pack(self, dtype) -> None:
        """Move every layer's weights into one flat array (and a flat gradient beside it);
        kernels and biases become views into it."""
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

    def __setstate__(self, state) -> None:
        # A pickled (or deep-copied) model's layers arrive as arrays of their own, no longer
        # views into its flat array: pack them again, or training would change a copy that
        # nobody reads (the window sends its model to the training process this way).
        self.__dict__.update(state)
        if self.built:
            self._pack(self._flat.dtype)

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
            "metrics": [
                m if isinstance(m, str) else metrics_module.serialize(m) for m in self._metric_ids
            ],
        }

    def compile_from_config(self, config: dict[str, Any]) -> None:
        metrics = [
            m if isinstance(m, str) else metrics_module.deserialize(m)
            for m in config.get("metrics") or []
        ]
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
        check_batch_size(batch_size)
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
        check_batch_size(batch_size)
        x = self._check_x(x)
        y = self._check_y(y, len(x))
        self._ensure_built_for(x)
        logs = self._evaluate_checked(x, y, self._resolved_metrics())
        if verbosity(verbose):
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
        plan = StepPlan(self, len(x), y)
        plan.apply_update = lambda: None
        outputs = np.empty((len(x), self._layers[-1].units), dtype=self._flat.dtype)
        with np.errstate(**_QUIET):
            penalty = self._penalty()
            plan.step(with_ones_column(x, self._layers), y, outputs)
            value = self.loss.value(y, outputs) + penalty
        return value, [g.copy() for grads in self._grad_views for g in grads]

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

        Every argument is checked before anything changes. If an epoch ends unhealthy (a
        non-finite loss or validation loss, weights non-finite or out of bounds), raises
        TrainingDiverged; the model then holds the last healthy epoch's weights."""
        self._require_loss("fit()")
        batch_size = check_batch_size(batch_size)
        epochs = check_count(epochs, "epochs")
        initial_epoch = check_count(initial_epoch, "initial_epoch")
        verbose = verbosity(verbose)
        callback_list = check_callbacks(callbacks)
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
        return fit_loop.fit_checked(
            self,
            x,
            y,
            x_val,
            y_val,
            batch_size,
            epochs,
            initial_epoch,
            verbose,
            callback_list,
            bool(shuffle),
        )

    # ---- summary and config -------------------------------------------------------------
    def summary(self, print_fn=None) -> None:
        """Print a Keras-style table of layers, output shapes and parameter counts. Before
        the model is built, print how to build it instead."""
        summary_module.summary(self, print_fn)

    def get_config(self) -> dict[str, Any]:
        """JSON-safe description of the architecture (Keras 3 layout, without weights)."""
        layers = []
        if self._input_dim is not None:
            layers.append(
                {
                    "class_name": "InputLayer",
                    "config": {
                        "batch_shape": [None, self._input_dim],
                        "name": self._input_layer_name or "input_layer",
                    },
                }
            )
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
