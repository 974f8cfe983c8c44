"""Helpers shared by the project-file tests: a small valid project and zip surgery."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
from hypothesis import strategies as st

from engine.project import CompileSpec, DatasetSource, LayerSpec, Project, TrainingSpec

CSV_TEXT = "a,b,label\n0.5,1.0,yes\n1.5,-2.0,no\n2.5,3.0,yes\n-1.0,0.0,no\n0.0,0.25,yes\n"


def small_project(csv_path: Path | None = None, trained: bool = True) -> Project:
    """2 inputs -> 3 relu -> 1 sigmoid, BCE/SGD, with weights, history and two snapshots.
    With csv_path, the dataset is that CSV file (written from CSV_TEXT if missing)."""
    rng = np.random.default_rng(7)
    project = Project(
        name="small",
        layers=[LayerSpec(3, "relu", "hidden", l2=0.01), LayerSpec(1, "sigmoid", "out")],
        compile=CompileSpec(
            loss="binary_crossentropy",
            optimizer="sgd",
            learning_rate=0.1,
            momentum=0.5,
            metrics=["accuracy"],
        ),
        training=TrainingSpec(
            epochs=5, batch_size=None, validation_split=0.2, seed=3, scaling="minmax"
        ),
        input_dim=2,
        ui={"canvas": {"zoom": 1.5}},
    )
    if csv_path is not None:
        if not csv_path.exists():
            csv_path.write_text(CSV_TEXT)
        project.dataset_source = DatasetSource(
            kind="csv", name=csv_path.name, path=str(csv_path), params={"target": "label"}
        )
        # Loaded, as in the program: only a dataset it loaded is embedded when saved.
        project.load_dataset()
    if trained:
        project.weights = [
            rng.normal(size=(2, 3)).astype(np.float32),
            rng.normal(size=3).astype(np.float32),
            rng.normal(size=(3, 1)).astype(np.float32),
            rng.normal(size=1).astype(np.float32),
        ]
        project.history = {"loss": [0.9, 0.7, float("nan")], "accuracy": [0.5, 0.6, 0.7]}
        project.epochs_trained = 3
        project.snapshots = {
            1: [w * 0.5 for w in project.weights],
            2: [w * 0.75 for w in project.weights],
        }
        project.scaler = {"kind": "minmax", "offset": [0.0, 1.0], "scale": [2.0, 3.0]}
    return project


def zip_members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def write_zip(
    path: Path, members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED
) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, payload in members.items():
            archive.writestr(name, payload)
    return path


def meta_of(path: Path) -> dict:
    return json.loads(zip_members(path)["project.json"])


def with_meta(src: Path, dst: Path, meta: dict) -> Path:
    """A copy of the project file src at dst whose project.json is `meta`."""
    members = zip_members(src)
    members["project.json"] = json.dumps(meta).encode()
    return write_zip(dst, members)


def npz_bytes(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


# Any JSON value, to put where a file expects something else (the fuzz tests).
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 10**12)
    | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=6,
)


def paths_in(value, prefix=()):
    """Every path (tuple of keys and indices) into a JSON value, the value itself first."""
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from paths_in(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from paths_in(child, (*prefix, index))
