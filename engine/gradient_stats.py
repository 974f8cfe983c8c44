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
    batch), `weight_rms` and `update_ratio` (|ΔW| / |W| over the epoch). `epochs` holds the
    epoch indices; `diverged_epoch` the epoch fit found unhealthy, if any (its row is the
    last one). The lists only grow, so another thread may read a prefix while fit runs."""

    def __init__(self):
        super().__init__()
        self.epochs: list[int] = []
        self.grad_rms: list[np.ndarray] = []
        self.weight_rms: list[np.ndarray] = []
        self.update_ratio: list[np.ndarray] = []
        self.diverged_epoch: int | None = None
        self._kernels: list[tuple[slice, int]] = []

    def on_train_begin(self, logs=None):
        model = self.model
        self._kernels = []
        for layer, span in zip(model._layers, model._layer_spans):
            size = layer.kernel.size  # the kernel leads the layer's [kernel; bias] span
            self._kernels.append((slice(span.start, span.start + size), size))
        self._begin = model._flat.copy()
        self._delta = np.empty_like(self._begin)

    def on_epoch_begin(self, epoch, logs=None):
        self._begin[...] = self.model._flat

    def on_epoch_end(self, epoch, logs=None):
        self._record(epoch)

    def on_train_diverged(self, epoch):
        """fit found `epoch` unhealthy: record it as it is, before the weights are put back."""
        with np.errstate(all="ignore"):
            self._record(epoch)
        self.diverged_epoch = epoch

    def _record(self, epoch: int) -> None:
        flat, grad, begin, delta = self.model._flat, self.model._grad_flat, self._begin, self._delta
        np.subtract(flat, begin, out=delta)
        dot = np.dot
        n = len(self._kernels)
        g_rms, w_rms, ratio = np.empty(n), np.empty(n), np.empty(n)
        for i, (span, size) in enumerate(self._kernels):
            g, d, w = grad[span], delta[span], begin[span]
            g_rms[i] = math.sqrt(float(dot(g, g)) / size) if size else 0.0
            w_sq = float(dot(w, w))
            w_rms[i] = math.sqrt(w_sq / size) if size else 0.0
            d_sq = float(dot(d, d))
            ratio[i] = math.sqrt(d_sq / w_sq) if w_sq > 0 else math.inf if d_sq > 0 else 0.0
        self.epochs.append(int(epoch))
        self.grad_rms.append(g_rms)
        self.weight_rms.append(w_rms)
        self.update_ratio.append(ratio)


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
