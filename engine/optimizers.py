"""Gradient-descent optimizers, in order of complexity, with Keras 3's update formulas.

The model hands each optimizer one flat float array of all its weights and one of all its
gradients, so a step is a dozen vectorised NumPy operations whatever the network's depth.
Scratch buffers are allocated once in `build`; `learning_rate` is a plain float read at every
step, so changing it between batches (from a callback or another thread) takes effect on the
next one.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .errors import EngineValueError
from .registry import Registry, Serializable


def _positive(name: str, value, allow_zero: bool = False) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    ok = math.isfinite(number) and (number >= 0 if allow_zero else number > 0)
    if not ok:
        bound = "non-negative" if allow_zero else "positive"
        raise EngineValueError(f"The {name} must be a {bound} number. Received: {name}={value!r}")
    return number


def _fraction(name: str, value) -> float:
    number = _positive(name, value, allow_zero=True)
    if number >= 1.0:
        raise EngineValueError(f"The {name} must be in [0, 1). Received: {name}={value!r}")
    return number


class Optimizer(Serializable):
    """Base class. `apply(grads, variables)` updates each variable in place."""

    def __init__(self, learning_rate: float):
        # 0 is allowed: a learning-rate schedule or the GUI may pause learning with it
        self.learning_rate = _positive("learning_rate", learning_rate, allow_zero=True)
        self.iterations = 0  # steps taken, as Keras' optimizer.iterations
        self._built_for: list[tuple[tuple[int, ...], np.dtype]] | None = None

    @property
    def name(self) -> str:
        return self.registered_name

    def build(self, variables: list[np.ndarray]) -> None:
        """Allocate the slots (momenta, velocities) and scratch buffers, all zero."""
        self._built_for = [(v.shape, v.dtype) for v in variables]
        self._slots = [self._make_slots(v) for v in variables]
        self.iterations = 0

    def _make_slots(self, variable: np.ndarray) -> dict[str, np.ndarray]:
        return {"tmp": np.zeros_like(variable)}

    def apply(self, grads: list[np.ndarray], variables: list[np.ndarray]) -> None:
        """One step: every variable -= update(grad). Builds the slots on first use (and
        rebuilds them if the variables' shapes changed)."""
        self._ensure_built(variables)
        lr = float(self.learning_rate)
        self._prepare_step(lr)
        for grad, variable, slots in zip(grads, variables, self._slots):
            self.update_step(grad, variable, slots, lr)
        self.iterations += 1

    def _ensure_built(self, variables: list[np.ndarray]) -> None:
        if self._built_for != [(v.shape, v.dtype) for v in variables]:
            self.build(variables)

    def _prepare_step(self, lr: float) -> None:
        """Per-step scalars shared by all variables (Adam's bias-corrected step size)."""

    def bind(self, grad: np.ndarray, variable: np.ndarray):
        """A zero-argument function doing one step on this (grad, variable) pair -- the
        training loop's form, with no per-step list handling."""
        grads, variables = [grad], [variable]
        self._ensure_built(variables)
        return lambda: self.apply(grads, variables)

    def apply_gradients(self, grads_and_vars) -> None:
        grads, variables = zip(*grads_and_vars)
        self.apply(list(grads), list(variables))

    def update_step(self, grad, variable, slots, lr: float) -> None:
        raise NotImplementedError

    def state(self) -> list[np.ndarray]:
        """The arrays that carry state between steps (for snapshots)."""
        if self._built_for is None:
            return []
        scratch = ("tmp", "den", "scratch")
        return [a for slots in self._slots for k, a in slots.items() if k not in scratch]


# Elements per piece of a multi-pass update. The ten passes of Adam over 235,146 weights
# (784-256-128-10) stream six float32 arrays (5.6 MB) through the cache ten times; done piece
# by piece, the six pieces (6 x 256 kB) stay in the 2 MB L2 of this machine's cores between
# the passes. Measured in one process, 31 interleaved repeats: 732 us whole, 641 us in pieces
# of 65,536 (0.88); 32,768: 667, 131,072: 648. Smaller updates stay whole: each piece costs
# ten more calls (~5 us).
PIECE = 65_536


def _pieces(*arrays: np.ndarray) -> list[tuple[np.ndarray, ...]]:
    """The flat arrays cut into aligned pieces of PIECE elements (one piece if small)."""
    size = arrays[0].size
    if size < 2 * PIECE:
        return [arrays]
    return [tuple(a[start : start + PIECE] for a in arrays) for start in range(0, size, PIECE)]


def _scalar_cell(dtype) -> np.ndarray:
    """A 0-d array of the weights' dtype for a per-step scalar (the learning rate, Adam's
    step size): a ufunc converts a Python float operand on every call, ~0.7 us against
    ~0.05 us to store it into this cell first (measured on a 451-weight update). Storing
    rounds to the dtype exactly as the ufunc's own conversion does, so the update is
    bit-identical."""
    return np.zeros((), dtype=dtype)


_registry = Registry("optimizer", Optimizer)
register = _registry.register


@register("sgd")
class SGD(Optimizer):
    """w -= lr g. With momentum: m = momentum m - lr g, w += m; Nesterov:
    w += momentum m - lr g (Keras 3)."""

    _config_keys = ("learning_rate", "momentum", "nesterov")

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.0, nesterov: bool = False):
        super().__init__(learning_rate)
        self.momentum = _positive("momentum", momentum, allow_zero=True)
        self.nesterov = bool(nesterov)

    def _make_slots(self, variable):
        slots = super()._make_slots(variable)
        if self.momentum:
            slots["momentum"] = np.zeros_like(variable)
        if self.nesterov:
            slots["scratch"] = np.zeros_like(variable)
        return slots

    def update_step(self, grad, variable, slots, lr):
        tmp = slots["tmp"]
        np.multiply(grad, lr, out=tmp)  # lr g
        if not self.momentum:
            variable -= tmp
            return
        m = slots["momentum"]
        m *= self.momentum
        m -= tmp
        if self.nesterov:  # w += momentum m - lr g, with lr g still in tmp: no temporary
            np.multiply(m, self.momentum, out=slots["scratch"])
            np.subtract(slots["scratch"], tmp, out=tmp)
            variable += tmp
        else:
            variable += m

    def bind(self, grad, variable):
        if self.momentum:
            return super().bind(grad, variable)
        self._ensure_built([variable])
        tmp = self._slots[0]["tmp"]
        multiply, subtract = np.multiply, np.subtract
        rate = _scalar_cell(variable.dtype)

        def step():  # plain gradient descent, inlined for the training loop
            rate[()] = self.learning_rate
            multiply(grad, rate, tmp)  # outputs positional: ~35 ns less
            subtract(variable, tmp, variable)
            self.iterations += 1

        return step


@register("rmsprop")
class RMSprop(Optimizer):
    """v = rho v + (1 - rho) g^2; w -= lr g / sqrt(v + epsilon) (epsilon inside the root,
    Keras 3). centered subtracts the squared mean gradient; momentum accumulates the steps."""

    _config_keys = ("learning_rate", "rho", "momentum", "epsilon", "centered")

    def __init__(
        self,
        learning_rate: float = 0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
    ):
        super().__init__(learning_rate)
        self.rho = _fraction("rho", rho)
        self.momentum = _positive("momentum", momentum, allow_zero=True)
        self.epsilon = _positive("epsilon", epsilon)
        self.centered = bool(centered)

    def _make_slots(self, variable):
        slots = super()._make_slots(variable)
        slots["velocity"] = np.zeros_like(variable)
        slots["den"] = np.zeros_like(variable)
        if self.momentum:
            slots["momentum"] = np.zeros_like(variable)
        if self.centered:
            slots["average_gradient"] = np.zeros_like(variable)
        return slots

    def update_step(self, grad, variable, slots, lr):
        tmp, den, v = slots["tmp"], slots["den"], slots["velocity"]
        rho = self.rho
        np.multiply(grad, grad, out=tmp)
        tmp *= 1.0 - rho
        v *= rho
        v += tmp
        if self.centered:
            avg = slots["average_gradient"]
            avg *= rho
            avg += (1.0 - rho) * grad
            np.multiply(avg, avg, out=den)
            np.subtract(v, den, out=den)
            den += self.epsilon
        else:
            np.add(v, self.epsilon, out=den)
        np.sqrt(den, out=den)
        np.multiply(grad, lr, out=tmp)
        tmp /= den  # the increment lr g / sqrt(v + eps)
        if self.momentum:
            m = slots["momentum"]
            m *= self.momentum
            m += tmp
            variable -= m
        else:
            variable -= tmp

    def bind(self, grad, variable):
        if self.momentum or self.centered:
            return super().bind(grad, variable)
        self._ensure_built([variable])
        slots = self._slots[0]
        tmp, den, v = slots["tmp"], slots["den"], slots["velocity"]
        # constants as 0-d arrays of the weights' dtype: ufuncs take them faster than floats
        rho, one_minus_rho, epsilon = (
            np.array(c, dtype=variable.dtype) for c in (self.rho, 1.0 - self.rho, self.epsilon)
        )
        rate = _scalar_cell(variable.dtype)
        add, subtract, multiply, divide, sqrt = np.add, np.subtract, np.multiply, np.divide, np.sqrt

        def step():  # update_step inlined with locals, for the training loop
            rate[()] = self.learning_rate
            multiply(grad, grad, tmp)  # outputs positional: ~35 ns less per call than out=
            multiply(tmp, one_minus_rho, tmp)
            multiply(v, rho, v)
            add(v, tmp, v)
            add(v, epsilon, den)
            sqrt(den, den)
            multiply(grad, rate, tmp)
            divide(tmp, den, tmp)
            subtract(variable, tmp, variable)
            self.iterations += 1

        return step


@register("adam")
class Adam(Optimizer):
    """Keras 3's Adam:
        m += (g - m)(1 - beta_1);  v += (g^2 - v)(1 - beta_2)
        w -= alpha m / (sqrt(v) + epsilon),  alpha = lr sqrt(1 - beta_2^t) / (1 - beta_1^t)
    i.e. the bias correction folded into the step size and epsilon added to sqrt(v) (not to
    sqrt(v_hat) as in the paper).

    To save two of the twelve passes over the weights, the slots hold the rescaled moments
    M = m / (1 - beta_1) and V = v / (1 - beta_2), which update as M = beta_1 M + g and
    V = beta_2 V + g^2; the step alpha m / (sqrt(v) + eps) is then exactly
    alpha' M / (sqrt(V) + eps') with alpha' = alpha (1 - beta_1) / sqrt(1 - beta_2) and
    eps' = eps / sqrt(1 - beta_2) -- the same update up to float rounding."""

    _config_keys = ("learning_rate", "beta_1", "beta_2", "epsilon", "amsgrad")

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
    ):
        super().__init__(learning_rate)
        self.beta_1 = _fraction("beta_1", beta_1)
        self.beta_2 = _fraction("beta_2", beta_2)
        self.epsilon = _positive("epsilon", epsilon)
        self.amsgrad = bool(amsgrad)

    def _make_slots(self, variable):
        slots = super()._make_slots(variable)
        slots["momentum"] = np.zeros_like(variable)  # m / (1 - beta_1)
        slots["velocity"] = np.zeros_like(variable)  # v / (1 - beta_2)
        slots["den"] = np.zeros_like(variable)
        if self.amsgrad:
            slots["velocity_hat"] = np.zeros_like(variable)
        return slots

    def _prepare_step(self, lr):
        t = self.iterations + 1
        b1, b2 = self.beta_1, self.beta_2
        alpha = lr * math.sqrt(1.0 - b2**t) / (1.0 - b1**t)
        root = math.sqrt(1.0 - b2)
        self._alpha = alpha * (1.0 - b1) / root
        self._epsilon = self.epsilon / root

    def update_step(self, grad, variable, slots, lr):
        tmp, den, m, v = slots["tmp"], slots["den"], slots["momentum"], slots["velocity"]
        m *= self.beta_1
        m += grad
        np.multiply(grad, grad, out=tmp)
        v *= self.beta_2
        v += tmp
        if self.amsgrad:
            v_hat = slots["velocity_hat"]
            np.maximum(v_hat, v, out=v_hat)
            v = v_hat
        np.sqrt(v, out=den)
        den += self._epsilon
        np.divide(m, den, out=tmp)
        tmp *= self._alpha
        variable -= tmp

    def bind(self, grad, variable):
        if self.amsgrad:
            return super().bind(grad, variable)
        self._ensure_built([variable])
        slots = self._slots[0]
        b1, b2 = self.beta_1, self.beta_2
        root = math.sqrt(1.0 - b2)
        # constants as 0-d arrays of the weights' dtype: ufuncs take them faster than floats
        beta_1, beta_2, epsilon = (
            np.array(c, dtype=variable.dtype) for c in (b1, b2, self.epsilon / root)
        )
        add, subtract, multiply, divide, sqrt = np.add, np.subtract, np.multiply, np.divide, np.sqrt

        pieces = _pieces(
            grad, variable, slots["tmp"], slots["den"], slots["momentum"], slots["velocity"]
        )
        scale = _scalar_cell(variable.dtype)

        def step():  # update_step inlined with locals, for the training loop
            t = self.iterations + 1
            alpha = float(self.learning_rate) * math.sqrt(1.0 - b2**t) / (1.0 - b1**t)
            scale[()] = alpha * (1.0 - b1) / root
            # ten calls, each one pass: the fewest NumPy's ufuncs allow for this formula
            # (outputs positional: ~35 ns less per call than out=)
            for g, w, tmp, den, m, v in pieces:
                multiply(m, beta_1, m)
                add(m, g, m)
                multiply(g, g, tmp)
                multiply(v, beta_2, v)
                add(v, tmp, v)
                sqrt(v, den)
                add(den, epsilon, den)
                divide(m, den, tmp)
                multiply(tmp, scale, tmp)
                subtract(w, tmp, w)
            self.iterations = t

        return step


def available() -> list[str]:
    """["sgd", "rmsprop", "adam"]."""
    return _registry.available()


def get(identifier: Any) -> Optimizer:
    """An Optimizer from a name ("adam"), class, instance or config dict."""
    return _registry.get(identifier)


def serialize(optimizer: Optimizer) -> dict[str, Any]:
    return _registry.serialize(optimizer)


def deserialize(config: dict[str, Any] | str) -> Optimizer:
    return _registry.deserialize(config)
