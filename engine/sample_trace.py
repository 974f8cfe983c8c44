"""One sample through the network, every number kept: the forward pass (z = W·a + b,
a = g(z)) and the backward pass (dL/da, g'(z), dL/dz, dL/dW) for a single row.

Built on the plain reference backprop of engine/layers.py (`Dense.forward`,
`Dense.backward`), so what a learner reads in the sample inspector is the code a learner can
read in layers.py; tests prove it equals `Sequential.predict` and the numerical gradient.

    trace = trace_sample(model, x_row, y_row)
    trace.layers[0].z          # (units,) the first layer's pre-activations for this sample
    trace.layers[-1].dW        # (n_in, units) this sample's gradient of the last kernel

Regularization is left out: it does not depend on the sample.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import activations

__all__ = ["LayerTrace", "SampleTrace", "trace_sample", "top_contributions"]


@dataclass(frozen=True)
class LayerTrace:
    """One Dense layer for one sample. a_prev (n_in,): its input; z, a (units,); dL_da,
    dL_dz (units,); g_prime (units,): g'(z), for softmax the Jacobian's diagonal (dL/dz then
    also takes the other outputs into account); kernel (n_in, units), bias (units,) or None:
    the weights used; dW (n_in, units) = outer(a_prev, dL_dz), db (units,) = dL_dz."""

    name: str
    activation: str
    a_prev: np.ndarray
    z: np.ndarray
    a: np.ndarray
    dL_da: np.ndarray
    g_prime: np.ndarray
    dL_dz: np.ndarray
    kernel: np.ndarray
    bias: np.ndarray | None
    dW: np.ndarray
    db: np.ndarray | None


@dataclass(frozen=True)
class SampleTrace:
    """x (n_in,): the (scaled) input row; prediction, target (k,); loss: this sample's loss."""

    x: np.ndarray
    layers: list[LayerTrace]
    prediction: np.ndarray
    target: np.ndarray
    loss: float


def trace_sample(model, x_row, y_row) -> SampleTrace:
    """Forward and backward through `model` (a built, compiled Sequential) for one sample:
    x_row (n_in,) scaled features, y_row (k,) or a scalar, prepared as fit takes targets.
    Computed in float64 so the figures shown are the mathematics, not float32 rounding."""
    layers = model.layers
    loss = model.loss
    x = np.asarray(x_row, dtype=np.float64).reshape(1, -1)
    y = np.asarray(y_row, dtype=np.float64).reshape(1, -1)
    inputs, zs, outs = [], [], []
    a = x
    for layer in layers:
        inputs.append(a)
        z, a = _forward64(layer, a)
        zs.append(z)
        outs.append(a)
    with np.errstate(all="ignore"):
        dL_da = np.asarray(loss.gradient(y, a), dtype=np.float64)  # this sample alone: n = 1
        value = float(loss(y, a))
    traces: list[LayerTrace] = []
    for layer, a_prev, z, a_out in zip(
        reversed(layers), reversed(inputs), reversed(zs), reversed(outs)
    ):
        kernel = np.asarray(layer.kernel, dtype=np.float64)
        bias = None if layer.bias is None else np.asarray(layer.bias, dtype=np.float64)
        g = layer.activation
        with np.errstate(all="ignore"):
            if isinstance(g, activations.Softmax):
                g_prime = a_out * (1.0 - a_out)
                dL_dz = g.vjp(z, dL_da)
            else:
                g_prime = np.asarray(g.derivative(z), dtype=np.float64)
                dL_dz = dL_da * g_prime
            dW = a_prev.T @ dL_dz
            below = dL_dz @ kernel.T
        traces.insert(
            0,
            LayerTrace(
                name=layer.name,
                activation=g.name,
                a_prev=a_prev[0],
                z=z[0],
                a=a_out[0],
                dL_da=dL_da[0],
                g_prime=g_prime[0],
                dL_dz=dL_dz[0],
                kernel=kernel,
                bias=bias,
                dW=dW,
                db=None if bias is None else dL_dz[0].copy(),
            ),
        )
        dL_da = below
    return SampleTrace(x=x[0], layers=traces, prediction=outs[-1][0], target=y[0], loss=value)


def _forward64(layer, a_prev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dense.forward in float64 (the layer's own weights are float32 in training)."""
    z = a_prev @ np.asarray(layer.kernel, dtype=np.float64)
    if layer.bias is not None:
        z = z + np.asarray(layer.bias, dtype=np.float64)
    with np.errstate(all="ignore"):
        a = np.asarray(layer.activation(z), dtype=np.float64)
    return z, a


def top_contributions(trace: LayerTrace, unit: int, count: int = 3) -> list[tuple[int, float]]:
    """The inputs i whose weights W[i, unit] get the largest gradient from this sample, as
    (i, dL/dW[i, unit]) by decreasing size. For one sample dL/dW[i, j] = a_prev[i] · dL/dz[j]:
    the weights of the inputs that were most active move most."""
    column = trace.dW[:, unit]
    order = np.argsort(-np.abs(column), kind="stable")[:count]
    return [(int(i), float(column[i])) for i in order]
