"""Exports of a project for other frameworks. keras_script: a readable Keras 3 script with
the weights and the data beside it."""

from ..errors import ProjectError
from .keras_export import (
    KERAS_ACTIVATIONS,
    companion_paths,
    export_keras,
    keras_script,
    plan_export,
)

__all__ = [
    "KERAS_ACTIVATIONS",
    "ProjectError",
    "companion_paths",
    "export_keras",
    "keras_script",
    "plan_export",
]
