"""What the window's training process sends back (app/training/process_worker.py): a model
that travels by pickle still trains its own weights, and the epoch snapshots and gradient
statistics taken there arrive in the window's copies complete, each record once."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import engine
from engine.data import builtin
from engine.gradient_stats import GradientStats
from engine.layers import Dense
from engine.snapshot_keeper import EpochSnapshots


def _xor():
    x, y = builtin("xor").x, builtin("xor").y
    return ((x - x.mean(0)) / x.std(0)).astype(np.float32), y


def _model():
    engine.utils.set_random_seed(0)
    model = engine.Sequential(
        [engine.Input(shape=(2,)), Dense(4, activation="tanh"), Dense(1, activation="sigmoid")]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


@pytest.mark.parametrize("duplicate", [lambda m: pickle.loads(pickle.dumps(m)), copy.deepcopy])
def test_a_copied_model_trains_its_own_weights(duplicate):
    """A pickled model's layers arrived as arrays of their own, not views into its flat
    weights: training changed the flat array and the layers kept their first values."""
    x, y = _xor()
    model = _model()
    original = model.get_weights()
    twin = duplicate(model)
    before = twin.get_weights()
    twin.fit(x, y, epochs=5, verbose=0)
    after = twin.get_weights()
    assert not np.allclose(after[0], before[0])
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), original))
    # The copy predicts with the weights it trained (the layers are views of its flat array).
    fresh = _model()
    fresh.set_weights(after)
    np.testing.assert_allclose(twin.predict(x, verbose=0), fresh.predict(x, verbose=0), atol=1e-6)


class _Sender(engine.callbacks.Callback):
    """Sends `tracked`'s progress to `mirror` every `every` epochs and at the end of the fit,
    through pickle, as the training process does with each snapshot."""

    def __init__(self, tracked, mirror, every):
        super().__init__()
        self.tracked, self.mirror, self.every = tracked, mirror, every
        self.mark, self.sizes = None, []

    def send(self):
        delta, self.mark = self.tracked.export_progress(self.mark)
        self.mirror.import_progress(pickle.loads(pickle.dumps(delta)))
        self.sizes.append(len(delta["epochs"]) if "epochs" in delta else len(delta["new"]))

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every == 0:
            self.send()


def _in_steps(callback, mirror, epochs, every, *more):
    """Train with `callback`, `mirror` taking in its progress every `every` epochs and after
    the fit (whose callbacks end the run after the sender's); the deltas' sizes."""
    x, y = _xor()
    sender = _Sender(callback, mirror, every)
    _model().fit(
        x, y, epochs=epochs, validation_split=0.3, callbacks=[callback, sender, *more], verbose=0
    )
    sender.send()
    return sender.sizes


def test_gradient_statistics_arrive_whole_and_once():
    stats, mirror = GradientStats(), GradientStats()
    sizes = _in_steps(stats, mirror, 450, 150)
    assert sizes == [150, 150, 150, 0]  # only what is new each time (past the first buffer too)
    for ours, theirs in zip(stats.read(), mirror.read()):
        np.testing.assert_array_equal(ours, theirs)
    assert mirror.read(440)[0].tolist() == list(range(440, 450))


def test_epoch_snapshots_arrive_whole_and_once_as_the_keeper_thins_them():
    keeper = EpochSnapshots(max_count=8)
    mirror = EpochSnapshots(max_count=8)
    # Early stopping puts the best epoch's weights back at the end: the keeper then replaces
    # its copy of the last epoch with them, and so must the mirror.
    stop = engine.callbacks.EarlyStopping(patience=3, restore_best_weights=True)
    sizes = _in_steps(keeper, mirror, 40, 10, stop)
    assert keeper.stride > 1  # the keeper thinned its snapshots meanwhile
    assert mirror.epochs() == keeper.epochs()
    for epoch in keeper.epochs():
        for ours, theirs in zip(keeper.weights_at(epoch), mirror.weights_at(epoch)):
            np.testing.assert_array_equal(ours, theirs)
    # Each snapshot is sent once: no more than were ever taken.
    assert sum(sizes) <= 1 + 40
    assert sizes[-1] < len(keeper.epochs())
    with pytest.raises(ValueError, match="read-only"):
        mirror.weights_at(keeper.epochs()[0])[0][0, 0] = 1.0


def test_a_keeper_travels_by_pickle_before_its_run():
    keeper = pickle.loads(pickle.dumps(EpochSnapshots(initial_epoch=3)))
    x, y = _xor()
    _model().fit(x, y, epochs=5, initial_epoch=3, callbacks=[keeper], verbose=0)
    assert keeper.epochs() == [3, 4, 5]


def test_the_kept_copy_of_the_last_epoch_follows_early_stopping():
    keeper, mirror = EpochSnapshots(), EpochSnapshots()
    stop = engine.callbacks.EarlyStopping(patience=1, restore_best_weights=True)
    x, y = _xor()
    model = _model()
    sender = _Sender(keeper, mirror, 1)
    # A learning rate that overshoots: the validation loss rises soon and the fit stops
    # (EarlyStopping first: it puts the best weights back before the keeper's end hook).
    model.optimizer.learning_rate = 2.0
    model.fit(x, y, epochs=200, validation_split=0.3, callbacks=[stop, keeper, sender], verbose=0)
    sender.send()
    last = mirror.epochs()[-1]
    assert stop.stopped_epoch and last < 200
    for ours, theirs in zip(model.get_weights(), mirror.weights_at(last)):
        np.testing.assert_array_equal(ours, theirs)


def test_an_empty_first_delta_sets_up_the_mirror():
    """A snapshot before the first epoch ends (a pause at once, a slow first epoch) carries
    no records yet, only the network's depth."""
    stats = GradientStats()
    x, y = _xor()
    model = _model()
    stats.set_model(model)
    stats.on_train_begin()
    mirror = GradientStats()
    delta, mark = stats.export_progress(None)
    mirror.import_progress(pickle.loads(pickle.dumps(delta)))
    assert mark == 0 and mirror.count == 0 and mirror.read()[1].shape == (0, 2)
    model.fit(x, y, epochs=3, callbacks=[stats], verbose=0)
    delta, _ = stats.export_progress(mark)
    mirror.import_progress(delta)
    np.testing.assert_array_equal(mirror.read()[1], stats.read()[1])
