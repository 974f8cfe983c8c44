"""Opening and saving the project a command works on, with every failure one line."""

from __future__ import annotations

import os

import numpy as np

from engine.project import Project, runtime

from .errors import CliError, about


def load_project(path):
    """Project.load with every failure turned into one line about `path` (Project.load
    itself names a symlink loop, a dangling link, a FIFO or a device)."""
    if not os.path.lexists(path):
        raise CliError(path, "no such file")
    with about(path, loading=True):
        return Project.load(path)


def save_project(project, path) -> None:
    with about(path):
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
    with about(path, loading=True):
        return runtime.build_model(project)


def fmt(value: float) -> str:
    return f"{value:.4f}"


def is_number(value) -> bool:
    return isinstance(value, (int, float, np.floating, np.integer))
