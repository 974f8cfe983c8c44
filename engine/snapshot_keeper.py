"""Per-epoch weight snapshots of a training run, kept within a count and a memory budget.

The window's epoch scrubber and "Continue from here" rewind to them; `Project.snapshots`
stores them in the file. Epochs are counted like `Project.epochs_trained`: the snapshot of
epoch N holds the weights after N epochs, and epoch 0 (of a fresh run) the initial weights.

    keeper = EpochSnapshots(initial_epoch=project.epochs_trained)
    runtime.fit_run(model, prepared, project.training, 300, project.epochs_trained,
                    callbacks=[keeper])
    runtime.record_run(project, outcome, scaler, snapshots=keeper.snapshots())

Bounded: a long run cannot keep every epoch, so the keeper keeps the epochs on a stride from
the run's first epoch, and doubles the stride (dropping every other snapshot) whenever it
would hold more than it may. Any epoch of the run then has a snapshot within one stride, the
first epoch is always kept, and so is the latest. `thin` applies the same rule to any set of
epochs (a run's snapshots merged with the project's older ones, merge_snapshots).

Cheap: an epoch on the stride costs one copy of the flat weight array (the engine keeps all
weights in one array) and a dict entry, about 3 us for the course network (481 weights)
against 150-400 us for its epoch; an epoch off the stride costs an addition and a remainder,
so a 20,000-epoch run averages under 1 us per epoch. For a 784-256-128-10 network (235,146
weights, 0.9 MB) the copy takes about 0.1 ms against a second or more for an epoch of 10,000
samples. Measured on a shared 2-core machine.

Thread safety: the worker thread writes (on_train_begin, on_epoch_end, on_train_end) while
the GUI thread reads (epochs, nearest, weights_at, snapshots). A snapshot's array is never
written after it is taken (readers get read-only views of it), so a reader may keep it as
long as it likes; the dict of snapshots is only changed and read under a lock, so a reader
sees it before or after an epoch's change, never one half made.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable

import numpy as np

from .callbacks import Callback

__all__ = [
    "DEFAULT_MAX_COUNT",
    "DEFAULT_BUDGET_BYTES",
    "EpochSnapshots",
    "thin",
    "capacity",
    "merge_snapshots",
]

# 512: the default course project trains 300 epochs, and a fresh run also keeps epoch 0, so a
# round 300 would halve its timeline at the last epoch. 512 snapshots of the course network
# are 1 MB; a wide network is held back by the budget instead.
DEFAULT_MAX_COUNT = 512
# 64 MB: 68 snapshots of a 784-256-128-10 network, 512 of anything under 32,768 weights.
DEFAULT_BUDGET_BYTES = 64 * 1024**2


def thin(epochs: Iterable[int], max_count: int) -> list[int]:
    """At most `max_count` of `epochs` (sorted, distinct), spread evenly: the first and the
    last are always kept; between them, the first epoch of each stretch of `stride` epochs
    counted from the first, for the smallest power-of-two stride that fits. Epochs that are
    already few enough come back unchanged, so thinning twice is thinning once.

    max_count must be at least 2 (the first and the last)."""
    if max_count < 2:
        raise ValueError(f"thin keeps at least the first and the last epoch. Received: {max_count}")
    ordered = sorted({int(e) for e in epochs})
    if len(ordered) <= max_count:
        return ordered
    first, last = ordered[0], ordered[-1]
    stride = 1
    while True:
        stride *= 2
        kept = _first_of_each_stretch(ordered, first, stride)
        if kept[-1] != last:
            kept.append(last)
        if len(kept) <= max_count:
            return kept


def _first_of_each_stretch(ordered: list[int], first: int, stride: int) -> list[int]:
    kept, stretch = [], None
    for epoch in ordered:
        here = (epoch - first) // stride
        if here != stretch:
            kept.append(epoch)
            stretch = here
    return kept


def capacity(snapshot_bytes: int, max_count: int, budget_bytes: int) -> int:
    """How many snapshots of `snapshot_bytes` each may be kept: max_count, fewer when they
    would pass budget_bytes, but never fewer than 2 (the first and the latest epoch)."""
    by_budget = int(budget_bytes) // max(1, int(snapshot_bytes))
    return max(2, min(int(max_count), by_budget))


def merge_snapshots(
    older: dict[int, list[np.ndarray]],
    newer: dict[int, list[np.ndarray]],
    base_epoch: int,
    final_epoch: int,
    final_weights: list[np.ndarray] | None = None,
    max_count: int = DEFAULT_MAX_COUNT,
    budget_bytes: int = DEFAULT_BUDGET_BYTES,
) -> dict[int, list[np.ndarray]]:
    """The snapshots a project keeps after a run: `older` (the project's) up to `base_epoch`,
    where the run started, then the run's `newer` ones up to `final_epoch`, where it ended
    (a diverged run's last epochs were undone), and `final_weights` (the weights the project
    keeps, e.g. early stopping's best) as the snapshot of final_epoch; thinned to the bound.
    Arrays are shared, not copied: snapshots are never written in place."""
    merged = {int(e): w for e, w in older.items() if int(e) <= base_epoch}
    for epoch, weights in newer.items():
        epoch = int(epoch)
        if base_epoch <= epoch <= final_epoch and epoch not in merged:
            merged[epoch] = weights
    if final_weights is not None:
        merged[int(final_epoch)] = [_read_only(np.array(w, copy=True)) for w in final_weights]
    if not merged:
        return {}
    size = max(sum(np.asarray(w).nbytes for w in weights) for weights in merged.values())
    keep = thin(merged, capacity(size, max_count, budget_bytes))
    return {epoch: merged[epoch] for epoch in keep}


def _read_only(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


class EpochSnapshots(Callback):
    """A callback that keeps copies of the model's weights at epoch boundaries, keyed by
    epochs completed: `initial_epoch` (the weights the run starts from) and then the end of
    every epoch, bounded by `max_count` snapshots and `budget_bytes` in total (see the module
    docstring for the rule). Epochs off the stride are not copied at all; at the end of
    training the last epoch is taken as the latest snapshot, holding what the model keeps
    (after early stopping, the best epoch's weights). While a run goes on, its newest epochs
    are the live weights, which the window has anyway.

    Read from any thread: epochs(), nearest(epoch), weights_at(epoch), snapshots()."""

    def __init__(
        self,
        initial_epoch: int = 0,
        max_count: int = DEFAULT_MAX_COUNT,
        budget_bytes: int = DEFAULT_BUDGET_BYTES,
    ):
        super().__init__()
        if max_count < 2:
            raise ValueError(
                f"EpochSnapshots keeps at least the first and the latest epoch. Received: "
                f"max_count={max_count}"
            )
        self.initial_epoch = int(initial_epoch)
        self.max_count = int(max_count)
        self.budget_bytes = int(budget_bytes)
        self.stride = 1
        self._lock = threading.Lock()
        self._kept: dict[int, np.ndarray] = {}  # epochs on the stride -> flat weights
        self._latest: tuple[int, np.ndarray] | None = None
        self._slices: list[tuple[int, int, tuple[int, ...]]] = []  # (start, stop, shape)
        self._size = 0
        self._capacity = self.max_count
        self._last_epoch = self.initial_epoch

    # ----- the worker thread ------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        weights = self.model.get_weights()
        shapes = [tuple(w.shape) for w in weights]
        bounds = np.cumsum([0] + [math.prod(shape) for shape in shapes])
        self._slices = [(int(a), int(b), s) for a, b, s in zip(bounds, bounds[1:], shapes)]
        self._size = sum(int(w.size) for w in weights)
        self._capacity = capacity(sum(w.nbytes for w in weights), self.max_count, self.budget_bytes)
        self._last_epoch = self.initial_epoch
        self._take(self.initial_epoch)

    def on_epoch_end(self, epoch, logs=None):
        # Called once per epoch on the training thread: an epoch off the stride costs an
        # addition, a remainder and a store (the course network's epoch is ~150 us).
        epoch += 1
        self._last_epoch = epoch
        if not (epoch - self.initial_epoch) % self.stride:
            self._take(epoch)

    def on_train_end(self, logs=None):
        # The weights the model ends with, as the latest snapshot: the last epoch's, or after
        # early stopping the best epoch's (EarlyStopping restores them before this hook).
        # A run that diverged never gets here; merge_snapshots adds what it kept.
        self._take(self._last_epoch, latest=True)

    def _take(self, epoch: int, latest: bool = False) -> None:
        flat = self._flat_copy()  # never written again; readers get read-only views of it
        flat.setflags(write=False)  # ...and so are the views _unflatten makes of it
        with self._lock:
            if latest:
                self._latest = (epoch, flat)
                if epoch in self._kept:
                    self._kept[epoch] = flat
            else:
                self._kept[epoch] = flat
            if len(self._kept) >= self._capacity:
                self._make_room()

    def _make_room(self) -> None:
        """Double the stride until the snapshots, and the latest when it is off the stride,
        fit the capacity (called under the lock)."""
        while len(self._kept) + self._latest_apart() > self._capacity:
            self._double_stride()

    def _latest_apart(self) -> int:
        return int(self._latest is not None and self._latest[0] not in self._kept)

    def _double_stride(self) -> None:
        """Keep every other snapshot on the stride (called under the lock)."""
        self.stride *= 2
        self._kept = {
            epoch: flat
            for epoch, flat in self._kept.items()
            if (epoch - self.initial_epoch) % self.stride == 0
        }

    def _flat_copy(self) -> np.ndarray:
        # The engine's Sequential keeps every weight in one flat array, in get_weights order
        # ([W1, b1, W2, ...]): one copy of it is the cheapest snapshot there is.
        flat = getattr(self.model, "_flat", None)
        if flat is not None and flat.size == self._size:
            return flat.copy()
        return np.concatenate([np.ravel(w) for w in self.model.get_weights()])

    # ----- another process ----------------------------------------------------------------------
    # The window trains in a process of its own (app/training/process_worker.py): the keeper
    # there sends what it took since the last time, and a copy in the window takes it in, so
    # the timeline reads its snapshots as it would in one process.
    def export_progress(self, sent: frozenset | None = None) -> tuple[dict, frozenset]:
        """What a copy that has the snapshots of the epochs in `sent` lacks (None: it has
        none), and the epochs it has after absorbing it: pass them back next time. Each
        snapshot travels once."""
        sent = sent or frozenset()
        with self._lock:
            kept = dict(self._kept)
            latest = self._latest
        new = {epoch: flat for epoch, flat in kept.items() if epoch not in sent}
        delta = {
            "slices": self._slices,
            "size": self._size,
            "stride": self.stride,
            "last_epoch": self._last_epoch,
            "kept": list(kept),
            "new": new,
            "latest": latest,
        }
        return delta, frozenset(kept)

    def import_progress(self, delta: dict) -> None:
        """Take in what export_progress of the training process's keeper sent."""
        kept = {}
        for epoch in delta["kept"]:
            flat = delta["new"].get(epoch)
            if flat is None:
                flat = self._kept[epoch]
            flat.setflags(write=False)
            kept[epoch] = flat
        latest = delta["latest"]
        if latest is not None:
            latest[1].setflags(write=False)
            if latest[0] in kept:  # as _take does: the run's end replaces its epoch's copy
                kept[latest[0]] = latest[1]
        with self._lock:
            self._slices, self._size = delta["slices"], delta["size"]
            self.stride, self._last_epoch = delta["stride"], delta["last_epoch"]
            self._kept, self._latest = kept, latest

    def __getstate__(self):
        state = self.__dict__.copy()
        del state["_lock"]
        state["model"] = None  # set again by the fit that runs it
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.Lock()

    # ----- any thread -----------------------------------------------------------------------
    def epochs(self) -> list[int]:
        """The epochs that have a snapshot, in order."""
        with self._lock:
            epochs = list(self._kept)
            if self._latest is not None:
                epochs.append(self._latest[0])
        return sorted(set(epochs))

    def __len__(self) -> int:
        return len(self.epochs())

    def nearest(self, epoch: int) -> int | None:
        """The epoch with a snapshot closest to `epoch` (the earlier one on a tie), or None
        before any was taken."""
        epochs = self.epochs()
        if not epochs:
            return None
        return min(epochs, key=lambda e: (abs(e - epoch), e))

    def weights_at(self, epoch: int) -> list[np.ndarray] | None:
        """The weights [W1, b1, ...] after `epoch` epochs (read-only views), or None when
        there is no snapshot of that epoch."""
        with self._lock:
            flat = self._kept.get(epoch)
            if flat is None and self._latest is not None and self._latest[0] == epoch:
                flat = self._latest[1]
        return None if flat is None else self._unflatten(flat)

    def snapshots(self) -> dict[int, list[np.ndarray]]:
        """Every snapshot, epoch -> [W1, b1, ...] (read-only views: copy to change them)."""
        with self._lock:
            flats = dict(self._kept)
            if self._latest is not None:
                flats[self._latest[0]] = self._latest[1]
        return {epoch: self._unflatten(flats[epoch]) for epoch in sorted(flats)}

    @property
    def nbytes(self) -> int:
        """The memory the snapshots hold."""
        with self._lock:
            flats = {id(f): f for f in self._kept.values()}
            if self._latest is not None:
                flats[id(self._latest[1])] = self._latest[1]
        return sum(f.nbytes for f in flats.values())

    def _unflatten(self, flat: np.ndarray) -> list[np.ndarray]:
        # Views of a read-only array are read-only: no flag to set per array. (The end of a
        # run unflattens every snapshot, ~500 of them.)
        return [flat[start:stop].reshape(shape) for start, stop, shape in self._slices]
