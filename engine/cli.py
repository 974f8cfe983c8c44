"""Netbuilder's command line: new, train, evaluate, predict, summary, export keras.

It runs without a screen and never imports Qt: `app/__main__.py` hands every subcommand here.
Exit status: 0 on success; 2 on a usage error (argparse prints why); 1 when a file is
missing, unreadable or does not fit, with exactly one line on stderr,
``netbuilder: error: <file>: <what is wrong>``, never a traceback; 130 when training was
interrupted with Ctrl+C (the project is still saved, with the epochs finished so far).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from .errors import EngineError

PROG = "netbuilder"
COMMANDS = ("new", "train", "evaluate", "predict", "summary", "export")
EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
HISTORY_ROWS = 5  # epochs of history `summary` shows


class CliError(Exception):
    """A problem with one file, reported as `netbuilder: error: <file>: <message>`."""

    def __init__(self, file, message: str):
        super().__init__(message)
        self.file = None if file is None else str(file)
        self.message = message


def version() -> str:
    try:
        from importlib.metadata import version as installed_version

        return installed_version("netbuilder")
    except Exception:  # not installed (running from a source tree)
        return "unknown"


# ---------------------------------------------------------------------------------------------
# Entry point


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit status (never raises SystemExit)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if getattr(args, "handler", None) is None:
        parser.print_usage(sys.stderr)
        print(f"{PROG}: error: choose a command: {', '.join(COMMANDS)}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return args.handler(args)
    except SystemExit as exc:  # a usage check inside a command (parser.error)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except CliError as exc:
        return _report(exc.file, exc.message)
    except EngineError as exc:
        return _report(None, str(exc))
    except OSError as exc:
        return _report(exc.filename, exc.strerror or str(exc))
    except BrokenPipeError:  # e.g. `netbuilder predict ... | head`: the reader left
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug: still one line, and how to get it fixed
        return _report(
            None,
            f"unexpected {type(exc).__name__}: {exc} -- this is a bug in Netbuilder; please "
            "report it with the command you ran",
        )


def _report(file, message: str) -> int:
    """Print the one-line error; returns EXIT_ERROR."""
    text = " ".join(str(message).split())  # one line, whatever the message held
    if file:
        file = str(file)
        spellings = {file, str(Path(file).absolute()), str(Path(file).resolve())}
        for spelling in sorted(spellings, key=len, reverse=True):
            # The engine's message already names the file ("path: ..." or "path, line 3, ...").
            if text.startswith((spelling + ":", spelling + ",")):
                text = text[len(spelling) + 1 :].lstrip()
                break
        text = f"{file}: {text}"
    print(f"{PROG}: error: {text}", file=sys.stderr)
    return EXIT_ERROR


@contextlib.contextmanager
def _about(path, what: str = "", loading: bool = False):
    """Attribute errors raised inside to `path`. When `loading`, any failure to read means the
    file is broken (a library's own parse errors are not EngineErrors)."""
    try:
        yield
    except CliError:
        raise
    except EngineError as exc:
        raise CliError(path, f"{what}{exc}") from exc
    except OSError as exc:
        message = f"{what}{exc.strerror or exc}"
        other = exc.filename and str(exc.filename) != str(path)
        if other and path is not None and not str(exc.filename).endswith(".tmp"):
            message += f" ({exc.filename})"  # e.g. the dataset file a project points to
        raise CliError(path if path is not None else exc.filename, message) from exc
    except (KeyboardInterrupt, MemoryError):
        raise
    except Exception as exc:
        if not loading:
            raise
        raise CliError(path, f"{what}cannot be read: {type(exc).__name__}: {exc}") from exc


# ---------------------------------------------------------------------------------------------
# Arguments


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Build and train dense neural networks. Without a command, or with a "
        ".nnproj file, `netbuilder` opens the window; these commands run without one.",
        epilog="example:\n"
        "  netbuilder new xor.nnproj --builtin xor --layers 8:tanh,1:sigmoid --epochs 200\n"
        "  netbuilder train xor.nnproj\n"
        "  netbuilder evaluate xor.nnproj\n"
        "  netbuilder predict xor.nnproj points.csv -o predictions.csv --probabilities\n"
        "  netbuilder export keras xor.nnproj -o model.py\n"
        "\n"
        "`netbuilder COMMAND --help` describes each command.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_version(parser)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    new = commands.add_parser(
        "new",
        help="create a project from a CSV file or a built-in dataset",
        description="Create a project. Unless given, the layers, loss and activations follow "
        "the dataset's task: sigmoid + binary_crossentropy for two classes, softmax + "
        "sparse_categorical_crossentropy for several, linear + mean_squared_error for "
        "regression.",
    )
    _add_version(new)
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
        "--features", metavar="A,B,...", type=_name_list, help="feature columns (default: all)"
    )
    new.add_argument(
        "--layers",
        metavar="UNITS:ACTIVATION,...",
        type=_layer_list,
        help="e.g. 25:sigmoid,15:sigmoid,1:sigmoid (default: follows the task)",
    )
    new.add_argument("--loss", help="e.g. binary_crossentropy (default: follows the task)")
    new.add_argument("--optimizer", help="sgd, rmsprop or adam (default: adam)")
    new.add_argument("--learning-rate", type=_positive_float, metavar="RATE")
    new.add_argument(
        "--batch-size",
        type=_batch_size,
        metavar="N",
        default=argparse.SUPPRESS,  # absent unless given: its value 'full' is None
        help="samples per step, or 'full'",
    )
    new.add_argument("--epochs", type=_positive_int, metavar="N", help="epochs per `train` run")
    new.add_argument("--validation-split", type=_fraction, metavar="FRACTION")
    new.add_argument("--seed", type=int, help="seed for the initial weights and the split")
    new.add_argument(
        "--no-scaling", action="store_true", help="train on the raw features (no standardizing)"
    )
    new.add_argument("--name", help="the project's name (default: the file name)")
    new.set_defaults(handler=cmd_new, parser=new)

    train = commands.add_parser(
        "train",
        help="train a project, continuing from its stored weights",
        description="Train headless, continuing from the stored weights, and save. Ctrl+C "
        "stops after the current batch and still saves (exit status 130).",
    )
    _add_version(train)
    train.add_argument("project", metavar="PROJECT.nnproj")
    train.add_argument(
        "--epochs", "-e", type=_positive_int, metavar="N", help="default: the project's epochs"
    )
    train.add_argument(
        "-o", "--output", metavar="OUT.nnproj", help="write here instead of in place"
    )
    train.set_defaults(handler=cmd_train, parser=train)

    evaluate = commands.add_parser(
        "evaluate",
        help="print the loss and metrics",
        description="Print the loss and metrics on the project's dataset, or on another CSV "
        "with the same columns (found by name), scaled the project's way.",
    )
    _add_version(evaluate)
    evaluate.add_argument("project", metavar="PROJECT.nnproj")
    evaluate.add_argument("--data", metavar="CSV", help="evaluate on this file instead")
    evaluate.set_defaults(handler=cmd_evaluate, parser=evaluate)

    predict = commands.add_parser(
        "predict",
        help="predict for the rows of a CSV file",
        description="Read the project's feature columns (by name) from INPUT.csv, scale them "
        "the project's way and write one prediction per row: the class name, or the value for "
        "regression.",
    )
    _add_version(predict)
    predict.add_argument("project", metavar="PROJECT.nnproj")
    predict.add_argument("input", metavar="INPUT.csv")
    predict.add_argument("-o", "--output", metavar="OUT.csv", help="default: standard output")
    predict.add_argument(
        "--probabilities", action="store_true", help="add a prob_<class> column per class"
    )
    predict.set_defaults(handler=cmd_predict, parser=predict)

    summary = commands.add_parser(
        "summary",
        help="show layers, loss, optimizer, dataset and recent history",
        description="Show the layer table, the loss and optimizer, the dataset and the last "
        "epochs of the training history.",
    )
    _add_version(summary)
    summary.add_argument("project", metavar="PROJECT.nnproj")
    summary.set_defaults(handler=cmd_summary, parser=summary)

    export = commands.add_parser("export", help="export a project for another framework")
    _add_version(export)
    formats = export.add_subparsers(title="formats", metavar="FORMAT", required=True)
    keras = formats.add_parser(
        "keras",
        help="a Keras 3 script with the weights and the data beside it",
        description="Write a readable Keras 3 script (build_model, load_data, training when "
        "run) plus <name>_weights.npz and <name>_data.csv beside it.",
    )
    _add_version(keras)
    keras.add_argument("project", metavar="PROJECT.nnproj")
    keras.add_argument("-o", "--output", metavar="MODEL.py", default="model.py")
    keras.set_defaults(handler=cmd_export_keras, parser=keras)
    return parser


def _add_version(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--version", action="version", version=f"{PROG} {version()}")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, received {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, received {text!r}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, received {text!r}") from None
    if not value > 0 or not np.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a positive number, received {text!r}")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, received {text!r}") from None
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"expected 0 <= fraction < 1, received {text!r}")
    return value


def _batch_size(text: str) -> int | None:
    """'full' (or 0) means full-batch gradient descent (stored as None)."""
    if text.strip().lower() in ("full", "0"):
        return None
    return _positive_int(text)


def _name_list(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"expected column names A,B,..., received {text!r}")
    return names


def _layer_list(text: str) -> list[tuple[int, str]]:
    """'25:sigmoid,15:sigmoid,1:sigmoid' -> [(25, 'sigmoid'), ...]; a bare '25' is relu."""
    from . import activations

    layers = []
    for item in text.split(","):
        units_text, _, activation = item.strip().partition(":")
        try:
            units = int(units_text)
        except ValueError:
            units = 0
        if units < 1:
            raise argparse.ArgumentTypeError(
                f"expected UNITS:ACTIVATION with UNITS >= 1, received {item.strip()!r}"
            )
        activation = activation.strip() or "relu"
        try:
            activation = activations.get(activation).name
        except EngineError:
            raise argparse.ArgumentTypeError(
                f"unknown activation {activation!r} in {item.strip()!r}; expected one of "
                f"{', '.join(activations.available())}"
            ) from None
        layers.append((units, activation))
    return layers


# ---------------------------------------------------------------------------------------------
# Shared steps


def load_project(path):
    """Project.load with every failure turned into one line about `path`."""
    from .project import Project

    if not Path(path).exists():
        raise CliError(path, "no such file")
    with _about(path, loading=True):
        project = Project.load(path)
    return project


def save_project(project, path) -> None:
    with _about(path):
        project.save(path)


def project_dataset(project, path):
    """The project's Dataset; when Project.load could not recreate it, the error says why
    (its warnings name the moved or changed file and how to relink it)."""
    if project.dataset is None:
        why = " ".join(project.warnings) or "the project has no dataset."
        raise CliError(path, why)
    return project.dataset


def project_model(project, path):
    """The project's compiled model with its stored weights."""
    with _about(path, loading=True):
        model = project.build_model()
    return model


def scale_features(project, x: np.ndarray) -> np.ndarray:
    """Raw features (n_samples, n_features) -> what the network was trained on."""
    from .export import project_scaler

    scaler = project_scaler(project)
    x = np.asarray(x, dtype=np.float32)
    return x if scaler is None else np.asarray(scaler.transform(x), dtype=np.float32)


def targets_for_loss(project, y: np.ndarray, n_classes: int) -> np.ndarray:
    """Class indices (n_samples, 1) -> one-hot (n_samples, n_classes) when the loss is
    categorical_crossentropy; anything else unchanged."""
    from . import losses

    loss = type(losses.get(project.compile.loss)).__name__
    if loss == "CategoricalCrossentropy":
        return np.eye(n_classes, dtype=np.float32)[np.asarray(y).reshape(-1).astype(int)]
    return y


def probabilities(project, outputs: np.ndarray) -> np.ndarray:
    """Model outputs -> class probabilities (n_samples, n_classes); logits are squashed first
    when the loss was set up with from_logits."""
    outputs = np.asarray(outputs, dtype=np.float64)
    if getattr(project.compile, "from_logits", False):
        if outputs.shape[1] == 1:
            outputs = 1.0 / (1.0 + np.exp(-outputs))
        else:
            shifted = np.exp(outputs - outputs.max(axis=1, keepdims=True))
            outputs = shifted / shifted.sum(axis=1, keepdims=True)
    if outputs.shape[1] == 1:  # binary: the output is P(class 1)
        outputs = np.hstack([1.0 - outputs, outputs])
    return outputs


def read_table(path, columns: list[str], target: str | None = None, class_names=None):
    """Read the named columns of a CSV file (any column order, extra columns ignored).

    Returns x (n_rows, len(columns)) float32 and, when `target` is given, y (n_rows, 1) float32:
    the index into `class_names` for classification, the value for regression."""
    import pandas as pd

    path = str(path)
    if not Path(path).exists():
        raise CliError(path, "no such file")
    from .data.csv_sniff import CsvInput, inspect

    # The data layer's sniffing, so a file reads here as it did when the project was made
    # (a ';' file with decimal commas, say).
    layout = inspect(CsvInput.from_path(path), header=True)
    try:
        frame = pd.read_csv(path, sep=layout.delimiter, dtype=str, keep_default_na=False,
                            encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise CliError(path, f"cannot be read as CSV: {' '.join(str(exc).split())}") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    wanted = list(columns) + ([target] if target is not None else [])
    one_hot = {c: _one_hot_source(c, frame.columns) for c in columns if c not in frame.columns}
    missing = [c for c in wanted if c not in frame.columns and not one_hot.get(c)]
    if missing:
        found = ", ".join(frame.columns[:12]) + (", ..." if len(frame.columns) > 12 else "")
        role = "target column" if missing == [target] else "column(s)"
        raise CliError(
            path,
            f"has no {role} {', '.join(repr(c) for c in missing)}; the project needs "
            f"{', '.join(wanted)} (found: {found})",
        )
    if len(frame) == 0:
        raise CliError(path, "has a header but no data rows")
    x = np.empty((len(frame), len(columns)), dtype=np.float32)
    for j, name in enumerate(columns):
        if one_hot.get(name):  # "color=red": 1 where the text column color says red
            base, category = one_hot[name]
            x[:, j] = (frame[base].str.strip() == category).to_numpy(dtype=np.float32)
        else:
            x[:, j] = _numeric_column(frame[name], name, path, layout.decimal)
    if target is None:
        return x, None
    if class_names is None:
        y = _numeric_column(frame[target], target, path, layout.decimal).reshape(-1, 1)
        return x, y
    index = {str(name): i for i, name in enumerate(class_names)}
    y = np.empty((len(frame), 1), dtype=np.float32)
    for row, text in enumerate(frame[target]):
        key = _class_key(text.strip(), index)
        if key is None:
            raise CliError(
                path,
                f"line {row + 2}, column {target!r}: class {text!r} is not one of the "
                f"project's classes ({', '.join(index)})",
            )
        y[row, 0] = index[key]
    return x, y


def _one_hot_source(feature: str, columns) -> tuple[str, str] | None:
    """engine.data one-hot encodes a text column `color` as features "color=red", ...;
    find the text column such a feature comes from: (column, category) or None."""
    for i, char in enumerate(feature):
        if char == "=" and feature[:i] in columns:
            return feature[:i], feature[i + 1 :]
    return None


def _class_key(text: str, index: dict[str, int]) -> str | None:
    """Match '1', '1.0' and ' 1' to the class named '1'."""
    if text in index:
        return text
    try:
        number = float(text)
    except ValueError:
        return None
    if number.is_integer() and str(int(number)) in index:
        return str(int(number))
    return None


def _numeric_column(values, name: str, path: str, decimal: str = ".") -> np.ndarray:
    import pandas as pd

    stripped = values.str.strip()
    if decimal == ",":
        stripped = stripped.str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(stripped, errors="coerce").to_numpy(dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(numbers))
    if bad.size:
        row = int(bad[0])
        text = values.iloc[row]
        what = "is empty" if stripped.iloc[row] == "" else f"holds {text!r}, not a number"
        raise CliError(path, f"line {row + 2}, column {name!r} {what}")
    return numbers.astype(np.float32)


def atomic_write_text(path, text: str) -> None:
    """Write via a temporary file in the same folder renamed over `path`: never half a file."""
    path = Path(path)
    if not path.parent.is_dir():
        raise CliError(path, f"cannot write it: the folder {path.parent} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _fmt(value: float) -> str:
    return f"{value:.4f}"


# ---------------------------------------------------------------------------------------------
# Commands


def cmd_new(args) -> int:
    from . import data
    from .project import Project

    loss, optimizer = _check_new_args(args)
    if args.builtin is not None:
        dataset = data.builtin(args.builtin, seed=args.seed if args.seed is not None else 0)
    else:
        if not Path(args.data).exists():
            raise CliError(args.data, "no such file")
        with _about(args.data, loading=True):
            dataset = data.load_csv(args.data, target=args.target, features=args.features)

    out = Path(args.out)
    with _about(args.data or args.out):
        project = Project.new_for_dataset(dataset)
        project.name = args.name or out.stem
        _apply_new_options(project, args, dataset, loss, optimizer)
        project.prepare_data()  # fits the scaler, so predict and export work before training
        _initialise_weights(project)
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
    return EXIT_OK


def _check_new_args(args) -> tuple[str | None, str | None]:
    """Usage checks argparse cannot express (exit 2 before any work); returns the canonical
    loss and optimizer names (None when not given)."""
    from . import data, losses, optimizers

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
    from .project import LayerSpec

    if args.layers is not None:
        project.layers = [
            LayerSpec(units=u, activation=a, name=f"layer{i + 1}")
            for i, (u, a) in enumerate(args.layers)
        ]
        expected = dataset.n_classes if dataset.task == "multiclass" else 1
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


def _initialise_weights(project) -> None:
    """Give a new project seeded initial weights, so that predict/export of an untrained
    project are reproducible."""
    from .utils import set_random_seed

    set_random_seed(project.training.seed)
    model = project.build_model()
    project.weights = model.get_weights()


class _Progress:
    """Reports epochs: a redrawn bar on a terminal, one line per epoch otherwise."""

    BAR = 30

    def __init__(self, first_epoch: int, last_epoch: int, stream=None):
        self.first, self.last = first_epoch, last_epoch
        self.stream = stream or sys.stdout
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_draw = 0.0

    def epoch_end(self, epoch: int, logs: dict) -> None:
        """`epoch` is 0-based (Keras); printed 1-based."""
        number = epoch + 1
        metrics = "  ".join(f"{k} {_fmt(v)}" for k, v in (logs or {}).items() if _is_number(v))
        if not self.tty:
            print(f"epoch {number}/{self.last}  {metrics}", file=self.stream, flush=True)
            return
        now = time.monotonic()
        if number < self.last and now - self._last_draw < 0.1:
            return  # a terminal redraw ten times a second is plenty
        self._last_draw = now
        done = (number - self.first) / max(1, self.last - self.first)
        filled = int(round(self.BAR * done))
        bar = "#" * filled + "." * (self.BAR - filled)
        line = f"epoch {number}/{self.last} [{bar}] {metrics}"
        width = shutil.get_terminal_size().columns - 1  # a wrapped line would not redraw
        self.stream.write(f"\r{line[:width]}\x1b[K")
        self.stream.flush()

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.floating, np.integer))


def _progress_callback(progress: _Progress):
    from .callbacks import Callback

    class ProgressCallback(Callback):
        def on_epoch_end(self, epoch, logs=None):
            progress.epoch_end(epoch, logs or {})

    return ProgressCallback()


@contextlib.contextmanager
def stop_on_sigint(model, say=None):
    """While inside, the first Ctrl+C sets model.stop_training (fit ends after the current
    batch); a second one raises KeyboardInterrupt. Yields a dict whose "interrupted" tells
    whether Ctrl+C was pressed."""
    state = {"interrupted": False}

    def handler(signum, frame):
        if state["interrupted"]:
            raise KeyboardInterrupt
        state["interrupted"] = True
        model.stop_training = True
        if say is not None:
            say("stopping after the current batch (Ctrl+C again to quit without saving)")

    try:
        previous = signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main thread: signals cannot be caught here
        previous = None
    try:
        yield state
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def cmd_train(args) -> int:
    from .errors import TrainingDiverged

    project = load_project(args.project)
    out = Path(args.output) if args.output else Path(args.project)
    project_dataset(project, args.project)
    model = project_model(project, args.project)
    with _about(args.project, "its dataset: "):
        prepared = project.prepare_data()
    epochs = args.epochs or int(project.training.epochs)
    start = int(project.epochs_trained or 0)
    # Seeded by the project and where it stands, so the same command on the same file gives
    # the same result (shuffling is the only randomness left once the weights exist).
    from .utils import set_random_seed

    set_random_seed(int(project.training.seed) + start)
    progress = _Progress(start, start + epochs)
    validation = None
    if prepared.x_val is not None and len(prepared.x_val):
        validation = (prepared.x_val, prepared.y_val)
    say = lambda text: print(f"\n{text}" if progress.tty else text, file=sys.stderr)  # noqa: E731
    with stop_on_sigint(model, say) as sigint:
        try:
            history = model.fit(
                prepared.x_train,
                prepared.y_train,
                batch_size=_fit_batch_size(project, len(prepared.x_train)),
                epochs=start + epochs,
                initial_epoch=start,
                verbose=0,
                callbacks=[_progress_callback(progress)],
                validation_data=validation,
                shuffle=bool(project.training.shuffle),
            )
        except TrainingDiverged as exc:
            progress.finish()
            raise CliError(args.project, f"{exc} The project was not saved.") from exc
    progress.finish()
    done = len(history.history.get("loss", []))
    project.record_training(model, history.history, epochs=done)
    save_project(project, out)
    final = "  ".join(
        f"{k} {_fmt(v[-1])}" for k, v in history.history.items() if v and _is_number(v[-1])
    )
    print(f"trained {done} epoch(s), {project.epochs_trained} in all: {final}; saved {out}")
    if sigint["interrupted"]:
        print(f"{PROG}: interrupted after epoch {project.epochs_trained}; saved", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_OK


def _fit_batch_size(project, n_train: int) -> int:
    """The project's batch size; None (full batch) becomes the sample count, so each epoch is
    one step of full-batch gradient descent."""
    size = project.training.batch_size
    return max(1, n_train) if size is None else int(size)


def cmd_evaluate(args) -> int:
    project = load_project(args.project)
    dataset = project_dataset(project, args.project)
    model = project_model(project, args.project)
    if args.data is not None:
        x, y = read_table(
            args.data, list(dataset.feature_names), dataset.target_name, dataset.class_names
        )
        source = args.data
    else:
        x, y = dataset.x, dataset.y
        source = args.project
    with _about(source):
        x = scale_features(project, x)
        y = targets_for_loss(project, np.asarray(y, dtype=np.float32), dataset.n_classes)
        results = model.evaluate(x, y, verbose=0, return_dict=True)
    for name, value in results.items():
        print(f"{name} {_fmt(float(value))}")
    return EXIT_OK


def cmd_predict(args) -> int:
    import csv
    import io

    project = load_project(args.project)
    dataset = project_dataset(project, args.project)
    model = project_model(project, args.project)
    x, _ = read_table(args.input, list(dataset.feature_names))
    with _about(args.input):
        outputs = np.asarray(model.predict(scale_features(project, x), verbose=0))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    target = str(dataset.target_name or "prediction")
    if dataset.class_names is not None:
        probs = probabilities(project, outputs)
        names = [str(c) for c in dataset.class_names]
        header = [target] + ([f"prob_{c}" for c in names] if args.probabilities else [])
        writer.writerow(header)
        for row in probs:
            cells = [names[int(np.argmax(row))]]
            if args.probabilities:
                cells += [f"{p:.6g}" for p in row]
            writer.writerow(cells)
    else:
        if args.probabilities:
            print(
                f"{PROG}: note: --probabilities ignored: the project is a regression",
                file=sys.stderr,
            )
        columns = (
            [target]
            if outputs.shape[1] == 1
            else [f"{target}_{i}" for i in range(outputs.shape[1])]
        )
        writer.writerow(columns)
        for row in outputs:
            writer.writerow([f"{v:.9g}" for v in row])
    if args.output:
        with _about(args.output):
            atomic_write_text(args.output, buffer.getvalue())
        print(f"wrote {len(outputs)} prediction(s) to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(buffer.getvalue())
    return EXIT_OK


def cmd_summary(args) -> int:
    project = load_project(args.project)
    model = project_model(project, args.project)
    print(f"Project: {project.name} ({args.project})")
    with _about(args.project):
        model.summary()
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
    print(
        f"Training: batch size {batch}, epochs per run {training.epochs}, validation split "
        f"{training.validation_split:g}, scaling {training.scaling}, seed {training.seed}"
    )
    try:
        dataset = project_dataset(project, args.project)
        print(f"Dataset: {' '.join(dataset.describe().split())}")
    except CliError as exc:
        print(f"Dataset: not available ({exc.message})")
    print(f"Epochs trained: {project.epochs_trained}")
    _print_history(project.history, int(project.epochs_trained or 0))
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
            cells.append(f"  {_fmt(values[i - offset]) if i >= offset else '':>{w}}")
        print("  " + str(first_epoch + i).rjust(6) + "".join(cells))


def cmd_export_keras(args) -> int:
    from .export import companion_paths, export_keras

    project = load_project(args.project)
    project_dataset(project, args.project)
    with _about(args.output):
        script, weights = export_keras(project, args.output)
    data = companion_paths(script)[1]
    print(f"wrote {script}, {weights}" + (f" and {data}" if data.exists() else ""))
    print(f"run it where Keras is installed: python {script}")
    return EXIT_OK
