"""Checking a project's contents against the current schema: project.json values and the shapes
of the stored weights. Every problem becomes a ProjectError that names the file, the place in
project.json (e.g. `layers[1].activation`), what was found and what was expected.

The writer (engine/project.py, `Project.to_dict`) and these readers describe the same schema;
tests round-trip through both.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np

from .. import activations, initializers, losses, metrics, optimizers
from ..data import scaler_from_config, scaler_names
from ..errors import EngineError, ProjectError
from .json_values import shown_value
from .runs import MAX_NAME_LENGTH as MAX_RUN_NAME
from .runs import MAX_RUNS, Run
from .specs import (
    TARGET_SCALINGS,
    CompileSpec,
    DatasetSource,
    LayerSpec,
    TrainingSpec,
    json_safe,
)

DATASET_KINDS = ("builtin", "csv")
LAYER_TYPES = ("Dense",)

_EDITED = "The file is damaged or was edited by hand; correct that value or open a backup copy."
# The largest integer any count or seed in project.json may hold: it fits NumPy's int64, so no
# value read here can overflow where the engine hands it to NumPy.
MAX_INT = 2**63 - 1
# The most weights and biases a network may have. Training holds about six float32 copies
# (the weights, gradients, two Adam moments, the last good weights, a snapshot): 50 million
# parameters is 1.2 GB, and the 784-256-128-10 network has 235,146. 10^9 units asked for 22
# to 75 GiB and ended in MemoryError.
MAX_PARAMETERS = 50_000_000


class Reader:
    """Typed access to one JSON object of project.json, with errors that say where.

    `where` is the path of the object inside project.json ("" for the top level, "layers[2]").
    """

    def __init__(self, obj: Any, where: str, source: str):
        self.source = source
        self.where = where
        if not isinstance(obj, dict):
            self.fail("", obj, "a JSON object")
        self.obj = obj

    def fail(self, key: str, value: Any, expected: str) -> None:
        place = ".".join(p for p in (self.where, key) if p) or "the top level"
        shown = shown_value(value)
        raise ProjectError(
            f"{self.source}: project.json {place} must be {expected}; received {shown}. {_EDITED}"
        )

    def get(self, key: str) -> Any:
        if key not in self.obj:
            place = self.where or "the top level"
            raise ProjectError(
                f"{self.source}: project.json is missing the key {key!r} at {place}. {_EDITED}"
            )
        return self.obj[key]

    def sub(self, key: str) -> Reader:
        return Reader(self.get(key), ".".join(p for p in (self.where, key) if p), self.source)

    def int(self, key: str, minimum: int | None = None, optional: bool = False) -> int | None:
        value = self.get(key)
        if value is None and optional:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or (minimum is not None and value < minimum)
            or value > MAX_INT
        ):
            bound = f" >= {minimum}" if minimum is not None else ""
            if isinstance(value, int) and not isinstance(value, bool) and value > MAX_INT:
                bound = f" from {minimum or 0} to {MAX_INT:,}"
            self.fail(key, value, f"an integer{bound}" + (" or null" if optional else ""))
        return value

    def float(self, key: str, low: float, high: float, high_open: bool = False) -> float:
        value = self.get(key)
        number = finite_float(value)
        ok = (
            number is not None
            and low <= number
            and (number < high if high_open else number <= high)
        )
        if not ok:
            bracket = ")" if high_open else "]"
            self.fail(key, value, f"a number in [{low}, {high}{bracket}")
        return number

    def str(self, key: str, optional: bool = False, choices: tuple[str, ...] = ()) -> str | None:
        value = self.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, str) or (choices and value not in choices):
            expected = f"one of {', '.join(map(repr, choices))}" if choices else "a string"
            self.fail(key, value, expected + (" or null" if optional else ""))
        return value

    def bool(self, key: str) -> bool:
        value = self.get(key)
        if not isinstance(value, bool):
            self.fail(key, value, "true or false")
        return value

    def list(self, key: str) -> list:
        value = self.get(key)
        if not isinstance(value, list):
            self.fail(key, value, "a JSON list")
        return value

    def dict(self, key: str, optional: bool = False) -> dict | None:
        value = self.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, dict):
            self.fail(key, value, "a JSON object" + (" or null" if optional else ""))
        return value

    def str_list(self, key: str) -> list[str]:
        values = self.list(key)
        if not all(isinstance(v, str) for v in values):
            self.fail(key, values, "a list of strings")
        return list(values)


def finite_float(value: Any) -> float | None:
    """`value` as a finite float, or None when it is not a number, or inf, NaN or too large
    for a float (a 400-digit integer: math.isfinite would raise OverflowError)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def read_history(reader: Reader) -> dict[str, list[float]]:
    """history: {metric name: [value or null per epoch]}; null (a NaN or inf loss) -> nan."""
    raw = reader.dict("history")
    history = {}
    for name, values in raw.items():
        if not isinstance(values, list):
            reader.fail(f"history.{name}", values, "a list of numbers (null for NaN)")
        numbers = []
        for index, v in enumerate(values):
            number = math.nan if v is None else finite_float(v)
            if number is None and not (isinstance(v, float) and not math.isfinite(v)):
                reader.fail(f"history.{name}[{index}]", v, "a number (null for NaN)")
            numbers.append(math.nan if number is None else number)
        history[name] = numbers
    return history


def history_to_json(history: dict[str, list[float]]) -> dict[str, list[float | None]]:
    """JSON has no NaN: a diverged epoch's loss is written as null."""
    return {
        str(name): [float(v) if math.isfinite(float(v)) else None for v in values]
        for name, values in history.items()
    }


# ------------------------------------------------------------------------------ names


def check_name(kind: str, name: str, where: str, source: str) -> None:
    """Refuse an activation, loss, optimizer, initializer or metric name the engine does not
    know."""
    module = _registry(kind)
    try:
        module.get(name)
    except EngineError as exc:
        raise ProjectError(
            f"{source}: project.json {where} names the {kind} {name!r}, which this Netbuilder "
            f"does not know (known: {', '.join(module.available())}). The file may come from a "
            "newer Netbuilder: update, or correct the name."
        ) from exc
    except (ValueError, TypeError) as exc:
        raise ProjectError(
            f"{source}: project.json {where}: {kind} {name!r} was refused ({exc}). {_EDITED}"
        ) from exc


def _registry(kind: str):
    return {
        "activation": activations,
        "loss": losses,
        "optimizer": optimizers,
        "initializer": initializers,
        "metric": metrics,
    }[kind]


# ------------------------------------------------------------------------------ weights


def weight_shape_problem(
    weights: list[np.ndarray], units: list[int], input_dim: int | None = None
) -> str | None:
    """Why `weights` ([W1 (n_in, u1), b1 (u1,), W2 (u1, u2), b2, ...]) cannot belong to Dense
    layers of `units`, or None when they fit. input_dim, when given, must equal W1's rows."""
    if len(weights) != 2 * len(units):
        return (
            f"{len(weights)} weight arrays for {len(units)} layers; expected {2 * len(units)} "
            "(a kernel and a bias per layer)"
        )
    fan_in = input_dim
    for index, n_units in enumerate(units):
        kernel, bias = weights[2 * index], weights[2 * index + 1]
        expected_kernel = (fan_in if fan_in is not None else kernel.shape[0], n_units)
        if kernel.ndim != 2 or tuple(kernel.shape) != expected_kernel:
            return (
                f"layer {index + 1} kernel has shape {tuple(kernel.shape)}; expected "
                f"{expected_kernel}"
            )
        if tuple(bias.shape) != (n_units,):
            return f"layer {index + 1} bias has shape {tuple(bias.shape)}; expected ({n_units},)"
        for array in (kernel, bias):
            if array.dtype.kind != "f":
                return f"layer {index + 1} weights have dtype {array.dtype}; expected floats"
            if not np.isfinite(array).all():  # training never keeps NaN weights
                return f"layer {index + 1} weights contain NaN or infinity"
        fan_in = n_units
    return None


def weights_from_arrays(
    arrays: dict[str, np.ndarray], count: int, units: list[int], member: str, source: str
) -> list[np.ndarray] | None:
    """The weight list stored as w0, w1, ... in weights.npz, checked against the layers."""
    if count == 0:
        return None
    problem = None
    keys = [f"w{i}" for i in range(count)]
    missing = [key for key in keys if key not in arrays]
    extra = sorted(key for key in arrays if key not in keys)
    if missing:
        problem = f"is missing the arrays {', '.join(missing)}"
    elif extra:
        problem = f"holds unexpected arrays {', '.join(extra)}"
    else:
        weights = [arrays[key] for key in keys]
        shape_problem = weight_shape_problem(weights, units)
        if shape_problem is None:
            return weights
        problem = f"does not fit the network: {shape_problem}"
    raise ProjectError(
        f"{source}: {member} {problem}. The trained weights cannot be used; open a backup copy, "
        "or remove the weights (retrain) by re-saving the network from Netbuilder."
    )


# ------------------------------------------------------------------------------ project.json


def read_meta(meta: dict, source: str, base_dir) -> tuple[dict[str, Any], int]:
    """(the Project fields described by current-schema project.json `meta`, as keyword
    arguments for Project; the number of weight arrays weights.npz must hold). A relative
    dataset path is resolved against base_dir. Raises ProjectError for any missing key or
    wrong value. The runs come without their weights (run_weights_from_arrays adds them)."""
    top = Reader(meta, "", source)
    layers = read_layers(top)
    compile_spec = read_compile(top.sub("compile"))
    training = read_training(top.sub("training"))

    dataset_source = None
    if top.get("dataset") is not None:
        ds = top.sub("dataset")
        dataset_source = DatasetSource(
            kind=ds.str("kind", choices=DATASET_KINDS),
            name=ds.str("name", optional=True),
            params=ds.dict("params"),
            path=ds.str("path", optional=True),
            sha256=ds.str("sha256", optional=True),
        )
        absolute = ds.str("absolute_path", optional=True) if "absolute_path" in ds.obj else None
        dataset_source.path = _resolve_dataset_path(dataset_source.path, absolute, base_dir)
        if dataset_source.kind == "builtin" and not dataset_source.name:
            ds.fail("name", dataset_source.name, "the name of a built-in dataset")

    scaler = _read_scaler(top, "scaler")
    target_scaler = _read_scaler(top, "target_scaler")

    fields = dict(
        name=top.str("name"),
        layers=layers,
        compile=compile_spec,
        training=training,
        dataset_source=dataset_source,
        scaler=scaler,
        target_scaler=target_scaler,
        history=read_history(top),
        epochs_trained=top.int("epochs_trained", minimum=0),
        ui=top.dict("ui"),
        input_dim=top.int("input_dim", minimum=1, optional=True),
    )
    problem = parameter_count_problem(fields["input_dim"], layers)
    if problem is not None:
        raise ProjectError(f"{source}: project.json {problem}")
    n_weights = top.int("weight_arrays", minimum=0)
    if n_weights not in (0, 2 * len(layers)):
        top.fail("weight_arrays", n_weights, f"0 or {2 * len(layers)} (2 per layer)")
    fields["runs"], fields["current_run"] = read_runs(top)
    return fields, n_weights


def read_layers(reader: Reader) -> list[LayerSpec]:
    """The "layers" list of the object `reader` reads (the project, or one of its runs)."""
    layers = []
    for index, entry in enumerate(reader.list("layers")):
        where = ".".join(p for p in (reader.where, f"layers[{index}]") if p)
        layer_reader = Reader(entry, where, reader.source)
        layer_reader.str("type", choices=LAYER_TYPES)
        layer = LayerSpec(
            units=layer_reader.int("units", minimum=1),
            activation=layer_reader.str("activation"),
            name=layer_reader.str("name"),
            kernel_initializer=layer_reader.str("kernel_initializer"),
            bias_initializer=layer_reader.str("bias_initializer"),
            l2=layer_reader.float("l2", 0.0, math.inf),
        )
        check_name("activation", layer.activation, f"{where}.activation", reader.source)
        for key in ("kernel_initializer", "bias_initializer"):
            check_name("initializer", getattr(layer, key), f"{where}.{key}", reader.source)
        layers.append(layer)
    return layers


def read_compile(comp: Reader) -> CompileSpec:
    """A "compile" object: the loss, the optimizer and its settings, the metrics."""
    compile_spec = CompileSpec(
        loss=comp.str("loss"),
        from_logits=comp.bool("from_logits"),
        optimizer=comp.str("optimizer"),
        learning_rate=comp.float("learning_rate", 0.0, math.inf),
        momentum=comp.float("momentum", 0.0, 1.0, high_open=True),
        metrics=comp.str_list("metrics"),
    )
    if compile_spec.learning_rate <= 0:
        comp.fail("learning_rate", compile_spec.learning_rate, "a positive number")
    check_name("loss", compile_spec.loss, f"{comp.where}.loss", comp.source)
    check_name("optimizer", compile_spec.optimizer, f"{comp.where}.optimizer", comp.source)
    for index, metric in enumerate(compile_spec.metrics):
        check_name("metric", metric, f"{comp.where}.metrics[{index}]", comp.source)
    return compile_spec


def read_training(train: Reader) -> TrainingSpec:
    """A "training" object: how fit is called."""
    return TrainingSpec(
        epochs=train.int("epochs", minimum=1),
        batch_size=train.int("batch_size", minimum=1, optional=True),
        validation_split=train.float("validation_split", 0.0, 1.0, high_open=True),
        shuffle=train.bool("shuffle"),
        seed=train.int("seed", minimum=0),
        scaling=train.str("scaling", choices=tuple(scaler_names())),
        early_stopping=train.int("early_stopping", minimum=1, optional=True),
        target_scaling=train.str("target_scaling", choices=TARGET_SCALINGS),
    )


def parameter_count_problem(n_inputs: int | None, layers: list[LayerSpec]) -> str | None:
    """Why a network of Dense `layers` on `n_inputs` features (None: unknown, counted as 1)
    cannot be built in memory, naming the layer that crosses MAX_PARAMETERS; or None."""
    fan_in = n_inputs or 1
    total = 0
    for index, layer in enumerate(layers):
        total += (fan_in + 1) * layer.units  # Python ints: 10^5 x 10^5 cannot overflow
        if total > MAX_PARAMETERS:
            return (
                f"layers[{index}] ({layer.name!r}, {layer.units:,} units on {fan_in:,} inputs) "
                f"brings the network to {total:,} weights and biases, more than the "
                f"{MAX_PARAMETERS:,} Netbuilder can train in memory. Use fewer units."
            )
        fan_in = layer.units
    return None


def _read_scaler(top: Reader, key: str) -> dict | None:
    """A fitted scaler's config (kind, offset, scale) or null."""
    config = top.dict(key, optional=True)
    if config is not None:
        try:
            scaler_from_config(config)
        except (EngineError, TypeError, ValueError, ArithmeticError):
            top.fail(key, config, "a scaler config (kind, offset, scale) or null")
    return config


def _resolve_dataset_path(stored: str | None, absolute: str | None, base_dir) -> str | None:
    """The absolute dataset path: `stored` relative to the project's folder when that file
    exists, else the absolute path recorded at save time if that exists (the project moved,
    the data did not), else the relative resolution (it will be reported missing)."""
    if stored is None:
        return absolute
    path = Path(stored)
    if not path.is_absolute() and base_dir is not None:
        path = Path(base_dir) / path
    path = Path(os.path.normpath(path))
    if not path.is_file() and absolute and Path(absolute).is_file():
        return str(Path(absolute))
    return str(path)


# ------------------------------------------------------------------------------ runs

# A run's id: what runs.new_run_id and the schema-3 migration make, with room to spare.
_RUN_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_RUN_KEY = re.compile(r"^r(\d{1,6})_w(\d{1,6})$")


def read_runs(top: Reader) -> tuple[list[Run], str | None]:
    """(the runs of project.json "runs", without their weights; "current_run": null or the
    id of one of them). Ids and names must be unique, and there are at most MAX_RUNS."""
    entries = top.list("runs")
    if len(entries) > MAX_RUNS:
        raise ProjectError(
            f"{top.source}: project.json runs holds {len(entries):,} runs; a project keeps at "
            f"most {MAX_RUNS}. {_EDITED}"
        )
    runs: list[Run] = []
    for index, entry in enumerate(entries):
        reader = Reader(entry, f"runs[{index}]", top.source)
        run = _read_run(reader)
        if any(other.id == run.id for other in runs):
            reader.fail("id", run.id, "an id no other run has")
        if any(other.name == run.name for other in runs):
            reader.fail("name", run.name, "a name no other run has")
        runs.append(run)
    current = top.str("current_run", optional=True)
    if current is not None and all(run.id != current for run in runs):
        top.fail("current_run", current, "null or the id of one of the runs")
    return runs, current


def _read_run(reader: Reader) -> Run:
    run_id = reader.str("id")
    if not _RUN_ID.match(run_id):
        reader.fail("id", run_id, "1 to 64 letters, digits, '-' or '_'")
    name = reader.str("name")
    if not name.strip() or len(name) > MAX_RUN_NAME:
        reader.fail("name", name, f"a name of 1 to {MAX_RUN_NAME} characters")
    layers = read_layers(reader)
    if not layers:
        reader.fail("layers", [], "a list of at least one layer")
    too_big = parameter_count_problem(None, layers)
    if too_big is not None:
        raise ProjectError(f"{reader.source}: project.json {reader.where}.{too_big}")
    epochs = reader.int("epochs", minimum=0)
    kept_epoch = reader.int("kept_epoch", minimum=1, optional=True)
    if kept_epoch is not None and kept_epoch > epochs:
        reader.fail("kept_epoch", kept_epoch, f"null or an epoch from 1 to {epochs}")
    n_weights = reader.int("weight_arrays", minimum=0)
    if n_weights not in (0, 2 * len(layers)):
        reader.fail("weight_arrays", n_weights, f"0 or {2 * len(layers)} (2 per layer)")
    return Run(
        id=run_id,
        name=name,
        layers=layers,
        compile=read_compile(reader.sub("compile")),
        training=read_training(reader.sub("training")),
        dataset=reader.str("dataset"),
        history=read_history(reader),
        epochs=epochs,
        kept_epoch=kept_epoch,
        scaler=_read_scaler(reader, "scaler"),
        target_scaler=_read_scaler(reader, "target_scaler"),
    )


def run_weights_from_arrays(
    runs: list[Run], meta: dict, arrays: dict[str, np.ndarray], source: str
) -> list[Run]:
    """`runs` (read_runs of the checked project.json `meta`) with their final weights from
    runs.npz, stored as r{run index}_w{i}, checked against each run's layers."""
    grouped: dict[int, dict[int, np.ndarray]] = {}
    for key, array in arrays.items():
        match = _RUN_KEY.match(key)
        if match is None:
            raise ProjectError(
                f"{source}: runs.npz holds an array named {shown_value(key)}; expected names "
                f"like 'r0_w0'. {_EDITED}"
            )
        grouped.setdefault(int(match[1]), {})[int(match[2])] = array
    strays = sorted(index for index in grouped if index >= len(runs))
    if strays:
        raise ProjectError(
            f"{source}: runs.npz holds weights for run {strays[0] + 1}, but project.json lists "
            f"{len(runs)} run{'s' if len(runs) != 1 else ''}. {_EDITED}"
        )
    complete = []
    for index, run in enumerate(runs):
        count = meta["runs"][index]["weight_arrays"]  # checked by read_runs
        by_index = grouped.get(index, {})
        weights = [by_index.get(i) for i in range(count)]
        if len(by_index) != count or any(w is None for w in weights):
            problem = f"holds {len(by_index)} arrays for it where project.json says {count}"
        else:
            problem = weight_shape_problem(weights, [layer.units for layer in run.layers])
        if problem is not None:
            raise ProjectError(
                f"{source}: runs.npz, run {index + 1} ({shown_value(run.name)}): {problem}. "
                f"{_EDITED}"
            )
        for array in weights:
            array.flags.writeable = False  # a Run's arrays are read-only (see runs.Run)
        complete.append(replace(run, weights=weights or None))
    return complete


def runs_to_json(runs: list[Run]) -> list[dict[str, Any]]:
    """project.json's "runs": each run's settings and history; weights go to runs.npz."""
    return [
        {
            "id": run.id,
            "name": run.name,
            "layers": [{"type": "Dense", **asdict(layer)} for layer in run.layers],
            "compile": asdict(run.compile),
            "training": asdict(run.training),
            "dataset": run.dataset,
            "epochs": run.epochs,
            "kept_epoch": run.kept_epoch,
            "history": history_to_json(run.history),
            "scaler": json_safe(run.scaler),
            "target_scaler": json_safe(run.target_scaler),
            "weight_arrays": len(run.weights or []),
        }
        for run in runs
    ]


def run_arrays(runs: list[Run]) -> dict[str, np.ndarray]:
    """runs.npz: the final weights of run k as r{k}_w0, r{k}_w1, ..."""
    return {
        f"r{index}_w{i}": np.asarray(array)
        for index, run in enumerate(runs)
        for i, array in enumerate(run.weights or [])
    }
