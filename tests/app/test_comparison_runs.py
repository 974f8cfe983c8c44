"""app.training.comparison (Qt-free): a comparison's two sides are named by the changed
setting's value, join project.runs without becoming the current run, and carry the output
view of their own weights."""

from __future__ import annotations

import numpy as np
import pytest

from app.training.comparison import (
    add_comparison_runs,
    can_record,
    health_text,
    run_comparison,
    run_names,
)
from engine.compare import Change
from engine.project import Project
from engine.unit_health import LayerHealth


@pytest.fixture(scope="module")
def coffee():
    return Project.default()


@pytest.mark.parametrize(
    ("change", "names"),
    [
        (Change("activation", "relu", layer=1), ("layer 2 sigmoid", "layer 2 relu")),
        (Change("loss", "mean_squared_error"), ("loss binary cross-entropy", "loss mse")),
        (Change("optimizer", "sgd"), ("adam", "sgd")),
        (Change("learning_rate", 0.1), ("lr 0.01", "lr 0.1")),
        (Change("batch_size", None), ("batch 32", "full batch")),
    ],
)
def test_each_side_is_named_by_its_value(coffee, change, names):
    result = run_comparison(coffee, change, epochs=2)
    assert run_names(result.comparison) == names


def test_both_runs_join_the_project_and_its_training_stays(coffee):
    project = coffee.copy()
    weights = [w.copy() for w in project.weights]
    current = project.current_run
    reports = []
    result = run_comparison(project, Change("activation", "relu", layer=0), 5, reports.append)
    assert [(which, epoch) for which, epoch, _ in reports] == [(0, e) for e in range(1, 6)] + [
        (1, e) for e in range(1, 6)
    ]
    assert can_record(result.comparison)
    added = add_comparison_runs(project, result.comparison)
    assert [run.name for run in added] == ["layer 1 sigmoid", "layer 1 relu"]
    assert project.runs[-2:] == added and project.current_run == current
    assert all(np.array_equal(a, b) for a, b in zip(project.weights, weights))
    for run, outcome in zip(added, result.comparison.outcomes):
        assert run.epochs == 5 and run.history["loss"] == outcome.history["loss"]
        assert all(np.array_equal(a, b) for a, b in zip(run.weights, outcome.weights))
    again = add_comparison_runs(project, result.comparison)
    assert [run.name for run in again] == ["layer 1 sigmoid (2)", "layer 1 relu (2)"]
    # Each side's output view is computed from its own weights.
    (_, base_view), (_, variant_view) = result.views
    assert base_view.output.shape == variant_view.output.shape
    assert not np.allclose(base_view.output, variant_view.output)


def test_a_cancelled_comparison_is_not_recorded(coffee):
    result = run_comparison(coffee, Change("optimizer", "sgd"), 50, should_stop=lambda: True)
    assert result.comparison.cancelled and not can_record(result.comparison)
    assert result.views == (None, None)


def test_health_cells():
    def health(dead=None, saturated=None, units=25, activation="relu"):
        return LayerHealth(0, activation, units, dead, saturated, False)

    assert health_text(health(dead=0.04)) == "4% dead (1 of 25)"
    assert health_text(health(dead=0.0)) == "none dead"
    assert health_text(health(saturated=0.4, activation="sigmoid")) == "40% saturated (10 of 25)"
    assert health_text(health(activation="elu")) == "—"
