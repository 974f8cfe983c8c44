"""`netbuilder predict`: one prediction per row of a CSV file."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import numpy as np

from engine.files import atomic_write
from engine.project import runtime

from .arguments import add_version
from .errors import EXIT_OK, PROG, CliError, about
from .project_files import load_project, project_dataset, project_model
from .tables import read_table


def add_parser(commands) -> None:
    predict = commands.add_parser(
        "predict",
        help="predict for the rows of a CSV file",
        description="Read the project's feature columns (by name) from INPUT.csv, scale them "
        "the project's way and write one prediction per row: the class name, or the value for "
        "regression.",
    )
    add_version(predict)
    predict.add_argument("project", metavar="PROJECT.nnproj")
    predict.add_argument("input", metavar="INPUT.csv")
    predict.add_argument("-o", "--output", metavar="OUT.csv", help="default: standard output")
    predict.add_argument(
        "--probabilities", action="store_true", help="add a prob_<class> column per class"
    )
    predict.set_defaults(handler=run, parser=predict)


def run(args) -> int:
    project = load_project(args.project)
    dataset = project_dataset(project, args.project)
    model = project_model(project, args.project)
    x, _ = read_table(args.input, list(dataset.feature_names))
    with about(args.input):
        outputs = np.asarray(runtime.predict(project, model, x))  # in the target's units
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    target = str(dataset.target_name or "prediction")
    if dataset.class_names is not None:
        probs = runtime.probabilities(project.compile, outputs)
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
        folder = Path(args.output).absolute().parent
        if not folder.is_dir():
            raise CliError(args.output, f"cannot write it: the folder {folder} does not exist")
        with about(args.output):
            atomic_write(args.output, buffer.getvalue())
        print(f"wrote {len(outputs)} prediction(s) to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(buffer.getvalue())
    return EXIT_OK
