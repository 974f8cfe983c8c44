"""`netbuilder summary`: layers, loss, optimizer, dataset, recent history, runs and advice."""

from __future__ import annotations

from .advice_lines import print_advice
from .arguments import add_version
from .errors import EXIT_OK, CliError, about
from .project_files import fmt, load_project, project_dataset, project_model

HISTORY_ROWS = 5  # epochs of history `summary` shows


def add_parser(commands) -> None:
    summary = commands.add_parser(
        "summary",
        help="show layers, loss, optimizer, dataset, recent history and runs",
        description="Show the layer table, the loss and optimizer, the dataset, the last "
        "epochs of the training history and the runs the project keeps.",
    )
    add_version(summary)
    summary.add_argument("project", metavar="PROJECT.nnproj")
    summary.set_defaults(handler=run, parser=summary)


def run(args) -> int:
    project = load_project(args.project)
    model = project_model(project, args.project)
    print(f"Project: {project.name} ({args.project})")
    with about(args.project):
        model.summary()
    print("Layers:")
    for spec_layer in project.layers:
        penalty = f", L2 {spec_layer.l2:g}" if spec_layer.l2 else ""
        print(
            f"  {spec_layer.name or '(unnamed)'}: {spec_layer.units} unit"
            f"{'s' if spec_layer.units != 1 else ''}, {spec_layer.activation}{penalty}"
        )
    spec = project.compile
    optimizer = f"{spec.optimizer} (learning_rate={spec.learning_rate:g}"
    if spec.optimizer == "sgd" and spec.momentum:
        optimizer += f", momentum={spec.momentum:g}"
    print(f"Loss: {spec.loss}" + (" (from logits)" if spec.from_logits else ""))
    print(f"Optimizer: {optimizer})")
    if spec.metrics:
        print(f"Metrics: {', '.join(map(str, spec.metrics))}")
    training = project.training
    batch = "full" if training.batch_size is None else training.batch_size
    stopping = (
        f"after {training.early_stopping} epochs without improvement"
        if training.early_stopping
        else "off"
    )
    print(
        f"Training: batch size {batch}, epochs per run {training.epochs}, validation split "
        f"{training.validation_split:g}, scaling {training.scaling}, target scaling "
        f"{training.target_scaling}, early stopping {stopping}, seed {training.seed}"
    )
    try:
        dataset = project_dataset(project, args.project)
        print(f"Dataset: {' '.join(dataset.describe().split())}")
    except CliError as exc:
        print(f"Dataset: not available ({exc.message})")
    print(f"Epochs trained: {project.epochs_trained}")
    _print_history(project.history, int(project.epochs_trained or 0))
    _print_runs(project)
    print_advice(project)
    return EXIT_OK


def _print_history(history: dict, epochs_trained: int) -> None:
    keys = [k for k, v in history.items() if v]
    if not keys:
        print("History: not trained yet")
        return
    n = max(len(history[k]) for k in keys)
    rows = min(HISTORY_ROWS, n)
    print(f"History (last {rows} epoch(s)):")
    widths = [max(8, len(k)) for k in keys]
    print("  " + "epoch".rjust(6) + "".join(f"  {k:>{w}}" for k, w in zip(keys, widths)))
    first_epoch = epochs_trained - n + 1 if epochs_trained >= n else 1
    for i in range(n - rows, n):
        cells = []
        for k, w in zip(keys, widths):
            values = history[k]
            offset = n - len(values)  # a series that started later (e.g. val_loss)
            cells.append(f"  {fmt(values[i - offset]) if i >= offset else '':>{w}}")
        print("  " + str(first_epoch + i).rjust(6) + "".join(cells))


def _print_runs(project) -> None:
    """One line per run: its name, epochs and final figures; * marks the current one."""
    if not project.runs:
        return
    print(f"Runs ({len(project.runs)}; * the current one):")
    for run in project.runs:
        mark = "*" if run.id == project.current_run else " "
        figures = "".join(f", {name} {fmt(value)}" for name, value in run.final_figures().items())
        kept = "" if run.kept_epoch is None else f" (kept: epoch {run.kept_epoch})"
        print(
            f"  {mark} {run.name}: {run.epochs} epoch{'s' if run.epochs != 1 else ''}{kept}{figures}"
        )
