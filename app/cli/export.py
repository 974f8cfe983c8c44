"""`netbuilder export keras`: a readable Keras 3 script with the weights and data beside it."""

from __future__ import annotations

from engine.export import companion_paths, export_keras

from .arguments import add_version
from .errors import EXIT_OK, about
from .project_files import load_project, project_dataset


def add_parser(commands) -> None:
    export = commands.add_parser("export", help="export a project for another framework")
    add_version(export)
    formats = export.add_subparsers(title="formats", metavar="FORMAT", required=True)
    keras = formats.add_parser(
        "keras",
        help="a Keras 3 script with the weights and the data beside it",
        description="Write a readable Keras 3 script (build_model, load_data, training when "
        "run) plus <name>_weights.npz and <name>_data.csv beside it.",
    )
    add_version(keras)
    keras.add_argument("project", metavar="PROJECT.nnproj")
    keras.add_argument("-o", "--output", metavar="MODEL.py", default="model.py")
    keras.add_argument(
        "--distributed",
        action="store_true",
        help="train data-parallel over every device Keras sees (GPUs, TPU cores) with "
        "keras.distribution.DataParallel; the script says how to run it",
    )
    keras.set_defaults(handler=run, parser=keras)


def run(args) -> int:
    project = load_project(args.project)
    project_dataset(project, args.project)
    with about(args.output):
        script, weights = export_keras(project, args.output, distributed=args.distributed)
    data = companion_paths(script)[1]
    print(f"wrote {script}, {weights}" + (f" and {data}" if data.exists() else ""))
    print(f"run it where Keras is installed: python {script}")
    return EXIT_OK
