"""What the runs panel says about each run, and which runs the cost plot draws over its own
curves: plain functions of a project's runs, so the panel, the overlays, the undo commands
and the tests all read them one way.

Which runs are drawn is saved in the project's `ui` dict, so a project reopens as it was left:

    ui["runs_shown"]   ids of the runs drawn over the cost plot, in the order they were ticked
    ui["run_colours"]  run id -> its colour (a number into RUN_COLOURS), given when it is
                       first ticked and kept, so a run keeps its colour when ticked again

The file is read without trust: anything else under those keys is ignored.
"""

from __future__ import annotations

import math
from typing import Any

from app.builder.training_settings import LOSS_LABELS, OPTIMIZER_LABELS
from app.plots.cost_plot import METRICS, metric_key
from engine.project.runs import Run

SHOWN_KEY = "runs_shown"
COLOURS_KEY = "run_colours"
# A qualitative palette: matplotlib's tab10 without the live curves' blue and orange and the
# kept-epoch mark's green, the most distinct first. Readable on the light and dark plots.
RUN_COLOURS = (
    (148, 103, 189),  # purple
    (23, 190, 207),  # cyan
    (140, 86, 75),  # brown
    (227, 119, 194),  # pink
    (188, 189, 34),  # olive
    (214, 39, 40),  # red
    (127, 127, 127),  # grey
)
COLUMNS = ("Run", "Epochs", "Loss", "Val loss", "Accuracy")


# ------------------------------------------------------------------------- figures per run


def metric_of(run: Run) -> str | None:
    """The metric the run's curves and row show (as the cost plot picks it): "accuracy",
    "mae", ... or None."""
    return metric_key(run.history.keys())


def metric_label(key: str | None) -> str:
    return dict(METRICS).get(key, key or "metric")


def figure_name(key: str) -> str:
    """ "loss", "val loss", "accuracy", "val MAE", ... for a history key."""
    base = key.removeprefix("val_")
    label = "loss" if base == "loss" else metric_label(base)
    return f"val {label}" if key != base else label


def figure_text(key: str, value: float) -> str:
    """A final figure as the panel shows it: accuracy in percent, the rest to 4 digits."""
    if not math.isfinite(value):
        return str(value)
    if key.removeprefix("val_") == "accuracy":
        return f"{100 * value:.1f}%"
    return f"{value:.4g}"


def metric_value(run: Run) -> tuple[str, float] | None:
    """(history key, value) of the run's metric for its row: on the validation split when
    it has one (data the network did not train on), else on the training data."""
    key = metric_of(run)
    if key is None:
        return None
    figures = run.final_figures()
    for name in (f"val_{key}", key):
        if name in figures:
            return name, figures[name]
    return None


def epochs_text(run: Run) -> str:
    """ "300", or "293 of 300" when early stopping kept an earlier epoch's weights (the
    figures are that epoch's)."""
    if run.kept_epoch is not None and run.kept_epoch != run.epochs:
        return f"{run.kept_epoch} of {run.epochs}"
    return str(run.epochs)


def metric_header(runs: list[Run]) -> str:
    """The last column's title: the metric every run shares ("Accuracy", "MAE"), or
    "Metric" when runs differ (each cell then names its metric)."""
    keys = {metric_of(run) for run in runs} - {None}
    if len(keys) == 1:
        label = metric_label(keys.pop())
        return label[:1].upper() + label[1:]
    return "Metric" if keys else COLUMNS[-1]


def row_cells(run: Run, named_metric: bool = False) -> list[str]:
    """The texts of a run's row after its name: epochs, loss, val loss, metric ("" where
    the run has no such figure). named_metric: say which metric ("MAE 0.31")."""
    figures = run.final_figures()
    cells = [epochs_text(run)]
    cells += [
        figure_text(key, figures[key]) if key in figures else "" for key in ("loss", "val_loss")
    ]
    metric = metric_value(run)
    if metric is None:
        cells.append("")
    else:
        key, value = metric
        text = figure_text(key, value)
        cells.append(f"{figure_name(key)} {text}" if named_metric else text)
    return cells


def _layers_text(run: Run) -> str:
    parts = []
    for layer in run.layers:
        text = f"{layer.units} {layer.activation}"
        if layer.l2:
            text += f" (L2 {layer.l2:g})"
        parts.append(text)
    return " → ".join(parts)


def run_tooltip(run: Run, current: bool = False) -> str:
    """Everything that made the run what it was, so a learner sees what differed:

    layer 1 relu (the current run)
    Layers: 25 relu → 15 sigmoid → 1 sigmoid
    Loss: Binary cross-entropy · optimizer Adam · learning rate 0.01
    Batch size 32 · 300 epochs per Train · validation 20%
    Data: coffee · trained 300 epochs
    Final: loss 0.0145 · val loss 0.1009 · accuracy 100.0% · val accuracy 95.0%"""
    compile_, training = run.compile, run.training
    optimizer = OPTIMIZER_LABELS.get(compile_.optimizer, compile_.optimizer)
    loss = LOSS_LABELS.get(compile_.loss, compile_.loss.replace("_", " "))
    if compile_.from_logits:
        loss += " (from logits)"
    fit = [
        "full batch" if training.batch_size is None else f"batch size {training.batch_size}",
        f"{training.epochs} epochs per Train",
        f"validation {training.validation_split:.0%}",
    ]
    if training.early_stopping:
        fit.append(f"early stopping, patience {training.early_stopping}")
    trained = f"trained {run.epochs} epoch{'s' if run.epochs != 1 else ''}"
    if run.kept_epoch is not None and run.kept_epoch != run.epochs:
        trained += f" (the weights of epoch {run.kept_epoch} kept)"
    fit_text = " · ".join(fit)
    optimizer_text = f"optimizer {optimizer} · learning rate {compile_.learning_rate:g}"
    if compile_.optimizer == "sgd" and compile_.momentum:
        optimizer_text += f" · momentum {compile_.momentum:g}"
    lines = [
        run.name + (" (the current run)" if current else ""),
        f"Layers: {_layers_text(run)}",
        f"Loss: {loss} · {optimizer_text}",
        fit_text[:1].upper() + fit_text[1:],
        f"Data: {run.dataset} · {trained}",
    ]
    figures = run.final_figures()
    if figures:
        metric = metric_of(run)
        keys = ["loss", "val_loss"] + ([metric, f"val_{metric}"] if metric else [])
        shown = [
            f"{figure_name(key)} {figure_text(key, figures[key])}" for key in keys if key in figures
        ]
        lines.append("Final: " + " · ".join(shown))
    return "\n".join(lines)


# ----------------------------------------------------------- the runs drawn on the cost plot


def _ids(project) -> set[str]:
    return {run.id for run in project.runs}


def shown_runs(project) -> list[str]:
    """Ids of the project's runs ticked to be drawn on the cost plot, in the order they were
    ticked (runs since deleted and anything malformed are left out)."""
    saved = (project.ui or {}).get(SHOWN_KEY)
    if not isinstance(saved, list):
        return []
    ids = _ids(project)
    shown: list[str] = []
    for run_id in saved:
        if isinstance(run_id, str) and run_id in ids and run_id not in shown:
            shown.append(run_id)
    return shown


def colour_numbers(project) -> dict[str, int]:
    """Run id -> its colour's number in RUN_COLOURS, for the runs given one."""
    saved = (project.ui or {}).get(COLOURS_KEY)
    if not isinstance(saved, dict):
        return {}
    ids = _ids(project)
    return {
        run_id: number
        for run_id, number in saved.items()
        if run_id in ids
        and isinstance(number, int)
        and not isinstance(number, bool)
        and 0 <= number < len(RUN_COLOURS)
    }


def run_colour(project, run_id: str) -> tuple[int, int, int] | None:
    number = colour_numbers(project).get(run_id)
    return None if number is None else RUN_COLOURS[number]


def overlay_runs(project) -> list[tuple[Run, tuple[int, int, int]]]:
    """(run, colour) of each run to draw over the cost plot: the ticked ones, in the order
    they were ticked, except the current run (the live curves are that run)."""
    by_id = {run.id: run for run in project.runs}
    colours = colour_numbers(project)
    return [
        (by_id[run_id], RUN_COLOURS[colours.get(run_id, 0)])
        for run_id in shown_runs(project)
        if run_id != project.current_run
    ]


def with_run_shown(project, run_id: str, shown: bool) -> dict[str, Any]:
    """The project's `ui` dict with run `run_id` ticked (or not). A run ticked for the first
    time gets the first colour no other ticked run has (then the least used one), and keeps
    it. Entries of runs that no longer exist are dropped on the way."""
    ui = dict(project.ui or {})
    ids = shown_runs(project)
    colours = colour_numbers(project)
    if shown and run_id not in ids:
        ids.append(run_id)
        if run_id not in colours:
            used = [colours[other] for other in ids if other in colours]
            colours[run_id] = min(range(len(RUN_COLOURS)), key=lambda n: (used.count(n), n))
    elif not shown and run_id in ids:
        ids.remove(run_id)
    ui[SHOWN_KEY] = ids
    ui[COLOURS_KEY] = colours
    return ui


def without_run(project, run_id: str) -> dict[str, Any]:
    """The project's `ui` dict with every mention of run `run_id` removed (it is deleted)."""
    ui = dict(project.ui or {})
    if SHOWN_KEY in ui:
        ui[SHOWN_KEY] = [other for other in shown_runs(project) if other != run_id]
    if COLOURS_KEY in ui:
        ui[COLOURS_KEY] = {k: v for k, v in colour_numbers(project).items() if k != run_id}
    return ui
