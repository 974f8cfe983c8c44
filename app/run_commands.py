"""Undo commands for the runs panel: rename, delete, restore, and which runs the cost plot
draws. Each is one ProjectCommand (app/commands.py) over an engine.project.edits function,
so undo puts back the exact document, and a restored run's settings and weights come back,
and go again, as one step."""

from __future__ import annotations

from app.commands import CommandHost, ProjectCommand
from app.training import run_rows
from engine.project import Project, edits
from engine.project.runs import find_run


def _name(host: CommandHost, run_id: str) -> str:
    try:
        return find_run(host.project, run_id)[1].name
    except ValueError:
        return "run"


def rename_run(host: CommandHost, run_id: str, name: str) -> ProjectCommand:
    return ProjectCommand(
        host,
        f"Rename run {_name(host, run_id)!r}",
        lambda p: edits.rename_run(p, run_id, name),
    )


def delete_run(host: CommandHost, run_id: str) -> ProjectCommand:
    """Forget the run, and that its curves were drawn (undo brings both back)."""

    def edit(project: Project) -> None:
        project.ui = run_rows.without_run(project, run_id)
        edits.delete_run(project, run_id)

    return ProjectCommand(host, f"Delete run {_name(host, run_id)!r}", edit)


def restore_run(host: CommandHost, run_id: str) -> ProjectCommand:
    """The run's layers, settings, weights and history become the project's. Structural: it
    changes the network, so a running training is asked first (MainWindow.push)."""
    return ProjectCommand(
        host,
        f"Restore run {_name(host, run_id)!r}",
        lambda p: edits.restore_run(p, run_id),
        structural=True,
    )


def show_run(host: CommandHost, run_id: str, shown: bool) -> ProjectCommand:
    """Draw the run's curves on the cost plot (or stop): saved in the project, so undoable."""

    def edit(project: Project) -> None:
        find_run(project, run_id)  # a run deleted meanwhile: say so, change nothing
        project.ui = run_rows.with_run_shown(project, run_id, shown)

    verb = "Show" if shown else "Hide"
    return ProjectCommand(host, f"{verb} run {_name(host, run_id)!r} on the cost plot", edit)
