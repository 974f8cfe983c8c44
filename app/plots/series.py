"""A per-epoch series with bounded memory, for plotting very long training histories.

A 100,000-epoch run must neither grow the plot's memory without bound nor make every redraw
slower: the series keeps at most `capacity` points; when full it drops every other point and
from then on keeps only every `stride`-th epoch (stride doubles each time). The latest point
is always kept, so the curve ends where training is."""

from __future__ import annotations

import numpy as np


class DecimatingSeries:
    def __init__(self, capacity: int = 8192):
        if capacity < 4:
            raise ValueError(f"capacity must be at least 4; received {capacity}")
        self.capacity = capacity
        self._x = np.empty(capacity + 1, dtype=np.float64)
        self._y = np.empty(capacity + 1, dtype=np.float64)
        self.clear()

    def clear(self) -> None:
        self._n = 0
        self.stride = 1
        self._last: tuple[float, float] | None = None

    def __len__(self) -> int:
        return self._n + (1 if self._tail() else 0)

    def extend(self, first_epoch: int, values) -> None:
        """Append values of epochs first_epoch, first_epoch + 1, ... (epochs count from 1)."""
        y = np.asarray(values, dtype=np.float64).ravel()
        if y.size == 0:
            return
        x = first_epoch + np.arange(y.size, dtype=np.float64)
        self._last = (float(x[-1]), float(y[-1]))
        keep = ((x - 1) % self.stride) == 0
        x, y = x[keep], y[keep]
        while x.size:
            room = self.capacity - self._n
            take = min(room, x.size)
            self._x[self._n : self._n + take] = x[:take]
            self._y[self._n : self._n + take] = y[:take]
            self._n += take
            x, y = x[take:], y[take:]
            if self._n >= self.capacity:
                self._halve()
                keep = ((x - 1) % self.stride) == 0
                x, y = x[keep], y[keep]

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(epochs, values) to plot, as views or small copies (do not modify)."""
        if self._tail():
            self._x[self._n], self._y[self._n] = self._last
            return self._x[: self._n + 1], self._y[: self._n + 1]
        return self._x[: self._n], self._y[: self._n]

    def value_at(self, epoch: float) -> tuple[float, float] | None:
        """The stored point nearest to `epoch`, for the hover read-out."""
        x, y = self.arrays()
        if x.size == 0:
            return None
        i = int(np.clip(np.searchsorted(x, epoch), 0, x.size - 1))
        if i > 0 and abs(x[i - 1] - epoch) <= abs(x[i] - epoch):
            i -= 1
        return float(x[i]), float(y[i])

    def _tail(self) -> bool:
        return self._last is not None and (self._n == 0 or self._x[self._n - 1] != self._last[0])

    def _halve(self) -> None:
        self.stride *= 2
        keep = ((self._x[: self._n] - 1) % self.stride) == 0
        kept = int(keep.sum())
        self._x[:kept] = self._x[: self._n][keep]
        self._y[:kept] = self._y[: self._n][keep]
        self._n = kept
