"""Runs: names from what differs, the record a training leaves (runtime.record_run), the edits
on runs (rename, delete, restore) and how undo snapshots and copies share them."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

from engine.data import Dataset, builtin
from engine.project import (
    CompileSpec,
    DatasetSource,
    LayerSpec,
    Project,
    Run,
    TrainingSpec,
    edits,
    runs,
    runtime,
)


def make_run(name="", layers=None, compile=None, training=None, dataset="coffee", **fields):
    return Run(
        id=fields.pop("id", runs.new_run_id()),
        name=name,
        layers=layers or [LayerSpec(25, "sigmoid"), LayerSpec(15, "sigmoid"), LayerSpec(1)],
        compile=compile or CompileSpec(),
        training=training or TrainingSpec(),
        dataset=dataset,
        **fields,
    )


def course() -> Project:
    project = Project.course()
    project.training.epochs = 4
    return project


def train(project: Project, epochs: int = 3, base_epochs: int | None = None):
    """What the CLI and the window do: build, fit from where the project stands, record."""
    start = project.epochs_trained if base_epochs is None else base_epochs
    model = runtime.build_model(project, seed=runtime.run_seed(project))
    prepared = runtime.prepare_data(project)
    outcome = runtime.fit_run(model, prepared, project.training, epochs, initial_epoch=start)
    runtime.record_run(project, outcome, prepared.scaler_config, base_epochs=base_epochs)
    return outcome


# ------------------------------------------------------------------------------- names

BASE = make_run()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda r: r.layers[1].__setattr__("activation", "relu"), "layer 2 relu"),
        (lambda r: r.layers[0].__setattr__("units", 32), "layer 1 25→32 units"),
        (lambda r: r.layers.append(LayerSpec(4)), "4 layers"),
        (lambda r: r.layers.pop(), "2 layers"),
        (lambda r: r.compile.__setattr__("learning_rate", 0.1), "lr 0.1"),
        (lambda r: r.compile.__setattr__("optimizer", "sgd"), "adam → sgd"),
        (lambda r: r.compile.__setattr__("loss", "mean_squared_error"), "loss mse"),
        (lambda r: r.training.__setattr__("batch_size", 64), "batch 64"),
        (lambda r: r.training.__setattr__("batch_size", None), "full batch"),
        (lambda r: r.layers[0].__setattr__("l2", 0.01), "layer 1 L2 0.01"),
        (lambda r: r.training.__setattr__("early_stopping", 20), "patience 20"),
    ],
)
def test_a_run_is_named_after_what_differs_from_the_previous_one(change, expected):
    layers, comp, training = copy.deepcopy((BASE.layers, BASE.compile, BASE.training))
    variant = make_run(layers=layers, compile=comp, training=training)
    change(variant)
    assert runs.run_name(BASE, layers, comp, training, "coffee", number=2) == expected


def test_several_differences_are_joined_and_a_long_list_is_cut_short():
    layers, comp, training = copy.deepcopy((BASE.layers, BASE.compile, BASE.training))
    layers[1].activation = "relu"
    comp.learning_rate = 0.1
    assert runs.run_name(BASE, layers, comp, training, "coffee") == "layer 2 relu, lr 0.1"
    comp.optimizer, training.batch_size, training.seed = "sgd", 64, 9
    name = runs.run_name(BASE, layers, comp, training, "moons")
    assert name == "dataset moons, layer 2 relu, adam → sgd +3 more"


def test_the_first_run_and_a_run_with_the_same_settings_are_numbered():
    assert runs.run_name(None, BASE.layers, BASE.compile, BASE.training, "coffee") == "run 1"
    same = copy.deepcopy((BASE.layers, BASE.compile, BASE.training))
    assert runs.run_name(BASE, *same, "coffee", number=4) == "run 4"
    # A layer's own name is no difference.
    same[0][0].name = "renamed"
    assert runs.run_name(BASE, *same, "coffee", number=4) == "run 4"


def test_unique_names_get_a_number():
    assert runs.unique_name("lr 0.1", ["run 1"]) == "lr 0.1"
    assert runs.unique_name("lr 0.1", ["lr 0.1"]) == "lr 0.1 (2)"
    assert runs.unique_name("lr 0.1", ["lr 0.1", "lr 0.1 (2)"]) == "lr 0.1 (3)"


def test_final_figures_are_the_kept_epochs_finite_values():
    history = {"loss": [0.9, 0.5, 0.4], "val_loss": [1.0, 0.6, math.nan], "accuracy": [0.5, 0.8]}
    run = make_run(history=history, epochs=3)
    assert runs.final_figures(run) == {"loss": 0.4}  # val_loss NaN, accuracy missing there
    kept = make_run(history=history, epochs=3, kept_epoch=2)
    assert kept.final_figures() == {"loss": 0.5, "val_loss": 0.6, "accuracy": 0.8}
    assert runs.final_figures(make_run()) == {}


def test_a_runs_weights_are_read_only_copies():
    weights = [np.ones((2, 3), np.float32)]
    run = make_run(weights=runs.frozen_weights(weights))
    weights[0][0, 0] = 5.0
    assert run.weights[0][0, 0] == 1.0
    with pytest.raises(ValueError, match="read-only"):
        run.weights[0][0, 0] = 2.0


def test_a_project_keeps_at_most_max_runs_dropping_the_oldest_but_never_the_current(
    monkeypatch,
):
    monkeypatch.setattr(runs, "MAX_RUNS", 3)
    project = Project()
    first = runs.add_run(project, make_run("first"), current=True)
    for name in ("b", "c", "d"):
        runs.add_run(project, make_run(name))
    assert [run.name for run in project.runs] == ["first", "c", "d"]
    assert project.current_run == first.id
    runs.add_run(project, make_run("e"), current=True)
    assert [run.name for run in project.runs] == ["first", "d", "e"]
    runs.add_run(project, make_run("f"))  # "first" is no longer current: it goes now
    assert [run.name for run in project.runs] == ["d", "e", "f"]


def test_add_run_names_an_unnamed_run_against_the_current_one_and_keeps_names_unique():
    project = Project()
    runs.add_run(project, make_run(), current=True)
    faster = copy.deepcopy(BASE.compile)
    faster.learning_rate = 0.1
    added = runs.add_run(project, make_run(compile=faster))
    again = runs.add_run(project, make_run(compile=faster))
    assert [run.name for run in project.runs] == ["run 1", "lr 0.1", "lr 0.1 (2)"]
    assert (added.name, again.name) == ("lr 0.1", "lr 0.1 (2)")
    assert project.current_run == project.runs[0].id  # a comparison's runs are not current


# ------------------------------------------------------------------------------ recording


def test_training_from_fresh_weights_records_a_current_run():
    project = course()
    train(project, 3)
    [run] = project.runs
    assert (run.name, run.epochs, project.current_run) == ("run 1", 3, run.id)
    assert run.history == project.history and run.dataset == "coffee"
    assert all(np.array_equal(a, b) for a, b in zip(run.weights, project.weights, strict=True))
    assert run.layers == project.layers and run.layers is not project.layers
    assert run.scaler == project.scaler
    assert set(run.final_figures()) == {"loss", "accuracy", "val_loss", "val_accuracy"}


def test_continuing_with_the_same_settings_updates_the_current_run():
    project = course()
    train(project, 3)
    first_id = project.current_run
    project.training.epochs = 50  # the epochs per run are not a setting of the learning
    train(project, 2)
    [run] = project.runs
    assert (run.id, run.name, run.epochs) == (first_id, "run 1", 5)
    assert run.history == project.history and len(run.history["loss"]) == 5
    assert np.array_equal(run.weights[-1], project.weights[-1])


def test_continuing_with_other_settings_branches_into_a_new_run():
    project = course()
    train(project, 3)
    project.compile.learning_rate = 0.1
    train(project, 2)
    first, branch = project.runs
    assert (first.epochs, branch.epochs, branch.name) == (3, 5, "lr 0.1")
    assert project.current_run == branch.id
    assert branch.history["loss"][:3] == first.history["loss"]  # the shared start


def test_training_again_after_a_reset_is_a_new_run_and_the_old_one_stays():
    project = course()
    train(project, 3)
    edits.set_layer_field(project, 1, "activation", "relu")  # clears the training
    assert project.current_run is None and len(project.runs) == 1
    train(project, 3)
    assert [run.name for run in project.runs] == ["run 1", "layer 2 relu"]
    assert project.current_run == project.runs[1].id
    # Same settings again, from fresh weights: a new run, numbered.
    project.clear_training()
    train(project, 3)
    assert [run.name for run in project.runs] == ["run 1", "layer 2 relu", "run 3"]


def test_early_stopping_keeps_the_best_epoch_in_the_run():
    project = Project.new_for_dataset(builtin("moons", n_samples=120, noise=0.3, seed=1))
    project.training.early_stopping = 2
    project.compile.learning_rate = 0.3  # noisy enough to stop early
    outcome = train(project, 60)
    [run] = project.runs
    assert outcome.early_stopped and run.kept_epoch == outcome.best_epoch
    assert run.final_figures()["val_loss"] == min(run.history["val_loss"])


def test_a_run_that_trained_no_epoch_records_nothing():
    project = course()
    outcome = runtime.RunOutcome("stopped", [np.zeros(1)], {}, 0)
    runtime.record_run(project, outcome, None)
    assert project.runs == [] and project.current_run is None


def test_the_cli_style_call_without_base_epochs_still_works():
    project = course()
    train(project, 2, base_epochs=0)
    train(project, 2)
    assert [run.epochs for run in project.runs] == [4]


# ---------------------------------------------------------------------------------- edits


@pytest.fixture
def two_runs() -> Project:
    project = course()
    train(project, 3)
    edits.set_layer_field(project, 0, "activation", "relu")
    train(project, 4)
    return project


def test_rename_run_checks_the_name(two_runs):
    first, second = two_runs.runs
    edits.rename_run(two_runs, first.id, "  sigmoid\n baseline ")
    assert two_runs.runs[0].name == "sigmoid baseline" and two_runs.runs[0].id == first.id
    assert first.name == "run 1"  # the old run is unchanged: undo snapshots share it
    with pytest.raises(ValueError, match="already called 'layer 1 relu'"):
        edits.rename_run(two_runs, first.id, "layer 1 relu")
    with pytest.raises(ValueError, match="needs a name"):
        edits.rename_run(two_runs, first.id, " ")
    with pytest.raises(ValueError, match="at most 120 characters"):
        edits.rename_run(two_runs, first.id, "x" * 121)
    with pytest.raises(ValueError, match="no run with id 'nope'"):
        edits.rename_run(two_runs, "nope", "x")
    edits.rename_run(two_runs, second.id, "layer 1 relu")  # its own name is fine


def test_deleting_the_current_run_keeps_the_projects_weights(two_runs):
    first, second = two_runs.runs
    weights, history = two_runs.weights, dict(two_runs.history)
    edits.delete_run(two_runs, second.id)
    assert two_runs.runs == [first] and two_runs.current_run is None
    assert two_runs.weights is weights and two_runs.history == history
    # Training on makes a new run (nothing is current), named against the last one.
    train(two_runs, 1)
    assert [run.name for run in two_runs.runs] == ["run 1", "layer 1 relu"]
    assert two_runs.runs[1].epochs == 5
    with pytest.raises(ValueError, match="no run with id"):
        edits.delete_run(two_runs, second.id)


def test_restore_run_brings_back_its_settings_weights_and_history(two_runs):
    first, second = two_runs.runs
    edits.restore_run(two_runs, first.id)
    assert two_runs.current_run == first.id
    assert two_runs.layers[0].activation == "sigmoid" and two_runs.layers == first.layers
    assert two_runs.layers is not first.layers  # editing the project cannot reach the run
    assert two_runs.history == first.history and two_runs.epochs_trained == 3
    assert all(np.array_equal(a, b) for a, b in zip(two_runs.weights, first.weights))
    assert two_runs.weights[0].flags.writeable
    assert two_runs.snapshots == {}
    # The model builds and scores what the run's history says it scored.
    model = runtime.build_model(two_runs)
    prepared = runtime.prepare_data(two_runs)
    scores = runtime.validation_scores(two_runs, model, prepared)
    assert scores["loss"] == pytest.approx(first.history["val_loss"][-1], rel=1e-4)
    # Continuing trains the restored run on.
    train(two_runs, 1)
    assert [run.epochs for run in two_runs.runs] == [4, 4]
    assert two_runs.runs[0].id == first.id


def test_restoring_the_current_run_keeps_its_snapshots_up_to_its_end(two_runs):
    current = two_runs.runs[1]
    two_runs.snapshots = {2: current.weights, 4: current.weights, 9: current.weights}
    edits.restore_run(two_runs, current.id)
    assert sorted(two_runs.snapshots) == [2, 4]


def test_restore_run_refuses_when_the_data_no_longer_fits(two_runs):
    first = two_runs.runs[0]
    rng = np.random.default_rng(0)
    wide = Dataset(rng.normal(size=(40, 3)), rng.integers(0, 2, (40, 1)), name="wide")
    edits.apply_dataset(two_runs, DatasetSource.from_dataset(wide), wide)
    with pytest.raises(ValueError, match=r"2 input features \(coffee\); the dataset now has 3"):
        edits.restore_run(two_runs, first.id)
    classes = builtin("blobs", n_samples=60)
    edits.apply_dataset(two_runs, DatasetSource.from_dataset(classes), classes)
    with pytest.raises(ValueError, match="1 output unit .*now needs 3"):
        edits.restore_run(two_runs, first.id)
    no_weights = make_run("empty")
    two_runs.runs = [*two_runs.runs, no_weights]
    with pytest.raises(ValueError, match="has no saved weights"):
        edits.restore_run(two_runs, no_weights.id)


def test_undo_snapshots_keep_the_runs_consistent(two_runs):
    before = edits.capture(two_runs)
    first, second = two_runs.runs
    edits.rename_run(two_runs, first.id, "baseline")
    edits.delete_run(two_runs, second.id)
    after = edits.capture(two_runs)
    edits.restore(two_runs, before)
    assert [run.name for run in two_runs.runs] == ["run 1", "layer 1 relu"]
    assert two_runs.current_run == second.id
    assert two_runs.runs[1] is second  # shared, not copied
    edits.restore(two_runs, after)
    assert [run.name for run in two_runs.runs] == ["baseline"] and two_runs.current_run is None
    # Restoring a run is one snapshot too: settings, weights and runs go back together.
    edits.restore(two_runs, before)
    edits.restore_run(two_runs, first.id)
    edits.restore(two_runs, before)
    assert two_runs.layers[0].activation == "relu" and two_runs.current_run == second.id


def test_clear_training_keeps_the_runs(two_runs):
    kept = list(two_runs.runs)
    two_runs.clear_training()
    assert two_runs.runs == kept and two_runs.current_run is None


def test_a_project_copy_shares_the_runs_but_not_the_list(two_runs):
    clone = two_runs.copy()
    assert clone.runs == two_runs.runs and clone.runs is not two_runs.runs
    assert all(a is b for a, b in zip(clone.runs, two_runs.runs))
    assert clone.current_run == two_runs.current_run


def test_a_best_epoch_that_is_the_last_one_is_not_recorded_as_kept():
    project = course()
    project.training.early_stopping = 50  # on, but the run ends before it stops anything
    outcome = train(project, 3)
    # The validation loss still falls at epoch 3, so the best epoch is the last one.
    assert (outcome.best_epoch, outcome.early_stopped) == (3, False)
    [run] = project.runs
    assert run.kept_epoch is None


def test_added_names_stay_within_the_limit_and_ids_stay_unique():
    project = Project()
    long = "x" * 130
    first = runs.add_run(project, make_run(long))
    second = runs.add_run(project, make_run(long))
    assert first.name == "x" * 120 and second.name == "x" * 116 + " (2)"
    assert runs.add_run(project, make_run(" two\n words ")).name == "two words"
    with pytest.raises(ValueError, match="already has a run with id"):
        runs.add_run(project, first)
