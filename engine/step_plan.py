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
from typing import Any

import numpy as np

from .activations import Activation

WIDE = 64  # layers (and inputs) at least this wide keep row-major buffers; see the docstring

# np.dot without its __array_function__ dispatch: NumPy 2 wraps np.dot in a dispatcher that
# calls a Python function to collect the operands before every product, ~0.4 us of the
# ~1.1 us a course-net product costs (8 products a step). The step's operands are plain
# ndarrays it allocated itself, so there is nothing to dispatch to; the wrapper's
# `_implementation` (NEP 18) is the C function it forwards to. np.dot where it is absent.
_DOT = getattr(np.dot, "_implementation", np.dot)


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
    w_forward: np.ndarray  # what the forward product uses: w_aug, or -w_aug when `negated`
    negated: bool  # the forward product gives -z ([a, 1] @ -W_aug), where g starts from -z
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
    work: np.ndarray  # scratch like weight: no temporary per batch


class StepPlan:
    """The step for batches of `size` rows of `model`: `plan.step(xb, yb, pb)`.

    xb (m, n_in [+ 1 ones column]) is the batch, yb (m, k) its prepared targets, and pb (m, k)
    receives the predictions. `y_all` is every training target: the loss decides from them
    whether the fused gradient holds (`Loss.fuses_with`); a caller building plans for two
    batch sizes passes that answer as `fused` instead, which skips the check over every row.
    """

    def __init__(self, model, size: int, y_all: np.ndarray, fused: bool | None = None):
        dtype = model._flat.dtype
        layers = model._layers
        self.model = model
        self.loss = model.loss
        # Layers whose g starts from -z (sigmoid: 1 / (1 + e^-z)) get -z from their product
        # with -W_aug, one np.negative over their weights per step instead of one over z per
        # layer. The product is exactly -(a @ W): IEEE rounding is symmetric in sign.
        negate = [
            layer.activation.starts_from_negated_z and not _bias_apart(layers, index)
            for index, layer in enumerate(layers)
        ]
        spans = [span for span, n in zip(model._layer_spans, negate) if n]
        self.negated_span = slice(spans[0].start, spans[-1].stop) if spans else None
        self.negated_flat = (
            np.empty(spans[-1].stop - spans[0].start, dtype=dtype) if spans else None
        )
        negated_weights = [
            self.negated_flat[span.start - spans[0].start : span.stop - spans[0].start]
            if n
            else None
            for span, n in zip(model._layer_spans, negate)
        ]
        self.layers = [
            self._layer_buffers(model, index, size, dtype, negated_weights[index])
            for index in range(len(layers))
        ]
        self.penalties = [
            Penalty(reg, weight, grad, np.empty_like(weight))
            for layer, grads in zip(layers, model._grad_views)
            for reg, weight, grad in (
                (layer.kernel_regularizer, layer.kernel, grads[0]),
                (layer.bias_regularizer, layer.bias, grads[-1]),
            )
            if reg is not None and weight is not None
        ]
        if fused is None:
            fused = self.loss.fuses_with(layers[-1].activation, y_all)
        self.fused = fused
        # a 0-d array of the model's dtype: no Python-float conversion in every step
        self.scale = np.array(self.loss.scale(size, layers[-1].units), dtype=dtype)
        self.ones = np.ones(size, dtype=dtype)  # sum over the batch as a BLAS product
        self.step = self._build_step()

    @staticmethod
    def _layer_buffers(model, index: int, size: int, dtype, negated_weights) -> LayerBuffers:
        """The buffers of layer `index`; `negated_weights` (flat), when given, is where the
        step keeps -W_aug for this layer's forward product."""
        layers = model._layers
        layer = layers[index]
        act = layer.activation
        grads = model._grad_views[index]
        rows = layer.kernel.shape[0] + (layer.bias is not None)
        span = model._layer_spans[index]
        w_aug = model._flat[span].reshape(rows, layer.units)
        g_aug = model._grad_flat[span].reshape(rows, layer.units)
        bias_apart = _bias_apart(layers, index)
        if bias_apart:  # wide input without a ones column: the bias is added separately
            w_aug, g_aug = layer.kernel, grads[0]
        negated = negated_weights is not None
        w_forward = negated_weights.reshape(w_aug.shape) if negated else w_aug
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

            # A wide layer's product gets a C-contiguous buffer of its own even when g could
            # run in place: np.matmul into the strided (m, units) view of the row-major
            # (m, units + 1) buffer took 870 us for the two hidden products of
            # 784-256-128-10 where np.dot into contiguous rows needs ~640 (94 GFLOP/s).
            z = a if act.uses_output_only and layer.units < WIDE else new()
            delta = new()
        else:
            a_aug = a = None  # the output goes straight into the epoch's output buffer
            z = np.empty((size, layer.units), dtype=dtype)
            delta = np.empty((size, layer.units), dtype=dtype)
        return LayerBuffers(
            activation=act,
            w_aug=w_aug,
            w_forward=w_forward,
            negated=negated,
            grad_aug=g_aug,
            kernel_t=layer.kernel.T,
            bias_apart=layer.bias if bias_apart else None,
            grad_bias_apart=grads[1] if bias_apart else None,
            a_aug=a_aug,
            a=a,
            z=z,
            delta=delta,
            work=np.empty_like(delta),
        )

    def bind_optimizer(self, optimizer, update=None):
        """Give the step its update: one step of `optimizer` on the model's flat arrays, or
        `update`, one already bound (plans of one fit share it)."""
        if update is None:
            update = optimizer.bind(self.model._grad_flat, self.model._flat)
        self.apply_update = update
        return update

    def _build_step(self):
        """The step as one generated function of straight-line calls.

        Why generated code: on the course net (2-25-15-1, batch 32) a step is ~40 NumPy calls
        of ~0.4 us each, and the Python around them (loops over layers, unpacking, method
        calls into the activations, their constant lookups) cost about as much again. Here
        every call is one line `f(x, y, out)` whose operands are names bound once per plan;
        the activations contribute their calls (`forward_calls` / `backward_calls`) instead
        of being called. Outputs are passed positionally (~35 ns less per call than out=)."""
        program = _Program()
        call = program.call
        xb, yb, pb = _Expr("xb"), _Expr("yb"), _Expr("pb")
        pb.shape = self.layers[-1].delta.shape  # (m, units), for activations that ask
        subtract, multiply, add = np.subtract, np.multiply, np.add

        def matmul(a, b, out):  # the product as its fastest call
            program.extend([_product(a, b, out)])

        buffers = self.layers
        dtype = buffers[-1].z.dtype
        if self.negated_flat is not None:
            call(np.negative, self.model._flat[self.negated_span], self.negated_flat)

        def forward(b, a, z, out):
            matmul(a, b.w_forward, z)
            if b.bias_apart is not None:
                call(add, z, b.bias_apart, z)
            if b.negated:
                program.extend(b.activation.forward_calls_negated(z, out, dtype))
            else:
                program.extend(b.activation.forward_calls(z, out, dtype))

        a = xb
        for b in buffers[:-1]:
            forward(b, a, b.z, b.a)
            a = b.a_aug
        out = buffers[-1]
        # the predictions land in the epoch buffer
        forward(out, a, pb if out.activation.uses_output_only else out.z, pb)
        if self.fused:  # dL/dz = (p - y) / n
            call(subtract, pb, yb, out.delta)
            call(multiply, out.delta, self.scale, out.delta)
        else:
            call(self.loss.gradient_into, yb, pb, out.delta)
            program.extend(
                out.activation.backward_calls(out.z, pb, out.delta, out.delta, out.work, dtype)
            )
        for below, b in reversed(list(zip(buffers, buffers[1:]))):
            matmul(below.a_aug.T, b.delta, b.grad_aug)  # [kernel; bias] gradient at once
            matmul(b.delta, b.kernel_t, below.delta)  # dL/da of the layer below
            program.extend(
                below.activation.backward_calls(
                    below.z, below.a, below.delta, below.delta, below.work, dtype
                )
            )
        first = buffers[0]
        matmul(_Expr("xb.T"), first.delta, first.grad_aug)  # the input is the batch
        if first.grad_bias_apart is not None:
            matmul(self.ones, first.delta, first.grad_bias_apart)
        for p in self.penalties:
            call(p.regularizer.add_gradient, p.weight, p.grad, p.work)
        # looked up per step: bind_optimizer (and compute_gradients) set it after the build
        program.lines.append("plan.apply_update()")
        # the step's calls before the update, in order: (function, *operands[, keywords]),
        # operands being arrays or _Expr names of the step's arguments (benchmarks/step_budget.py
        # times them one by one); `calls` are just the functions
        self.operations = program.operations
        self.calls = [function for function, *_ in program.operations]
        return program.function("step", ("xb", "yb", "pb"), plan=self)


def _bias_apart(layers: list, index: int) -> bool:
    """Whether layer `index` adds its bias apart from its product: a first layer whose wide
    input has no ones column."""
    return index == 0 and layers[0].bias is not None and not input_ones_column(layers)


def _product(a, b, out) -> tuple:
    """The call writing a @ b into out. np.dot, not np.matmul: on the course net's small
    products it is 0.4-1.5 us faster a call (2.5-4.5 us -> 1.7-3.1 us measured per product,
    same BLAS kernel), which is 8 products a step. np.dot needs a C-contiguous out; a
    transposed (column-major) out is written as out.T = b.T @ a.T."""
    if _c_contiguous(out):
        return (_DOT, a, b, out)
    if _c_contiguous(_transposed(out)):
        return (_DOT, _transposed(b), _transposed(a), _transposed(out))
    return (np.matmul, a, b, out)


def _c_contiguous(a) -> bool:
    # the step's arguments are rows of C-contiguous epoch buffers (see fit_loop)
    return a.flags.c_contiguous if isinstance(a, np.ndarray) else not str(a).endswith(".T")


def _transposed(a):
    if isinstance(a, np.ndarray):
        return a.T
    text = str(a)
    return _Expr(text[:-2] if text.endswith(".T") else text + ".T")


class _Expr(str):
    """An operand written into the generated code as is: a step argument or an expression
    of one (`xb.T`). `shape`, when known, is the shape of the array it stands for."""

    shape: tuple[int, ...] | None = None


class _Program:
    """Straight-line Python code from a list of calls (callable, *operands[, keywords]).
    Each operand that is not an _Expr becomes a name bound to the object itself."""

    def __init__(self):
        self.lines: list[str] = []
        self.operations: list[tuple] = []  # what each line calls, with what, in order
        self.namespace: dict[str, Any] = {}
        self._names: dict[int, str] = {}

    def name(self, obj) -> str:
        if isinstance(obj, _Expr):
            return str(obj)
        key = id(obj)
        if key not in self._names:
            self._names[key] = f"v{len(self._names)}"
            self.namespace[self._names[key]] = obj  # also keeps obj alive while the id is used
        return self._names[key]

    def call(self, function, *operands) -> None:
        """A dict as the last operand gives keyword operands (np.maximum deprecates a
        positional out)."""
        keywords = operands[-1] if operands and isinstance(operands[-1], dict) else {}
        if keywords:
            operands = operands[:-1]
        texts = [*map(self.name, operands), *(f"{k}={self.name(v)}" for k, v in keywords.items())]
        self.operations.append((function, *operands, *([keywords] if keywords else [])))
        self.lines.append(f"{self.name(function)}({', '.join(texts)})")

    def extend(self, calls) -> None:
        for function, *operands in calls:
            self.call(function, *operands)

    def function(self, name: str, arguments: tuple[str, ...], **extra) -> Callable:
        namespace = {**self.namespace, **extra}
        body = "\n".join(f"        {line}" for line in self.lines) or "        pass"
        # the names become closure cells of the step (LOAD_DEREF), not global lookups
        source = (
            f"def _make({', '.join(namespace)}):\n"
            f"    def {name}({', '.join(arguments)}):\n{body}\n"
            f"    return {name}\n"
        )
        make = _MAKERS.get(source)
        if make is None:
            scope: dict[str, Any] = {}
            exec(compile(source, f"<step plan {name}>", "exec"), scope)  # noqa: S102
            make = scope["_make"]
            if len(_MAKERS) >= _MAKERS_KEPT:
                _MAKERS.clear()
            _MAKERS[source] = make
        return make(**namespace)


# Compiled step code by source text. The source names its operands (v0, v1, ...) and binds
# them only when `_make` is called, so one network shape, batch size and optimizer gives the
# same text in every fit: compiling it again cost ~0.9 ms per plan, two plans per fit (the
# batch and the remainder batch), 2 of the 3.5 ms fit spent before its first step on the
# course net. Bounded, since a long session may see many shapes.
_MAKERS: dict[str, Callable] = {}
_MAKERS_KEPT = 64
