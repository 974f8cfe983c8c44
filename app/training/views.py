"""Qt-free computation of what the live views show, for one model on one prepared dataset.

`ViewSetup.for_data` decides once per training run which output view fits the data (a
decision-boundary heatmap over two features or a plane through wider data, a fitted curve,
predicted-vs-actual, or a confusion matrix) and holds the fixed inputs (the plane's grid, the
rows every figure is computed on: all validation rows, or all training rows by a toggle; the
pre-activation histograms use a sample). `compute_views` then turns the current model into a
`ViewUpdate`. The worker thread calls it between epochs; the
controller calls it when the project changes while idle. Nothing here touches Qt."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.plots.stats import LayerStats, layer_stats
from app.training import evaluation as ev

# One copy of the row and scaling helpers, shared with the evaluation of every row.
from app.training.evaluation import evenly_spaced, forward_scaled, inverse_scaled, target_column
from app.training.prepare import layer_activations
from engine.project import CompileSpec, runtime
from engine.project.specs import classifies

GRID = ev.GRID  # the boundary heatmap is GRID x GRID model outputs
CURVE_POINTS = 200
SAMPLE = 256  # validation rows used for the pre-activation histograms (a distribution's shape)
POINTS = ev.POINTS  # data points drawn on the boundary plot (per split)


@dataclass
class ViewSetup:
    """Fixed inputs of the views for one run.

    kind: "boundary" (2 features, or a plane through more for classification), "curve"
    (1-feature regression), "scatter" (other regression: predicted vs actual), "confusion"
    (1-feature classification), or "none".
    sample_x: (n, n_features) scaled validation rows for pre-activations and predictions.
    probe_x: the scaled inputs whose outputs the view needs ((GRID*GRID, 2) grid, (200, 1)
    curve, or sample_x). extent: (x_min, x_max, y_min, y_max) of the grid in original units.
    train_points / val_points: original-unit inputs ((n, 2) or (n, 1)) with targets
    train_targets / val_targets ((n,) class index or value). sample_targets: (n,) targets of
    sample_x. curve_x: (200,) original-unit x of the curve."""

    kind: str
    task: str
    n_classes: int
    class_names: list[str]
    feature_names: list[str]
    sample_x: np.ndarray
    probe_x: np.ndarray | None = None
    extent: tuple[float, float, float, float] | None = None
    curve_x: np.ndarray | None = None
    train_points: np.ndarray | None = None
    train_targets: np.ndarray | None = None
    val_points: np.ndarray | None = None
    val_targets: np.ndarray | None = None
    sample_targets: np.ndarray | None = None
    # Every row of both splits (app.training.evaluation), which one the figures use, and the
    # plane the boundary view draws (replaced whole by use_layout).
    eval_sets: dict = field(default_factory=dict)
    eval_split: str = "validation"
    layout: ev.PlaneLayout | None = None
    output_targets: np.ndarray | None = None  # targets of the scatter/confusion rows
    plane_inputs: tuple | None = None  # (x_train, x_val, y_train, y_val, scaler) for layouts
    activations: list[str] = field(default_factory=list)
    output_activation: str = "linear"
    # The loss settings: whether outputs are logits decides how they become probabilities.
    compile: CompileSpec = field(default_factory=CompileSpec)
    # A regression trained on a standardised target: outputs and targets are shown in the
    # target's own units through it (None: they already are).
    target_scaler: Any = None

    @classmethod
    def for_project(cls, project, prepared) -> ViewSetup:
        """for_data for `project`'s network on its prepared data: its dataset, its layers'
        activations, its loss settings and its split (the training window and the Compare
        dialog lay out their views alike)."""
        return cls.for_data(
            prepared,
            project.dataset,
            layer_activations(project),
            project.compile,
            project.training,
        )

    @classmethod
    def for_data(
        cls,
        prepared,
        dataset,
        activations: list[str],
        compile_spec: CompileSpec | None = None,
        training=None,
    ) -> ViewSetup:
        """prepared: engine.project.PreparedData; dataset: engine.data.Dataset (or None);
        activations: the activation name of every Dense layer, input to output;
        compile_spec: the project's loss settings (from_logits); training: its TrainingSpec
        (how the rows were split, so a row can be named by its number in the dataset)."""
        task = getattr(dataset, "task", "regression") if dataset is not None else "regression"
        classes = list(getattr(dataset, "class_names", None) or [])
        n_classes = int(getattr(dataset, "n_classes", 1) or 1) if dataset is not None else 1
        features = list(getattr(dataset, "feature_names", None) or [])
        x_train = np.asarray(prepared.x_train)
        x_val = _rows(prepared.x_val)
        y_val = _rows(prepared.y_val)
        # Without a validation split the training rows stand in for it.
        source_x, source_y = (x_val, y_val) if len(x_val) else (x_train, prepared.y_train)
        pick = evenly_spaced(len(source_x), SAMPLE)
        sample_x = np.ascontiguousarray(source_x[pick], dtype=x_train.dtype)
        classify = classifies(task)
        target_scaler = None if classify else getattr(prepared, "target_scaler", None)

        def _targets_in_units(y):
            values = target_column(y, classify)
            if target_scaler is None:
                return values
            return runtime.to_target_units(target_scaler, values).astype(np.float64)[:, 0]

        sample_targets = _targets_in_units(np.asarray(source_y)[pick])
        n_features = x_train.shape[1] if x_train.ndim == 2 else 0
        setup = cls(
            kind="none",
            task=task,
            n_classes=n_classes,
            class_names=classes,
            feature_names=features,
            sample_x=sample_x,
            sample_targets=sample_targets,
            activations=list(activations),
            output_activation=activations[-1] if activations else "linear",
            compile=compile_spec or CompileSpec(),
            target_scaler=target_scaler,
        )
        setup.eval_sets = ev.eval_sets(prepared, dataset, training, classify, target_scaler)
        setup.eval_split = "validation" if "validation" in setup.eval_sets else "training"
        scaler = getattr(prepared, "scaler", None)
        if n_features >= 2 and (n_features == 2 or classify):
            y_tr = target_column(np.asarray(prepared.y_train), classify)
            y_va = target_column(y_val, classify) if len(x_val) else np.zeros(0)
            setup.plane_inputs = (x_train, x_val if len(x_val) else x_train[:0], y_tr, y_va, scaler)
            setup.kind = "boundary"
            # Wide data: the first two principal components, the plane that shows most of it.
            setup.use_layout(setup.layout_for("pca" if n_features > 2 else "features"))
        elif n_features == 1 and not classify:
            tr = evenly_spaced(len(x_train), POINTS)
            va = evenly_spaced(len(x_val), POINTS)
            setup.train_points = inverse_scaled(scaler, x_train[tr])
            setup.train_targets = _targets_in_units(np.asarray(prepared.y_train)[tr])
            setup.val_points = inverse_scaled(scaler, x_val[va]) if len(x_val) else x_val
            setup.val_targets = _targets_in_units(y_val[va]) if len(x_val) else np.zeros(0)
            both = np.concatenate([setup.train_points, setup.val_points])
            lo, hi = both.min(axis=0), both.max(axis=0)
            pad = np.maximum((hi - lo) * 0.08, 1e-3)
            lo, hi = lo - pad, hi + pad
            raw = np.linspace(lo[0], hi[0], CURVE_POINTS).reshape(-1, 1)
            setup.kind = "curve"
            setup.curve_x = raw[:, 0]
            setup.probe_x = np.ascontiguousarray(forward_scaled(scaler, raw), dtype=x_train.dtype)
        elif len(sample_x):
            setup.kind = "confusion" if classify else "scatter"
            setup.use_split(setup.eval_split)
        return setup

    @property
    def n_features(self) -> int:
        return int(self.sample_x.shape[1]) if self.sample_x.ndim == 2 else 0

    def layout_for(self, choice: str) -> ev.PlaneLayout:
        """The plane layout for a projection choice ("pca", "features:i:j", "features")."""
        x_tr, x_va, y_tr, y_va, scaler = self.plane_inputs
        return ev.plane_layout(choice, x_tr, x_va, y_tr, y_va, scaler, self.feature_names)

    def use_layout(self, layout: ev.PlaneLayout) -> None:
        """Draw the boundary over `layout` from now on. GUI thread; the worker reads
        `self.layout` once per computation, so it never mixes two layouts."""
        self.train_points, self.train_targets = layout.train_points, layout.train_targets
        self.val_points, self.val_targets = layout.val_points, layout.val_targets
        self.extent, self.probe_x = layout.extent, layout.probe_x
        self.layout = layout

    def use_split(self, split: str) -> None:
        """Compute the figures on every row of `split` ("validation" or "training")."""
        if split not in self.eval_sets:
            return
        rows = self.eval_sets[split]
        if self.kind in ("confusion", "scatter"):
            self.output_targets = rows.targets
            self.probe_x = np.ascontiguousarray(rows.x, dtype=self.sample_x.dtype)
        self.eval_split = split

    @property
    def eval_rows(self) -> ev.EvalRows | None:
        return self.eval_sets.get(self.eval_split)

    @property
    def rows_evaluated(self) -> int:
        """How many rows compute_views runs the model on (its cost, in rows)."""
        probe = self.layout.probe_x if self.layout is not None else self.probe_x
        rows = self.eval_rows
        return (
            len(self.sample_x)
            + (len(probe) if probe is not None else 0)
            + (len(rows.x) if rows is not None else 0)
        )

    @property
    def choice(self) -> tuple[str | None, str]:
        """What the person chose to see: the plane (a layout choice, None without one) and
        the rows. A copy of this setup shows the same once it has made the same choice."""
        return (self.layout.choice if self.layout is not None else None, self.eval_split)

    def choose(self, choice: tuple[str | None, str]) -> None:
        """Make `choice` (another setup's .choice) this setup's own."""
        plane, split = choice
        if plane is not None and self.layout is not None and plane != self.layout.choice:
            self.use_layout(self.layout_for(plane))
        if split != self.eval_split:
            self.use_split(split)

    def shows(self, update: ViewUpdate) -> bool:
        """Whether `update`'s output and figures were computed for the present choice (a
        run's views made before the person chose another plane or other rows are not)."""
        if self.layout is not None and update.layout is not self.layout:
            return False
        evaluation = update.evaluation
        return evaluation is None or evaluation.split == self.eval_split


@dataclass
class ViewUpdate:
    """The model-dependent part of the views. layers: one LayerStats per Dense layer.
    output: boundary (GRID, GRID, k) class probabilities (classification) or (GRID, GRID, 1)
    values; curve (200,) fitted values; scatter (n,) predictions for every evaluated row;
    confusion (k, k) counts [actual, predicted] over every evaluated row. evaluation: the
    model on every row of the chosen split (app.training.evaluation.Evaluation); layout: the
    plane layout the boundary output was computed for."""

    layers: list[LayerStats]
    output: np.ndarray | None
    evaluation: ev.Evaluation | None = None
    layout: ev.PlaneLayout | None = None


def compute_views(model, setup: ViewSetup) -> ViewUpdate:
    """Evaluate `model` for the views described by `setup` (cost: one forward pass over the
    sample, one over the probe inputs and one over every evaluated row)."""
    layers = []
    layout = setup.layout  # read once: the GUI may replace it meanwhile
    rows = setup.eval_rows
    evaluation = None
    if rows is not None and len(rows.x):
        evaluation = ev.evaluate(
            model,
            rows,
            setup.compile,
            classifies(setup.task),
            setup.class_names,
            setup.target_scaler,
        )
    if len(setup.sample_x):
        zs = model.preactivations(setup.sample_x)
        layers = [layer_stats(z, act) for z, act in zip(zs, setup.activations)]
    output = None
    probe = layout.probe_x if layout is not None else setup.probe_x
    if setup.kind in ("confusion", "scatter") and evaluation is not None:
        # The same rows the metrics are computed on: no second forward pass.
        if evaluation.predictions is not None:
            output = evaluation.predictions
        else:
            output = confusion_matrix(
                rows.targets, evaluation.predicted_at(0.5), max(setup.n_classes, 2)
            )
    elif probe is not None:
        pred = np.asarray(model.predict(probe, verbose=0), dtype=np.float64)
        if setup.target_scaler is not None:
            pred = runtime.to_target_units(setup.target_scaler, pred).astype(np.float64)
        if setup.kind == "boundary":
            if classifies(setup.task):
                pred = runtime.probabilities(setup.compile, pred)
            output = pred.reshape(GRID, GRID, -1)
        elif setup.kind in ("curve", "scatter"):
            output = pred[:, 0]
        elif setup.kind == "confusion":
            output = confusion_matrix(
                setup.sample_targets,
                runtime.predicted_classes(setup.compile, pred),
                max(setup.n_classes, 2),
            )
    return ViewUpdate(layers, output, evaluation, layout)


def confusion_matrix(actual: np.ndarray, predicted: np.ndarray, k: int) -> np.ndarray:
    """(k, k) counts, rows = actual class, columns = predicted class."""
    matrix = np.zeros((k, k), dtype=np.int64)
    a = np.clip(np.asarray(actual, dtype=int), 0, k - 1)
    p = np.clip(np.asarray(predicted, dtype=int), 0, k - 1)
    np.add.at(matrix, (a, p), 1)
    return matrix


def _rows(a) -> np.ndarray:
    return np.zeros((0, 1)) if a is None else np.asarray(a)
