"""The one colour per class that every view uses (the dataset preview and its legend, the
decision boundary, the confusion matrix), so a class looks the same everywhere."""

from __future__ import annotations

import numpy as np

# Distinct on white and on near-black backgrounds (Tableau 10 order).
CLASS_COLOURS = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#b07aa1",
    "#76b7b2",
    "#edc948",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)


def class_colour(k: int) -> str:
    """The colour of class k as "#rrggbb", cycling through the palette."""
    return CLASS_COLOURS[k % len(CLASS_COLOURS)]


def class_rgb(k: int) -> np.ndarray:
    """(k, 3) RGB values 0-255 of classes 0..k-1."""
    return np.array(
        [[int(class_colour(i)[j : j + 2], 16) for j in (1, 3, 5)] for i in range(k)],
        dtype=np.float64,
    )
