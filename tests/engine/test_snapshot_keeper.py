"""Per-epoch snapshots: the keeper keeps the weights of every epoch (within bounds), thinning
keeps a long run's timeline evenly spread, runs merge into the project's snapshots, and
"continue from epoch N" (edits.restore_epoch) rewinds a project to one of them."""

from __future__ import annotations

import numpy as np
import pytest

from engine.callbacks import Callback
from engine.project import LayerSpec, Project, edits, runtime
from engine.snapshot_keeper import (
    EpochSnapshots,
    capacity,
    merge_snapshots,
    thin,
)


class _EveryEpoch(Callback):
    """The reference: a full copy of the weights after every epoch."""

    def __init__(self):
        super().__init__()
        self.weights = {}

    def on_train_begin(self, logs=None):
        self.weights[0] = self.model.get_weights()

    def on_epoch_end(self, epoch, logs=None):
        self.weights[epoch + 1] = self.model.get_weights()


def _course(epochs=None, **training):
    project = Project.course()
    for name, value in training.items():
        setattr(project.training, name, value)
    if epochs is not None:
        project.training.epochs = epochs
    return project


def _fit(project, epochs, callbacks):
    model = runtime.build_model(project, seed=runtime.run_seed(project))
    prepared = runtime.prepare_data(project)
    outcome = runtime.fit_run(
        model, prepared, project.training, epochs, project.epochs_trained, callbacks=callbacks
    )
    return outcome, prepared


def _gaps(epochs):
    return np.diff(sorted(epochs))


# ------------------------------------------------------------------------------- thin


def test_thin_leaves_few_epochs_alone_and_is_idempotent():
    assert thin([3, 1, 2], 5) == [1, 2, 3]
    once = thin(range(1000), 50)
    assert thin(once, 50) == once


@pytest.mark.parametrize(("n", "max_count"), [(301, 300), (1000, 50), (20_001, 512), (7, 2)])
def test_thin_keeps_the_first_and_last_and_spreads_the_rest_evenly(n, max_count):
    kept = thin(range(n), max_count)
    assert len(kept) <= max_count
    assert kept[0] == 0 and kept[-1] == n - 1
    gaps = _gaps(kept)
    # One stride between neighbours, except the last step to the final epoch (shorter).
    assert len(set(gaps[:-1].tolist())) <= 1
    assert gaps[-1] <= gaps[0]
    # Evenly: at least a quarter of the allowed count is used, so no epoch is far from one.
    assert len(kept) > max_count // 4


def test_thin_spreads_epochs_of_two_differently_thinned_runs():
    first_run = list(range(0, 301, 4))  # a run thinned to every 4th epoch
    second_run = list(range(300, 601))  # then one kept whole
    kept = thin(first_run + second_run, 100)
    assert len(kept) <= 100 and kept[0] == 0 and kept[-1] == 600
    assert max(_gaps(kept)) <= 16


def test_thin_refuses_to_keep_fewer_than_two():
    with pytest.raises(ValueError, match="at least the first and the last"):
        thin([1, 2, 3], 1)


def test_capacity_follows_the_budget_but_keeps_two():
    assert capacity(1000, 300, 10**9) == 300
    assert capacity(1000, 300, 50_000) == 50
    assert capacity(10**9, 300, 64 * 1024**2) == 2


# ------------------------------------------------------------------------------ keeper


def test_the_keeper_holds_the_weights_of_every_epoch_of_a_short_run():
    project = _course()
    keeper, reference = EpochSnapshots(), _EveryEpoch()
    outcome, _ = _fit(project, 12, [reference, keeper])
    assert keeper.epochs() == list(range(13)) == sorted(reference.weights)
    for epoch, weights in keeper.snapshots().items():
        for got, want in zip(weights, reference.weights[epoch], strict=True):
            np.testing.assert_array_equal(got, want)
    for got, want in zip(keeper.weights_at(12), outcome.weights, strict=True):
        np.testing.assert_array_equal(got, want)


def test_snapshots_are_read_only_and_unknown_epochs_are_none():
    keeper = EpochSnapshots()
    _fit(_course(), 3, [keeper])
    weights = keeper.weights_at(2)
    with pytest.raises(ValueError, match="read-only"):
        weights[0][0, 0] = 5.0
    assert keeper.weights_at(7) is None
    assert keeper.nearest(7) == 3 and keeper.nearest(-4) == 0


def test_a_long_run_is_thinned_to_the_bound_keeping_first_and_last():
    keeper, reference = EpochSnapshots(max_count=16), _EveryEpoch()
    _fit(_course(), 100, [reference, keeper])
    epochs = keeper.epochs()
    assert len(epochs) <= 16 and epochs[0] == 0 and epochs[-1] == 100
    assert max(_gaps(epochs)) <= keeper.stride
    for epoch in epochs:  # the kept ones are the weights of exactly that epoch
        np.testing.assert_array_equal(keeper.weights_at(epoch)[0], reference.weights[epoch][0])
    # Any epoch of the run has a snapshot within one stride.
    assert all(abs(keeper.nearest(e) - e) <= keeper.stride // 2 + 1 for e in range(101))


def test_a_wide_network_keeps_fewer_within_the_budget():
    wide = _course()
    wide.layers = [LayerSpec(256, "relu"), LayerSpec(128, "relu"), LayerSpec(1, "sigmoid")]
    size = sum(w.nbytes for w in runtime.build_model(wide, seed=1).get_weights())
    keeper = EpochSnapshots(max_count=300, budget_bytes=10 * size)
    _fit(wide, 40, [keeper])
    assert len(keeper) <= 10 and keeper.nbytes <= 10 * size
    assert keeper.epochs()[0] == 0 and keeper.epochs()[-1] == 40


def test_a_continued_run_is_keyed_by_epochs_trained_in_all():
    project = _course()
    project.epochs_trained = 30  # as if trained: the keys count from there
    keeper = EpochSnapshots(initial_epoch=30)
    _fit(project, 5, [keeper])
    assert keeper.epochs() == [30, 31, 32, 33, 34, 35]


def test_after_early_stopping_the_last_snapshot_is_the_weights_kept():
    project = _course(early_stopping=2)
    project.compile.learning_rate = 0.5  # noisy: the validation loss soon stops improving
    keeper = EpochSnapshots()
    outcome, _ = _fit(project, 200, [keeper])
    assert outcome.early_stopped
    last = keeper.epochs()[-1]
    assert last == outcome.epochs
    for got, want in zip(keeper.weights_at(last), outcome.weights, strict=True):
        np.testing.assert_array_equal(got, want)


# ------------------------------------------------------------------------------- merge


def _fake(epochs, value=1.0):
    return {e: [np.full((2, 2), value * e, np.float32)] for e in epochs}


def test_merge_keeps_older_up_to_the_start_then_the_run_then_the_weights_kept():
    older = _fake([0, 5, 10, 15])  # 15: from a run that was undone since
    newer = _fake(range(10, 21), value=2.0)
    final = [np.full((2, 2), -1.0, np.float32)]
    merged = merge_snapshots(older, newer, base_epoch=10, final_epoch=18, final_weights=final)
    assert sorted(merged) == [0, 5, 10, 11, 12, 13, 14, 15, 16, 17, 18]
    assert merged[10][0][0, 0] == 10.0  # the project's own, not the run's copy
    assert merged[15][0][0, 0] == 30.0  # the run's, not the undone one's
    assert merged[18][0][0, 0] == -1.0  # a diverged run's later epochs are gone


def test_merge_is_bounded_by_count_and_budget():
    merged = merge_snapshots(_fake(range(301)), _fake(range(300, 601)), 300, 600, max_count=64)
    assert len(merged) <= 64 and min(merged) == 0 and max(merged) == 600
    small = merge_snapshots({}, _fake(range(50)), 0, 49, budget_bytes=10 * 16)
    assert len(small) <= 10 and max(small) == 49


def test_record_run_merges_a_runs_snapshots_with_the_projects_older_ones():
    project = _course()
    for epochs in (20, 20):
        keeper = EpochSnapshots(initial_epoch=project.epochs_trained, max_count=30)
        outcome, prepared = _fit(project, epochs, [keeper])
        runtime.record_run(project, outcome, prepared.scaler_config, snapshots=keeper.snapshots())
    assert project.epochs_trained == 40
    assert min(project.snapshots) == 0 and max(project.snapshots) == 40
    assert len(project.snapshots) <= 512  # the default bound
    assert sorted(project.snapshots) == list(range(41))
    for got, want in zip(project.snapshots[40], project.weights, strict=True):
        np.testing.assert_array_equal(got, want)


# ----------------------------------------------------------------------- restore_epoch


def _trained(epochs=15):
    project = _course()
    keeper = EpochSnapshots()
    outcome, prepared = _fit(project, epochs, [keeper])
    runtime.record_run(project, outcome, prepared.scaler_config, snapshots=keeper.snapshots())
    return project


def test_restore_epoch_rewinds_weights_history_and_snapshots():
    project = _trained()
    kept = [w.copy() for w in project.snapshots[6]]
    history = {k: list(v) for k, v in project.history.items()}
    edits.restore_epoch(project, 6)
    assert project.epochs_trained == 6
    assert project.history == {k: v[:6] for k, v in history.items()}
    assert sorted(project.snapshots) == list(range(7))
    for got, want in zip(project.weights, kept, strict=True):
        np.testing.assert_array_equal(got, want)
    project.weights[0][0, 0] += 1.0  # the project's weights are its own, not the snapshot's
    assert project.snapshots[6][0][0, 0] == kept[0][0, 0]


def test_training_after_restore_continues_from_that_epoch():
    project = _trained()
    edits.restore_epoch(project, 6)
    outcome, prepared = _fit(project, 4, [keeper := EpochSnapshots(initial_epoch=6)])
    runtime.record_run(project, outcome, prepared.scaler_config, snapshots=keeper.snapshots())
    assert project.epochs_trained == 10 and len(project.history["loss"]) == 10
    assert sorted(project.snapshots) == list(range(11))


def test_restore_epoch_says_which_epochs_it_can_restore():
    project = _trained(5)
    project.snapshots = {e: w for e, w in project.snapshots.items() if e % 2 == 0}
    with pytest.raises(ValueError, match=r"no snapshot of epoch 3.*keeps epochs 0, 2, 4"):
        edits.restore_epoch(project, 3)
    with pytest.raises(ValueError, match="keeps none"):
        edits.restore_epoch(Project.course(), 0)
    with pytest.raises(ValueError, match="whole number"):
        edits.restore_epoch(project, -1)


def test_a_saved_project_reopens_with_its_snapshots_and_restores(tmp_path):
    project = _trained(8)
    path = project.save(tmp_path / "timeline.nnproj")
    loaded = Project.load(path)
    assert sorted(loaded.snapshots) == list(range(9))
    for epoch in loaded.snapshots:
        for got, want in zip(loaded.snapshots[epoch], project.snapshots[epoch], strict=True):
            np.testing.assert_array_equal(got, want)
    edits.restore_epoch(loaded, 3)
    assert loaded.epochs_trained == 3
