"""Per-layer gradient statistics during fit, for the gradient view and for explaining a
diverged run: a callback, so training that does not ask for them pays nothing.

    stats = GradientStats()
    model.fit(x, y, epochs=50, callbacks=[stats])
    stats.grad_rms[-1]      # (n_layers,) RMS of each kernel's gradient, last batch of the epoch
    stats.update_ratio[-1]  # (n_layers,) |W_end - W_begin| / |W_begin| over the epoch

Once per epoch it reads the flat gradient array fit keeps (the gradient of the epoch's last
batch) and compares the weights with a copy taken when the epoch began: a handful of BLAS dot
products over arrays the step already holds, whatever the number of batches. Only kernels are
measured (biases start at zero, so a bias's ratio says nothing).

`on_train_diverged` (called by fit, before it puts back the last healthy weights) records
the epoch that blew up, so the record also says which layer went first.
"""

from __future__ import annotations

import math

import numpy as np

from .callbacks import Callback

__all__ = ["GradientStats", "HEALTHY_UPDATE_RATIO", "first_out_of_range"]

# The usual rule of thumb (e.g. Karpathy's CS231n notes): updates of about 1e-3 of the
# weights per step. Far below, a layer barely learns; near 1, it is rewritten every step.
HEALTHY_UPDATE_RATIO = (1e-4, 1e-2)
# A layer whose weights change by more than themselves in one epoch is out of range.
BLOWN_UPDATE_RATIO = 1.0


class GradientStats(Callback):
    """Records, per epoch and per Dense layer: `grad_rms` (RMS of dL/dW of the epoch's last
    batch), `weight_rms` and `update_ratio` (|ΔW| / |W| over the epoch), each an
    (epochs, n_layers) array. `epochs` holds the epoch indices; `diverged_epoch` the epoch fit
    found unhealthy, if any (its row is the last one).

    The records only grow, so another thread may read them while fit runs: `count` records
    are complete, and `read(start)` returns those from `start` on as arrays (a frame of the
    window reads only what is new, whatever the length of the run)."""

    def __init__(self):
        super().__init__()
        self.diverged_epoch: int | None = None
        # Row k: epoch k's sums of squares (3, n_layers): |g|², |ΔW|², |W|². Grown by
        # doubling; a reader that took the old buffer still finds its first `count` rows.
        self._sums = np.zeros((0, 3, 0))
        self._epochs = np.zeros(0, dtype=np.int64)
        self._sizes = np.ones(0)  # weights per kernel
        self.count = 0

    def on_train_begin(self, logs=None):
        model = self.model
        n = model._flat.size
        layers = len(model._layers)
        # Each epoch's sums are worked out in the weights' own precision: for the course
        # network in float64 they cost ~20% of a full-batch epoch (the issue allows 15%),
        # mostly in mixed-precision subtraction and a float64 product; in float32, ~2/3 of
        # that. A healthy epoch's squares fit float32 easily (fit stops a run whose weights
        # pass 1e6 x the largest target); the epoch that blew up is summed in float64.
        dtype = model._flat.dtype if model._flat.dtype == np.float32 else np.float64
        # (n, n_layers) of ones over each kernel (the kernel leads its [kernel; bias] span):
        # one small matrix product sums every kernel's squares at once.
        self._select = np.zeros((n, layers))
        for i, (layer, span) in enumerate(zip(model._layers, model._layer_spans)):
            self._select[span.start : span.start + layer.kernel.size, i] = 1.0
        self._sizes = self._select.sum(axis=0)
        self._select_fast = self._select.astype(dtype)
        # Rows: the gradient, the change since the epoch began, the weights then.
        self._rows = np.zeros((3, n), dtype)
        self._rows[2] = model._flat
        self._squares = np.zeros((3, n), dtype)  # reused: no allocation per epoch
        self._row_sums = np.zeros((3, layers), dtype)
        if self._sums.shape[2] != layers:  # a model of another depth than a previous fit
            self._sums = np.zeros((256, 3, layers))
            self._epochs = np.zeros(256, dtype=np.int64)
            self.count = 0

    def on_epoch_end(self, epoch, logs=None):
        # A fixed handful of vectorised operations whatever the depth: a full-batch epoch of
        # 2-25-15-1 is one step of ~50 us, and a per-layer version (three dot products and a
        # finish per layer, plus a begin hook) added ~30%.
        rows, model = self._rows, self.model
        rows[0] = model._grad_flat
        np.subtract(model._flat, rows[2], out=rows[1])
        np.matmul(np.square(rows, out=self._squares), self._select_fast, out=self._row_sums)
        self._store(epoch, self._row_sums)
        # The next epoch begins with these weights: no on_epoch_begin hook (and no copy of
        # its own) needed.
        rows[2] = model._flat

    def on_train_diverged(self, epoch):
        """fit found `epoch` unhealthy: record it as it is, before the weights are put back
        (in float64: the squares of blown-up float32 weights overflow float32)."""
        model = self.model
        with np.errstate(all="ignore"):
            rows = np.empty((3, model._flat.size))
            rows[0] = model._grad_flat
            rows[2] = self._rows[2]
            np.subtract(model._flat, rows[2], out=rows[1])
            self._store(epoch, np.square(rows) @ self._select)
        self.diverged_epoch = epoch

    def _store(self, epoch: int, sums: np.ndarray) -> None:
        """Append one epoch's (3, n_layers) sums of squares."""
        k = self.count
        if k == len(self._epochs):
            self._grow()
        self._sums[k] = sums
        self._epochs[k] = epoch
        self.count = k + 1  # published last: a reader sees only complete rows

    def _grow(self) -> None:
        size = max(256, 2 * len(self._epochs))
        sums = np.zeros((size, *self._sums.shape[1:]))
        sums[: self.count] = self._sums[: self.count]
        epochs = np.zeros(size, dtype=np.int64)
        epochs[: self.count] = self._epochs[: self.count]
        self._sums, self._epochs = sums, epochs

    def read(self, start: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(epochs, grad_rms, weight_rms, update_ratio) of the records from `start` on, as
        arrays of (records,) and (records, n_layers); roots and ratios worked out now, for
        these rows only."""
        count = self.count  # before the buffers: their first `count` rows are complete
        if count <= start:  # nothing new (and nothing to divide: a mirror may be resizing)
            empty = np.zeros((0, self._sums.shape[2]))
            return np.zeros(0, dtype=np.int64), empty, empty.copy(), empty.copy()
        sums, epochs = self._sums[start:count], self._epochs[start:count]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            g_rms = np.sqrt(sums[:, 0] / self._sizes)
            w_rms = np.sqrt(sums[:, 2] / self._sizes)
            ratio = np.sqrt(sums[:, 1] / sums[:, 2])
        still = sums[:, 2] == 0
        ratio[still] = 0.0  # all-zero weights that did not move: nothing happened
        ratio[still & (sums[:, 1] > 0)] = math.inf  # ... that did: beyond any ratio
        return epochs.copy(), g_rms, w_rms, ratio

    def export_progress(self, sent: int | None = None) -> tuple[dict, int]:
        """The records from `sent` on (None: all), for a copy in another process (the window
        trains in a process of its own), and the count the copy has after absorbing them."""
        sent = sent or 0
        count = self.count
        delta = {
            "sizes": self._sizes,
            "sums": self._sums[sent:count].copy(),
            "epochs": self._epochs[sent:count].copy(),
            "diverged_epoch": self.diverged_epoch,
        }
        return delta, count

    def import_progress(self, delta: dict) -> None:
        """Append what export_progress of the training process's statistics sent."""
        sums, epochs = delta["sums"], delta["epochs"]
        if self._sums.shape[1:] != sums.shape[1:]:  # the first delta of a run (maybe empty)
            self.count = 0
            self._sums = np.zeros((0, *sums.shape[1:]))
            self._epochs = np.zeros(0, dtype=np.int64)
        self._sizes = delta["sizes"]
        k, n = self.count, len(epochs)
        while k + n > len(self._epochs):
            self._grow()
        self._sums[k : k + n] = sums
        self._epochs[k : k + n] = epochs
        self.count = k + n  # published last, as _store does
        self.diverged_epoch = delta["diverged_epoch"]

    @property
    def epochs(self) -> list[int]:
        return self._epochs[: self.count].tolist()

    @property
    def grad_rms(self) -> np.ndarray:
        return self.read()[1]

    @property
    def weight_rms(self) -> np.ndarray:
        return self.read()[2]

    @property
    def update_ratio(self) -> np.ndarray:
        return self.read()[3]


def first_out_of_range(stats: GradientStats) -> tuple[int, int, str, float] | None:
    """The first (epoch, layer index, what, value) at which a layer's update ratio passed
    BLOWN_UPDATE_RATIO or its gradient stopped being finite; what is "ratio" or "gradient".
    Layers are scanned input to output, epochs in order. None when every record is in range."""
    epochs, g_rms, _, ratio = stats.read()
    # NaN counts as out of range, as does a gradient that is not finite
    bad = ~np.isfinite(g_rms) | ~(ratio <= BLOWN_UPDATE_RATIO)
    if not bad.any():
        return None
    row = int(np.argmax(bad.any(axis=1)))
    layer = int(np.argmax(bad[row]))
    if not math.isfinite(g_rms[row, layer]):
        return int(epochs[row]), layer, "gradient", float(g_rms[row, layer])
    return int(epochs[row]), layer, "ratio", float(ratio[row, layer])
