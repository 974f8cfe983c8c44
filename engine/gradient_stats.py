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
import threading

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
    batch), `weight_rms` and `update_ratio` (|ΔW| / |W| over the epoch). `epochs` holds the
    epoch indices; `diverged_epoch` the epoch fit found unhealthy, if any (its row is the
    last one). The records only grow, so another thread may read a prefix while fit runs."""

    def __init__(self):
        super().__init__()
        self.epochs: list[int] = []
        self.diverged_epoch: int | None = None
        self._sums: list[np.ndarray] = []  # per epoch (3, n_layers): |g|², |ΔW|², |W|²
        self._finished: tuple[list, list, list] = ([], [], [])
        self._finishing = threading.Lock()  # the window and the run's end may both read

    def on_train_begin(self, logs=None):
        model = self.model
        n = model._flat.size
        # (n, n_layers) of ones over each kernel (the kernel leads its [kernel; bias] span):
        # one small matrix product sums every kernel's squares at once.
        self._select = np.zeros((n, len(model._layers)))
        for i, (layer, span) in enumerate(zip(model._layers, model._layer_spans)):
            self._select[span.start : span.start + layer.kernel.size, i] = 1.0
        self._sizes = self._select.sum(axis=0)
        # Rows: the gradient, the change since the epoch began, the weights then (float64:
        # the squares of a blowing-up float32 weight overflow float32).
        self._rows = np.zeros((3, n))
        self._rows[2] = model._flat

    def on_epoch_end(self, epoch, logs=None):
        self._record(epoch)
        # The next epoch begins with these weights: no on_epoch_begin hook (and no copy of
        # its own) needed. Why so frugal: a full-batch epoch of 2-25-15-1 is one step of
        # ~30 us, and a per-layer version (three dot products and a finish per layer, plus a
        # begin hook) added ~30% to it.
        self._rows[2] = self.model._flat

    def on_train_diverged(self, epoch):
        """fit found `epoch` unhealthy: record it as it is, before the weights are put back."""
        with np.errstate(all="ignore"):
            self._record(epoch)
        self.diverged_epoch = epoch

    def _record(self, epoch: int) -> None:
        """Sums of squares only, in a fixed handful of vectorised operations whatever the
        depth; square roots and ratios are taken when the records are read."""
        rows = self._rows
        rows[0] = self.model._grad_flat
        rows[1] = self.model._flat
        rows[1] -= rows[2]
        self._sums.append(np.square(rows) @ self._select)
        self.epochs.append(int(epoch))

    def _finish(self) -> tuple[list, list, list]:
        with self._finishing:
            self._finish_new()
        return self._finished

    def _finish_new(self) -> None:
        """Roots and ratios of the epochs recorded since the last read, all at once: one
        epoch at a time cost ~30 us each, 76 ms on the GUI thread after 2,500 epochs."""
        g_list, w_list, r_list = self._finished
        start, stop = len(g_list), len(self.epochs)
        if stop <= start:
            return
        sums = np.stack(self._sums[start:stop])  # (epochs, 3, layers)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            g_rms = np.sqrt(sums[:, 0] / self._sizes)
            w_rms = np.sqrt(sums[:, 2] / self._sizes)
            ratio = np.sqrt(sums[:, 1] / sums[:, 2])
        still = sums[:, 2] == 0
        ratio[still] = 0.0  # all-zero weights that did not move: nothing happened
        ratio[still & (sums[:, 1] > 0)] = math.inf  # ... that did: beyond any ratio
        g_list.extend(g_rms)
        w_list.extend(w_rms)
        r_list.extend(ratio)

    @property
    def grad_rms(self) -> list[np.ndarray]:
        return self._finish()[0]

    @property
    def weight_rms(self) -> list[np.ndarray]:
        return self._finish()[1]

    @property
    def update_ratio(self) -> list[np.ndarray]:
        return self._finish()[2]


def first_out_of_range(stats: GradientStats) -> tuple[int, int, str, float] | None:
    """The first (epoch, layer index, what, value) at which a layer's update ratio passed
    BLOWN_UPDATE_RATIO or its gradient stopped being finite; what is "ratio" or "gradient".
    Layers are scanned input to output, epochs in order. None when every record is in range."""
    for epoch, g_rms, ratio in zip(stats.epochs, stats.grad_rms, stats.update_ratio):
        for layer in range(len(ratio)):
            if not math.isfinite(g_rms[layer]):
                return epoch, layer, "gradient", float(g_rms[layer])
            if not ratio[layer] <= BLOWN_UPDATE_RATIO:  # NaN counts as out of range
                return epoch, layer, "ratio", float(ratio[layer])
    return None
