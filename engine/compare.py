"""Same start, two choices: train the project's network and a variant with one change from
the same initial weights on the same batches, and say which learned faster.

The course's lesson is a choice -- sigmoid or ReLU in this layer, this loss or that, this
learning rate -- and a fair comparison changes nothing else: both runs start from the fresh
initial weights of the project's seed (not its trained weights) and the engine's generator is
seeded identically before each fit, so both see the same batches in the same order.

    change = Change("activation", "relu", layer=0)
    changes_for(project)                     # every valid Change, for a dialog
    result = compare(project, change)        # both runs, through runtime.fit_run
    verdict(result)                          # "ReLU reached loss 0.0521 in 40 epochs; ..."
    result.base_health, result.variant_health   # per layer: dead / saturated share

Qt-free; a window runs compare() on its worker thread (callback for live curves,
should_stop to cancel).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import activations, losses, optimizers
from .callbacks import Callback
from .errors import EngineError, EngineValueError
from .project import edits, model_bridge, runtime
from .project.document import Project
from .project.runtime import RunOutcome
from .unit_health import LayerHealth, layer_health
from .utils import private_random_state, set_random_seed

__all__ = [
    "KINDS",
    "Change",
    "Comparison",
    "changes_for",
    "apply_change",
    "describe",
    "compare",
    "verdict",
    "first_epoch_reaching",
]

KINDS = ("activation", "loss", "optimizer", "learning_rate", "batch_size")

# Batch sizes offered besides the project's own (and full batch), below the training rows.
BATCH_SIZES = (8, 16, 32, 64, 128, 256)
# Learning rates offered: the project's times these, to one significant digit.
RATE_FACTORS = (0.1, 0.3, 3.0, 10.0)
MAX_LEARNING_RATE = 10.0

# The losses a binary sigmoid output can also train with: squared error on 0/1 targets is the
# course's "why not squared error for logistic regression?" question.
_REGRESSION_LOSSES = ("mean_squared_error", "mean_absolute_error", "huber")

_DISPLAY = {
    "relu": "ReLU",
    "leaky_relu": "leaky ReLU",
    "elu": "ELU",
    "silu": "SiLU",
    "binary_crossentropy": "binary cross-entropy",
    "categorical_crossentropy": "categorical cross-entropy",
    "sparse_categorical_crossentropy": "sparse categorical cross-entropy",
    "mean_squared_error": "MSE",
    "mean_absolute_error": "MAE",
    "huber": "Huber",
    "sgd": "SGD",
    "rmsprop": "RMSprop",
    "adam": "Adam",
}


@dataclass(frozen=True)
class Change:
    """One change to try. kind: one of KINDS. value: an activation, loss or optimizer name,
    a learning rate (float), or a batch size (int, or None for full batch). layer: for
    kind "activation", the 0-based position of the layer in project.layers (the output
    layer is the last); None otherwise."""

    kind: str
    value: Any
    layer: int | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"A change is one of {', '.join(KINDS)}. Received: kind={self.kind!r}")
        if (self.kind == "activation") != (self.layer is not None):
            raise ValueError(
                "A change of activation names its layer (layer=0 for the first); other "
                f"changes do not. Received: kind={self.kind!r}, layer={self.layer!r}"
            )


def describe(change: Change) -> str:
    """A short name for the change, as a run would be called: "layer 2: relu", "lr 0.1",
    "loss: MSE", "optimizer: SGD", "batch 64", "full batch" (layers counted from 1)."""
    if change.kind == "activation":
        return f"layer {change.layer + 1}: {change.value}"
    if change.kind == "learning_rate":
        return f"lr {float(change.value):g}"
    if change.kind == "batch_size":
        return "full batch" if change.value is None else f"batch {int(change.value)}"
    return f"{change.kind}: {_display(str(change.value))}"


# ------------------------------------------------------------------------- the choices


def changes_for(project: Project) -> list[Change]:
    """Every change a comparison can try on `project`, the project's current values left
    out: each layer's other activations (hidden layers: every registered activation but
    softmax; the output: those its loss works with), the losses that suit the output layer
    and the data's task, the other optimizers, a few learning rates around the current one
    (÷10, ÷3, ×3, ×10) and other batch sizes (and full batch)."""
    changes = []
    for index, layer in enumerate(project.layers):
        current = _canonical_activation(layer.activation)
        for name in _activation_choices(project, index):
            if name != current:
                changes.append(Change("activation", name, layer=index))
    current_loss = _canonical_loss(project.compile.loss)
    changes += [Change("loss", n) for n in _loss_choices(project) if n != current_loss]
    current_optimizer = _canonical_optimizer(project.compile.optimizer)
    changes += [Change("optimizer", n) for n in optimizers.available() if n != current_optimizer]
    changes += [Change("learning_rate", rate) for rate in _rate_choices(project)]
    changes += [Change("batch_size", size) for size in _batch_choices(project)]
    return changes


def _activation_choices(project: Project, index: int) -> list[str]:
    names = [n for n in activations.available() if n != "softmax"]
    if index != len(project.layers) - 1:
        return names
    loss = model_bridge.make_loss(project.compile)
    if loss.task == "regression":
        return names
    if project.compile.from_logits:
        return ["linear"]
    return ["sigmoid"] if loss.task == "binary" else ["softmax"]


def _task(project: Project) -> str:
    task = getattr(project.dataset, "task", None)
    return task if task is not None else model_bridge.make_loss(project.compile).task


def _loss_choices(project: Project) -> list[str]:
    task = _task(project)
    output = _canonical_activation(project.layers[-1].activation) if project.layers else ""
    logits = project.compile.from_logits and output == "linear"
    if task == "regression":
        return list(_REGRESSION_LOSSES)
    if task == "binary":
        if logits:
            return ["binary_crossentropy"]
        return ["binary_crossentropy", *_REGRESSION_LOSSES] if output == "sigmoid" else []
    if task == "multiclass" and (output == "softmax" or logits):
        return ["sparse_categorical_crossentropy", "categorical_crossentropy"]
    return []


def _rate_choices(project: Project) -> list[float]:
    current = float(project.compile.learning_rate)
    if not current > 0:
        return [0.001, 0.01, 0.1]
    rates = []
    for factor in RATE_FACTORS:
        rate = float(f"{current * factor:.1g}")
        if 0 < rate <= MAX_LEARNING_RATE and rate != current and rate not in rates:
            rates.append(rate)
    return rates


def _batch_choices(project: Project) -> list[int | None]:
    rows = _training_rows(project)
    current = project.training.batch_size
    sizes: list[int | None] = [
        s for s in BATCH_SIZES if (rows is None or s < rows) and s != current
    ]
    if current is not None:
        sizes.append(None)
    return sizes


def _training_rows(project: Project) -> int | None:
    if project.dataset is None:
        return None
    n = len(project.dataset.y)
    return n - int(round(n * float(project.training.validation_split)))


# ------------------------------------------------------------------------- applying one


def apply_change(project: Project, change: Change) -> Project:
    """A copy of `project` with `change` made (the copy shares the dataset, which nothing
    changes in place). A new activation or loss forgets the trained weights, as the edit
    does in the window. Raises ValueError, saying why, when the change does not suit the
    project (an unknown name, a layer out of range, a loss the output cannot train with,
    a learning rate that is not a positive number, a batch size below 1)."""
    variant = _copy(project, keep_training=True)
    kind, value = change.kind, change.value
    if kind == "activation":
        index = change.layer
        if not isinstance(index, (int, np.integer)) or not 0 <= index < len(project.layers):
            raise ValueError(
                f"There is no layer {index!r}: the network has {len(project.layers)} layers "
                f"(0..{len(project.layers) - 1})."
            )
        name = _known(activations, "activation", value)
        current = _canonical_activation(project.layers[index].activation)
        allowed = _activation_choices(project, index)
        if name != current and name not in allowed:
            raise ValueError(
                f"Layer {index + 1} cannot use {name!r} here; it can use: {', '.join(allowed)}."
            )
        edits.set_layer_field(variant, int(index), "activation", name)
    elif kind == "loss":
        name = _known(losses, "loss", value)
        allowed = _loss_choices(project)
        if name != _canonical_loss(project.compile.loss) and name not in allowed:
            raise ValueError(
                f"The loss {name!r} does not suit this output layer and data; "
                f"{'choose from: ' + ', '.join(allowed) if allowed else 'none does'}."
            )
        metrics = list(variant.compile.metrics)
        edits.set_loss(variant, name)
        if _task(project) != "regression":
            variant.compile.metrics = metrics  # accuracy still means something
        edits.reset_training(variant)
    elif kind == "optimizer":
        variant.compile.optimizer = _known(optimizers, "optimizer", value)
    elif kind == "learning_rate":
        variant.compile.learning_rate = _learning_rate(value)
    else:
        variant.training.batch_size = _batch_size(value)
    return variant


def _known(module, what: str, value) -> str:
    try:
        return module.get(str(value)).registered_name
    except EngineError as exc:
        raise ValueError(
            f"Unknown {what} {value!r}; valid: {', '.join(module.available())}."
        ) from exc


def _learning_rate(value) -> float:
    try:
        rate = float(value)
    except (TypeError, ValueError):
        rate = math.nan
    if not (math.isfinite(rate) and 0 < rate <= MAX_LEARNING_RATE):
        raise ValueError(
            f"A learning rate is a number above 0 and at most {MAX_LEARNING_RATE:g}. "
            f"Received: {value!r}"
        )
    return rate


def _batch_size(value) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(
            "A batch size is a whole number of at least 1, or None for full batch. "
            f"Received: {value!r}"
        )
    return int(value)


def _canonical(module, name) -> str:
    try:
        return module.get(name).registered_name
    except EngineError:
        return str(name)


def _canonical_activation(name) -> str:
    return _canonical(activations, name or "linear")


def _canonical_loss(name) -> str:
    return _canonical(losses, name)


def _canonical_optimizer(name) -> str:
    return _canonical(optimizers, name)


def _display(name: str) -> str:
    return _DISPLAY.get(name, name)


def _copy(project: Project, keep_training: bool) -> Project:
    """A deep copy sharing the dataset (read-only for everything here); without the
    training (weights, history, snapshots) unless keep_training."""
    memo: dict[int, Any] = {id(project.dataset): project.dataset}
    if not keep_training:
        memo[id(project.history)] = {}
        memo[id(project.snapshots)] = {}
        if project.weights is not None:
            memo[id(project.weights)] = None
    twin = copy.deepcopy(project, memo)
    if not keep_training:
        twin.clear_training()
    return twin


# ------------------------------------------------------------------------- comparing


@dataclass
class Comparison:
    """Two runs from one start. base / variant: how each run ended (runtime.RunOutcome;
    None for a run that never started because the comparison was cancelled first).
    base_project / variant_project: copies of the project without and with the change,
    each holding its run (runtime.record_run: weights, history from epoch 0, scalers), so
    either can become a run of the project. base_health / variant_health: per layer, the
    dead and saturated shares of the run's final weights on the training split (None
    without a run). initial_weights: the start both shared. epochs: the epochs asked for.
    measure: the history key the verdict compares -- "loss", or for a change of loss (whose
    values are not comparable) "accuracy" for classification, "mae" for regression.
    labels: what to call each side in a sentence ("sigmoid", "ReLU"; "the MSE loss").
    cancelled: should_stop ended the comparison; what finished is kept."""

    change: Change
    base: RunOutcome | None
    variant: RunOutcome | None
    base_project: Project
    variant_project: Project
    base_health: list[LayerHealth] | None
    variant_health: list[LayerHealth] | None
    initial_weights: list[np.ndarray]
    epochs: int
    measure: str
    labels: tuple[str, str]
    cancelled: bool = False

    @property
    def outcomes(self) -> tuple[RunOutcome | None, RunOutcome | None]:
        return self.base, self.variant

    @property
    def projects(self) -> tuple[Project, Project]:
        return self.base_project, self.variant_project


class _Progress(Callback):
    """Reports each finished epoch as callback(which, epoch, logs) and asks should_stop()
    before every batch (a hook before the batch costs no running loss)."""

    def __init__(self, which: int, callback, should_stop):
        super().__init__()
        self.which, self.callback, self.should_stop = which, callback, should_stop
        self.cancelled = False

    def on_train_batch_begin(self, batch, logs=None):
        if self.should_stop is not None and not self.cancelled and self.should_stop():
            self.cancelled = True
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        if self.callback is not None:
            self.callback(self.which, int(epoch) + 1, dict(logs or {}))


def compare(
    project: Project,
    change: Change,
    epochs: int | None = None,
    callback: Callable[[int, int, dict], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Comparison:
    """Train the project's network (which=0) and the variant with `change` (which=1), one
    after the other, each through runtime.fit_run with the project's training settings
    (early stopping as the project says), for `epochs` (default: the project's epochs).

    Both start from the fresh initial weights of the project's seed (runtime.initial_weights
    -- not the project's trained weights), and the engine's generator is seeded with
    runtime.run_seed before each fit, so both see the same batches; the generators are put
    back afterwards. The project itself is not changed.

    callback(which, epoch, logs): after each epoch (1-based) of either run, logs as fit
    reports them (loss, metrics, val_*). should_stop(): asked before every batch; True
    stops the run in progress and skips the rest (Comparison.cancelled).

    Raises ValueError for a change that does not suit the project (apply_change) or
    epochs < 1; ProjectError when the project has no data or layers."""
    base = _copy(project, keep_training=False)
    variant = apply_change(base, change)  # base has no weights to copy
    if epochs is None:
        epochs = int(project.training.epochs)
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise EngineValueError(f"A comparison trains at least 1 epoch. Received: epochs={epochs!r}")
    epochs = int(epochs)
    variant.clear_training()
    measure = _measure(project, change)
    if measure != "loss":  # both runs record the metric the verdict reads
        for side in (base, variant):
            if measure not in side.compile.metrics:
                side.compile.metrics = [*side.compile.metrics, measure]
    outcomes: list[RunOutcome | None] = [None, None]
    health: list[list[LayerHealth] | None] = [None, None]
    cancelled = False
    with private_random_state():
        start = runtime.initial_weights(project)
        for which, side in enumerate((base, variant)):
            progress = _Progress(which, callback, should_stop)
            if should_stop is not None and should_stop():
                cancelled = True
                break
            outcomes[which], health[which] = _train(side, start, epochs, progress)
            if progress.cancelled:
                cancelled = True
                break
    return Comparison(
        change=change,
        base=outcomes[0],
        variant=outcomes[1],
        base_project=base,
        variant_project=variant,
        base_health=health[0],
        variant_health=health[1],
        initial_weights=[np.array(w, copy=True) for w in start],
        epochs=epochs,
        measure=measure,
        labels=_labels(project, variant, change),
        cancelled=cancelled,
    )


def _train(side: Project, start, epochs: int, progress: _Progress):
    """One run of `side` from `start`, recorded on it; returns (outcome, health)."""
    side.weights = [np.array(w, copy=True) for w in start]
    model = runtime.build_model(side)
    prepared = runtime.prepare_data(side)
    set_random_seed(runtime.run_seed(side))  # the same batches for both sides
    outcome = runtime.fit_run(model, prepared, side.training, epochs, callbacks=[progress])
    runtime.record_run(side, outcome, prepared.scaler_config, base_history={}, base_epochs=0)
    return outcome, layer_health(model, prepared.x_train)


def _measure(project: Project, change: Change) -> str:
    if change.kind != "loss":
        return "loss"
    return "mae" if _task(project) == "regression" else "accuracy"


def _labels(project: Project, variant: Project, change: Change) -> tuple[str, str]:
    def label(side: Project) -> str:
        if change.kind == "activation":
            return _display(_canonical_activation(side.layers[change.layer].activation))
        if change.kind == "loss":
            return f"the {_display(_canonical_loss(side.compile.loss))} loss"
        if change.kind == "optimizer":
            return _display(_canonical_optimizer(side.compile.optimizer))
        if change.kind == "learning_rate":
            return f"learning rate {float(side.compile.learning_rate):g}"
        size = side.training.batch_size
        return "full batch" if size is None else f"batch {int(size)}"

    names = label(project), label(variant)
    if names[0] == names[1]:
        return "the current network", f"the variant ({names[1]})"
    return names


# ------------------------------------------------------------------------- the verdict

# Two runs within this share of each other's epochs (or one epoch) learned "about as fast".
TIE_SHARE = 0.1
LOSS_SLACK = 1.1  # the common target: the worse run's final loss x this
ACCURACY_SLACK = 0.01  # ... or its final accuracy minus this


def first_epoch_reaching(values, target: float, higher_is_better: bool = False) -> int | None:
    """The first epoch (1-based) whose value reached `target` (<= it, or >= it when higher is
    better), or None."""
    for epoch, value in enumerate(values, start=1):
        if math.isfinite(value) and (value >= target if higher_is_better else value <= target):
            return epoch
    return None


def verdict(comparison: Comparison) -> str:
    """One line from the numbers: which run first reached a target both can be held to (the
    worse run's final loss × 1.1; for a change of loss, its final accuracy - 0.01 or MAE ×
    1.1), and in how many epochs; diverged and cancelled runs say so; runs within 10% of
    each other's epochs are "about the same"."""
    names = comparison.labels
    runs = comparison.outcomes
    if runs[0] is None:
        return "Cancelled before the first run finished an epoch."
    if runs[1] is None:
        return (
            f"Cancelled: only {names[0]} trained ({runs[0].epochs} epochs); {names[1]} did not run."
        )
    prefix = "Cancelled; so far: " if comparison.cancelled else ""
    diverged = [run.outcome == "diverged" for run in runs]
    if all(diverged):
        return (
            f"{prefix}Both diverged: {names[0]} at epoch {runs[0].diverged_epoch}, "
            f"{names[1]} at epoch {runs[1].diverged_epoch}."
        )
    key = comparison.measure
    series = [list(run.history.get(key, [])) for run in runs]
    if any(diverged):
        bad = diverged.index(True)
        good = 1 - bad
        final = _final(series[good])
        good_text = (
            f"{names[good]} reached {_measure_name(key)} {final:.3g} in {runs[good].epochs} epochs"
            if final is not None
            else f"{names[good]} trained {runs[good].epochs} epochs"
        )
        return _sentence(
            f"{prefix}{names[bad]} diverged at epoch {runs[bad].diverged_epoch}; {good_text}."
        )
    return _sentence(prefix + _race(names, runs, series, key)) + _early_stops(names, runs)


def _early_stops(names, runs) -> str:
    """ " Tanh stopped early at epoch 57 (its best, 37)." for each run early stopping ended:
    its history is shorter and its final figures are not its kept weights'."""
    notes = [
        f" {_sentence(name)} stopped early at epoch {run.epochs} (its best, {run.best_epoch})."
        for name, run in zip(names, runs)
        if run.early_stopped
    ]
    return "".join(notes)


def _race(names, runs, series, key: str) -> str:
    """The verdict on two healthy runs: which first reached the common target."""
    measure = _measure_name(key)
    finals = [_final(values) for values in series]
    if None in finals:
        return f"{names[0]} and {names[1]} recorded no {measure}."
    higher = key == "accuracy"
    if not higher:
        stuck = [_did_not_improve(values) for values in series]
        if all(stuck):
            return (
                f"neither improved on its first epoch: {measure} {finals[0]:.3g} for "
                f"{names[0]}, {finals[1]:.3g} for {names[1]}."
            )
        if any(stuck):
            bad = stuck.index(True)
            good = 1 - bad
            return (
                f"{names[good]} reached {measure} {finals[good]:.3g} in {runs[good].epochs} "
                f"epochs; {names[bad]} did not improve on its first epoch ({measure} "
                f"{_first(series[bad]):.3g} → {finals[bad]:.3g})."
            )
    worse = min(finals) if higher else max(finals)
    target = max(worse - ACCURACY_SLACK, 0.0) if higher else worse * LOSS_SLACK
    reached = [first_epoch_reaching(values, target, higher) for values in series]
    what = f"{measure} {target:.3g}"
    better = finals.index(max(finals) if higher else min(finals))
    if reached[better] == 1 and not _close(finals, higher):
        # The worse run never got to where the better one was after one epoch: no race.
        return (
            f"{names[better]} was ahead from the first epoch and ended at {measure} "
            f"{finals[better]:.3g}; {names[1 - better]} ended at {finals[1 - better]:.3g}."
        )
    if None not in reached and _tied(*reached):
        return (
            f"{names[0]} and {names[1]} reached {what} in about the same time "
            f"({reached[0]} and {reached[1]} epochs); final {measure} {finals[0]:.3g} and "
            f"{finals[1]:.3g}."
        )
    fast = _faster(reached)
    slow = 1 - fast
    slow_text = (
        f"{names[slow]} needed {reached[slow]}"
        if reached[slow] is not None
        else f"{names[slow]} did not reach it in {runs[slow].epochs} epochs"
    )
    return (
        f"{names[fast]} reached {what} in {reached[fast]} epochs; {slow_text} (final "
        f"{measure} {finals[fast]:.3g} and {finals[slow]:.3g})."
    )


# A loss whose best epoch is not at least this share below its first epoch's did not learn.
IMPROVEMENT = 0.01


def _did_not_improve(values) -> bool:
    first = _first(values)
    finite = [v for v in values if math.isfinite(v)]
    return first is not None and min(finite) > first * (1.0 - IMPROVEMENT)


def _first(values) -> float | None:
    finite = [v for v in values if math.isfinite(v)]
    return float(finite[0]) if finite else None


def _final(values) -> float | None:
    finite = [v for v in values if math.isfinite(v)]
    return float(finite[-1]) if finite else None


def _close(finals, higher: bool) -> bool:
    """Whether two final values are as good as each other (1.1× for losses)."""
    if higher:
        return abs(finals[0] - finals[1]) <= ACCURACY_SLACK
    low, high = sorted(abs(v) for v in finals)
    return high <= low * LOSS_SLACK


def _tied(a: int, b: int) -> bool:
    return abs(a - b) <= max(1, TIE_SHARE * max(a, b))


def _faster(reached) -> int:
    if reached[0] is None:
        return 1
    if reached[1] is None:
        return 0
    return 0 if reached[0] <= reached[1] else 1


def _measure_name(key: str) -> str:
    return {"mae": "MAE"}.get(key, key)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]
