"""Qt-free edits of a Project, and snapshots of its document state for undo.

Every function here mutates the project in place and knows nothing about Qt, so the undo
commands (app/commands.py) and the advisor's fixes (engine/project/advice.py) share one
tested implementation of "what an edit does".

Layer indices are positions in ``project.layers`` (0 = first hidden layer, -1/last = output).
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import numpy as np

from .. import losses
from ..data import scaler_names
from ..errors import EngineError
from .document import Project
from .history import copy_history
from .runs import find_run, unique_name
from .schema import weight_shape_problem
from .specs import TARGET_SCALINGS, TASK_OUTPUT, LayerSpec, output_units

HIDDEN_UNITS_DEFAULT = 16
MAX_UNITS = 4096

# Fields that make up the document. `name`, `path` and `warnings` describe the file, not the
# work (Save As renames the project), so undo leaves them alone.
_DEEP_FIELDS = (
    "layers",
    "compile",
    "training",
    "dataset_source",
    "scaler",
    "target_scaler",
    "epochs_trained",
    "ui",
    "input_dim",
    "current_run",
)
# Large, never mutated in place (edits replace them), so a snapshot shares them by reference.
# Runs are values (runs.Run): a snapshot copies the list and shares the runs.
_SHARED_FIELDS = ("dataset", "weights", "snapshots", "dataset_bytes", "runs")


def capture(project: Project) -> dict[str, Any]:
    """A snapshot of the project's document fields, independent of later in-place edits."""
    state = {name: copy.deepcopy(getattr(project, name)) for name in _DEEP_FIELDS}
    state["history"] = copy_history(project.history)
    for name in _SHARED_FIELDS:
        value = getattr(project, name)
        # Copy the containers (cheap) so replacing an entry later cannot change the snapshot.
        if isinstance(value, list):
            value = list(value)
        elif isinstance(value, dict):
            value = dict(value)
        state[name] = value
    return state


def restore(project: Project, state: dict[str, Any]) -> None:
    """Put a snapshot back into `project` (copied again, so the snapshot stays pristine)."""
    for name in _DEEP_FIELDS:
        setattr(project, name, copy.deepcopy(state[name]))
    project.history = copy_history(state["history"])
    for name in _SHARED_FIELDS:
        value = state[name]
        if isinstance(value, list):
            value = list(value)
        elif isinstance(value, dict):
            value = dict(value)
        setattr(project, name, value)


MAX_NAME_LENGTH = 120


def rename_project(project: Project, name: str) -> None:
    """Call the project `name` (title, quit prompt, the Keras export's docstring). The file
    keeps its path: the name is what the person calls the work, saved inside the file."""
    name = " ".join(str(name).split())  # a newline or tab would break the title and docstring
    if not name:
        raise ValueError("A project needs a name. Received: an empty name.")
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(
            f"A project name can be at most {MAX_NAME_LENGTH} characters. "
            f"Received: {len(name)} characters."
        )
    project.name = name


def reset_training(project: Project) -> None:
    """Forget trained weights and history: they no longer fit the edited network or data."""
    project.clear_training()


def restore_epoch(project: Project, epoch: int) -> None:
    """Go back to the network as it was after `epoch` epochs ("Continue from here"): its
    weights become that epoch's snapshot, the history is cut to `epoch` epochs, and the
    later snapshots are dropped, so the next run continues from there. Raises ValueError
    naming the epochs that can be restored when `epoch` has no snapshot."""
    if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
        raise ValueError(f"An epoch is a whole number, 0 or more. Received: {epoch!r}")
    snapshot = project.snapshots.get(epoch)
    if snapshot is None:
        raise ValueError(
            f"There is no snapshot of epoch {epoch} to continue from; "
            + _snapshot_choices(project.snapshots)
        )
    weights = [np.array(w, copy=True) for w in snapshot]
    units = [layer.units for layer in project.layers]
    problem = weight_shape_problem(weights, units, project.resolved_input_dim())
    if problem is not None:
        raise ValueError(
            f"The snapshot of epoch {epoch} does not fit the network as it is now ({problem}); "
            "it belongs to the network before an edit."
        )
    project.weights = weights
    project.input_dim = int(weights[0].shape[0]) if weights else project.input_dim
    project.history = {key: list(values[:epoch]) for key, values in project.history.items()}
    project.epochs_trained = epoch
    # A new dict: undo snapshots share the old one (see capture).
    project.snapshots = {e: w for e, w in project.snapshots.items() if e <= epoch}


# project.ui key of the pace training runs at in the window (epochs per second; absent or
# None: as fast as possible). In the project, not the user's settings: a teacher's file
# reopens at the pace the lesson was prepared for.
TRAINING_SPEED_KEY = "epochs_per_second"
MAX_TRAINING_SPEED = 1000.0


def set_training_speed(project: Project, epochs_per_second: float | None) -> None:
    """Train at most `epochs_per_second` epochs per second in the window (None: full speed)."""
    if epochs_per_second is None:
        project.ui = {k: v for k, v in project.ui.items() if k != TRAINING_SPEED_KEY}
        return
    rate = float(epochs_per_second)
    if not 0 < rate <= MAX_TRAINING_SPEED:
        raise ValueError(
            f"A training speed is between 0 and {MAX_TRAINING_SPEED:g} epochs per second. "
            f"Received: {epochs_per_second!r}"
        )
    project.ui = {**project.ui, TRAINING_SPEED_KEY: rate}


def training_speed(project: Project) -> float | None:
    """The project's training speed in epochs per second, or None for full speed (also for
    a value a hand-edited file got wrong)."""
    value = (project.ui or {}).get(TRAINING_SPEED_KEY)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if 0 < value <= MAX_TRAINING_SPEED else None


def _snapshot_choices(snapshots: dict) -> str:
    if not snapshots:
        return "this project keeps none (train to record them)."
    epochs = sorted(snapshots)
    shown = ", ".join(str(e) for e in epochs[:8]) + (", …" if len(epochs) > 8 else "")
    return f"this project keeps epochs {shown} (up to {epochs[-1]})."


def _check_index(project: Project, index: int, what: str) -> None:
    if not 0 <= index < len(project.layers):
        raise IndexError(
            f"{what}: layer index {index} is out of range; the network has "
            f"{len(project.layers)} layers (valid: 0..{len(project.layers) - 1})."
        )


def insert_layer(project: Project, index: int, activation: str, units: int | None = None) -> int:
    """Insert a Dense layer at position `index` (clamped to 0..len). Returns its index."""
    index = max(0, min(int(index), len(project.layers)))
    units = HIDDEN_UNITS_DEFAULT if units is None else int(units)
    project.layers.insert(index, LayerSpec(units=max(1, units), activation=activation))
    reset_training(project)
    return index


def delete_layer(project: Project, index: int) -> int:
    """Remove the layer at `index`; the last remaining layer cannot be removed (a model needs
    an output). Returns the index to select afterwards."""
    _check_index(project, index, "delete layer")
    if len(project.layers) <= 1:
        raise ValueError("Cannot delete the only layer: the network needs an output layer.")
    del project.layers[index]
    reset_training(project)
    return min(index, len(project.layers) - 1)


def move_layer(project: Project, from_index: int, to_index: int) -> int:
    """Move a layer so it ends up at position `to_index` (clamped). Returns the new index."""
    _check_index(project, from_index, "move layer")
    to_index = max(0, min(int(to_index), len(project.layers) - 1))
    layer = project.layers.pop(from_index)
    project.layers.insert(to_index, layer)
    if to_index != from_index:
        reset_training(project)
    return to_index


def duplicate_layer(project: Project, index: int) -> int:
    """Insert a copy of layer `index` right after it (the copy gets an automatic name)."""
    _check_index(project, index, "duplicate layer")
    twin = replace(copy.deepcopy(project.layers[index]), name="")
    project.layers.insert(index + 1, twin)
    reset_training(project)
    return index + 1


# Layer fields whose change makes trained weights meaningless. A new name does not.
_STRUCTURAL_LAYER_FIELDS = {"units", "activation", "kernel_initializer", "bias_initializer", "l2"}


def set_layer_field(project: Project, index: int, field: str, value: Any) -> int:
    """Set one LayerSpec field (units, activation, name, kernel_initializer, l2, ...)."""
    _check_index(project, index, f"set {field}")
    if field == "units":
        value = int(value)
        if not 1 <= value <= MAX_UNITS:
            raise ValueError(f"units must be between 1 and {MAX_UNITS}. Received: units={value}")
    if field == "l2" and float(value) < 0:
        raise ValueError(f"The L2 penalty cannot be negative. Received: l2={value}")
    layer = project.layers[index]
    if not hasattr(layer, field):
        raise AttributeError(f"LayerSpec has no field {field!r}")
    if getattr(layer, field) != value:
        setattr(layer, field, value)
        if field in _STRUCTURAL_LAYER_FIELDS:
            reset_training(project)
    return index


expected_output_units = output_units  # the name the window and the advisor know it by


def apply_dataset(project: Project, source: Any, dataset: Any) -> None:
    """Switch to a new dataset. When the task changes (binary, multiclass, regression) the
    network was chosen for another kind of target -- the course's sigmoid stack trains a
    regression target of a few hundred into a flat line -- so the project takes what a new
    project for this dataset gets (Project.apply_defaults: layers, loss, learning rate, early
    stopping, target scaling; the seed stays). Within a task the person's layers and settings
    stay, the output units follow the classes, and the advisor names what no longer fits (an
    unscaled target, say) with its one-click fix."""
    old_task = getattr(project.dataset, "task", None)
    project.set_dataset(dataset, source)
    new_task = getattr(dataset, "task", None)
    if new_task != old_task and new_task in TASK_OUTPUT:
        project.apply_defaults(dataset)
    else:
        units = expected_output_units(dataset)
        if units is not None and project.layers:
            project.layers[-1].units = units
    reset_training(project)


def fit_output_to_task(project: Project, task: str | None) -> None:
    """Give the output layer and loss the course's choice for `task` (TASK_OUTPUT) unless
    they already suit it. A ReLU output for non-negative real values is kept."""
    if task not in TASK_OUTPUT:
        return
    output, spec = project.layers[-1], project.compile
    activation, loss = TASK_OUTPUT[task]
    logits = spec.from_logits and output.activation == "linear"
    if task == "regression":
        suits = loss_task(spec.loss) == "regression"
        if output.activation in ("sigmoid", "softmax", "tanh"):
            output.activation = activation
    else:
        losses = {loss, "categorical_crossentropy"} if task == "multiclass" else {loss}
        suits = spec.loss in losses and (output.activation == activation or logits)
        if not suits:
            output.activation = activation
    if not suits:
        spec.from_logits = False
        set_loss(project, loss)


def set_scaling(project: Project, kind: str) -> None:
    """Choose how inputs are scaled (one of engine.data.scaler_names())."""
    if kind not in scaler_names():
        raise ValueError(f"scaling must be one of {scaler_names()}. Received: scaling={kind!r}")
    if project.training.scaling != kind:
        project.training.scaling = kind
        project.scaler = None
        reset_training(project)


def set_target_scaling(project: Project, kind: str) -> None:
    """Train a regression on its standardised target ("standardize") or the raw one
    ("none"). Trained weights were fitted to the old target's units, so they are forgotten."""
    if kind not in TARGET_SCALINGS:
        raise ValueError(
            f"target scaling must be one of {list(TARGET_SCALINGS)}. Received: "
            f"target_scaling={kind!r}"
        )
    if project.training.target_scaling != kind:
        project.training.target_scaling = kind
        reset_training(project)


def set_early_stopping(project: Project, patience: int | None) -> None:
    """Stop a run when the validation loss has not improved for `patience` epochs and keep
    the best weights; None or 0 turns it off. The trained weights stay valid."""
    if patience is not None and (isinstance(patience, bool) or int(patience) < 0):
        raise ValueError(
            f"patience must be a whole number of epochs, at least 1 (or None for off). "
            f"Received: patience={patience!r}"
        )
    project.training.early_stopping = int(patience) if patience else None


def loss_task(name: str) -> str | None:
    """The task of the loss called `name` (any alias): "binary", "multiclass",
    "regression", or None for a name the engine does not know."""
    try:
        return losses.get(name).task
    except EngineError:
        return None


def set_loss(project: Project, loss: str) -> None:
    """Choose the loss; the metrics follow (accuracy for classification losses only)."""
    project.compile.loss = loss
    project.compile.metrics = [] if loss_task(loss) in (None, "regression") else ["accuracy"]


# ------------------------------------------------------------------------------------- runs


def rename_run(project: Project, run_id: str, name: str) -> None:
    """Call the run `run_id` `name` (spaces and line breaks squeezed), which no other run of
    the project may already have."""
    index, run = find_run(project, run_id)
    name = " ".join(str(name).split())
    if not name:
        raise ValueError("A run needs a name. Received: an empty name.")
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(
            f"A run name can be at most {MAX_NAME_LENGTH} characters. "
            f"Received: {len(name)} characters."
        )
    if unique_name(name, (other.name for other in project.runs if other.id != run_id)) != name:
        raise ValueError(f"Another run is already called {name!r}; pick another name.")
    project.runs = [*project.runs[:index], replace(run, name=name), *project.runs[index + 1 :]]


def delete_run(project: Project, run_id: str) -> None:
    """Remove the run `run_id` from the record. Deleting the current run only drops it from
    the list: the project's weights and history stay, and no run is current any more."""
    index, _run = find_run(project, run_id)
    project.runs = [*project.runs[:index], *project.runs[index + 1 :]]
    if project.current_run == run_id:
        project.current_run = None


def restore_run(project: Project, run_id: str) -> None:
    """Bring the run `run_id` back: its layers, compile and training settings, its final
    weights, history, epochs and scalers become the project's, and it is the current run.
    The dataset stays; ValueError when the run kept no weights or its weights do not fit the
    dataset's features or classes (say which dataset it was trained on)."""
    _index, run = find_run(project, run_id)
    if not run.weights:
        raise ValueError(
            f"Run {run.name!r} has no saved weights, so it cannot be restored. Train it again "
            "with its settings instead."
        )
    n_inputs = int(run.weights[0].shape[0])
    features = project.dataset.n_features if project.dataset is not None else None
    if features is not None and int(features) != n_inputs:
        raise ValueError(
            f"Run {run.name!r} was trained on {n_inputs} input feature"
            f"{'s' if n_inputs != 1 else ''} ({run.dataset}); the dataset now has "
            f"{features}. Switch back to its dataset to restore it."
        )
    needed = output_units(project.dataset)
    if needed is not None and needed != run.layers[-1].units:
        raise ValueError(
            f"Run {run.name!r} has {run.layers[-1].units} output unit"
            f"{'s' if run.layers[-1].units != 1 else ''} ({run.dataset}); the dataset now "
            f"needs {needed}. Switch back to its dataset to restore it."
        )
    # The snapshots belong to the current run's trajectory: restoring that run keeps those
    # up to its last epoch, any other run starts without.
    kept = project.snapshots if project.current_run == run.id else {}
    project.layers = copy.deepcopy(run.layers)
    project.compile = copy.deepcopy(run.compile)
    project.training = copy.deepcopy(run.training)
    project.weights = [w.copy() for w in run.weights]  # writable: the run's stay read-only
    project.input_dim = n_inputs
    project.history = copy_history(run.history)
    project.epochs_trained = run.epochs
    project.snapshots = {epoch: w for epoch, w in kept.items() if epoch <= run.epochs}
    project.scaler = copy.deepcopy(run.scaler)
    project.target_scaler = copy.deepcopy(run.target_scaler)
    project.current_run = run.id
