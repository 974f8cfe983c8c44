"""`netbuilder evaluate`: the loss and metrics on the project's data or another CSV file."""

from __future__ import annotations

from engine.metrics_report import format_report
from engine.project import runtime
from engine.project.reports import report_for_outputs

from .arguments import add_version
from .errors import EXIT_OK, about
from .project_files import fmt, load_project, project_dataset, project_model
from .tables import read_table


def add_parser(commands) -> None:
    evaluate = commands.add_parser(
        "evaluate",
        help="print the loss and metrics (accuracy; MAE and R2 for a regression)",
        description="Print the loss and metrics on the project's dataset, or on another CSV "
        "with the same columns (found by name), scaled the project's way.",
    )
    add_version(evaluate)
    evaluate.add_argument("project", metavar="PROJECT.nnproj")
    evaluate.add_argument("--data", metavar="CSV", help="evaluate on this file instead")
    evaluate.add_argument(
        "--per-class",
        action="store_true",
        help="also print precision, recall, F1 and support per class (MAE, "
        "RMSE and R² for regression), as the window's metrics table",
    )
    evaluate.set_defaults(handler=run, parser=evaluate)


def run(args) -> int:
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
    with about(source):
        # In the target's own units; a regression adds its MAE and R2.
        results = runtime.evaluate(project, model, x, y)
    for name, value in results.items():
        print(f"{name} {fmt(float(value))}")
    if args.per_class:
        with about(source):
            outputs = model.predict(runtime.scale_features(project, x), verbose=0)
            outputs = runtime.to_target_units(runtime.fitted_target_scaler(project), outputs)
        for line in format_report(report_for_outputs(project.compile, outputs, y, dataset)):
            print(line)
    return EXIT_OK
