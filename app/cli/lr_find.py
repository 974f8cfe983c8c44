"""`netbuilder lr-find`: the learning-rate finder (engine/lr_finder.py) on a project, without
changing it; with -o, the curve as a PNG."""

from __future__ import annotations

import argparse
import math

import numpy as np

from engine.files import atomic_write
from engine.lr_finder import find_learning_rate, search_summary

from .arguments import add_version
from .errors import EXIT_OK, CliError, about
from .project_files import load_project, project_dataset

DEFAULT_STEPS = 200
MAX_STEPS = 100_000


def add_parser(commands) -> None:
    lr_find = commands.add_parser(
        "lr-find",
        help="suggest a learning rate (the learning-rate range test)",
        description="Train a copy of the project's network for a few hundred batches while "
        "the learning rate rises from 1e-6 to 10, and suggest the rate where the smoothed "
        "loss falls fastest. The project file is not changed.",
    )
    add_version(lr_find)
    lr_find.add_argument("project", metavar="PROJECT.nnproj")
    lr_find.add_argument(
        "--steps",
        type=_steps,
        default=DEFAULT_STEPS,
        metavar="N",
        help=f"batches to try (default {DEFAULT_STEPS})",
    )
    lr_find.add_argument(
        "-o", "--output", metavar="PLOT.png", help="also draw the curve into this PNG image"
    )
    lr_find.set_defaults(handler=run, parser=lr_find)


def _steps(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, received {text!r}") from None
    if not 2 <= value <= MAX_STEPS:
        raise argparse.ArgumentTypeError(f"expected 2 to {MAX_STEPS:,}, received {text!r}")
    return value


def run(args) -> int:
    if args.output is not None and not args.output.lower().endswith(".png"):
        args.parser.error(f"-o writes a PNG image: name it *.png (received {args.output!r})")
    project = load_project(args.project)
    project_dataset(project, args.project)
    with about(args.project):
        result = find_learning_rate(project, steps=args.steps)
    for line in report_lines(result):
        print(line)
    if args.output is not None:
        write_plot(result, args.output, project.name)
        print(f"Wrote {args.output}")
    return EXIT_OK


def report_lines(result) -> list[str]:
    """The suggestion, how the search went, and a short table: the smoothed loss at each
    power of ten, at the suggestion and at the minimum."""
    current = f"current {result.current_rate:g}"
    if result.suggestion is None:
        lines = [f"No learning rate to suggest: {result.suggestion_reason} ({current})."]
    else:
        lines = [
            f"Suggested learning rate: {result.suggestion:.3g} "
            f"({result.suggestion_reason}; {current})"
        ]
    if result.steps_done:
        lines.append(search_summary(result))
        lines.append("")
        lines += table_lines(result)
    elif result.stop_reason:
        lines.append(f"Stopped at the first step: {result.stop_reason}.")
    return lines


def table_lines(result) -> list[str]:
    rows = _row_indices(result)
    marks = {}
    if result.minimum_rate is not None:
        marks[int(np.argmin(np.abs(result.rates - result.minimum_rate)))] = "minimum"
    if result.suggestion is not None:
        at = _nearest(result.rates, result.suggestion)
        if result.rates[0] <= result.suggestion <= result.rates[-1]:
            marks[at] = "suggested"
    lines = [f"{'learning rate':>14}  {'smoothed loss':>13}"]
    for i in rows:
        mark = f"  <- {marks[i]}" if i in marks else ""
        lines.append(f"{result.rates[i]:>14.3g}  {result.smoothed[i]:>13.4g}{mark}")
    return lines


def _nearest(rates, rate: float) -> int:
    return int(np.argmin(np.abs(np.log(rates) - math.log(rate))))


def _row_indices(result) -> list[int]:
    rates = result.rates
    low, high = math.ceil(math.log10(rates[0])), math.floor(math.log10(rates[-1]))
    rows = {0, len(rates) - 1}
    rows.update(_nearest(rates, 10.0**p) for p in range(low, high + 1))
    if result.suggestion is not None:
        rows.add(_nearest(rates, result.suggestion))
    if result.minimum_rate is not None:
        rows.add(_nearest(rates, result.minimum_rate))
    return sorted(rows)


def write_plot(result, path: str, name: str) -> None:
    """The smoothed loss against the learning rate (log axis), the suggestion marked, as a
    PNG written atomically. Qt is imported here, only when a plot is asked for."""
    if result.steps_done < 2:
        raise CliError(path, "too few steps finished to draw a curve")
    try:
        from app.png_chart import Chart, Marker, line_chart_png
    except ImportError as exc:  # PySide6 or a library Qt needs is missing
        raise CliError(path, f"cannot draw the plot without Qt: {exc}") from exc
    markers = []
    if result.suggestion is not None:
        markers.append(Marker(result.suggestion, f"suggested {result.suggestion:.3g}"))
    markers.append(Marker(result.current_rate, f"current {result.current_rate:g}", strong=False))
    chart = Chart(
        xs=result.rates,
        ys=result.smoothed,
        x_label="learning rate (log scale)",
        y_label="training loss (smoothed)",
        title=f"Learning-rate finder: {name}",
        log_x=True,
        markers=markers,
    )
    png = line_chart_png(chart)
    with about(path):
        atomic_write(path, png)
