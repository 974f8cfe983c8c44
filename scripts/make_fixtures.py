"""Write the project-file fixtures in tests/fixtures/: one .nnproj per released schema version.

Each writer below spells its schema out by hand (plain json + numpy + zipfile) instead of
calling Project.save, so the fixture stays a faithful file of *that* version after the
current writer has moved on. When schema N is released: add `write_vN`, register it in
WRITERS, run this script, and commit tests/fixtures/project_vN.nnproj; never change the
writers of released versions.

    python scripts/make_fixtures.py            # (re)writes every fixture
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
import zipfile
from pathlib import Path

import numpy as np

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"

# A tiny three-class table; the fixture's dataset file ("data/tiny_blobs.csv") is not shipped,
# so opening the fixture exercises the embedded copy and the moved-file warning.
V1_CSV = (
    b"x1,x2,kind\n"
    b"0.0,0.1,red\n0.2,-0.1,red\n-0.1,0.0,red\n"
    b"2.0,2.1,green\n1.9,2.2,green\n2.1,1.8,green\n"
    b"-2.0,2.0,blue\n-2.2,1.9,blue\n-1.8,2.1,blue\n"
)


def v1_weights() -> list[np.ndarray]:
    """2 inputs -> 4 tanh -> 3 softmax, deterministic values the tests recompute."""
    shapes = [(2, 4), (4,), (4, 3), (3,)]
    return [
        (np.arange(np.prod(s), dtype=np.float32).reshape(s) / 10.0 - 0.5 + i)
        for i, s in enumerate(shapes)
    ]


def write_v1(path: Path) -> None:
    weights = v1_weights()
    meta = {
        "format": "netbuilder-project",
        "schema_version": 1,
        "name": "Fixture v1: tiny blobs",
        "layers": [
            {
                "type": "Dense",
                "units": 4,
                "activation": "tanh",
                "name": "hidden",
                "kernel_initializer": "glorot_uniform",
                "bias_initializer": "zeros",
                "l2": 0.001,
            },
            {
                "type": "Dense",
                "units": 3,
                "activation": "softmax",
                "name": "output",
                "kernel_initializer": "glorot_uniform",
                "bias_initializer": "zeros",
                "l2": 0.0,
            },
        ],
        "input_dim": 2,
        "compile": {
            "loss": "sparse_categorical_crossentropy",
            "from_logits": False,
            "optimizer": "adam",
            "learning_rate": 0.01,
            "momentum": 0.0,
            "metrics": ["accuracy"],
        },
        "training": {
            "epochs": 50,
            "batch_size": 4,
            "validation_split": 0.25,
            "shuffle": True,
            "seed": 5,
            "scaling": "standardize",
        },
        "dataset": {
            "kind": "csv",
            "name": "tiny_blobs.csv",
            "params": {"target": "kind"},
            "path": "data/tiny_blobs.csv",
            "absolute_path": "/nonexistent/netbuilder-fixture/data/tiny_blobs.csv",
            "sha256": hashlib.sha256(V1_CSV).hexdigest(),
        },
        "scaler": {"kind": "standardize", "offset": [0.0, 1.0], "scale": [1.5, 1.0]},
        "weight_arrays": 4,
        "epochs_trained": 3,
        "history": {
            "loss": [1.2, 0.8, None],
            "accuracy": [0.5, 0.75, 1.0],
            "val_loss": [1.3, 0.9, 0.7],
        },
        "ui": {"canvas": {"zoom": 1.25}},
    }
    snapshots = {f"e{epoch}_w{i}": w * epoch / 3 for epoch in (1, 2) for i, w in enumerate(weights)}
    members = {
        "project.json": json.dumps(meta, indent=1).encode(),
        "weights.npz": _npz(**{f"w{i}": w for i, w in enumerate(weights)}),
        "snapshots.npz": _npz(**snapshots),
        "dataset.csv": V1_CSV,
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, payload in members.items():
            # A fixed timestamp keeps the committed bytes identical on every run.
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, payload)


# Schema 2 adds training.early_stopping, training.target_scaling and target_scaler: a small
# regression, trained on a standardised target, whose file records both.
V2_CSV = (
    b"size,age,price\n"
    b"50,10,210\n70,5,320\n90,30,330\n60,2,300\n120,15,510\n"
    b"80,8,350\n100,40,380\n40,1,205\n"
)


def v2_weights() -> list[np.ndarray]:
    """2 inputs -> 3 relu -> 1 linear, deterministic values the tests recompute."""
    shapes = [(2, 3), (3,), (3, 1), (1,)]
    return [
        (np.arange(np.prod(s), dtype=np.float32).reshape(s) / 8.0 - 0.25 * i)
        for i, s in enumerate(shapes)
    ]


def write_v2(path: Path) -> None:
    weights = v2_weights()
    meta = {
        "format": "netbuilder-project",
        "schema_version": 2,
        "name": "Fixture v2: house prices",
        "layers": [
            {
                "type": "Dense",
                "units": 3,
                "activation": "relu",
                "name": "hidden",
                "kernel_initializer": "he_uniform",
                "bias_initializer": "zeros",
                "l2": 0.0,
            },
            {
                "type": "Dense",
                "units": 1,
                "activation": "linear",
                "name": "output",
                "kernel_initializer": "glorot_uniform",
                "bias_initializer": "zeros",
                "l2": 0.0,
            },
        ],
        "input_dim": 2,
        "compile": {
            "loss": "mean_squared_error",
            "from_logits": False,
            "optimizer": "adam",
            "learning_rate": 0.001,
            "momentum": 0.0,
            "metrics": [],
        },
        "training": {
            "epochs": 400,
            "batch_size": 32,
            "validation_split": 0.25,
            "shuffle": True,
            "seed": 3,
            "scaling": "standardize",
            "early_stopping": 7,
            "target_scaling": "standardize",
        },
        "dataset": {
            "kind": "csv",
            "name": "houses.csv",
            "params": {"target": "price"},
            "path": "data/houses.csv",
            "absolute_path": "/nonexistent/netbuilder-fixture/data/houses.csv",
            "sha256": hashlib.sha256(V2_CSV).hexdigest(),
        },
        "scaler": {"kind": "standardize", "offset": [75.0, 14.0], "scale": [25.0, 13.0]},
        "target_scaler": {"kind": "standardize", "offset": [325.0], "scale": [95.0]},
        "weight_arrays": 4,
        "epochs_trained": 2,
        "history": {"loss": [9000.5, 4000.25], "val_loss": [9500.0, None]},
        "ui": {},
    }
    members = {
        "project.json": json.dumps(meta, indent=1).encode(),
        "weights.npz": _npz(**{f"w{i}": w for i, w in enumerate(weights)}),
        "dataset.csv": V2_CSV,
    }
    _write_zip(path, members)


# Schema 3 adds runs: "runs" and "current_run" in project.json, each run's final weights in
# runs.npz as r{run}_w{i}. A tiny binary table trained twice: "run 1" with sigmoid, then
# "layer 1 relu" (current, stopped early: epoch 3 of 4 kept), whose state the project holds.
V3_CSV = (
    b"x1,x2,label\n"
    b"0.1,0.2,no\n0.3,-0.2,no\n-0.2,0.1,no\n0.0,-0.3,no\n"
    b"1.9,2.1,yes\n2.2,1.8,yes\n1.7,2.3,yes\n2.0,2.0,yes\n"
)
V3_RUN_IDS = ("5f2c0a9b1d3e", "b7e41c08d2a6")


def v3_weights(run: int) -> list[np.ndarray]:
    """2 inputs -> 4 units -> 1 sigmoid for run 0 and 1: values the tests recompute."""
    shapes = [(2, 4), (4,), (4, 1), (1,)]
    return [
        (np.arange(np.prod(s), dtype=np.float32).reshape(s) / 16.0 - 0.125 * i + run)
        for i, s in enumerate(shapes)
    ]


def _v3_layers(activation: str) -> list[dict]:
    return [
        {
            "type": "Dense",
            "units": 4,
            "activation": activation,
            "name": "hidden",
            "kernel_initializer": "glorot_uniform",
            "bias_initializer": "zeros",
            "l2": 0.0,
        },
        {
            "type": "Dense",
            "units": 1,
            "activation": "sigmoid",
            "name": "output",
            "kernel_initializer": "glorot_uniform",
            "bias_initializer": "zeros",
            "l2": 0.0,
        },
    ]


def write_v3(path: Path) -> None:
    compile_ = {
        "loss": "binary_crossentropy",
        "from_logits": False,
        "optimizer": "adam",
        "learning_rate": 0.01,
        "momentum": 0.0,
        "metrics": ["accuracy"],
    }
    training = {
        "epochs": 4,
        "batch_size": None,
        "validation_split": 0.25,
        "shuffle": True,
        "seed": 2,
        "scaling": "standardize",
        "early_stopping": 1,
        "target_scaling": "none",
    }
    scaler = {"kind": "standardize", "offset": [1.0, 1.0], "scale": [1.0, 1.0]}
    histories = [
        {"loss": [0.7, 0.6, 0.55], "accuracy": [0.5, 0.5, 0.75], "val_loss": [0.8, 0.7, 0.65]},
        {
            "loss": [0.6, 0.4, 0.3, 0.25],
            "accuracy": [0.5, 0.75, 1.0, 1.0],
            "val_loss": [0.7, 0.5, 0.35, None],
        },
    ]
    runs = [
        {
            "id": V3_RUN_IDS[index],
            "name": name,
            "layers": _v3_layers(activation),
            "compile": compile_,
            "training": training,
            "dataset": "blobs.csv",
            "epochs": len(histories[index]["loss"]),
            "kept_epoch": kept,
            "history": histories[index],
            "scaler": scaler,
            "target_scaler": None,
            "weight_arrays": 4,
        }
        for index, (name, activation, kept) in enumerate(
            [("run 1", "sigmoid", None), ("layer 1 relu", "relu", 3)]
        )
    ]
    meta = {
        "format": "netbuilder-project",
        "schema_version": 3,
        "name": "Fixture v3: two runs",
        "layers": _v3_layers("relu"),
        "input_dim": 2,
        "compile": compile_,
        "training": training,
        "dataset": {
            "kind": "csv",
            "name": "blobs.csv",
            "params": {"target": "label"},
            "path": "data/blobs.csv",
            "absolute_path": "/nonexistent/netbuilder-fixture/data/blobs.csv",
            "sha256": hashlib.sha256(V3_CSV).hexdigest(),
        },
        "scaler": scaler,
        "target_scaler": None,
        "weight_arrays": 4,
        "epochs_trained": 4,
        "history": histories[1],
        "ui": {},
        "runs": runs,
        "current_run": V3_RUN_IDS[1],
    }
    members = {
        "project.json": json.dumps(meta, indent=1).encode(),
        "weights.npz": _npz(**{f"w{i}": w for i, w in enumerate(v3_weights(1))}),
        # Stacked, as schema 3 stores snapshots: the epochs, then w{i} of every snapshot.
        "snapshots.npz": _npz(
            epochs=np.array([2], dtype=np.int64),
            **{f"w{i}": w[np.newaxis] / 2 for i, w in enumerate(v3_weights(1))},
        ),
        "runs.npz": _npz(
            **{f"r{run}_w{i}": w for run in (0, 1) for i, w in enumerate(v3_weights(run))}
        ),
        "dataset.csv": V3_CSV,
    }
    _write_zip(path, members)


def _write_zip(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, payload in members.items():
            # A fixed timestamp keeps the committed bytes identical on every run.
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, payload)


def _npz(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


WRITERS = {1: write_v1, 2: write_v2, 3: write_v3}


def main() -> int:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for version, writer in WRITERS.items():
        path = FIXTURES / f"project_v{version}.nnproj"
        writer(path)
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
