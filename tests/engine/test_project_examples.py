"""The example projects shipped in resources/examples (written by scripts/make_examples.py)
open in the current schema, trained, and score what their history says they scored."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from engine.project import Project, runtime
from engine.project.migrations import SCHEMA_VERSION

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"

# name -> (layers as (units, activation), loss, metric checked, bound on the validation score)
EXPECTED = {
    "coffee": (
        [(25, "sigmoid"), (15, "sigmoid"), (1, "sigmoid")],
        "binary_crossentropy",
        "val_accuracy",
        0.9,
    ),
    "xor": ([(8, "relu"), (1, "sigmoid")], "binary_crossentropy", "val_accuracy", 0.85),
    "sine": ([(32, "relu"), (16, "relu"), (1, "linear")], "mean_squared_error", "val_loss", 0.05),
    "iris": (
        [(16, "relu"), (3, "softmax")],
        "sparse_categorical_crossentropy",
        "val_accuracy",
        0.8,
    ),
}


def test_the_examples_are_the_four_documented_ones():
    assert sorted(p.stem for p in EXAMPLES.glob("*.nnproj")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_an_example_is_in_the_current_schema(name):
    with zipfile.ZipFile(EXAMPLES / f"{name}.nnproj") as archive:
        meta = json.loads(archive.read("project.json"))
    assert meta["schema_version"] == SCHEMA_VERSION, "run python scripts/make_examples.py"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_an_example_opens_trained_and_scores_what_its_history_says(name):
    layers, loss, metric, bound = EXPECTED[name]
    project = Project.load(EXAMPLES / f"{name}.nnproj")
    assert project.warnings == []
    assert [(layer.units, layer.activation) for layer in project.layers] == layers
    assert project.compile.loss == loss
    assert project.epochs_trained > 0
    assert all(len(values) == project.epochs_trained for values in project.history.values())
    assert len(project.snapshots) >= 5 and max(project.snapshots) == project.epochs_trained

    data = runtime.prepare_data(project)
    scores = runtime.build_model(project).evaluate(
        data.x_val, data.y_val, verbose=0, return_dict=True
    )
    recorded = project.history[metric][-1]
    assert scores[metric.removeprefix("val_")] == pytest.approx(recorded, rel=1e-4, abs=1e-6)
    if metric == "val_loss":
        assert recorded < bound
    else:
        assert recorded >= bound
