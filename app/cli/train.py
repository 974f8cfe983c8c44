"""`netbuilder train`: train a project headless, continuing from its stored weights."""

from __future__ import annotations

import sys
from pathlib import Path

from engine.project import runtime
from engine.snapshot_keeper import EpochSnapshots
from engine.utils import set_random_seed

from .arguments import add_version, non_negative_int, positive_int
from .errors import EXIT_INTERRUPTED, EXIT_OK, PROG, CliError, about
from .progress import Progress, progress_callback, stop_on_sigint
from .project_files import (
    fmt,
    is_number,
    load_project,
    project_dataset,
    project_model,
    save_project,
)


def add_parser(commands) -> None:
    train = commands.add_parser(
        "train",
        help="train a project, continuing from its stored weights",
        description="Train headless, continuing from the stored weights, and save. Ctrl+C "
        "stops after the current batch and still saves (exit status 130).",
    )
    add_version(train)
    train.add_argument("project", metavar="PROJECT.nnproj")
    train.add_argument(
        "--epochs", "-e", type=positive_int, metavar="N", help="default: the project's epochs"
    )
    train.add_argument(
        "-o", "--output", metavar="OUT.nnproj", help="write here instead of in place"
    )
    train.add_argument(
        "--early-stopping",
        type=non_negative_int,
        metavar="N",
        help="for this run: stop when the validation loss has not improved for N epochs and "
        "keep the best weights; 0 turns it off (default: the project's setting)",
    )
    train.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="one line per epoch when the output is not a terminal (default: every 5%%)",
    )
    train.set_defaults(handler=run, parser=train)


def run(args) -> int:
    project = load_project(args.project)
    out = Path(args.output) if args.output else Path(args.project)
    project_dataset(project, args.project)
    model = project_model(project, args.project)
    with about(args.project, "its dataset: "):
        prepared = runtime.prepare_data(project)
    epochs = args.epochs or int(project.training.epochs)
    start = int(project.epochs_trained or 0)
    # Shuffling is the only randomness left once the weights exist: seeded by the project and
    # where it stands, the same command on the same file gives the same result.
    set_random_seed(runtime.run_seed(project))
    progress = Progress(start, start + epochs, verbose=args.verbose)
    say = lambda text: print(f"\n{text}" if progress.tty else text, file=sys.stderr)  # noqa: E731
    # The weights along the way, for the window's timeline ("Continue from here").
    keeper = EpochSnapshots(initial_epoch=start)
    with stop_on_sigint(model, say) as sigint:
        outcome = runtime.fit_run(
            model,
            prepared,
            project.training,
            epochs,
            start,
            callbacks=[progress_callback(progress), keeper],
            patience=args.early_stopping,
        )
    progress.finish()
    if outcome.outcome == "diverged":
        raise CliError(args.project, f"{outcome.message} The project was not saved.")
    done = outcome.epochs
    runtime.record_run(project, outcome, prepared.scaler_config, snapshots=keeper.snapshots())
    save_project(project, out)
    if outcome.early_stopped:
        print(outcome.message.replace("Stopped early", "stopped early", 1))
    # The epoch whose weights are kept: the best one under early stopping, else the last.
    kept = done - 1 if outcome.best_epoch is None else outcome.best_epoch - start - 1
    final = "  ".join(
        f"{k} {fmt(v[kept])}"
        for k, v in outcome.history.items()
        if len(v) > kept >= 0 and is_number(v[kept])
    )
    which = "" if outcome.best_epoch is None else f" (kept: epoch {outcome.best_epoch})"
    print(f"trained {done} epoch(s), {project.epochs_trained} in all{which}: {final}; saved {out}")
    with about(args.project):
        scores = runtime.validation_scores(project, model, prepared)
    if "accuracy" in scores:
        print(f"validation accuracy {fmt(scores['accuracy'])}")
    elif "mae" in scores:
        print(f"validation MAE {fmt(scores['mae'])}  R2 {fmt(scores['r2'])}")
    if sigint["interrupted"]:
        print(f"{PROG}: interrupted after epoch {project.epochs_trained}; saved", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_OK
