"""snapshots.npz as schema 3 stores it: the per-epoch weight snapshots stacked, one npz member
per weight array rather than one per array per epoch.

    epochs   int64, shape (n,)          the epochs, ascending, distinct, 0 or more
    w{i}     shape (n, *shape of W_i)   weight array i ([W1, b1, W2, ...]) of every snapshot,
                                        row j belonging to epochs[j]

Why: the keeper holds up to 512 snapshots. Stored per epoch, 301 snapshots of the course
network were 1,806 members, and the per-member costs (a zip entry, numpy's header parse and
the container's own header check) made Project.load take 0.45 s instead of 0.03 s.
Schema 1 and 2 files stored "e{epoch}_w{i}" members; the v2 -> v3 migration stacks them.
"""

from __future__ import annotations

import re

import numpy as np

from ..errors import ProjectError
from .json_values import shown_value
from .schema import weight_shape_problem

EPOCHS_KEY = "epochs"
# No leading zeros: "w01" beside "w1" would be two arrays for one place.
_WEIGHT_KEY = re.compile(r"^w(0|[1-9]\d{0,5})$")
_PER_EPOCH_KEY = re.compile(r"^e\d+_w\d+$")
_EDITED = "The file is damaged or was edited by hand; open a backup copy."


def stack_snapshots(snapshots: dict[int, list[np.ndarray]]) -> dict[str, np.ndarray]:
    """The arrays of snapshots.npz for `snapshots` (epoch -> [W1, b1, ...]), which must all
    have the same shapes (Project._weights_that_fit keeps only those). {} for none."""
    if not snapshots:
        return {}
    epochs = sorted(int(epoch) for epoch in snapshots)
    rows = [snapshots[epoch] for epoch in epochs]
    arrays = {EPOCHS_KEY: np.array(epochs, dtype=np.int64)}
    for index in range(len(rows[0])):
        arrays[f"w{index}"] = np.stack([np.asarray(row[index]) for row in rows])
    return arrays


def snapshots_from_arrays(
    arrays: dict[str, np.ndarray],
    units: list[int],
    source: str,
    input_dim: int | None = None,
) -> dict[int, list[np.ndarray]]:
    """epoch -> [W1, b1, ...] from the stacked arrays of snapshots.npz, checked against Dense
    layers of `units` (and `input_dim` inputs, when given). The lists hold read-only views
    of the stacked arrays: nothing writes a snapshot in place, and one stray write must not
    change every later load's view of the file. Raises ProjectError naming the file and
    the problem for anything a damaged or hand-made file can get wrong."""
    if not arrays:
        return {}
    epochs, stacked = _checked_members(arrays, source)
    n = len(epochs)
    for index, array in enumerate(stacked):
        if array.ndim == 0 or array.shape[0] != n:
            found = "no first dimension" if array.ndim == 0 else f"{array.shape[0]:,} rows"
            _fail(source, f"w{index} has {found} where epochs lists {n:,} snapshots")
    problem = weight_shape_problem([array[0] for array in stacked], units, input_dim)
    if problem is None:
        problem = _non_finite_problem(epochs, stacked)
    if problem is not None:
        _fail(source, f"does not fit the network: {problem}")
    for array in stacked:
        array.flags.writeable = False  # so every view below is read-only too
    return {int(epoch): [array[row] for array in stacked] for row, epoch in enumerate(epochs)}


def _checked_members(
    arrays: dict[str, np.ndarray], source: str
) -> tuple[np.ndarray, list[np.ndarray]]:
    """(the checked epochs, [w0, w1, ...]) after refusing unknown names, a missing epochs or
    weight array, and epochs that are not int64, ascending, distinct and non-negative."""
    indices = {}
    for key in arrays:
        match = _WEIGHT_KEY.match(key)
        if match is not None:
            indices[int(match[1])] = key
        elif key != EPOCHS_KEY:
            _fail(source, _unknown_name(key))
    if EPOCHS_KEY not in arrays:
        _fail(source, f"has no {EPOCHS_KEY!r} array, so its snapshots have no epochs")
    if not indices:
        _fail(source, "holds epochs but no weight arrays ('w0', 'w1', ...)")
    missing = [f"w{i}" for i in range(max(indices) + 1) if i not in indices]
    if missing:
        _fail(source, f"is missing {', '.join(missing)} (it holds {_listed(indices)})")
    epochs = arrays[EPOCHS_KEY]
    if epochs.dtype != np.int64 or epochs.ndim != 1 or epochs.size == 0:
        _fail(
            source,
            f"epochs is {epochs.dtype} of shape {epochs.shape}; expected a non-empty list of int64",
        )
    if epochs[0] < 0:
        _fail(source, f"epochs holds {int(epochs.min())}; epochs are 0 or more")
    steps = np.diff(epochs)
    if (steps <= 0).any():
        at = int(np.argmax(steps <= 0))
        _fail(
            source,
            f"epochs are not ascending and distinct ({int(epochs[at])} is followed by "
            f"{int(epochs[at + 1])})",
        )
    return epochs, [arrays[f"w{i}"] for i in range(len(indices))]


def _unknown_name(key: str) -> str:
    shown = shown_value(key)
    if _PER_EPOCH_KEY.match(key):
        return (
            f"holds an array named {shown}, the per-epoch layout of schema 1 and 2 files, but "
            "project.json says schema 3, which stores the snapshots stacked ('epochs', 'w0', "
            "'w1', ...)"
        )
    return f"holds an array named {shown}; expected 'epochs' and 'w0', 'w1', ..."


def _listed(indices: dict[int, str]) -> str:
    return ", ".join(indices[i] for i in sorted(indices))


def _non_finite_problem(epochs: np.ndarray, stacked: list[np.ndarray]) -> str | None:
    """Which epoch holds NaN or infinity (training never keeps such weights), or None."""
    for index, array in enumerate(stacked):
        finite = np.isfinite(array).all(axis=tuple(range(1, array.ndim)))
        if not finite.all():
            epoch = int(epochs[int(np.argmin(finite))])
            return f"the snapshot of epoch {epoch} holds NaN or infinity in w{index}"
    return None


def _fail(source: str, problem: str) -> None:
    raise ProjectError(f"{source}: snapshots.npz {problem}. {_EDITED}")
