"""The project: the document a person builds, its .nnproj file, and the one training recipe.

Modules, leaves first: specs (the settings, JSON-ready dataclasses), history, migrations,
runs (the record of every training), container (the zip on disk), schema (checking what a file holds), model_bridge (specs <->
engine objects), document (`Project`), runtime (build, prepare, fit, record, read outputs),
edits (every change a person can make) and advice (the course's rules).
"""

from .container import FORMAT_NAME
from .document import EMBED_LIMIT_BYTES, Project
from .history import copy_history, merge_history
from .migrations import SCHEMA_VERSION
from .runs import Run
from .runtime import PreparedData, RunOutcome
from .specs import TASK_OUTPUT, CompileSpec, DatasetSource, LayerSpec, TrainingSpec

__all__ = [
    "SCHEMA_VERSION",
    "FORMAT_NAME",
    "EMBED_LIMIT_BYTES",
    "TASK_OUTPUT",
    "LayerSpec",
    "CompileSpec",
    "TrainingSpec",
    "DatasetSource",
    "PreparedData",
    "RunOutcome",
    "Run",
    "Project",
    "copy_history",
    "merge_history",
]
