"""Activation functions g(z), each with its derivative next to it.

Every activation has two faces:
- the public one, for people and plots: `act(z)` and `act.derivative(z)` on any array;
- the engine one, for the training loop: `forward(z, out)` and `backward(z, a, da, out, work)`
  which write into preallocated buffers (no allocation per batch). `backward` returns the
  vector-Jacobian product da * g'(z) of shape (n_samples, units).

When `uses_output_only` is true, backward needs only a = g(z) (sigmoid: g' = a(1 - a)), so the
model may compute g in place over z and keep no copy of z.

The engine-side methods assume the caller has silenced floating-point warnings (fit does it
once per run with np.errstate): exp(1000) -> inf -> 1/(1+inf) = 0 is the exact limit.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .registry import Registry, Serializable

_QUIET = {"over": "ignore", "under": "ignore", "invalid": "ignore", "divide": "ignore"}


class Activation(Serializable):
    """Base class. Subclasses implement forward/backward (in place) and derivative."""

    uses_output_only = True

    @property
    def name(self) -> str:
        return self.registered_name

    def __call__(self, z) -> np.ndarray:
        """g(z), elementwise (softmax: over the last axis). Same shape as z."""
        z = _as_float_array(z)
        out = np.empty_like(z)
        with np.errstate(**_QUIET):
            self.forward(z, out)
        return out

    def derivative(self, z) -> np.ndarray:
        """g'(z), elementwise, same shape as z (softmax: the Jacobian diagonal s(1 - s))."""
        z = _as_float_array(z)
        with np.errstate(**_QUIET):
            a = self.forward(z, np.empty_like(z))
            return self.backward(z, a, np.ones_like(z), np.empty_like(z), np.empty_like(z))

    def vjp(self, z, da) -> np.ndarray:
        """da * dg/dz (the chain rule step backprop uses), for any activation incl. softmax."""
        z = _as_float_array(z)
        da = np.asarray(da, dtype=z.dtype)
        with np.errstate(**_QUIET):
            a = self.forward(z, np.empty_like(z))
            return self.backward(z, a, da, np.empty_like(z), np.empty_like(z))

    def forward(self, z: np.ndarray, out: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, z, a, da, out, work) -> np.ndarray:
        """out = da * g'(z). `out` may be `da`; `work` is scratch of the same shape."""
        raise NotImplementedError

    # The step plan's form (engine/step_plan.py): forward / backward as a list of calls
    # (function, *operands[, {"out": ...}]), outputs last and positional where the function
    # allows it, which the plan writes out as
    # straight-line code. One method call less per layer and pass, and no constant lookups:
    # ~0.3 us each, a step of the course net has eight. Operands may stand for arrays that
    # exist only during the step; `dtype` is theirs.
    def forward_calls(self, z, out, dtype) -> list[tuple]:
        return [(self.forward, z, out)]

    def backward_calls(self, z, a, da, out, work, dtype) -> list[tuple]:
        return [(self.backward, z, a, da, out, work)]

    # True when forward's first call is np.negative(z): the step plan then has the product
    # write -z (from negated weights, see StepPlan) and uses forward_calls_negated. Only for
    # an activation with uses_output_only, since z itself is never formed.
    starts_from_negated_z = False

    def forward_calls_negated(self, negated_z, out, dtype) -> list[tuple]:
        """forward_calls given -z instead of z, without the negation."""
        raise NotImplementedError

    def __eq__(self, other) -> bool:
        return type(self) is type(other) and self.get_config() == other.get_config()

    def __hash__(self) -> int:
        return hash((type(self), tuple(sorted(self.get_config().items()))))


_CONSTANTS: dict[tuple[float, np.dtype], np.ndarray] = {}


def _const(value: float, dtype: np.dtype) -> np.ndarray:
    """`value` as a 0-d array of `dtype`: a ufunc takes it ~0.2 us faster than a Python
    float, which it would convert on every call (this runs several times per batch)."""
    key = (value, dtype)
    array = _CONSTANTS.get(key)
    if array is None:
        array = _CONSTANTS[key] = np.array(value, dtype=dtype)
    return array


# np.copyto's C function, without NumPy 2's __array_function__ dispatcher (a Python call per
# use); the step's operands are its own ndarrays (see step_plan._DOT)
_copyto = getattr(np.copyto, "_implementation", np.copyto)


def _as_float_array(z) -> np.ndarray:
    z = np.asarray(z)
    if z.dtype.kind != "f":
        z = z.astype(np.float64)
    return z


_registry = Registry("activation", Activation)
register = _registry.register


@register("linear")
class Linear(Activation):
    """g(z) = z; g'(z) = 1. A linear output is for signed real-valued targets."""

    def forward(self, z, out):
        if out is not z:
            np.copyto(out, z)
        return out

    def backward(self, z, a, da, out, work):
        if out is not da:
            np.copyto(out, da)
        return out

    def forward_calls(self, z, out, dtype):
        return [] if out is z else [(np.copyto, out, z)]

    def backward_calls(self, z, a, da, out, work, dtype):
        return [] if out is da else [(np.copyto, out, da)]


@register("sigmoid")
class Sigmoid(Activation):
    """g(z) = 1 / (1 + e^-z) in (0, 1); g'(z) = g(z)(1 - g(z)). For a binary output."""

    starts_from_negated_z = True

    def forward(self, z, out):
        np.negative(z, out=out)
        np.exp(out, out=out)  # overflows to inf for z < -88 (float32): 1/(1+inf) = 0, exact
        np.add(out, _const(1.0, out.dtype), out=out)
        return np.reciprocal(out, out=out)

    def backward(self, z, a, da, out, work):
        np.subtract(_const(1.0, a.dtype), a, out=work)
        np.multiply(work, a, out=work)
        return np.multiply(da, work, out=out)

    def forward_calls(self, z, out, dtype):
        one = _const(1.0, dtype)
        return [
            (np.negative, z, out),
            (np.exp, out, out),
            (np.add, out, one, out),
            (np.reciprocal, out, out),
        ]

    def forward_calls_negated(self, negated_z, out, dtype):
        # the same exp, add and reciprocal as forward_calls, with its negative done
        return [
            (np.exp, negated_z, out),
            (np.add, out, _const(1.0, dtype), out),
            (np.reciprocal, out, out),
        ]

    def backward_calls(self, z, a, da, out, work, dtype):
        return [
            (np.subtract, _const(1.0, dtype), a, work),
            (np.multiply, work, a, work),
            (np.multiply, da, work, out),
        ]


@register("relu")
class ReLU(Activation):
    """g(z) = max(z, 0); g'(z) = 1 for z > 0 else 0. The default for hidden layers."""

    def forward(self, z, out):
        return np.maximum(z, _const(0.0, z.dtype), out=out)

    def backward(self, z, a, da, out, work):
        np.sign(a, out=work)  # a >= 0, so sign(a) is exactly the 0/1 mask
        return np.multiply(da, work, out=out)

    def forward_calls(self, z, out, dtype):
        return [(np.maximum, z, _const(0.0, dtype), {"out": out})]  # out= required here

    def backward_calls(self, z, a, da, out, work, dtype):
        if getattr(a, "size", 0) >= _RELU_MASK_BY_CEIL:
            # the same 0/1 mask as sign(a) (NaN stays NaN) in two vectorised calls:
            # ceil(min(a, 1)) is 1 for any a > 0 and 0 for a = 0
            return [
                (np.minimum, a, _const(1.0, dtype), {"out": work}),
                (np.ceil, work, work),
                (np.multiply, da, work, out),
            ]
        return [(np.sign, a, work), (np.multiply, da, work, out)]


# From this many elements ReLU's mask is ceil(min(a, 1)), not sign(a): np.sign is not
# vectorised, np.minimum and np.ceil are. Measured per mask: 32 x 25: 2.4 us (sign) against
# 3.1 (two calls); 64 x 64: 6.8 / 5.6; 128 x 128: 23 / 14; 128 x 256: 44 / 25.
_RELU_MASK_BY_CEIL = 4096


@register("tanh")
class Tanh(Activation):
    """g(z) = tanh(z) in (-1, 1); g'(z) = 1 - g(z)^2."""

    def forward(self, z, out):
        return np.tanh(z, out=out)

    def backward(self, z, a, da, out, work):
        np.multiply(a, a, out=work)
        np.subtract(_const(1.0, a.dtype), work, out=work)
        return np.multiply(da, work, out=out)

    def forward_calls(self, z, out, dtype):
        return [(np.tanh, z, out)]

    def backward_calls(self, z, a, da, out, work, dtype):
        return [
            (np.multiply, a, a, work),
            (np.subtract, _const(1.0, dtype), work, work),
            (np.multiply, da, work, out),
        ]


@register("softmax")
class Softmax(Activation):
    """g(z)_i = e^z_i / sum_j e^z_j over the last axis (class probabilities).

    Its Jacobian is diag(s) - s s^T, so backward is s * (da - sum(da * s)). `derivative(z)`
    returns the diagonal s(1 - s), which is what a plot of g'(z) can show."""

    def forward(self, z, out):
        peak = np.max(z, axis=-1, keepdims=True)  # subtracting the max keeps exp finite
        np.subtract(z, peak, out=out)
        np.exp(out, out=out)
        out /= np.sum(out, axis=-1, keepdims=True)
        return out

    def forward_calls(self, z, out, dtype):
        """forward's calls into buffers of the plan: 48 -> 23 us on 128 x 10. The row maximum
        is taken from a column-major copy, where NumPy reduces across whole columns (3.4 us)
        instead of row by row (20 us for rows of 10); the row sums stay as forward takes
        them, so the result is the same bits."""
        shape = getattr(out, "shape", None)  # the plan gives its batch operands a shape
        if shape is None:
            return super().forward_calls(z, out, dtype)
        rows = np.empty((shape[0], 1), dtype=dtype)
        column_major = np.empty((shape[1], shape[0]), dtype=dtype).T
        return [
            (_copyto, column_major, z),
            (np.maximum.reduce, column_major, 1, None, rows, True),  # axis, dtype, out, keepdims
            (np.subtract, z, rows, out),
            (np.exp, out, out),
            (np.add.reduce, out, 1, None, rows, True),
            (np.divide, out, rows, out),
        ]

    def backward(self, z, a, da, out, work):
        np.multiply(da, a, out=work)
        dot = np.sum(work, axis=-1, keepdims=True)
        np.subtract(da, dot, out=out)
        return np.multiply(out, a, out=out)

    def derivative(self, z):
        s = self(z)
        return s * (1.0 - s)


@register("leaky_relu")
class LeakyReLU(Activation):
    """g(z) = z for z > 0 else negative_slope * z (Keras default slope 0.2)."""

    uses_output_only = False
    _config_keys = ("negative_slope",)

    def __init__(self, negative_slope: float = 0.2):
        self.negative_slope = float(negative_slope)

    def forward(self, z, out):
        np.multiply(z, self.negative_slope, out=out)  # needs out distinct from z
        if self.negative_slope <= 1.0:  # then g(z) = max(z, slope z): no mask z > 0 per batch
            return np.maximum(out, z, out=out)
        np.copyto(out, z, where=z > 0)
        return out

    def backward(self, z, a, da, out, work):
        np.heaviside(z, _const(0.0, work.dtype), out=work)  # 1 where z > 0, else 0
        work *= 1.0 - self.negative_slope
        work += self.negative_slope
        return np.multiply(da, work, out=out)


@register("elu")
class ELU(Activation):
    """g(z) = z for z > 0 else alpha (e^z - 1); g'(z) = 1 for z > 0 else alpha e^z."""

    uses_output_only = False
    _config_keys = ("alpha",)

    def __init__(self, alpha: float = 1.0):
        self.alpha = float(alpha)

    def forward(self, z, out):
        np.minimum(z, 0.0, out=out)  # expm1 of min(z, 0) never overflows; out distinct from z
        np.expm1(out, out=out)
        out *= self.alpha
        if self.alpha <= 1.0:  # then g(z) = max(alpha (e^min(z, 0) - 1), z): no mask z > 0
            return np.maximum(out, z, out=out)
        np.copyto(out, z, where=z > 0)
        return out

    def backward(self, z, a, da, out, work):
        np.minimum(z, 0.0, out=work)
        np.exp(work, out=work)
        work *= self.alpha
        np.copyto(work, 1.0, where=z > 0)
        return np.multiply(da, work, out=out)

    # The step's form allocates nothing per batch. Forward, for alpha <= 1: where z > 0 the
    # exp part is alpha (e^0 - 1) = 0 and max(0, z) = z; where z <= 0 it is >= z (e^z >= 1 + z
    # and alpha <= 1, and rounding keeps the order), so max() selects exactly what the mask
    # selected. Otherwise, and in backward (where the derivative 1 is no maximum of
    # anything), the mask z > 0 goes into a boolean buffer allocated with the plan.
    def forward_calls(self, z, out, dtype):
        calls = [
            (np.minimum, z, _const(0.0, dtype), {"out": out}),
            (np.expm1, out, out),
            (np.multiply, out, _const(self.alpha, dtype), out),
        ]
        if self.alpha <= 1.0:
            return [*calls, (np.maximum, out, z, {"out": out})]
        if not isinstance(z, np.ndarray):
            return super().forward_calls(z, out, dtype)
        mask = np.empty_like(z, dtype=bool)  # z's memory order: no buffering in copyto
        return [
            *calls,
            (np.greater, z, _const(0.0, dtype), mask),
            (_copyto, out, z, {"where": mask}),
        ]

    def backward_calls(self, z, a, da, out, work, dtype):
        if not isinstance(z, np.ndarray):
            return super().backward_calls(z, a, da, out, work, dtype)
        mask = np.empty_like(z, dtype=bool)  # z's memory order: no buffering in copyto
        return [
            (np.minimum, z, _const(0.0, dtype), {"out": work}),
            (np.exp, work, work),
            (np.multiply, work, _const(self.alpha, dtype), work),
            (np.greater, z, _const(0.0, dtype), mask),
            (_copyto, work, _const(1.0, dtype), {"where": mask}),
            (np.multiply, da, work, out),
        ]


@register("softplus")
class Softplus(Activation):
    """g(z) = log(1 + e^z), a smooth ReLU; g'(z) = sigmoid(z)."""

    uses_output_only = False

    def forward(self, z, out):
        # log(1 + e^z) = logaddexp(0, z), which NumPy evaluates as max(z, 0) + log1p(e^-|z|):
        # finite for any z, one call and no temporary (was six calls and one array per batch)
        return np.logaddexp(_const(0.0, out.dtype), z, out=out)

    def backward(self, z, a, da, out, work):
        Sigmoid.forward(self, z, work)
        return np.multiply(da, work, out=out)


@register("silu", "swish")
class SiLU(Activation):
    """g(z) = z * sigmoid(z) (also called swish); g'(z) = s (1 + z (1 - s))."""

    uses_output_only = False

    def forward(self, z, out):
        Sigmoid.forward(self, z, out)
        return np.multiply(out, z, out=out)

    def backward(self, z, a, da, out, work):
        # g' = s + a (1 - s) with a = z s, i.e. 1 - (1 - s)(1 - a); so
        # da g' = da - w + w a with w = (1 - s) da: in `work` and `out` alone, where the
        # first version allocated s for every batch. `out` may be `da`.
        Sigmoid.forward(self, z, work)
        np.subtract(_const(1.0, work.dtype), work, out=work)
        np.multiply(work, da, out=work)
        np.subtract(da, work, out=out)
        np.multiply(work, a, out=work)
        return np.add(out, work, out=out)


def available() -> list[str]:
    """Canonical names: linear, sigmoid, relu, tanh, softmax, leaky_relu, elu, softplus, silu."""
    return _registry.available()


def get(identifier: Any) -> Activation:
    """An Activation from a name ("relu", "swish"), None (linear), a class, an instance or a
    config dict. Unknown names raise UnknownNameError listing the valid names."""
    if identifier is None:
        return Linear()
    return _registry.get(identifier)


def serialize(activation: Activation) -> str | dict[str, Any]:
    """The name alone when the activation has its default settings (as Keras writes
    "relu"), else {"class_name": name, "config": {...}}."""
    activation = get(activation)
    if activation.get_config() == type(activation)().get_config():
        return activation.name
    return _registry.serialize(activation)


def deserialize(config: str | dict[str, Any]) -> Activation:
    return _registry.deserialize(config)
