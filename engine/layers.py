"""Layers: Dense (a_out = g(a_in @ kernel + bias)) and the Input marker, and backprop
written plainly: `Dense.forward`, `Dense.backward` and `backprop` over a list of layers.

Shapes: a_in (n_samples, n_in), kernel (n_in, units), bias (units,), a_out (n_samples, units).
Once a Sequential model is built, every layer's kernel and bias are views into one flat array
the model owns (so the optimizer updates all weights in one vectorised step); they are
updated in place and stay valid across training steps.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import Any

import numpy as np

from . import activations, config, initializers, regularizers
from .errors import EngineTypeError, EngineValueError, NotBuiltError

_name_counters: dict[str, itertools.count] = defaultdict(itertools.count)


def unique_name(base: str) -> str:
    """ "dense", "dense_1", "dense_2", ... as Keras names layers and models."""
    index = next(_name_counters[base])
    return base if index == 0 else f"{base}_{index}"


def input_dim_from_shape(input_shape, what: str = "input_shape") -> int:
    """(None, n), (n,), [None, n] or n -> n, with a clear error otherwise."""
    shape = input_shape
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    if isinstance(shape, (tuple, list)) and len(shape) == 2 and shape[0] is None:
        shape = shape[1:]
    if (
        not isinstance(shape, (tuple, list))
        or len(shape) != 1
        or isinstance(shape[0], bool)
        or not isinstance(shape[0], (int, np.integer))
        or shape[0] < 1
    ):
        raise EngineValueError(
            f"Dense layers take flat feature vectors: {what} must be (n_features,) or "
            f"(None, n_features) with n_features >= 1. Received: {what}={input_shape!r}"
        )
    return int(shape[0])


class InputLayer:
    """Marks the input size of a Sequential model: Sequential([Input(shape=(2,)), ...])."""

    def __init__(self, shape=None, name: str | None = None, batch_shape=None):
        if shape is None and batch_shape is not None:
            shape = tuple(batch_shape)[1:]
        self.input_dim = input_dim_from_shape(shape, "shape")
        self.name = name or unique_name("input_layer")

    @property
    def shape(self) -> tuple[None, int]:
        return (None, self.input_dim)

    batch_shape = shape

    def get_config(self) -> dict[str, Any]:
        return {"batch_shape": [None, self.input_dim], "name": self.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> InputLayer:
        # Keras 3 also writes dtype, sparse, ragged: meaningless here, so ignored
        return cls(
            shape=config.get("shape"),
            name=config.get("name"),
            batch_shape=config.get("batch_shape"),
        )

    def __repr__(self) -> str:
        return f"Input(shape=({self.input_dim},), name={self.name!r})"


def Input(shape=None, name: str | None = None, batch_shape=None) -> InputLayer:  # noqa: N802
    """Keras' Input(shape=(n_features,)): the first item of a Sequential layer list."""
    return InputLayer(shape=shape, name=name, batch_shape=batch_shape)


class Dense:
    """Fully connected layer: output = activation(input @ kernel + bias).

    Arguments and defaults are Keras 3's. `activation=None` is linear. `input_shape=(n,)` or
    `input_dim=n` (old Keras style) gives the model its input size when this is the first
    layer.
    """

    def __init__(
        self,
        units,
        activation=None,
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        name: str | None = None,
        input_shape=None,
        input_dim=None,
        **kwargs,
    ):
        ignored = {
            "trainable",
            "dtype",
            "activity_regularizer",
            "kernel_constraint",
            "bias_constraint",
            "lora_rank",
        }
        unknown = set(kwargs) - ignored
        if unknown:
            raise EngineTypeError(
                "Unrecognized keyword arguments passed to Dense. Received: "
                + ", ".join(f"{k}={kwargs[k]!r}" for k in sorted(unknown))
            )
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units < 1:
            raise EngineValueError(
                f"Dense units must be a positive integer. Received: units={units!r}"
            )
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        if name is not None and (not isinstance(name, str) or not name):
            raise EngineValueError(f"A layer name must be a non-empty string. Received: {name!r}")
        self.name = name or unique_name("dense")
        self.kernel: np.ndarray | None = None
        self.bias: np.ndarray | None = None
        self.built = False
        self._declared_input_dim = None
        if input_dim is not None:
            self._declared_input_dim = input_dim_from_shape(input_dim, "input_dim")
        elif input_shape is not None:
            self._declared_input_dim = input_dim_from_shape(input_shape)

    # ---- building -----------------------------------------------------------------------
    def build(self, input_shape) -> None:
        """Create kernel (n_in, units) and bias (units,) with the initializers."""
        n_in = input_dim_from_shape(input_shape)
        dtype = config.dtype()
        self.kernel = self.kernel_initializer((n_in, self.units), dtype)
        self.bias = self.bias_initializer((self.units,), dtype) if self.use_bias else None
        self.built = True

    @property
    def input_dim(self) -> int | None:
        return None if self.kernel is None else self.kernel.shape[0]

    @property
    def weights(self) -> list[np.ndarray]:
        """The live weight arrays: [kernel, bias] ([kernel] without bias)."""
        if not self.built:
            return []
        return [self.kernel] if self.bias is None else [self.kernel, self.bias]

    def weight_shapes(self, n_in: int) -> list[tuple[int, ...]]:
        shapes = [(n_in, self.units)]
        if self.use_bias:
            shapes.append((self.units,))
        return shapes

    def count_params(self) -> int:
        if not self.built:
            raise NotBuiltError(
                f"Layer {self.name!r} is not built yet, so it has no parameters to count. "
                "Build the model with model.build(input_shape=(None, n_features)) or call it "
                "on data first."
            )
        return sum(w.size for w in self.weights)

    def get_weights(self) -> list[np.ndarray]:
        return [w.copy() for w in self.weights]

    def penalty(self) -> float:
        """The regularization added to the loss by this layer's weights."""
        total = 0.0
        if self.kernel_regularizer is not None and self.kernel is not None:
            total += self.kernel_regularizer(self.kernel)
        if self.bias_regularizer is not None and self.bias is not None:
            total += self.bias_regularizer(self.bias)
        return total

    # ---- computing ----------------------------------------------------------------------
    def preactivation(self, inputs: np.ndarray) -> np.ndarray:
        """z = inputs @ kernel + bias, shape (n_samples, units)."""
        z = np.asarray(inputs, dtype=self.kernel.dtype) @ self.kernel
        if self.bias is not None:
            z += self.bias
        return z

    def __call__(self, inputs) -> np.ndarray:
        """activation(inputs @ kernel + bias) for inputs (n_samples, n_in); builds on first
        use from the inputs' width."""
        inputs = np.asarray(inputs)
        if not self.built:
            self.build((None, inputs.shape[-1]))
        return self.activation(self.preactivation(inputs))

    # ---- backprop, written to be read -----------------------------------------------------
    # The training loop runs the same mathematics in engine/step_plan.py, fused and in
    # preallocated buffers; tests/engine/test_gradients.py proves the two agree.
    def forward(self, a_prev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One layer forward: z = a_prev @ W + b, a = g(z).

        a_prev (n, n_in): the previous layer's output (or the input x);
        W = self.kernel (n_in, units), b = self.bias (units,);
        returns z (n, units), the pre-activation backward needs, and a (n, units)."""
        z = a_prev @ self.kernel
        if self.bias is not None:
            z = z + self.bias  # b is broadcast over the n rows
        a = self.activation(z)
        return z, a

    def backward(
        self, a_prev: np.ndarray, z: np.ndarray, dL_da: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """One layer backward: from dL/da, the gradient of the loss with respect to this
        layer's output, compute the gradients of its weights and of its input.

        a_prev (n, n_in) and z (n, units) as forward used and returned them;
        dL_da (n, units), with the loss's 1/n reduction already in it;
        returns dL_da_prev (n, n_in), dW (n_in, units) and db (units,) (None without bias).

            dL/dz      = dL/da * g'(z)     the chain rule through the activation
            dW         = a_prev.T @ dL/dz  each weight W[i, j] multiplied a_prev[:, i] into z[:, j]
            db         = sum of dL/dz over the n samples (b was added to every row)
            dL/da_prev = dL/dz @ W.T       what the previous layer needs for its own backward

        Regularization is not included: a regularizer adds its own gradient to dW and db."""
        g = self.activation
        if isinstance(g, activations.Softmax):  # noqa: SIM108 - two cases a learner reads apart
            # every output depends on every z of its row, so g'(z) is a Jacobian, not a number
            # per element: multiply by it row by row (a vector-Jacobian product)
            dL_dz = g.vjp(z, dL_da)
        else:
            dL_dz = dL_da * g.derivative(z)
        dW = a_prev.T @ dL_dz
        db = dL_dz.sum(axis=0) if self.bias is not None else None
        dL_da_prev = dL_dz @ self.kernel.T
        return dL_da_prev, dW, db

    # ---- config -------------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Dense:
        config = dict(config)
        for key in (
            "trainable",
            "dtype",
            "activity_regularizer",
            "kernel_constraint",
            "bias_constraint",
            "lora_rank",
        ):
            config.pop(key, None)
        return cls(**config)

    def __repr__(self) -> str:
        return f"Dense(units={self.units}, activation={self.activation.name!r}, name={self.name!r})"


def backprop(layers: list[Dense], loss, x: np.ndarray, y) -> tuple[float, list[np.ndarray]]:
    """The loss and its gradient with respect to every weight, by plain backpropagation:
    a forward pass that keeps each layer's input and z, then Dense.backward from the last
    layer to the first.

    layers: built Dense layers; loss: a Loss (value `loss(y, p)`, gradient
    `loss.gradient(y, p)`, both already reduced over the batch); x (n, n_in); y the targets.
    Returns (loss value, [dW1 (n_in, units_1), db1 (units_1,), dW2, db2, ...]) in the order
    of Sequential.get_weights(), without regularization."""
    inputs, zs = [], []
    a = x
    for layer in layers:
        inputs.append(a)
        z, a = layer.forward(a)
        zs.append(z)
    dL_da = loss.gradient(y, a)  # a is now the output p
    grads: list[np.ndarray] = []
    for layer, a_prev, z in zip(reversed(layers), reversed(inputs), reversed(zs)):
        dL_da, dW, db = layer.backward(a_prev, z, dL_da)
        grads[:0] = [dW] if db is None else [dW, db]
    return loss(y, a), grads
