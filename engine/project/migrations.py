"""Schema migrations for .nnproj files: one function per step, v1 -> v2 -> ... -> current.

A project file records the integer `schema_version` it was written with. Loading reads the raw
contents (`RawProject`), then applies `MIGRATIONS[v]` for v = file version .. SCHEMA_VERSION-1,
each turning a version-v file into a version-(v+1) file, and only then validates the result
against the current schema. So the validator only ever knows the current schema, and adding
schema 2 means: bump SCHEMA_VERSION, add `MIGRATIONS[1] = _v1_to_v2`, and add a v2 writer to
scripts/make_fixtures.py that commits tests/fixtures/project_v2.nnproj (the v1 fixture stays).

A file from a newer Netbuilder is refused rather than guessed at: fields it relies on would be
silently dropped, and saving would then lose the person's work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..errors import ProjectError
from .json_values import shown_value

SCHEMA_VERSION = 2  # the schema this Netbuilder writes, and the newest it reads


@dataclass
class RawProject:
    """A project file's contents before validation.

    meta: the parsed project.json. weights: the arrays of weights.npz by member key ("w0",
    "w1", ...). snapshots: the arrays of snapshots.npz by key ("e{epoch}_w{i}").
    dataset_csv: the bytes of dataset.csv, or None.
    """

    meta: dict
    weights: dict[str, np.ndarray] = field(default_factory=dict)
    snapshots: dict[str, np.ndarray] = field(default_factory=dict)
    dataset_csv: bytes | None = None


Migration = Callable[[RawProject], RawProject]


def _v1_to_v2(raw: RawProject) -> RawProject:
    """Schema 2 adds early stopping, target scaling and the fitted target scaler. A v1 file
    gets them switched off, so it trains exactly as it did: no early stop, raw targets."""
    training = raw.meta.get("training")
    if isinstance(training, dict):  # anything else is reported by the schema check
        training.setdefault("early_stopping", None)
        training.setdefault("target_scaling", "none")
    raw.meta.setdefault("target_scaler", None)
    return raw


# MIGRATIONS[v] turns a schema-v file into a schema-(v+1) file.
MIGRATIONS: dict[int, Migration] = {1: _v1_to_v2}


def migrate(raw: RawProject, source: str) -> RawProject:
    """Bring `raw` up to SCHEMA_VERSION, one step at a time.

    source names the file in error messages. Raises ProjectError for a file newer than this
    Netbuilder reads, a version that is not a positive integer, or a missing migration step.
    """
    version = raw.meta.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise ProjectError(
            f"{source}: project.json has schema_version={shown_value(version)}; expected an "
            "integer. "
            "The file is damaged or was not written by Netbuilder."
        )
    if version > SCHEMA_VERSION:
        raise ProjectError(
            f"{source} was made by a newer Netbuilder (schema {shown_value(version)}; this one reads "
            "up to "
            f"{SCHEMA_VERSION}). Update Netbuilder to open it."
        )
    if version < 1:
        raise ProjectError(
            f"{source}: project.json has schema_version={version}; versions start at 1. "
            "The file is damaged or was not written by Netbuilder."
        )
    while version < SCHEMA_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:  # a programming error, but the person still needs to know
            raise ProjectError(
                f"{source}: this Netbuilder cannot upgrade schema {version} files to "
                f"{version + 1} (no migration). Please report this as a bug."
            )
        raw = step(raw)
        version += 1
        raw.meta["schema_version"] = version
    return raw
