"""`netbuilder new`: create a project from a CSV file or a built-in dataset."""

from __future__ import annotations

import argparse
from pathlib import Path

from engine import data, losses, optimizers
from engine.errors import EngineError
from engine.project import LayerSpec, Project, runtime
from engine.project.specs import output_units

from .advice_lines import print_advice
from .arguments import (
    add_version,
    batch_size,
    fraction,
    layer_list,
    name_list,
    non_negative_int,
    positive_float,
    positive_int,
)
from .errors import EXIT_OK, CliError, about
from .project_files import save_project


def add_parser(commands) -> None:
    new = commands.add_parser(
        "new",
        help="create a project from a CSV file or a built-in dataset",
        description="Create a project. Unless given, the layers, loss and activations follow "
        "the dataset's task: sigmoid + binary_crossentropy for two classes, softmax + "
        "sparse_categorical_crossentropy for several, linear + mean_squared_error for "
        "regression.",
    )
    add_version(new)
    new.add_argument("out", metavar="OUT.nnproj", help="the project file to write")
    source = new.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", metavar="CSV", help="a CSV file with a header row")
    source.add_argument(
        "--builtin",
        metavar="NAME",
        help="a built-in dataset, e.g. xor or iris (a wrong name lists them)",
    )
    new.add_argument("--target", metavar="COLUMN", help="the column to predict (with --data)")
    new.add_argument(
        "--features", metavar="A,B,...", type=name_list, help="feature columns (default: all)"
    )
    new.add_argument(
        "--layers",
        metavar="UNITS:ACTIVATION,...",
        type=layer_list,
        help="e.g. 25:sigmoid,15:sigmoid,1:sigmoid (default: follows the task)",
    )
    new.add_argument("--loss", help="e.g. binary_crossentropy (default: follows the task)")
    new.add_argument("--optimizer", help="sgd, rmsprop or adam (default: adam)")
    new.add_argument("--learning-rate", type=positive_float, metavar="RATE")
    new.add_argument(
        "--batch-size",
        type=batch_size,
        metavar="N",
        default=argparse.SUPPRESS,  # absent unless given: its value 'full' is None
        help="samples per step, or 'full'",
    )
    new.add_argument("--epochs", type=positive_int, metavar="N", help="epochs per `train` run")
    new.add_argument("--validation-split", type=fraction, metavar="FRACTION")
    new.add_argument("--seed", type=int, help="seed for the initial weights and the split")
    new.add_argument(
        "--no-scaling", action="store_true", help="train on the raw features (no standardizing)"
    )
    new.add_argument(
        "--early-stopping",
        type=non_negative_int,
        metavar="N",
        help="stop when the validation loss has not improved for N epochs and keep the best "
        "weights; 0 turns it off (default: on when there is a validation split)",
    )
    new.add_argument(
        "--no-target-scaling",
        action="store_true",
        help="train a regression on the raw target (default: standardised on the training "
        "split; losses and predictions are always in the target's units)",
    )
    new.add_argument("--name", help="the project's name (default: the file name)")
    new.set_defaults(handler=run, parser=new)


def run(args) -> int:
    loss, optimizer = _check_new_args(args)
    if args.builtin is not None:
        dataset = data.builtin(args.builtin, seed=args.seed if args.seed is not None else 0)
    else:
        if not Path(args.data).exists():
            raise CliError(args.data, "no such file")
        with about(args.data, loading=True):
            dataset = data.load_csv(args.data, target=args.target, features=args.features)

    out = Path(args.out)
    with about(args.data or args.out):
        project = Project.new_for_dataset(dataset)
        project.name = args.name or out.stem
        _apply_new_options(project, args, dataset, loss, optimizer)
        # The scaler and seeded initial weights, so predict and export of an untrained
        # project are reproducible.
        project.scaler = runtime.prepare_data(project).scaler_config
        project.weights = runtime.initial_weights(project)
    save_project(project, out)
    shape = " -> ".join(
        [str(dataset.n_features)]
        + [f"{layer.units} {layer.activation}" for layer in project.layers]
    )
    print(
        f"created {out}: {dataset.name} ({dataset.task}, {dataset.n_samples} samples), "
        f"{shape}, {project.compile.loss}, {project.compile.optimizer} "
        f"(learning rate {project.compile.learning_rate:g})"
    )
    print_advice(project)
    return EXIT_OK


def _check_new_args(args) -> tuple[str | None, str | None]:
    """Usage checks argparse cannot express (exit 2 before any work); returns the canonical
    loss and optimizer names (None when not given)."""
    parser = args.parser
    if args.data is not None and not args.target:
        parser.error("--data needs --target COLUMN (the column to predict)")
    if args.builtin is not None and (args.target or args.features):
        parser.error("--target and --features go with --data, not --builtin")
    if args.builtin is not None and args.builtin not in data.builtin_names():
        parser.error(
            f"argument --builtin: unknown dataset {args.builtin!r}; choose from "
            f"{', '.join(data.builtin_names())}"
        )
    loss = optimizer = None
    if args.loss is not None:
        try:
            loss = losses.get(args.loss).registered_name
        except EngineError:
            parser.error(
                f"argument --loss: unknown loss {args.loss!r}; choose from "
                f"{', '.join(losses.available())}"
            )
    if args.optimizer is not None:
        try:
            optimizer = optimizers.get(args.optimizer.lower()).registered_name
        except EngineError:
            parser.error(
                f"argument --optimizer: unknown optimizer {args.optimizer!r}; choose from "
                f"{', '.join(optimizers.available())}"
            )
    if args.seed is not None and args.seed < 0:
        parser.error(f"argument --seed: expected a number >= 0, received {args.seed}")
    return loss, optimizer


def _apply_new_options(project, args, dataset, loss, optimizer) -> None:
    """Command-line choices over the task's defaults."""
    if args.layers is not None:
        project.layers = [
            LayerSpec(units=u, activation=a, name=f"layer{i + 1}")
            for i, (u, a) in enumerate(args.layers)
        ]
        expected = output_units(dataset)
        last = project.layers[-1].units
        if last != expected:  # a usage error, though only the data can tell
            args.parser.error(
                f"argument --layers: the output layer has {last} unit(s) but the "
                f"{dataset.task} dataset {dataset.name!r} needs {expected}; end with e.g. "
                f"{expected}:{'softmax' if dataset.task == 'multiclass' else 'sigmoid'}"
            )
    if loss is not None:
        project.compile.loss = loss
    if optimizer is not None:
        project.compile.optimizer = optimizer
    if args.learning_rate is not None:
        project.compile.learning_rate = args.learning_rate
    if hasattr(args, "batch_size"):
        project.training.batch_size = args.batch_size
    if args.epochs is not None:
        project.training.epochs = args.epochs
    if args.validation_split is not None:
        project.training.validation_split = args.validation_split
    if args.seed is not None:
        project.training.seed = args.seed
    if args.no_scaling:
        project.training.scaling = "none"
    if args.early_stopping is not None:
        project.training.early_stopping = args.early_stopping or None
    elif not project.training.validation_split:
        project.training.early_stopping = None  # nothing to watch without a validation split
    if args.no_target_scaling:
        project.training.target_scaling = "none"
