"""The course's advice on a project, as lines under `new` and `summary`."""

from __future__ import annotations

from engine.project import advice


def print_advice(project) -> None:
    """One line per finding of the advisor (engine.project.advice), warnings first."""
    for finding in advice.check(project):
        label = "warning" if finding.severity == advice.WARNING else "note"
        print(f"{label}: {finding.message}")
