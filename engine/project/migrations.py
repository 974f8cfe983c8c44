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

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..errors import ProjectError
from .json_values import shown_value

SCHEMA_VERSION = 3  # the schema this Netbuilder writes, and the newest it reads


@dataclass
class RawProject:
    """A project file's contents before validation.

    meta: the parsed project.json. weights: the arrays of weights.npz by member key ("w0",
    "w1", ...). snapshots: the arrays of snapshots.npz by key: "e{epoch}_w{i}" up to schema
    2, stacked from schema 3 ("epochs", "w0", "w1", ...: engine/project/snapshot_stack.py).
    runs: the final weights of the runs in runs.npz by key ("r{run index}_w{i}"; schema 3 on).
    dataset_csv: the bytes of dataset.csv, or None.
    """

    meta: dict
    weights: dict[str, np.ndarray] = field(default_factory=dict)
    snapshots: dict[str, np.ndarray] = field(default_factory=dict)
    runs: dict[str, np.ndarray] = field(default_factory=dict)
    dataset_csv: bytes | None = None


Migration = Callable[[RawProject], RawProject]


class MigrationProblem(Exception):
    """A step found the old contents damaged; `migrate` names the file in the ProjectError."""


_EDITED = "The file is damaged or was edited by hand; correct that value or open a backup copy."


def _v1_to_v2(raw: RawProject) -> RawProject:
    """Schema 2 adds early stopping, target scaling and the fitted target scaler. A v1 file
    gets them switched off, so it trains exactly as it did: no early stop, raw targets."""
    training = raw.meta.get("training")
    if isinstance(training, dict):  # anything else is reported by the schema check
        training.setdefault("early_stopping", None)
        training.setdefault("target_scaling", "none")
    raw.meta.setdefault("target_scaler", None)
    return raw


# The id of the run a schema-2 file's training becomes: the only run, so any id is unique.
FIRST_RUN_ID = "run-1"


def _v2_to_v3(raw: RawProject) -> RawProject:
    """Schema 3 adds runs (project.json "runs" and "current_run", their weights in runs.npz).
    A v2 file that was trained opens with its one run: "run 1", current, made from its
    settings, history and weights; an untrained one has no runs. Its snapshots, one npz
    member per array per epoch, are stacked as schema 3 stores them."""
    raw.snapshots = _stacked_snapshots(raw.snapshots)
    meta = raw.meta
    trained = bool(meta.get("history")) or bool(meta.get("weight_arrays"))
    meta.setdefault("runs", [])
    meta.setdefault("current_run", None)
    if not trained or meta["runs"]:
        return raw
    # Values are copied as they are: the schema check reports a wrong one at its top-level
    # place before it reaches the run's copy.
    meta["runs"] = [
        {
            "id": FIRST_RUN_ID,
            "name": "run 1",
            "layers": copy.deepcopy(meta.get("layers")),
            "compile": copy.deepcopy(meta.get("compile")),
            "training": copy.deepcopy(meta.get("training")),
            "dataset": _dataset_label(meta.get("dataset")),
            "history": copy.deepcopy(meta.get("history")),
            "epochs": meta.get("epochs_trained"),
            "kept_epoch": None,
            "scaler": copy.deepcopy(meta.get("scaler")),
            "target_scaler": copy.deepcopy(meta.get("target_scaler")),
            "weight_arrays": meta.get("weight_arrays"),
        }
    ]
    meta["current_run"] = FIRST_RUN_ID
    # Copies: the run's arrays become read-only, the project's weights must not.
    raw.runs = {f"r0_{key}": np.array(array) for key, array in raw.weights.items()}
    return raw


# Digit counts are bounded so int() never meets a 5,000-digit key (Python refuses past 4,300).
_PER_EPOCH_KEY = re.compile(r"^e(\d{1,12})_w(\d{1,6})$")


def _stacked_snapshots(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Schema 1-2 snapshots ("e{epoch}_w{i}") in the stacked layout of schema 3 ("epochs",
    "w0", "w1", ...; see snapshot_stack.py, which checks them against the layers after).
    Raises MigrationProblem for a key of another form, an epoch whose arrays are not
    numbered 0..n-1 or are not floats, and epochs whose arrays differ in shape (one network's
    snapshots cannot: stacked, they would not fit together)."""
    grouped: dict[int, dict[int, np.ndarray]] = {}
    for key, array in arrays.items():
        match = _PER_EPOCH_KEY.match(key)
        if match is None:
            raise MigrationProblem(
                f"snapshots.npz holds an array named {shown_value(key)}; expected names like "
                f"'e12_w0'. {_EDITED}"
            )
        by_index = grouped.setdefault(int(match[1]), {})
        if int(match[2]) in by_index:  # "e01_w0" beside "e1_w0": which one counts?
            raise MigrationProblem(
                f"snapshots.npz holds two arrays for epoch {int(match[1])}, w{int(match[2])} "
                f"(one is {shown_value(key)}). {_EDITED}"
            )
        by_index[int(match[2])] = array
    if not grouped:
        return {}
    epochs = sorted(grouped)
    rows = [_numbered_row(epoch, grouped[epoch]) for epoch in epochs]
    newest = [array.shape for array in rows[-1]]
    for epoch, row in zip(epochs, rows, strict=True):
        shapes = [array.shape for array in row]
        if shapes != newest:
            raise MigrationProblem(
                f"snapshots.npz epoch {epoch} does not fit the network: its arrays have shapes "
                f"{shapes} where epoch {epochs[-1]} has {newest}. {_EDITED}"
            )
    stacked = {"epochs": np.array(epochs, dtype=np.int64)}
    for index in range(len(newest)):
        stacked[f"w{index}"] = np.stack([row[index] for row in rows])
    return stacked


def _numbered_row(epoch: int, by_index: dict[int, np.ndarray]) -> list[np.ndarray]:
    row = [by_index.get(i) for i in range(len(by_index))]
    problem = None
    if any(array is None for array in row):
        problem = "arrays are not numbered 0..n-1"
    else:
        kinds = [f"w{i} is {array.dtype}" for i, array in enumerate(row) if array.dtype.kind != "f"]
        if kinds:
            problem = f"{', '.join(kinds)}; expected floats"
    if problem is not None:
        raise MigrationProblem(
            f"snapshots.npz epoch {epoch} does not fit the network: {problem}. {_EDITED}"
        )
    return row


def _dataset_label(source) -> str:
    """runs.dataset_label of a raw "dataset" entry (this module sits below runs.py)."""
    if not isinstance(source, dict):
        return "no data"
    for key in ("name", "path"):
        value = source.get(key)
        if isinstance(value, str) and value:
            return value if key == "name" else value.replace("\\", "/").rsplit("/", 1)[-1]
    return "imported data"


# MIGRATIONS[v] turns a schema-v file into a schema-(v+1) file.
MIGRATIONS: dict[int, Migration] = {1: _v1_to_v2, 2: _v2_to_v3}


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
        try:
            raw = step(raw)
        except MigrationProblem as problem:
            raise ProjectError(f"{source}: {problem}") from None
        version += 1
        raw.meta["schema_version"] = version
    return raw
