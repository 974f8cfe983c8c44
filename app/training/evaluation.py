"""Qt-free: the model judged on every row of the validation split (or of the training split),
and the plane the Output view draws wide data in.

The worker thread calls `evaluate` next to the other views (app.training.views.compute_views),
so the cost of a forward pass over every row and of sorting the scores for the ROC curve is
paid off the GUI thread and counted in the worker's view budget. The GUI thread only re-counts
the confusion matrix when the threshold slider moves (O(rows), no model call).

`PlaneLayout` is what the plane view needs for one choice of plane: the grid of model inputs
(probe_x), its extent and the points in plot coordinates. It is immutable and replaced whole
when the person picks another projection, so the worker always reads one consistent layout."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import numpy as np

from engine.metrics_report import BinaryCurves, binary_curves, regression_report
from engine.project import runtime
from engine.project.reports import report_for_probabilities
from engine.projection import Plane, feature_plane, pca_plane

GRID = 100  # the boundary heatmap is GRID x GRID model outputs
POINTS = 2000  # data points drawn on the plane (per split); every row still counts in metrics
PAD = 0.08  # the plane's extent reaches this share beyond the data

SPLITS = ("validation", "training")


@dataclass(frozen=True)
class EvalRows:
    """The rows of one split: x scaled as the network sees them, targets (n,) class index or
    value, rows (n,) the row numbers in the dataset (0-based)."""

    split: str
    x: np.ndarray
    targets: np.ndarray
    rows: np.ndarray


@dataclass(frozen=True)
class PlaneLayout:
    """choice: "pca", "features:i:j", or "features" for data of one or two features (drawn
    in its own units, no projection). plane: the engine Plane, None for those. probe_x:
    (GRID*GRID, n_features) scaled model inputs; extent (x0, x1, y0, y1) of the grid in plot
    units; train/val points (n, 2) in plot units with their targets."""

    choice: str
    plane: Plane | None
    probe_x: np.ndarray
    extent: tuple[float, float, float, float]
    train_points: np.ndarray
    train_targets: np.ndarray
    val_points: np.ndarray
    val_targets: np.ndarray
    labels: tuple[str, str]
    scaler: object = None

    def points_for(self, x_scaled) -> np.ndarray:
        """Scaled rows -> plot coordinates (to highlight rows picked elsewhere)."""
        x = np.asarray(x_scaled, dtype=np.float64)
        if self.plane is not None:
            return self.plane.to_plane(x)
        return inverse_scaled(self.scaler, x)[:, :2]


@dataclass
class Evaluation:
    """The model on every row of one split. probabilities: (n, k) for classification (None
    for regression); predictions: (n,) values for regression (None for classification).
    report: engine.metrics_report ClassificationReport (at threshold 0.5) or RegressionReport.
    curves: ROC and precision-recall for a binary task."""

    split: str
    rows: EvalRows
    class_names: list[str]
    probabilities: np.ndarray | None
    predictions: np.ndarray | None
    report: object
    curves: BinaryCurves | None = None

    @property
    def binary(self) -> bool:
        return self.probabilities is not None and self.probabilities.shape[1] == 2

    def report_at(self, threshold: float):
        """The classification report with 'class 1 when P(class 1) > threshold'."""
        if self.probabilities is None or not self.binary or threshold == 0.5:
            return self.report
        return report_for_probabilities(
            self.probabilities, self.rows.targets, self.class_names, threshold
        )

    def predicted_at(self, threshold: float = 0.5) -> np.ndarray:
        if self.binary:
            return (self.probabilities[:, 1] > threshold).astype(np.int64)
        return np.argmax(self.probabilities, axis=1)


def eval_sets(
    prepared, dataset, training, classify: bool, target_scaler=None
) -> dict[str, EvalRows]:
    """Both splits' rows, with their row numbers in the dataset when `training` (the
    project's TrainingSpec) says how the data was split. A regression's targets come in the
    target's own units (target_scaler: the run's, when it trained on a standardised target)."""

    def targets(y):
        values = target_column(y, classify)
        if classify or target_scaler is None:
            return values
        return np.asarray(runtime.to_target_units(target_scaler, values), dtype=np.float64).reshape(
            -1
        )

    x_train = np.asarray(prepared.x_train)
    train_rows = val_rows = None
    if dataset is not None and training is not None and prepared.x_val is not None:
        with contextlib.suppress(ValueError):
            train_rows, val_rows = dataset.split_indices(
                validation=training.validation_split, seed=training.seed
            )[:2]
    if train_rows is None or len(train_rows) != len(x_train):
        train_rows = np.arange(len(x_train))
    sets = {
        "training": EvalRows("training", x_train, targets(prepared.y_train), np.asarray(train_rows))
    }
    if prepared.x_val is not None and len(prepared.x_val):
        x_val = np.asarray(prepared.x_val)
        if val_rows is None or len(val_rows) != len(x_val):
            val_rows = np.arange(len(x_val))
        sets["validation"] = EvalRows(
            "validation", x_val, targets(prepared.y_val), np.asarray(val_rows)
        )
    return sets


def evaluate(
    model, rows: EvalRows, compile_spec, classify: bool, class_names: list[str], target_scaler=None
) -> Evaluation:
    """One forward pass over every row of `rows`, and the report and curves from it. A
    regression's predictions come in the target's own units."""
    outputs = np.asarray(model.predict(rows.x, verbose=0), dtype=np.float64)
    if not classify:
        if target_scaler is not None:
            outputs = np.asarray(runtime.to_target_units(target_scaler, outputs), dtype=np.float64)
        predictions = outputs[:, 0]
        return Evaluation(
            rows.split,
            rows,
            class_names,
            None,
            predictions,
            regression_report(rows.targets, predictions),
        )
    probabilities = runtime.probabilities(compile_spec, outputs)
    report = report_for_probabilities(probabilities, rows.targets, class_names)
    curves = None
    if probabilities.shape[1] == 2 and len(rows.targets):
        curves = binary_curves(rows.targets, probabilities[:, 1])
    return Evaluation(rows.split, rows, class_names, probabilities, None, report, curves)


def plane_layout(
    choice: str,
    x_train: np.ndarray,
    x_val: np.ndarray,
    y_train: np.ndarray,
    y_val: np.ndarray,
    scaler,
    feature_names: list[str],
) -> PlaneLayout:
    """The layout of the plane `choice` for scaled training/validation rows x_* (targets y_*
    as (n,) class index or value). choice: "pca", "features:i:j", or "features" (the first
    two features, drawn in their own units: what two-feature data always showed)."""
    x_train = np.asarray(x_train, dtype=np.float64)
    x_val = np.asarray(x_val, dtype=np.float64).reshape(-1, x_train.shape[1])
    n_features = x_train.shape[1]
    unscale = getattr(scaler, "inverse_transform", None)
    if choice == "pca" and n_features > 2:
        plane = pca_plane(x_train)
    elif choice.startswith("features:") and n_features > 2:
        _, i, j = choice.split(":")
        plane = feature_plane(x_train, int(i), int(j), feature_names, unscale=unscale)
    else:
        choice, plane = "features", None
    tr = evenly_spaced(len(x_train), POINTS)
    va = evenly_spaced(len(x_val), POINTS)

    def to_plot(x):
        return plane.to_plane(x) if plane is not None else inverse_scaled(scaler, x)[:, :2]

    train_points, val_points = to_plot(x_train[tr]), to_plot(x_val[va])
    both = np.concatenate([train_points, val_points])
    lo, hi = both.min(axis=0), both.max(axis=0)
    pad = np.maximum((hi - lo) * PAD, 1e-3)
    lo, hi = lo - pad, hi + pad
    gx = np.linspace(lo[0], hi[0], GRID)
    gy = np.linspace(lo[1], hi[1], GRID)
    # Row-major over (x, y): reshaping outputs to (GRID, GRID) gives [ix, iy], the orientation
    # pyqtgraph's ImageItem expects.
    grid = np.stack(np.meshgrid(gx, gy, indexing="ij"), axis=-1).reshape(-1, 2)
    if plane is not None:
        probe = plane.from_plane(grid)
        labels = plane.labels
    else:
        probe = forward_scaled(scaler, grid)
        names = list(feature_names) + ["x1", "x2"]
        labels = (names[0], names[1]) if len(feature_names) >= 2 else ("x1", "x2")
    return PlaneLayout(
        choice=choice,
        plane=plane,
        probe_x=np.ascontiguousarray(probe, dtype=np.float32),
        extent=(float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])),
        train_points=train_points,
        train_targets=np.asarray(y_train)[tr],
        val_points=val_points,
        val_targets=np.asarray(y_val)[va],
        labels=labels,
        scaler=scaler,
    )


def evenly_spaced(n: int, at_most: int) -> np.ndarray:
    """Indices of at most `at_most` rows spread evenly over n rows (deterministic)."""
    if n <= at_most:
        return np.arange(n)
    return np.linspace(0, n - 1, at_most).astype(int)


def target_column(y, classify: bool) -> np.ndarray:
    """(n, 1) labels/values or (n, k) one-hot -> (n,) class index or value."""
    y = np.asarray(y, dtype=np.float64)
    if y.ndim == 2 and y.shape[1] > 1:
        return np.argmax(y, axis=1) if classify else y[:, 0]
    y = y.reshape(len(y))
    return np.rint(y).astype(int) if classify else y


def inverse_scaled(scaler, x: np.ndarray) -> np.ndarray:
    """Scaled features -> raw (float64); unchanged without a scaler."""
    if scaler is None or not hasattr(scaler, "inverse_transform"):
        return np.asarray(x, dtype=np.float64)
    return np.asarray(scaler.inverse_transform(x), dtype=np.float64)


def forward_scaled(scaler, x: np.ndarray) -> np.ndarray:
    """Raw features -> scaled as the network sees them (float64); unchanged without a scaler."""
    if scaler is None or not hasattr(scaler, "transform"):
        return np.asarray(x, dtype=np.float64)
    return np.asarray(scaler.transform(x), dtype=np.float64)
