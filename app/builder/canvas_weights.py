"""Connections between canvas columns, coloured and thickened by the weights.

Called live during training (up to ~30 times a second), so an update only swaps pens on the
existing line items — from a small cache of pre-built pens — and only on lines whose pen
level changed. Blue = positive weight, orange-red = negative; width and opacity grow with
|w| normalised by the largest |w| of that layer.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QLineF, QPointF, Qt
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsLineItem, QGraphicsScene

LEVELS = 10  # pen levels per sign: |w| / max|w| is quantised to 0..LEVELS-1
POSITIVE = QColor("#2f7ed8")
NEGATIVE = QColor("#e4572e")
NEUTRAL_KEY = -1


def group_means(kernel: np.ndarray, row_starts: np.ndarray, col_starts: np.ndarray) -> np.ndarray:
    """Mean of kernel (n_in, n_out) over the blocks given by group start indices.

    Returns (len(row_starts), len(col_starts)); with starts = arange(n) it is the kernel."""
    k = np.asarray(kernel, dtype=np.float64)
    if len(row_starts) == k.shape[0] and len(col_starts) == k.shape[1]:
        return k
    sums = np.add.reduceat(np.add.reduceat(k, row_starts, axis=0), col_starts, axis=1)
    row_sizes = np.diff(np.append(row_starts, k.shape[0]))
    col_sizes = np.diff(np.append(col_starts, k.shape[1]))
    return sums / np.outer(row_sizes, col_sizes)


def pen_keys(values: np.ndarray) -> np.ndarray:
    """Cache keys for aggregated weights (any shape), flattened: 0..LEVELS-1 for w >= 0,
    LEVELS..2*LEVELS-1 for w < 0; all-zero or non-finite weights get the neutral key."""
    flat = np.asarray(values, dtype=np.float64).ravel()
    if not np.all(np.isfinite(flat)):
        return np.full(flat.shape, NEUTRAL_KEY, dtype=np.int64)
    peak = np.abs(flat).max(initial=0.0)
    if peak == 0.0:
        return np.full(flat.shape, NEUTRAL_KEY, dtype=np.int64)
    level = np.minimum((np.abs(flat) / peak * LEVELS).astype(np.int64), LEVELS - 1)
    return level + LEVELS * (flat < 0)


def build_pens(neutral: QColor) -> dict[int, QPen]:
    """All pens an update can use. Cosmetic, so lines keep their pixel width at any zoom."""
    pens: dict[int, QPen] = {}
    neutral_pen = QPen(neutral, 0.8)
    neutral_pen.setCosmetic(True)
    pens[NEUTRAL_KEY] = neutral_pen
    for sign, base in ((0, POSITIVE), (1, NEGATIVE)):
        for level in range(LEVELS):
            strength = (level + 1) / LEVELS
            colour = QColor(base)
            colour.setAlpha(int(35 + 220 * strength))
            pen = QPen(colour, 0.5 + 3.0 * strength)
            pen.setCosmetic(True)
            pens[sign * LEVELS + level] = pen
    return pens


class ConnectionGap:
    """All lines between two adjacent columns, row-major: line[i * n_right + j] joins left
    node i to right node j."""

    def __init__(
        self,
        scene: QGraphicsScene,
        left_points: list[QPointF],
        right_points: list[QPointF],
        row_starts: np.ndarray,
        col_starts: np.ndarray,
        n_in: int,
        n_out: int,
        neutral_pen: QPen,
    ) -> None:
        self.row_starts = row_starts
        self.col_starts = col_starts
        self.kernel_shape = (n_in, n_out)
        self.lines: list[QGraphicsLineItem] = []
        for p in left_points:
            for q in right_points:
                line = scene.addLine(QLineF(p, q), neutral_pen)
                line.setZValue(-1.0)
                line.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
                self.lines.append(line)
        self.keys = np.full(len(self.lines), NEUTRAL_KEY, dtype=np.int64)

    def apply(self, keys: np.ndarray, pens: dict[int, QPen]) -> int:
        """Set the pens whose key changed; returns how many lines were restyled."""
        changed = np.flatnonzero(keys != self.keys)
        lines = self.lines
        for i in changed.tolist():
            lines[i].setPen(pens[int(keys[i])])
        self.keys = keys
        return len(changed)

    def show_kernel(self, kernel: np.ndarray | None, pens: dict[int, QPen]) -> int:
        if kernel is None or np.shape(kernel) != self.kernel_shape:
            keys = np.full(len(self.lines), NEUTRAL_KEY, dtype=np.int64)
        else:
            keys = pen_keys(group_means(kernel, self.row_starts, self.col_starts))
        return self.apply(keys, pens)
