"""The compiled training step: every buffer one step needs for a batch size m, allocated
once, and the step itself -- forward, fused or chained output gradient, backward,
regularization, optimizer update -- writing into those buffers with out=.

This is the fast path. engine/layers.py holds the same mathematics written plainly
(`Dense.forward` / `Dense.backward`), and the tests prove the two agree.

Two layout choices remove work from every step:
- Biases ride along in the matrix products. A layer's kernel (n_in, units) and bias (units,)
  sit back to back in the flat weight array, so together they are one (n_in + 1, units)
  matrix W_aug = [kernel; bias]; its input carries an extra column of ones, so
  z = [a, 1] @ W_aug and dL/dW_aug = [a, 1].T @ delta give the bias and its gradient with no
  separate add or reduction.
- Narrow hidden activations are stored transposed (units + 1, m), C-contiguous, so [a, 1] is a
  column-major view whose ones row is written once, and the activation functions still see a
  contiguous (m, units) array. Wide layers (>= WIDE units) keep row-major (m, units + 1)
  buffers: their rows are long enough that the strided view costs nothing, and BLAS is ~8%
  faster on row-major operands. The input batch (m, n_in + 1) and the output (m, units) are
  ordinary rows of the epoch's buffers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from . import losses
from .activations import Activation

WIDE = 64  # layers (and inputs) at least this wide keep row-major buffers; see the docstring


def input_ones_column(layers: list) -> bool:
    """Whether training inputs carry a ones column for the first layer's bias. Not for wide
    inputs: copying x once per fit costs more than adding the bias separately in every step."""
    first = layers[0]
    return first.bias is not None and first.kernel.shape[0] < WIDE


def with_ones_column(x: np.ndarray, layers: list) -> np.ndarray:
    """x (n, n_in) with a column of ones appended, (n, n_in + 1), when input_ones_column()
    says so; otherwise x itself, C-contiguous."""
    if not input_ones_column(layers):
        return np.ascontiguousarray(x)
    augmented = np.empty((x.shape[0], x.shape[1] + 1), dtype=x.dtype)
    augmented[:, :-1] = x
    augmented[:, -1] = 1.0
    return augmented


@dataclass(frozen=True, slots=True)
class LayerBuffers:
    """One Dense layer's weights (views of the model's flat arrays) and its step buffers, for
    a batch of m rows. `units` is the layer's width, `n_in` its input width."""

    activation: Activation
    w_aug: np.ndarray  # (n_in [+ 1], units): [kernel; bias], or the kernel if bias_apart
    grad_aug: np.ndarray  # like w_aug: dL/dW_aug
    kernel_t: np.ndarray  # (units, n_in): kernel.T, to pass delta down to the layer below
    bias_apart: np.ndarray | None  # (units,): a first layer's bias when x has no ones column
    grad_bias_apart: np.ndarray | None  # (units,): its gradient
    a_aug: np.ndarray | None  # (m, units [+ 1]): [a, 1] for the next layer; None at the output
    a: np.ndarray | None  # (m, units): g(z), a view of a_aug; None at the output
    z: np.ndarray  # (m, units): pre-activation; is `a` when g is computed in place
    delta: np.ndarray  # (m, units): dL/dz (and, before it, dL/da)
    work: np.ndarray  # (m, units): scratch for the activation's backward pass


@dataclass(frozen=True, slots=True)
class Penalty:
    """A weight regularizer and the arrays it reads and adds its gradient to."""

    regularizer: Any
    weight: np.ndarray
    grad: np.ndarray


# The step loops unpack these records in their `for` headers, which binds every field to a
# local at C speed: named like a dataclass, as cheap as the tuples they replace.
class _ForwardLink(NamedTuple):
    w_aug: np.ndarray
    bias_apart: np.ndarray | None
    forward: Callable
    z: np.ndarray
    a: np.ndarray
    a_aug: np.ndarray


class _BackwardLink(NamedTuple):
    """Layer l's gradient from its delta, and the delta of layer l - 1."""

    delta: np.ndarray
    grad_aug: np.ndarray
    a_in_t: np.ndarray  # [a_{l-1}, 1].T
    kernel_t: np.ndarray
    prev_delta: np.ndarray
    prev_backward: Callable
    prev_z: np.ndarray
    prev_a: np.ndarray
    prev_work: np.ndarray


class StepPlan:
    """The step for batches of `size` rows of `model`: `plan.step(xb, yb, pb)`.

    xb (m, n_in [+ 1 ones column]) is the batch, yb (m, k) its prepared targets, and pb (m, k)
    receives the predictions. `y_all` is every training target: softmax + categorical
    cross-entropy use the fused gradient only when every target row sums to one.
    """

    def __init__(self, model, size: int, y_all: np.ndarray):
        dtype = model._flat.dtype
        layers = model._layers
        self.model = model
        self.loss = model.loss
        self.layers = [self._layer_buffers(model, index, size, dtype)
                       for index in range(len(layers))]
        self.penalties = [
            Penalty(reg, weight, grad)
            for layer, grads in zip(layers, model._grad_views)
            for reg, weight, grad in ((layer.kernel_regularizer, layer.kernel, grads[0]),
                                      (layer.bias_regularizer, layer.bias, grads[-1]))
            if reg is not None and weight is not None
        ]
        out_act = layers[-1].activation
        fused = self.loss.fuses_with(out_act)
        if fused and isinstance(self.loss, losses.CategoricalCrossentropy):
            fused = losses.CategoricalCrossentropy.rows_sum_to_one(y_all)
        self.fused = fused
        # a 0-d array of the model's dtype: no Python-float conversion in every step
        self.scale = np.array(self.loss.scale(size, layers[-1].units), dtype=dtype)
        self.ones = np.ones(size, dtype=dtype)  # sum over the batch as a BLAS product
        self.step = self._build_step()

    @staticmethod
    def _layer_buffers(model, index: int, size: int, dtype) -> LayerBuffers:
        layers = model._layers
        layer = layers[index]
        act = layer.activation
        grads = model._grad_views[index]
        rows = layer.kernel.shape[0] + (layer.bias is not None)
        span = model._layer_spans[index]
        w_aug = model._flat[span].reshape(rows, layer.units)
        g_aug = model._grad_flat[span].reshape(rows, layer.units)
        bias_apart = index == 0 and layer.bias is not None and not input_ones_column(layers)
        if bias_apart:  # wide input without a ones column: the bias is added separately
            w_aug, g_aug = layer.kernel, grads[0]
        if index < len(layers) - 1:
            has_ones = layers[index + 1].bias is not None
            if layer.units < WIDE:  # transposed: a = stored[:units].T is contiguous
                stored = np.empty((layer.units + has_ones, size), dtype=dtype)
                if has_ones:
                    stored[-1] = 1.0
                a_aug = stored.T  # (m, units [+ 1]), column-major
                a = stored[: layer.units].T

                def new():
                    return np.empty((layer.units, size), dtype=dtype).T
            else:  # wide rows: a row-major ones column costs nothing, BLAS likes C order
                a_aug = np.empty((size, layer.units + has_ones), dtype=dtype)
                if has_ones:
                    a_aug[:, -1] = 1.0
                a = a_aug[:, : layer.units]

                def new():
                    return np.empty((size, layer.units), dtype=dtype)
            z = a if act.uses_output_only else new()
            delta = new()
        else:
            a_aug = a = None  # the output goes straight into the epoch's output buffer
            z = np.empty((size, layer.units), dtype=dtype)
            delta = np.empty((size, layer.units), dtype=dtype)
        return LayerBuffers(
            activation=act, w_aug=w_aug, grad_aug=g_aug, kernel_t=layer.kernel.T,
            bias_apart=layer.bias if bias_apart else None,
            grad_bias_apart=grads[1] if bias_apart else None,
            a_aug=a_aug, a=a, z=z, delta=delta, work=np.empty_like(delta),
        )

    def bind_optimizer(self, optimizer):
        """Give the step its update: one step of `optimizer` on the model's flat arrays."""
        self.apply_update = optimizer.bind(self.model._grad_flat, self.model._flat)
        return self.apply_update

    def _build_step(self):
        # Locals, not attribute lookups, inside the step: this runs once per batch.
        matmul, subtract, multiply, add = np.matmul, np.subtract, np.multiply, np.add
        buffers = self.layers
        hidden = [_ForwardLink(b.w_aug, b.bias_apart, b.activation.forward, b.z, b.a, b.a_aug)
                  for b in buffers[:-1]]
        out = buffers[-1]
        out_w, out_act, out_z = out.w_aug, out.activation, out.z
        out_in_place = out.activation.uses_output_only
        out_bias = out.bias_apart
        first_grad_bias, ones = buffers[0].grad_bias_apart, self.ones
        first_delta, first_grad = buffers[0].delta, buffers[0].grad_aug
        out_delta, out_work = out.delta, out.work
        fused, scale, loss = self.fused, self.scale, self.loss
        backward = [  # from the output layer down to the second; the first is special
            _BackwardLink(b.delta, b.grad_aug, below.a_aug.T, b.kernel_t, below.delta,
                          below.activation.backward, below.z, below.a, below.work)
            for below, b in reversed(list(zip(buffers, buffers[1:])))
        ]
        penalties = [(p.regularizer.add_gradient, p.weight, p.grad) for p in self.penalties]
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
                matmul(a_in_t, delta, out=grad_aug)  # [kernel; bias] gradient at once
                matmul(delta, kernel_t, out=prev_delta)  # dL/da of the layer below
                prev_backward(prev_z, prev_a, prev_delta, prev_delta, prev_work)
            matmul(xb.T, first_delta, out=first_grad)  # the first layer's input is the batch
            if first_grad_bias is not None:
                matmul(ones, first_delta, out=first_grad_bias)
            for add_gradient, weight, grad in penalties:
                add_gradient(weight, grad)
            plan.apply_update()

        return step
