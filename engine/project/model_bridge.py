"""The bridge between the project's plain specs (LayerSpec, CompileSpec) and engine objects:
building a compiled Sequential from specs, and reading specs back from a model.
"""

from __future__ import annotations

import inspect

import numpy as np

from .. import losses, optimizers, regularizers
from ..errors import ProjectError
from ..layers import Dense
from ..model import Sequential
from .specs import CompileSpec, LayerSpec


def build_model(
    layers: list[LayerSpec],
    spec: CompileSpec,
    n_inputs: int | None,
    weights: list[np.ndarray] | None,
):
    """A compiled Sequential of Dense layers. Built for n_inputs features when known (else
    it builds on its first fit); `weights` ([W1 (n_in, u1), b1, ...], already checked) are
    set when given."""
    model = Sequential(name=None)
    for layer in layers:
        model.add(
            Dense(
                layer.units,
                activation=layer.activation,
                kernel_initializer=layer.kernel_initializer,
                bias_initializer=layer.bias_initializer,
                kernel_regularizer=regularizers.L2(layer.l2) if layer.l2 > 0 else None,
                name=layer.name or None,
            )
        )
    if n_inputs is not None:
        model.build((None, int(n_inputs)))
    model.compile(
        optimizer=make_optimizer(spec), loss=make_loss(spec), metrics=list(spec.metrics) or None
    )
    if weights:
        model.set_weights([np.array(w, copy=True) for w in weights])
    return model


def make_optimizer(spec: CompileSpec):
    """The optimizer named in spec with its learning rate (and momentum, for SGD)."""
    cls = type(optimizers.get(spec.optimizer))
    kwargs = {"learning_rate": spec.learning_rate}
    if getattr(cls, "registered_name", "") == "sgd":
        kwargs["momentum"] = spec.momentum
    return cls(**kwargs)


def make_loss(spec: CompileSpec):
    """The loss named in spec; from_logits passed to the losses that take it."""
    cls = type(losses.get(spec.loss))
    if "from_logits" in inspect.signature(cls).parameters:
        return cls(from_logits=spec.from_logits)
    return cls()


def layer_spec(layer) -> LayerSpec:
    """The LayerSpec of an engine Dense layer. Raises ProjectError for what a project cannot
    store (another layer type, an L1 penalty, a bias-free layer)."""
    if type(layer).__name__ != "Dense":
        raise ProjectError(
            f"Netbuilder projects hold Dense layers only; received a {type(layer).__name__} "
            f"layer {getattr(layer, 'name', '')!r}. Remove it from the model."
        )
    if not getattr(layer, "use_bias", True):
        raise ProjectError(
            f"Layer {layer.name!r} has use_bias=False, which a Netbuilder project cannot store. "
            "Use a layer with a bias."
        )
    regularizer = getattr(layer, "kernel_regularizer", None)
    l2 = 0.0
    if regularizer is not None:
        if float(getattr(regularizer, "l1", 0.0) or 0.0) > 0:
            raise ProjectError(
                f"Layer {layer.name!r} has an L1 kernel penalty; Netbuilder projects store only "
                "L2. Use regularizers.L2 instead."
            )
        l2 = float(getattr(regularizer, "l2", 0.0) or 0.0)
    return LayerSpec(
        units=int(layer.units),
        activation=_registered_name(layer.activation),
        name=str(layer.name or ""),
        kernel_initializer=_registered_name(layer.kernel_initializer),
        bias_initializer=_registered_name(layer.bias_initializer),
        l2=l2,
    )


def compile_spec(model) -> CompileSpec:
    """The CompileSpec of a model (defaults when it was never compiled)."""
    spec = CompileSpec()
    loss = getattr(model, "loss", None)
    optimizer = getattr(model, "optimizer", None)
    if loss is None or optimizer is None:
        return spec
    spec.loss = _registered_name(loss)
    spec.from_logits = bool(getattr(loss, "from_logits", False))
    spec.optimizer = _registered_name(optimizer)
    spec.learning_rate = float(optimizer.learning_rate)
    spec.momentum = float(getattr(optimizer, "momentum", 0.0) or 0.0)
    spec.metrics = _metric_names(model)
    return spec


def _metric_names(model) -> list[str]:
    config = model.get_compile_config() if hasattr(model, "get_compile_config") else None
    names = []
    for metric in (config or {}).get("metrics") or []:
        if isinstance(metric, dict):  # a serialized Metric object
            metric = metric.get("registered_name") or metric.get("class_name") or ""
        names.append(str(metric))
    return names


def _registered_name(obj) -> str:
    if isinstance(obj, str):
        return obj
    for attribute in ("registered_name", "name"):
        value = getattr(obj, attribute, None)
        if isinstance(value, str) and value:
            return value
    return type(obj).__name__
