"""What the Compare dialog computes and records, Qt-free (it runs on the comparison's thread).

    result = run_comparison(project, change, epochs, report, should_stop)
    result.comparison                      # engine.compare.Comparison
    result.views                           # per side: (ViewSetup, ViewUpdate) or None
    run_names(result.comparison)           # ("layer 1 sigmoid", "layer 1 relu")
    add_comparison_runs(project, comparison)   # both runs into project.runs (an edit)
    health_text(layer_health)              # "40% saturated (10 of 25)"

The views are the output view's own (app.training.views): each side's network with its final
weights on the project's data, so the two boundaries (or fitted curves) are drawn exactly as
the Output dock draws one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.training.views import ViewSetup, ViewUpdate, compute_views
from engine.compare import Change, Comparison, compare
from engine.errors import EngineError
from engine.project import runs, runtime
from engine.unit_health import LayerHealth

KIND_LABELS = {
    "activation": "a layer's activation",
    "loss": "the loss",
    "optimizer": "the optimizer",
    "learning_rate": "the learning rate",
    "batch_size": "the batch size",
}

# Short loss names for run names, as the runs list names a change of loss.
_LOSS_WORDS = {
    "mean_squared_error": "mse",
    "mean_absolute_error": "mae",
    "huber": "huber",
    "binary_crossentropy": "binary cross-entropy",
    "categorical_crossentropy": "categorical cross-entropy",
    "sparse_categorical_crossentropy": "sparse cross-entropy",
}


@dataclass
class ComparisonResult:
    """A finished (or cancelled) comparison and, for each side that trained, the output
    view's setup and its update for the final weights (None for a side without a run, or
    whose data the output view cannot show)."""

    comparison: Comparison
    views: tuple[tuple[ViewSetup, ViewUpdate] | None, tuple[ViewSetup, ViewUpdate] | None]


def run_comparison(
    project,
    change: Change,
    epochs: int,
    report: Callable[[tuple[int, int, dict]], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> ComparisonResult:
    """engine.compare.compare on `project` (a copy the caller does not touch meanwhile),
    reporting (which, epoch, logs) after every epoch of either side; then each side's views."""
    callback = None if report is None else (lambda which, epoch, logs: report((which, epoch, logs)))
    comparison = compare(project, change, epochs, callback=callback, should_stop=should_stop)
    views = tuple(
        side_views(side) if outcome is not None and outcome.weights is not None else None
        for side, outcome in zip(comparison.projects, comparison.outcomes)
    )
    return ComparisonResult(comparison, views)


def side_views(project) -> tuple[ViewSetup, ViewUpdate] | None:
    """The output view of `project`'s network with its weights (boundary, curve, ...)."""
    try:
        model = runtime.build_model(project)
        prepared = runtime.prepare_data(project)
        setup = ViewSetup.for_project(project, prepared)
        return setup, compute_views(model, setup)
    except (EngineError, ValueError):
        return None  # data the output view cannot lay out: the dialog says so


def plotted_measure(project, change: Change) -> str:
    """The history key both runs are drawn and judged by, as engine.compare chooses it:
    "loss", but for a change of loss (two losses' values do not compare) "accuracy" for a
    classification, "mae" for a regression."""
    if change.kind != "loss":
        return "loss"
    task = getattr(project.dataset, "task", None) or runtime.loss_task(project.compile)
    return "mae" if task == "regression" else "accuracy"


# ------------------------------------------------------------------------------ runs


def side_name(project, change: Change) -> str:
    """What one side of a comparison is called as a run: the changed setting's value on that
    side, worded as the runs list words a change ("layer 1 relu", "lr 0.1", "loss mse",
    "sgd", "batch 64", "full batch"); layers count from 1."""
    if change.kind == "activation":
        layer = project.layers[change.layer]
        return f"layer {change.layer + 1} {layer.activation or 'linear'}"
    if change.kind == "loss":
        loss = str(project.compile.loss)
        return f"loss {_LOSS_WORDS.get(loss, loss.replace('_', ' '))}"
    if change.kind == "optimizer":
        return str(project.compile.optimizer)
    if change.kind == "learning_rate":
        return f"lr {float(project.compile.learning_rate):g}"
    size = project.training.batch_size
    return "full batch" if size is None else f"batch {int(size)}"


def run_names(comparison: Comparison) -> tuple[str, str]:
    """(base, variant) run names; the same words on both sides get "current" / "variant"."""
    names = tuple(side_name(side, comparison.change) for side in comparison.projects)
    if names[0] == names[1]:
        return f"{names[0]} (current)", f"{names[1]} (variant)"
    return names


def can_record(comparison: Comparison) -> bool:
    """Only a comparison that ran to its end becomes runs: a cancelled one is not a fair
    pair (one side trained less, or not at all)."""
    return not comparison.cancelled and all(
        outcome is not None and outcome.weights is not None and outcome.epochs > 0
        for outcome in comparison.outcomes
    )


def add_comparison_runs(project, comparison: Comparison) -> list[runs.Run]:
    """Add both sides of `comparison` to project.runs (not as the current run: the project's
    weights, history and epochs stay as they are). An edit: the window runs it inside one
    undoable command. Returns the runs as added (names made unique)."""
    added = []
    for side, outcome, name in zip(comparison.projects, comparison.outcomes, run_names(comparison)):
        kept = outcome.best_epoch if outcome.best_epoch != side.epochs_trained else None
        added.append(runs.add_run(project, runs.run_of(side, name=name, kept_epoch=kept)))
    return added


# ---------------------------------------------------------------------------- health


def health_text(health: LayerHealth | None) -> str:
    """One layer's dead or saturated share as a table cell: "40% saturated (10 of 25)",
    "no dead units", "—" for an activation that can neither die nor saturate."""
    if health is None:
        return ""
    if health.dead is not None:
        return _share_text(health.dead, health.dead_units, health.units, "dead")
    if health.saturated is not None:
        return _share_text(health.saturated, health.saturated_units, health.units, "saturated")
    return "—"


def _share_text(share: float, count: int, units: int, word: str) -> str:
    if not count:
        return f"none {word}"
    return f"{share:.0%} {word} ({count} of {units})"


def health_tip(health: LayerHealth | None) -> str:
    if health is None:
        return ""
    if health.is_output and health.saturated is not None:
        return (
            "The output layer: a saturated sigmoid here is a confident prediction, not a "
            "vanishing gradient."
        )
    if health.dead is not None:
        return "ReLU units whose input is at most 0 for every training row: they output 0 and learn nothing."
    if health.saturated is not None:
        return (
            f"{health.activation} units with |z| > 4 for most training rows: on the flat tails, "
            "where the gradient is almost 0."
        )
    return f"A {health.activation} unit neither dies nor saturates."
