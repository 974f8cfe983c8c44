"""The window's dataset switch (edits.apply_dataset) keeps no choice that no longer fits: a
change of task brings a new project's defaults; within a task the person's layers stay and the
advisor names an unscaled target, with a one-click fix."""

from __future__ import annotations

import numpy as np

from engine.data import builtin
from engine.project import DatasetSource, Project, advice, runtime
from engine.project import edits as project_edits
from engine.project.specs import DEFAULT_PATIENCE


def switch(project: Project, name: str) -> None:
    project_edits.apply_dataset(project, DatasetSource(kind="builtin", name=name), builtin(name))


def held_out_r2(project: Project, epochs: int) -> float:
    model = runtime.build_model(project, seed=0)
    prepared = runtime.prepare_data(project)
    outcome = runtime.fit_run(model, prepared, project.training, epochs)
    runtime.record_run(project, outcome, prepared.scaler_config)
    return runtime.validation_scores(project, model, prepared)["r2"]


def test_the_coffee_network_switched_to_linear_gets_the_regression_defaults_and_fits():
    project = Project.course()
    switch(project, "linear")
    fresh = Project.new_for_dataset(builtin("linear"))
    assert project.layers == fresh.layers  # no sigmoid hidden layers left
    assert project.compile == fresh.compile
    assert project.training.target_scaling == "standardize"
    assert project.training.early_stopping == DEFAULT_PATIENCE
    assert project.training.seed == Project.course().training.seed  # the person's seed stays
    # Before: a loss of 1.96e+05 and a flat line. Now it fits the line.
    assert held_out_r2(project, 300) > 0.9


def test_within_a_task_the_persons_layers_stay_and_the_advisor_offers_target_scaling():
    project = Project.course()
    switch(project, "sine")
    project_edits.set_target_scaling(project, "none")
    project.layers[0].units = 7  # the person's own network
    project.layers[-1].activation = "relu"
    switch(project, "linear")  # regression to regression
    assert project.layers[0].units == 7 and project.training.target_scaling == "none"
    found = {a.rule: a for a in advice.check(project)}
    hint = found["unscaled_target"]
    assert hint.severity == advice.WARNING and "527" in hint.message
    (fix,) = hint.fixes
    fix.apply(project)
    assert project.training.target_scaling == "standardize"
    assert project.layers[-1].activation == "linear"  # a standardised target is signed
    found = {a.rule for a in advice.check(project)}
    assert "unscaled_target" not in found and "nonnegative_regression" not in found
    project.layers[0].units = 16
    assert held_out_r2(project, 300) > 0.9


def test_a_target_near_unit_scale_needs_no_scaling_hint():
    project = Project.course()
    switch(project, "sine")
    project_edits.set_target_scaling(project, "none")
    assert "unscaled_target" not in {a.rule for a in advice.check(project)}
    assert abs(float(np.mean(project.dataset.y))) < 10


def test_early_stopping_edit_takes_a_patience_or_none():
    project = Project.course()
    project_edits.set_early_stopping(project, 12)
    assert project.training.early_stopping == 12
    project_edits.set_early_stopping(project, 0)
    assert project.training.early_stopping is None
