"""Runs: the record of every training a project went through, so a learner can compare them.

A `Run` holds what one training was (its settings and dataset) and what it gave (its whole
history, its epochs and its final weights). Runs are values: an edit replaces a run in
`project.runs`, it never changes one, so undo snapshots can share them (edits.capture copies
the list, not the runs) and Project.copy() shares them too. Their weight arrays are read-only.

A leaf-ish module: it knows the settings (specs) and histories, not the Project class; the
functions that take a project only read and set its fields (layers, compile, training,
dataset_source, history, epochs_trained, weights, scaler, target_scaler, runs, current_run).

    run = runs.run_of(project)               # the project's state as a run (unnamed)
    runs.add_run(project, run)               # named by what differs, kept within MAX_RUNS
    runs.note_training(project, fresh=True)  # what runtime.record_run does after a training
"""

from __future__ import annotations

import copy
import math
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from .history import copy_history
from .specs import CompileSpec, DatasetSource, LayerSpec, TrainingSpec

# A project keeps at most this many runs: each holds its full history and final weights, so a
# learner who trains all afternoon still saves a file of bounded size. Adding one more drops
# the oldest run that is not the current one.
MAX_RUNS = 100
MAX_NAME_LENGTH = 120
# A name lists at most this many differences, then says how many more there are.
NAME_PARTS = 3


@dataclass(frozen=True, eq=False)
class Run:
    """One training run, never changed once made (dataclasses.replace makes a new one).

    id: stable and unique within the project (the window keys its rows by it). name: what a
    person reads, unique within the project. layers, compile, training: the settings it was
    trained with. dataset: the readable name of the data it was trained on (dataset_label).
    history: name -> one float per epoch (NaN where a value is missing), from epoch 1, also
    when the run branched off another one. epochs: how many it trained. weights: the final
    weights (read-only arrays), or None. kept_epoch: with early stopping, the epoch (1-based)
    whose weights were kept; None means the last. scaler, target_scaler: get_config() of the
    scalers its inputs and target went through (what the weights expect)."""

    id: str
    name: str
    layers: list[LayerSpec]
    compile: CompileSpec
    training: TrainingSpec
    dataset: str
    history: dict[str, list[float]] = field(default_factory=dict, repr=False)
    epochs: int = 0
    weights: list[np.ndarray] | None = field(default=None, repr=False)
    kept_epoch: int | None = None
    scaler: dict[str, Any] | None = None
    target_scaler: dict[str, Any] | None = None

    def final_figures(self) -> dict[str, float]:
        return final_figures(self)


def new_run_id() -> str:
    """An id no other run will have (random: ids are never reused, even after a delete)."""
    return uuid.uuid4().hex[:12]


def frozen_weights(weights) -> list[np.ndarray] | None:
    """Read-only copies of `weights`, as a Run keeps them (None stays None)."""
    if weights is None:
        return None
    kept = []
    for array in weights:
        array = np.array(array, copy=True)
        array.flags.writeable = False
        kept.append(array)
    return kept


def final_figures(run: Run) -> dict[str, float]:
    """What the run's history says at the epoch whose weights it kept (kept_epoch, else its
    last epoch): name -> value, e.g. {"loss": 0.05, "accuracy": 0.97, "val_loss": ...}.
    A value that is missing or not finite there is left out."""
    epoch = run.kept_epoch if run.kept_epoch is not None else run.epochs
    figures = {}
    for name, values in run.history.items():
        if 1 <= epoch <= len(values):
            value = float(values[epoch - 1])
            if math.isfinite(value):
                figures[name] = value
    return figures


def dataset_label(source: DatasetSource | None) -> str:
    """The readable name of a dataset: a built-in's name, a CSV file's name."""
    if source is None:
        return "no data"
    if source.name:
        return str(source.name)
    if source.path:
        return Path(source.path).name
    return "imported data"


# ------------------------------------------------------------------------------- names


def run_name(
    previous: Run | None,
    layers: list[LayerSpec],
    compile: CompileSpec,
    training: TrainingSpec,
    dataset_name: str,
    number: int = 1,
) -> str:
    """A name for a run made from what differs from `previous`: "layer 2 relu" (layers are
    1-based, as the window shows them), "layer 1 25→32 units", "3 layers", "lr 0.1",
    "adam → sgd", "loss mse", "batch 64", "dataset moons", several joined with ", " (at most
    NAME_PARTS, then "+N more"). The first run, or one with the same settings, is "run
    {number}". Not unique by itself: add_run makes it so."""
    if previous is None:
        return f"run {number}"
    parts = [f"dataset {dataset_name}"] if dataset_name != previous.dataset else []
    parts += _layer_changes(previous.layers, layers)
    parts += _compile_changes(previous.compile, compile)
    parts += _training_changes(previous.training, training)
    if not parts:
        return f"run {number}"
    shown = ", ".join(parts[:NAME_PARTS])
    if len(parts) > NAME_PARTS:
        shown += f" +{len(parts) - NAME_PARTS} more"
    return shown[:MAX_NAME_LENGTH]


def unique_name(name: str, taken) -> str:
    """`name`, or `name (2)`, `name (3)`, ... when another run already has it (cut short to
    stay within MAX_NAME_LENGTH)."""
    taken = set(taken)
    name = name[:MAX_NAME_LENGTH]
    number = 1
    candidate = name
    while candidate in taken:
        number += 1
        suffix = f" ({number})"
        candidate = name[: MAX_NAME_LENGTH - len(suffix)] + suffix
    return candidate


def _layer_changes(before: list[LayerSpec], after: list[LayerSpec]) -> list[str]:
    if len(before) != len(after):
        return [f"{len(after)} layer{'s' if len(after) != 1 else ''}"]
    parts = []
    for number, (old, new) in enumerate(zip(before, after), start=1):
        if new.activation != old.activation:
            parts.append(f"layer {number} {new.activation}")
        if new.units != old.units:
            parts.append(f"layer {number} {old.units}→{new.units} units")
        if new.kernel_initializer != old.kernel_initializer:
            parts.append(f"layer {number} {new.kernel_initializer}")
        if new.bias_initializer != old.bias_initializer:
            parts.append(f"layer {number} bias {new.bias_initializer}")
        if new.l2 != old.l2:
            parts.append(f"layer {number} L2 {new.l2:g}" if new.l2 else f"layer {number} no L2")
    return parts


_LOSS_WORDS = {
    "mean_squared_error": "mse",
    "mean_absolute_error": "mae",
    "binary_crossentropy": "binary cross-entropy",
    "categorical_crossentropy": "categorical cross-entropy",
    "sparse_categorical_crossentropy": "sparse cross-entropy",
}


def _compile_changes(before: CompileSpec, after: CompileSpec) -> list[str]:
    parts = []
    if after.loss != before.loss:
        parts.append(f"loss {_LOSS_WORDS.get(after.loss, after.loss.replace('_', ' '))}")
    if after.from_logits != before.from_logits:
        parts.append("from logits" if after.from_logits else "no logits")
    if after.optimizer != before.optimizer:
        parts.append(f"{before.optimizer} → {after.optimizer}")
    if after.learning_rate != before.learning_rate:
        parts.append(f"lr {after.learning_rate:g}")
    if after.momentum != before.momentum:
        parts.append(f"momentum {after.momentum:g}")
    return parts


def _training_changes(before: TrainingSpec, after: TrainingSpec) -> list[str]:
    words = {
        "batch_size": lambda v: "full batch" if v is None else f"batch {v}",
        "epochs": lambda v: f"{v} epochs",
        "validation_split": lambda v: f"validation {v:g}",
        "shuffle": lambda v: "shuffled" if v else "no shuffle",
        "seed": lambda v: f"seed {v}",
        "scaling": lambda v: f"scaling {v}",
        "early_stopping": lambda v: f"patience {v}" if v else "no early stop",
        "target_scaling": lambda v: "raw target" if v == "none" else f"target {v}",
    }
    return [
        word(getattr(after, name))
        for name, word in words.items()
        if getattr(after, name) != getattr(before, name)
    ]


# ------------------------------------------------------------------------ a project's runs


def find_run(project, run_id: str) -> tuple[int, Run]:
    """(position, run) of the run called `run_id` in project.runs; ValueError if none."""
    for index, run in enumerate(project.runs):
        if run.id == run_id:
            return index, run
    raise ValueError(
        f"The project has no run with id {run_id!r}; it may have been deleted. "
        f"Its runs: {', '.join(repr(run.name) for run in project.runs) or 'none'}."
    )


def current_run(project) -> Run | None:
    """The run the project's weights and history belong to, or None."""
    return next((run for run in project.runs if run.id == project.current_run), None)


def run_of(project, name: str = "", kept_epoch: int | None = None) -> Run:
    """A new Run (fresh id) of the project as it stands: its settings, dataset, whole
    history, epochs trained, weights and scalers, all copied. name "" lets add_run name it."""
    return Run(
        id=new_run_id(),
        name=name,
        layers=copy.deepcopy(project.layers),
        compile=copy.deepcopy(project.compile),
        training=copy.deepcopy(project.training),
        dataset=dataset_label(project.dataset_source),
        history=copy_history(project.history),
        epochs=int(project.epochs_trained),
        weights=frozen_weights(project.weights),
        kept_epoch=kept_epoch,
        scaler=copy.deepcopy(project.scaler),
        target_scaler=copy.deepcopy(project.target_scaler),
    )


def add_run(project, run: Run, current: bool = False) -> Run:
    """Add a finished run to project.runs and return it as added: an empty name becomes
    run_name against the current run (or else the last run), and the name is made unique.
    With current=True it becomes project.current_run (its weights must be the project's).
    A project keeps at most MAX_RUNS runs: past that, the oldest run that is not the
    current one is dropped. A comparison adds its runs with current=False. ValueError for a
    run whose id the project already has (make it with run_of, which gives a fresh id)."""
    if any(other.id == run.id for other in project.runs):
        raise ValueError(f"The project already has a run with id {run.id!r} ({run.name!r}).")
    previous = current_run(project) or (project.runs[-1] if project.runs else None)
    name = " ".join(run.name.split()) or run_name(
        previous, run.layers, run.compile, run.training, run.dataset, len(project.runs) + 1
    )
    run = replace(run, name=unique_name(name, (other.name for other in project.runs)))
    runs = list(project.runs)
    while len(runs) >= max(1, MAX_RUNS):
        oldest = next((i for i, other in enumerate(runs) if other.id != project.current_run), 0)
        del runs[oldest]
    runs.append(run)
    project.runs = runs
    if current:
        project.current_run = run.id
    return run


def same_settings(run: Run, project) -> bool:
    """True when the project would train as `run` did: the same layers (names aside),
    compile settings, training settings (the epochs per run aside) and dataset."""

    def layer_key(layer: LayerSpec):
        return replace(layer, name="")

    return (
        [layer_key(layer) for layer in run.layers] == [layer_key(x) for x in project.layers]
        and run.compile == project.compile
        and replace(run.training, epochs=0) == replace(project.training, epochs=0)
        and run.dataset == dataset_label(project.dataset_source)
    )


def note_training(project, fresh: bool, kept_epoch: int | None = None) -> Run | None:
    """Keep the runs in step after a training was recorded on the project (its weights,
    history and epochs are the new ones). A training from fresh weights, or one with other
    settings than the current run (a branch after "continue from epoch N"), becomes a new
    current run named by what differs; otherwise the current run takes the project's whole
    history, epochs, weights and scalers. kept_epoch: the epoch whose weights early stopping
    kept (RunOutcome.best_epoch), None for the last. Returns the new or updated run (None
    for a project with no epochs trained, which has nothing to record)."""
    if not project.epochs_trained:
        return None
    if kept_epoch == project.epochs_trained:
        kept_epoch = None  # the last epoch's weights: nothing to say
    run = current_run(project)
    if fresh or run is None or not same_settings(run, project):
        return add_run(project, run_of(project, kept_epoch=kept_epoch), current=True)
    updated = replace(run_of(project, name=run.name, kept_epoch=kept_epoch), id=run.id)
    project.runs = [updated if other.id == run.id else other for other in project.runs]
    return updated
