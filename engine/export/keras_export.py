"""Keras export: a project as a readable Keras 3 script, its weights and its data.

`export_keras(project, "model.py")` writes three files side by side:

- ``model.py``: `build_model()` returns a compiled `keras.Sequential` -- `keras.Input`, a
  `keras.layers.Normalization` holding the project's scaling constants, the same Dense layers
  and activations -- with the trained weights loaded; `load_data()` reads the dataset; run as
  a script it continues training with `model.fit(X, Y, epochs=...)`.
- ``model_weights.npz``: ``"<layer name>/kernel"`` (n_in, units) and ``"<layer name>/bias"``
  (units,) for every Dense layer, the Keras weight layout.
- ``model_data.csv``: the raw features and the target (class index for classification), so
  `load_data()` needs no Netbuilder and no parsing options.

The script is written for a reader who knows the course's Keras code, so it spells things out
instead of looping over configs. Netbuilder's scaling is affine per feature,
``x_scaled = (x - offset) / scale``, which is exactly Keras' Normalization with
``mean=offset`` and ``variance=scale**2`` (min-max scaling included: offset = min,
scale = max - min), so the exported model maps raw features to the same predictions.

A regression trained on a standardised target ends in ``keras.layers.Rescaling(scale=std,
offset=mean)``, which maps the output back to the target's units, rather than folding the
affine map into the last Dense layer: the exported kernels stay exactly Netbuilder's (the
weights file and the layer-by-layer checks compare them one to one), the scaling is one
readable line, and when the script continues training on the raw target, the loss it
minimises is Netbuilder's times std**2 -- the same minimum, and the same Adam steps (Adam
divides the scale out) -- where folded weights would train a differently scaled last layer.
"""

from __future__ import annotations

import csv
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import losses, optimizers
from ..errors import ProjectError
from ..files import atomic_write_all
from ..project import runtime

# Engine activation names that Keras 3 knows under the same name (`activation="..."`).
KERAS_ACTIVATIONS = frozenset(
    ["linear", "sigmoid", "relu", "tanh", "softmax", "leaky_relu", "elu", "softplus", "silu"]
)
_ACTIVATION_ALIASES = {"swish": "silu", None: "linear", "": "linear"}


@dataclass
class DenseExport:
    """One Dense layer as the script declares it; kernel (n_in, units), bias (units,) or None."""

    name: str
    units: int
    activation: str
    kernel: np.ndarray
    bias: np.ndarray | None
    l2: float = 0.0


@dataclass
class ExportPlan:
    """Everything the script template needs, gathered from a project."""

    title: str
    n_features: int
    feature_names: list[str]
    target_name: str
    class_names: list[str] | None
    task: str
    scaling_kind: str
    mean: np.ndarray | None  # (n_features,) float64, Normalization's mean; None: no scaling
    variance: np.ndarray | None  # (n_features,) float64
    layers: list[DenseExport]
    loss_class: str
    loss_kwargs: dict[str, Any]
    optimizer_class: str
    optimizer_kwargs: dict[str, Any]
    metrics: list[str]
    epochs: int
    batch_size: int | None
    validation_split: float
    one_hot_targets: bool
    # A regression trained on a standardised target: y = output * target_std + target_mean.
    target_mean: float | None = None
    target_std: float | None = None
    distributed: bool = False


def companion_paths(script_path: str | os.PathLike) -> tuple[Path, Path]:
    """The weights and data files that go with a script: model.py -> model_weights.npz,
    model_data.csv (beside it)."""
    script = Path(script_path)
    return (
        script.with_name(script.stem + "_weights.npz"),
        script.with_name(script.stem + "_data.csv"),
    )


def keras_script(project, script_name: str = "model.py", distributed: bool = False) -> str:
    """The Keras script's source for `project` (what Edit > Copy as Keras Code copies).

    It reads its weights and data from files named after `script_name`
    (model.py -> model_weights.npz, model_data.csv); without the weights file it starts from
    fresh initial weights and says so. distributed: train data-parallel over every device
    the Keras backend sees (keras.distribution.DataParallel)."""
    return _render(plan_export(project, distributed), script_name)


def export_keras(project, path: str | os.PathLike, distributed: bool = False) -> tuple[Path, Path]:
    """Write the script to `path` and its weights (and dataset CSV) beside it.

    Every file is written to a temporary file in the same folder first; only when all are
    complete are they renamed over their targets, so a full disk or an interrupted export
    never leaves a half-written file, nor weights without their script.
    Returns (script_path, weights_path); the data CSV is `companion_paths(path)[1]`."""
    script_path = Path(path)
    if script_path.suffix != ".py":
        raise ProjectError(
            f"{script_path}: a Keras script must end in .py. Received: {script_path.name!r}."
        )
    if not script_path.absolute().parent.is_dir():
        raise ProjectError(
            f"{script_path}: cannot write it: the folder {script_path.absolute().parent} does "
            "not exist. Create it or choose another."
        )
    plan = plan_export(project, distributed)
    weights_path, data_path = companion_paths(script_path)
    source = _render(plan, script_path.name)
    dataset = project.dataset

    def write_weights(f):
        arrays = {}
        for layer in plan.layers:
            arrays[f"{layer.name}/kernel"] = np.asarray(layer.kernel, dtype=np.float32)
            if layer.bias is not None:
                arrays[f"{layer.name}/bias"] = np.asarray(layer.bias, dtype=np.float32)
        np.savez(f, **arrays)

    files = [(weights_path, write_weights, True)]
    if dataset is not None:
        files.append((data_path, lambda f: _write_data_csv(f, dataset), False))
    files.append((script_path, source, False))
    try:
        # All or nothing: on a full disk, weights without their script are of no use.
        atomic_write_all(files)
    except OSError as exc:
        raise ProjectError(
            f"{exc.filename or script_path}: cannot write the Keras export "
            f"({exc.strerror or exc}). Choose a folder you can write to."
        ) from exc
    return script_path, weights_path


# ---------------------------------------------------------------------------------------------
# Gathering: project -> ExportPlan


def plan_export(project, distributed: bool = False) -> ExportPlan:
    """Collect layers, weights, scaling, loss and optimizer from `project` (see ExportPlan).
    A project that was never trained exports its seeded initial weights."""
    weights = project.weights or runtime.initial_weights(project)
    layers = _dense_layers(project.layers, weights)
    dataset = project.dataset
    n_features = int(layers[0].kernel.shape[0]) if layers else 0
    if dataset is not None:
        feature_names = list(dataset.feature_names)
        target_name = str(dataset.target_name)
        class_names = list(dataset.class_names) if dataset.class_names is not None else None
        task = str(dataset.task)
    else:
        feature_names = [f"x{i}" for i in range(n_features)]
        target_name, class_names, task = "y", None, "regression"

    scaling_kind = str(getattr(project.training, "scaling", "none") or "none")
    mean = variance = None
    affine = affine_scaling(project, n_features)
    if affine is not None:
        offset, scale = affine
        mean, variance = offset, scale**2

    spec = project.compile
    loss_obj = losses.get(spec.loss)
    loss_class = type(loss_obj).__name__
    loss_kwargs: dict[str, Any] = {}
    if spec.from_logits and loss_obj.classifies:
        loss_kwargs["from_logits"] = True
    if loss_class == "Huber":
        delta = float(getattr(loss_obj, "delta", 1.0))
        if delta != 1.0:
            loss_kwargs["delta"] = delta
    optimizer_class = type(optimizers.get(spec.optimizer)).__name__
    optimizer_kwargs: dict[str, Any] = {"learning_rate": float(spec.learning_rate)}
    if optimizer_class == "SGD" and float(getattr(spec, "momentum", 0.0) or 0.0):
        optimizer_kwargs["momentum"] = float(spec.momentum)

    training = project.training
    target = runtime.fitted_target_scaler(project)
    target_mean = target_std = None
    if target is not None:
        target_mean = float(np.asarray(target.offset_).reshape(-1)[0])
        target_std = float(np.asarray(target.scale_).reshape(-1)[0])
    return ExportPlan(
        title=str(project.name or "Untitled"),
        n_features=n_features,
        feature_names=feature_names,
        target_name=target_name,
        class_names=class_names,
        task=task,
        scaling_kind=scaling_kind if mean is not None else "none",
        mean=mean,
        variance=variance,
        layers=layers,
        loss_class=loss_class,
        loss_kwargs=loss_kwargs,
        optimizer_class=optimizer_class,
        optimizer_kwargs=optimizer_kwargs,
        metrics=[m for m in (spec.metrics or []) if isinstance(m, str)],
        epochs=int(training.epochs),
        batch_size=None if training.batch_size is None else int(training.batch_size),
        validation_split=float(training.validation_split or 0.0),
        one_hot_targets=loss_obj.one_hot_targets,
        target_mean=target_mean,
        target_std=target_std,
        distributed=bool(distributed),
    )


def _dense_layers(specs, weights) -> list[DenseExport]:
    """The project's Dense layers with their weights ([W1 (n_in, u1), b1, ...]) and
    Keras-valid, unique names (no '/', Keras forbids it)."""
    result: list[DenseExport] = []
    used: set[str] = set()
    for index, spec in enumerate(specs):
        name = re.sub(r"[^A-Za-z0-9_.\-]", "_", spec.name or "") or f"dense_{index}"
        while name in used:
            name += "_"
        used.add(name)
        activation = _ACTIVATION_ALIASES.get(spec.activation, spec.activation)
        if activation not in KERAS_ACTIVATIONS:
            raise ProjectError(
                f"layer {name!r}: activation {activation!r} has no Keras equivalent; "
                f"expected one of {sorted(KERAS_ACTIVATIONS)}."
            )
        result.append(
            DenseExport(
                name=name,
                units=int(spec.units),
                activation=str(activation),
                kernel=np.array(weights[2 * index], dtype=np.float32),
                bias=np.array(weights[2 * index + 1], dtype=np.float32),
                l2=float(spec.l2),
            )
        )
    return result


def affine_scaling(project, n_features: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The project's feature scaling as (offset, scale), each (n_features,) float64, with
    x_scaled = (x - offset) / scale (every engine scaler is this affine map); None when the
    project does not scale."""
    scaler = runtime.fitted_scaler(project)
    if scaler is None or scaler.kind == "none" or scaler.offset_ is None or n_features == 0:
        return None
    offset = np.asarray(scaler.offset_, dtype=np.float64).reshape(-1)
    scale = np.asarray(scaler.scale_, dtype=np.float64).reshape(-1)
    if offset.shape != (n_features,):
        return None
    return offset, scale


# ---------------------------------------------------------------------------------------------
# Rendering: ExportPlan -> script text


def _render(plan: ExportPlan, script_name: str) -> str:  # noqa: C901 - the script, top to bottom
    weights_name, data_name = (p.name for p in companion_paths(script_name))
    n = plan.n_features
    lines: list[str] = []
    add = lines.append

    add(f'"""{_docstring_safe(plan.title)}: a network built in Netbuilder, as a Keras 3 script.')
    add("")
    add("Keep these files together:")
    add(f"    {script_name:<24}this script")
    add(f"    {weights_name:<24}the trained weights: a kernel (n_in, units) and a bias per layer")
    add(f"    {data_name:<24}the dataset: {n} raw feature column(s), then the target")
    add("")
    add("Run it where Keras 3 and a backend are installed (pip install keras tensorflow):")
    add("")
    add(f"    python {script_name}")
    add("")
    add("It loads the data and the trained network and continues training it. On raw features")
    add("the model predicts what `netbuilder predict` predicts (to within 1e-4).")
    if plan.loss_kwargs.get("from_logits"):
        squash = "sigmoid" if plan.layers and plan.layers[-1].units == 1 else "softmax"
        add("")
        add("The loss takes logits (from_logits=True), so model.predict returns logits; pass")
        add(f"them through keras.activations.{squash} for the probabilities Netbuilder shows.")
    add('"""')
    add("")
    add("from pathlib import Path")
    add("")
    add("import keras")
    add("import numpy as np")
    add("")
    if plan.distributed:
        add("# Data-parallel training over every device the backend sees: each batch is split")
        add("# across the devices and their gradients are averaged (keras.distribution, which")
        add("# runs on the JAX backend). On a machine with several GPUs:")
        add('#     pip install keras "jax[cuda12]"')
        add(f"#     KERAS_BACKEND=jax python {script_name}")
        add('# On a Cloud TPU VM, the same with "jax[tpu]"; every core becomes a device. On')
        add(
            "# a CPU it runs on the one CPU device (XLA_FLAGS=--xla_force_host_platform_device_count=2"
        )
        add("# pretends there are two, to try it out).")
        add("DEVICES = keras.distribution.list_devices()")
        add("keras.distribution.set_distribution(keras.distribution.DataParallel(devices=DEVICES))")
        add("")
    add("HERE = Path(__file__).resolve().parent")
    add(f"WEIGHTS_PATH = HERE / {_lit(weights_name)}")
    add(f"DATA_PATH = HERE / {_lit(data_name)}")
    add("")
    add(_assign_list("FEATURES", plan.feature_names))
    add(f"TARGET = {_lit(plan.target_name)}")
    if plan.class_names is not None:
        add("# The target column holds each row's class index into CLASS_NAMES.")
        add(_assign_list("CLASS_NAMES", [str(c) for c in plan.class_names]))
    if plan.target_mean is not None:
        add("")
        add("# Netbuilder trained on the standardised target (y - TARGET_MEAN) / TARGET_STD; the")
        add("# Rescaling layer turns the network's output back into the target's units.")
        add(f"TARGET_MEAN = {_lit(plan.target_mean)}")
        add(f"TARGET_STD = {_lit(plan.target_std)}")
    if plan.mean is not None:
        add("")
        add(f"# Netbuilder's scaling ({plan.scaling_kind}), as the Normalization layer applies it:")
        add("# x_scaled = (x - MEAN) / sqrt(VARIANCE), one constant per feature.")
        add(_assign_list("MEAN", [float(v) for v in plan.mean]))
        add(_assign_list("VARIANCE", [float(v) for v in plan.variance]))
    add("")
    add("")
    add("def build_model():")
    add('    """The network, compiled, with the trained weights loaded."""')
    add("    model = keras.Sequential(")
    add("        [")
    add(f"            keras.Input(shape=({n},)),")
    if plan.mean is not None:
        add("            keras.layers.Normalization(mean=MEAN, variance=VARIANCE),")
    else:
        add("            # Netbuilder trained on the raw features: no Normalization layer.")
    for layer in plan.layers:
        for line in _dense_lines(layer, indent=12):
            add(line)
    if plan.target_mean is not None:
        add(
            '            keras.layers.Rescaling(scale=TARGET_STD, offset=TARGET_MEAN, name="target_units"),'
        )
    add("        ]")
    add("    )")
    add("    model.compile(")
    add(f"        loss={_call('keras.losses.' + plan.loss_class, plan.loss_kwargs)},")
    add(
        f"        optimizer={_call('keras.optimizers.' + plan.optimizer_class, plan.optimizer_kwargs)},"
    )
    if plan.metrics:
        add(f"        metrics={_lit(plan.metrics)},")
    add("    )")
    add("    if WEIGHTS_PATH.exists():")
    add("        load_weights(model, WEIGHTS_PATH)")
    add("    else:")
    add('        print(f"{WEIGHTS_PATH.name} not found: starting from fresh initial weights")')
    add("    return model")
    add("")
    add("")
    add("def load_weights(model, path):")
    add(
        '    """Copy each Dense layer\'s trained kernel (n_in, units) and bias (units,) into it."""'
    )
    add("    weights = np.load(path)")
    add("    for layer in model.layers:")
    add("        if isinstance(layer, keras.layers.Dense):")
    add('            arrays = [weights[layer.name + "/kernel"]]')
    add("            if layer.use_bias:")
    add('                arrays.append(weights[layer.name + "/bias"])')
    add("            layer.set_weights(arrays)")
    add("")
    add("")
    add("def load_data(path=DATA_PATH):")
    y_doc = "class indices" if plan.class_names is not None else "target values"
    add(f'    """X (n_samples, {n}) raw features and Y (n_samples, 1) {y_doc}, from the CSV."""')
    add("    if not Path(path).exists():")
    add("        raise SystemExit(")
    add('            f"{path} not found: export the project with `netbuilder export keras` "')
    add('            "to get the dataset beside this script"')
    add("        )")
    add('    data = np.loadtxt(path, delimiter=",", skiprows=1, dtype="float32", ndmin=2)')
    add(f"    X = data[:, :{n}]")
    add(f"    Y = data[:, {n}:]")
    add("    return X, Y")
    add("")
    add("")
    add('if __name__ == "__main__":')
    add("    X, Y = load_data()")
    if plan.one_hot_targets:
        add("    # categorical_crossentropy wants one-hot targets (n_samples, n_classes).")
        add("    Y = keras.utils.to_categorical(Y, num_classes=len(CLASS_NAMES))")
    add("    model = build_model()")
    add("    model.summary()")
    fit_args = ["X", "Y", f"epochs={plan.epochs}"]
    if plan.batch_size is None:
        fit_args.append("batch_size=len(X)")
    else:
        fit_args.append(f"batch_size={plan.batch_size}")
    if plan.validation_split > 0:
        fit_args.append(f"validation_split={_lit(plan.validation_split)}")
    if plan.batch_size is None:
        add(
            "    # batch_size=len(X): full-batch gradient descent, one step per epoch, as in Netbuilder."
        )
    if plan.validation_split > 0:
        add(
            "    # Keras validates on the last rows; Netbuilder picks a random subset, so the numbers"
        )
        add("    # differ a little.")
    add(f"    model.fit({', '.join(fit_args)})")
    add("")
    return "\n".join(lines)


def _dense_lines(layer: DenseExport, indent: int, width: int = 100) -> list[str]:
    """`keras.layers.Dense(...),` on one line, or one argument per line when too long."""
    args = [f"units={layer.units}", f"activation={_lit(layer.activation)}"]
    if layer.bias is None:
        args.append("use_bias=False")
    if layer.l2:
        args.append(f"kernel_regularizer=keras.regularizers.L2({_lit(layer.l2)})")
    args.append(f"name={_lit(layer.name)}")
    pad = " " * indent
    one_line = f"{pad}keras.layers.Dense({', '.join(args)}),"
    if len(one_line) <= width:
        return [one_line]
    return [f"{pad}keras.layers.Dense("] + [f"{pad}    {a}," for a in args] + [f"{pad}),"]


def _call(function: str, kwargs: dict[str, Any]) -> str:
    return f"{function}({', '.join(f'{k}={_lit(v)}' for k, v in kwargs.items())})"


def _assign_list(name: str, values: list, width: int = 96) -> str:
    """`NAME = [...]`, one line when it fits, else wrapped with one item per line."""
    items = [_lit(v) for v in values]
    one_line = f"{name} = [{', '.join(items)}]"
    if len(one_line) <= width:
        return one_line
    return "\n".join([f"{name} = ["] + [f"    {item}," for item in items] + ["]"])


def _lit(value) -> str:
    """A Python literal in the script's style: double-quoted strings (JSON escapes are valid
    Python), plain floats (not numpy reprs), lists of those."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_lit(v) for v in value) + "]"
    if isinstance(value, (bool, np.bool_)):
        return repr(bool(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, (int, np.integer)):
        return repr(int(value))
    return repr(value)


def _docstring_safe(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"""', "'''").replace("\n", " ")


def _write_data_csv(f, dataset) -> None:
    """Header (feature names, target name) then one row per sample: raw features with float32
    round-trip precision, the target as a class index or a value."""
    writer = csv.writer(f, lineterminator="\n")
    writer.writerow([*dataset.feature_names, dataset.target_name])
    x = np.asarray(dataset.x, dtype=np.float32)
    y = np.asarray(dataset.y).reshape(len(x), -1)
    classification = dataset.class_names is not None
    for row_x, row_y in zip(x, y):
        target = [str(int(v)) for v in row_y] if classification else [f"{v:.9g}" for v in row_y]
        writer.writerow([f"{v:.9g}" for v in row_x] + target)
