"""The one recipe for turning a project into a trained model, shared by every front end.

The command line (`netbuilder train/evaluate/predict`), the window's training worker and the
Keras export all call these functions, so each rule lives here once: how a run is seeded,
what full-batch means, how the data is split and scaled, what a diverged run keeps, how a run
is recorded, and how a model's outputs (probabilities or logits) become class probabilities
and classes.

    model = runtime.build_model(project)           # compiled, the project's weights
    prepared = runtime.prepare_data(project)       # pure: the project is not changed
    outcome = runtime.fit_run(model, prepared, project.training, epochs=100,
                              initial_epoch=project.epochs_trained)
    runtime.record_run(project, outcome, prepared)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import data as data_module
from .. import metrics as metrics_module
from ..callbacks import Callback, EarlyStopping
from ..errors import EngineError, ProjectError, TrainingDiverged
from ..gradient_stats import GradientStats, first_out_of_range
from ..snapshot_keeper import merge_snapshots
from ..utils import set_random_seed
from . import model_bridge, runs
from .document import Project
from .history import merge_history
from .schema import parameter_count_problem, weight_shape_problem
from .specs import CompileSpec, TrainingSpec

__all__ = [
    "PreparedData",
    "RunOutcome",
    "build_model",
    "initial_weights",
    "run_seed",
    "prepare_data",
    "fitted_scaler",
    "scale_features",
    "row_scalers",
    "training_rows",
    "scales_target",
    "fitted_target_scaler",
    "to_target_units",
    "logs_to_target_units",
    "fit_batch_size",
    "validation_data",
    "fit_run",
    "record_run",
    "loss_task",
    "targets_for_loss",
    "probabilities",
    "predicted_classes",
    "predict",
    "evaluate",
    "validation_scores",
    "early_stopping",
]


# ----------------------------------------------------------------------------------- model


def build_model(project: Project, seed: int | None = None):
    """A compiled engine Sequential for `project`: its layers, loss and optimizer, built for
    its number of input features, with (a copy of) its stored weights when it has some.
    seed: seeds the initial weights of a project that has none (None: the global seed).

    Raises ProjectError when there are no layers or the stored weights do not fit."""
    if not project.layers:
        raise ProjectError(f"Project {project.name!r} has no layers. Add at least one Dense layer.")
    n_inputs = project.resolved_input_dim()
    too_big = parameter_count_problem(n_inputs, project.layers)
    if too_big is not None:  # refused before NumPy is asked for tens of gigabytes
        where = str(project.path) if project.path is not None else f"Project {project.name!r}"
        raise ProjectError(f"{where}: {too_big}")
    if project.weights:
        problem = weight_shape_problem(
            [np.asarray(w) for w in project.weights],
            [layer.units for layer in project.layers],
            n_inputs,
        )
        if problem is not None:
            raise ProjectError(
                f"The trained weights of project {project.name!r} do not fit its network: "
                f"{problem}. Reset the training to start from new weights."
            )
    if seed is not None:
        set_random_seed(int(seed))
    return model_bridge.build_model(project.layers, project.compile, n_inputs, project.weights)


def run_seed(project: Project) -> int:
    """The seed of the next run: the project's seed plus the epochs already trained, so the
    same run of the same file gives the same result (and a fresh project the same weights)."""
    return int(project.training.seed) + int(project.epochs_trained or 0)


def initial_weights(project: Project) -> list[np.ndarray]:
    """Fresh initial weights for the project's network, seeded by its training seed."""
    fresh = Project(
        layers=project.layers, compile=project.compile, input_dim=project.resolved_input_dim()
    )
    return build_model(fresh, seed=int(project.training.seed)).get_weights()


# ------------------------------------------------------------------------------------ data


@dataclass(frozen=True)
class PreparedData:
    """The arrays fit() takes. x_*: float32 (n, n_features), scaled; y_*: (n, 1) or one-hot
    (n, k) for categorical cross-entropy. x_val/y_val are None when the validation split is 0.
    scaler: the engine.data scaler fitted on the training split. target_scaler: the
    Standardizer fitted on the training split's regression target when the project scales
    its target (y_train and y_val are then in its units), else None."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray | None
    y_val: np.ndarray | None
    scaler: Any
    target_scaler: Any = None

    @property
    def scaler_config(self) -> dict[str, Any] | None:
        return None if self.scaler is None else self.scaler.get_config()

    @property
    def target_scaler_config(self) -> dict[str, Any] | None:
        return None if self.target_scaler is None else self.target_scaler.get_config()


def prepare_data(project: Project) -> PreparedData:
    """Split the dataset with the training seed and validation split, fit the scaler of
    training.scaling on the training split only, and return the scaled arrays; with target
    scaling (scales_target), the regression target is standardised on the training split
    too. A pure function: the project is not changed (record_run stores the scalers a run
    used)."""
    if project.dataset is None:
        raise ProjectError(
            f"Project {project.name!r} has no data to train on. Pick a dataset, or relink the CSV "
            "file if it moved."
        )
    spec = project.training
    if spec.validation_split > 0:
        train, val = project.dataset.split(validation=spec.validation_split, seed=spec.seed)
    else:
        train, val = project.dataset, None
    scaler = data_module.make_scaler(spec.scaling).fit(train.x)
    n_classes = int(project.dataset.n_classes or 1)
    y_train = targets_for_loss(project.compile, train.y, n_classes)
    y_val = None if val is None else targets_for_loss(project.compile, val.y, n_classes)
    target_scaler = None
    if scales_target(project):
        target_scaler = data_module.make_scaler("standardize").fit(y_train)
        y_train = target_scaler.transform(y_train)
        y_val = None if y_val is None else target_scaler.transform(y_val)
    return PreparedData(
        x_train=scaler.transform(train.x),
        y_train=y_train,
        x_val=None if val is None else scaler.transform(val.x),
        y_val=y_val,
        scaler=scaler,
        target_scaler=target_scaler,
    )


# How a loss or metric grows when the target is multiplied by s: MSE by s**2, MAE by s.
# Only losses whose value scales like this can be reported in the target's units after
# training on a standardised target; Huber's delta is in the target's own units, so scaling
# would change what Huber measures, and its target is left alone.
_UNIT_POWER = {"mean_squared_error": 2, "mean_absolute_error": 1}


def scales_target(project: Project) -> bool:
    """True when a run trains on a standardised target: target_scaling "standardize", a
    regression dataset, and a loss whose value converts to the target's units (MSE, MAE)."""
    return (
        getattr(project.training, "target_scaling", "none") == "standardize"
        and getattr(project.dataset, "task", "regression") == "regression"
        and model_bridge.make_loss(project.compile).registered_name in _UNIT_POWER
    )


def fitted_target_scaler(project: Project):
    """The scaler the network's output is in: the one stored with its last run; for a
    project never trained, the one training would fit; None for a raw target."""
    if project.target_scaler is not None:
        return data_module.scaler_from_config(project.target_scaler)
    if project.dataset is None or not scales_target(project):
        return None
    return prepare_data(project).target_scaler


def to_target_units(target_scaler, outputs) -> np.ndarray:
    """Network outputs (n, 1) -> the target's own units (y = output * std + mean); unchanged
    (float32) without a target scaler."""
    outputs = np.asarray(outputs, dtype=np.float32)
    if target_scaler is None:
        return outputs
    return np.asarray(
        target_scaler.inverse_transform(outputs.reshape(len(outputs), -1)), dtype=np.float32
    )


def _unit_power(key: str, loss_name: str) -> int:
    base = key[4:] if key.startswith("val_") else key
    if base == "loss":
        return _UNIT_POWER.get(loss_name, 0)
    try:
        return _UNIT_POWER.get(metrics_module.get(base).registered_name, 0)
    except (EngineError, TypeError, ValueError):
        return 0  # accuracy and the like do not depend on the target's units


def logs_to_target_units(logs: dict, target_scaler, loss_name: str) -> dict:
    """Convert fit's or evaluate's values (loss, mse, mae, their val_ twins) measured on the
    standardised target to the target's own units, in place; returns logs. An L2 penalty in
    the loss is scaled with it, so the loss stays the objective the run minimises."""
    if target_scaler is None or not logs:
        return logs
    spread = float(np.asarray(target_scaler.scale_).reshape(-1)[0])
    for key, value in logs.items():
        power = _unit_power(str(key), loss_name)
        if power and value is not None:
            logs[key] = float(value) * spread**power
    return logs


class _TargetUnits(Callback):
    """First in fit's callback list: every later callback (the progress line, the window,
    EarlyStopping, History) sees losses in the target's own units."""

    def __init__(self, target_scaler, loss_name: str):
        super().__init__()
        self.target_scaler, self.loss_name = target_scaler, loss_name

    def on_train_batch_end(self, batch, logs=None):
        logs_to_target_units(logs, self.target_scaler, self.loss_name)

    def on_epoch_end(self, epoch, logs=None):
        logs_to_target_units(logs, self.target_scaler, self.loss_name)


def fitted_scaler(project: Project):
    """The scaler the project's network expects its inputs through: the one stored with its
    last run; for a project never trained, the one training would fit; None for no scaling."""
    if project.scaler is not None:
        return data_module.scaler_from_config(project.scaler)
    if project.training.scaling in (None, "none") or project.dataset is None:
        return None
    return prepare_data(project).scaler


def scale_features(project: Project, x) -> np.ndarray:
    """Raw features (n_samples, n_features) -> what the network was trained on (float32)."""
    scaler = fitted_scaler(project)
    x = np.asarray(x, dtype=np.float32)
    return x if scaler is None else np.asarray(scaler.transform(x), dtype=np.float32)


def row_scalers(project: Project) -> tuple[Any, Any]:
    """(feature scaler, target scaler) the network's inputs and outputs are in; either None."""
    return fitted_scaler(project), fitted_target_scaler(project)


def training_rows(
    project: Project, start: int, stop: int, scalers: tuple[Any, Any] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Dataset rows start..stop as the network is trained on them: (features scaled like
    training, targets as fit takes them -- one-hot for categorical cross-entropy, and
    standardised when the project scales its regression target). scalers: row_scalers(project),
    when the caller keeps them (finding them may split and scale the whole dataset)."""
    scaler, target_scaler = row_scalers(project) if scalers is None else scalers
    dataset = project.dataset
    x = np.asarray(dataset.x[start:stop], dtype=np.float32)
    if scaler is not None:
        x = np.asarray(scaler.transform(x), dtype=np.float32)
    y = np.asarray(dataset.y[start:stop], dtype=np.float32).reshape(len(x), -1)
    if target_scaler is not None:
        y = np.asarray(target_scaler.transform(y), dtype=np.float32)
    return x, targets_for_loss(project.compile, y, int(dataset.n_classes or 1))


def fit_batch_size(training: TrainingSpec, n_train: int) -> int:
    """The batch size fit gets: None (full batch) is the sample count, so an epoch is one
    step of full-batch gradient descent."""
    return max(1, int(n_train)) if training.batch_size is None else int(training.batch_size)


def validation_data(prepared: PreparedData):
    """(x_val, y_val) for fit, or None without a validation split."""
    if prepared.x_val is None or not len(prepared.x_val):
        return None
    return prepared.x_val, prepared.y_val


# ------------------------------------------------------------------------------------- runs


@dataclass
class RunOutcome:
    """How one fit run ended. outcome: "finished", "stopped" (fewer epochs than planned),
    "diverged", or "failed" (an error a front end caught; weights None, details the
    traceback). weights: the model's weights at the end (after a divergence, those of the
    last epoch whose loss was finite). history: this run's finished epochs, name -> values.
    epochs: how many finished. message: for the person, when something went wrong or the
    run stopped early. best_epoch: with early stopping, the absolute 1-based epoch whose
    weights were kept (the best validation loss); None without early stopping.
    early_stopped: True when early stopping ended the run before its last epoch.
    target_scaler: the config of the target scaler the run trained through, or None."""

    outcome: str
    weights: list[np.ndarray] | None
    history: dict[str, list[float]] = field(default_factory=dict)
    epochs: int = 0
    message: str = ""
    diverged_epoch: int | None = None
    error: BaseException | None = None
    details: str = ""
    best_epoch: int | None = None
    early_stopped: bool = False
    target_scaler: dict[str, Any] | None = None

    # After a divergence: the first layer (0-based) whose updates or gradient went out of
    # range, the epoch (1-based) it did, and the learning rate the fix proposes.
    culprit_layer: int | None = None
    culprit_epoch: int | None = None
    suggested_learning_rate: float | None = None


def early_stopping(
    training: TrainingSpec, prepared: PreparedData, patience: int | None = None
) -> EarlyStopping | None:
    """The EarlyStopping callback a run gets: Keras' EarlyStopping(monitor="val_loss",
    patience=N, restore_best_weights=True) with N = patience (this run's choice; 0 means off)
    or else training.early_stopping; None when it is off or there is no validation data."""
    patience = training.early_stopping if patience is None else patience
    if not patience or validation_data(prepared) is None:
        return None
    return EarlyStopping(monitor="val_loss", patience=int(patience), restore_best_weights=True)


def fit_run(
    model,
    prepared: PreparedData,
    training: TrainingSpec,
    epochs: int,
    initial_epoch: int = 0,
    callbacks=(),
    patience: int | None = None,
) -> RunOutcome:
    """Train `model` for `epochs` epochs after `initial_epoch` with the project's training
    settings, and say how it ended. Callbacks may stop the run (model.stop_training); they
    see losses in the target's own units. With early stopping (training.early_stopping, or
    `patience` for this run only; 0 turns it off) the run ends once the validation loss has
    not improved for that many epochs, and the model keeps the best epoch's weights."""
    epochs, initial_epoch = int(epochs), int(initial_epoch)
    model.stop_training = False
    stopper = early_stopping(training, prepared, patience)
    front = []
    if prepared.target_scaler is not None:
        front.append(_TargetUnits(prepared.target_scaler, model.loss.registered_name))
    if stopper is not None:
        # Before the caller's callbacks, so their on_train_end sees the restored weights.
        front.append(stopper)
    try:
        model.fit(
            prepared.x_train,
            prepared.y_train,
            batch_size=fit_batch_size(training, len(prepared.x_train)),
            epochs=initial_epoch + epochs,
            initial_epoch=initial_epoch,
            validation_data=validation_data(prepared),
            shuffle=bool(training.shuffle),
            verbose=0,
            callbacks=[*front, *callbacks],
        )
    except TrainingDiverged as exc:
        history = _run_history(model)
        done = len(history.get("loss", []))  # the healthy epochs the model's weights are from
        epoch = initial_epoch + done + 1 if exc.epoch is None else int(exc.epoch) + 1
        rate = float(model.optimizer.learning_rate)
        what = exc.reason or "the loss became " + (
            "infinite" if exc.loss is not None and np.isinf(exc.loss) else "NaN"
        )
        stats = next((cb for cb in callbacks if isinstance(cb, GradientStats)), None)
        if stats is None or stats.diverged_epoch is None:
            stats = _replay_with_stats(model, prepared, training, exc, initial_epoch)
        culprit = None if stats is None else first_out_of_range(stats)
        blame = ""
        if culprit is not None:
            c_epoch, c_layer, kind, value = culprit
            blame = (
                f"; layer {c_layer + 1}: updates were {value:.3g}× its weights at epoch "
                f"{c_epoch + 1}"
                if kind == "ratio"
                else f"; layer {c_layer + 1}: its gradient became {_non_finite_word(value)} "
                f"at epoch {c_epoch + 1}"
            )
        return RunOutcome(
            "diverged",
            model.get_weights(),
            history,
            done,
            message=(
                f"Training diverged at epoch {epoch}: {what}{blame}. The weights "
                f"of the last healthy epoch are kept. Try a learning rate below "
                f"{rate / 10:.3g}."
            ),
            diverged_epoch=epoch,
            error=exc,
            target_scaler=prepared.target_scaler_config,
            culprit_layer=None if culprit is None else culprit[1],
            culprit_epoch=None if culprit is None else culprit[0] + 1,
            suggested_learning_rate=rate / 10,
        )
    history = _run_history(model)
    done = len(history.get("loss", []))
    outcome = RunOutcome(
        "finished" if done >= epochs else "stopped",
        model.get_weights(),
        history,
        done,
        target_scaler=prepared.target_scaler_config,
    )
    if stopper is not None and stopper.best_weights is not None:
        outcome.best_epoch = int(stopper.best_epoch) + 1
        outcome.early_stopped = stopper.stopped_epoch > 0
        if outcome.early_stopped:
            outcome.message = (
                f"Stopped early at epoch {initial_epoch + done}: the validation loss had not "
                f"improved for {stopper.patience} epochs. Kept the weights of epoch "
                f"{outcome.best_epoch}, the best validation loss."
            )
    return outcome


def _non_finite_word(value: float) -> str:
    return "NaN" if np.isnan(value) else "infinite"


# A replay to explain a divergence runs at most this many epochs (only on the failure path).
REPLAY_EPOCHS = 50


def _replay_with_stats(
    model, prepared: PreparedData, training: TrainingSpec, exc: TrainingDiverged, initial_epoch: int
) -> GradientStats | None:
    """Train again from the kept weights up to the epoch that diverged, with per-layer
    gradient statistics on, to see which layer went first; then put the model back exactly
    as fit left it (weights, optimizer state, history). Runs only after a divergence, so a
    healthy run never pays for the statistics. The shuffle differs from the first time, so
    the replay may blow up an epoch earlier or later: it explains, it does not reproduce."""
    if exc.epoch is None:
        return None
    start = initial_epoch if exc.kept_epoch is None else int(exc.kept_epoch) + 1
    stop = min(int(exc.epoch) + 2, start + REPLAY_EPOCHS)
    weights = model.get_weights()
    optimizer = model.optimizer
    state = [a.copy() for a in optimizer.state()]
    iterations, history = optimizer.iterations, getattr(model, "history", None)
    stats = GradientStats()
    try:
        model.fit(
            prepared.x_train,
            prepared.y_train,
            batch_size=fit_batch_size(training, len(prepared.x_train)),
            epochs=stop,
            initial_epoch=start,
            shuffle=bool(training.shuffle),
            verbose=0,
            callbacks=[stats],
        )
    except TrainingDiverged:
        pass
    finally:
        model.set_weights(weights)
        for live, saved in zip(optimizer.state(), state):
            live[...] = saved
        optimizer.iterations = iterations
        model.history = history
        model.stop_training = False
    return stats


def _run_history(model) -> dict[str, list[float]]:
    history = getattr(getattr(model, "history", None), "history", None) or {}
    return {str(key): [float(v) for v in values] for key, values in history.items()}


def record_run(
    project: Project,
    outcome: RunOutcome,
    scaler_config: dict | None,
    base_history: dict | None = None,
    base_epochs: int | None = None,
    snapshots: dict[int, list[np.ndarray]] | None = None,
) -> None:
    """Keep what a run produced on the project: its weights, its history after the project's
    (or after base_history/base_epochs, the project as it was when the run started), the
    scalers the run's inputs and target went through, and optional weight snapshots by
    absolute epoch (an EpochSnapshots keeper's): they join the project's snapshots up to
    where the run started, the weights kept become the snapshot of the last epoch, and the
    whole is thinned to the keeper's bounds (snapshot_keeper.merge_snapshots). Then the
    project's runs (runs.note_training): a run from fresh weights (base epochs 0), or with
    other settings than the current run, becomes a new current run; otherwise the current
    run is brought up to date."""
    before = int(project.epochs_trained if base_epochs is None else base_epochs)
    history = project.history if base_history is None else base_history
    project.history = merge_history(history, before, outcome.history, outcome.epochs)
    project.epochs_trained = before + int(outcome.epochs)
    project.weights = [np.array(w, copy=True) for w in outcome.weights]
    if project.weights:
        project.input_dim = int(project.weights[0].shape[0])
    project.scaler = scaler_config
    if outcome.target_scaler is not None or not scales_target(project):
        project.target_scaler = outcome.target_scaler
    if snapshots is not None:  # the run's, after the project's older ones, bounded
        project.snapshots = merge_snapshots(
            project.snapshots, snapshots, before, project.epochs_trained, project.weights
        )
    if outcome.epochs:
        runs.note_training(project, fresh=before == 0, kept_epoch=outcome.best_epoch)


# ---------------------------------------------------------------------------------- outputs


def loss_task(spec: CompileSpec) -> str:
    """The task the project's loss is for: "binary", "multiclass" or "regression"."""
    return model_bridge.make_loss(spec).task


def targets_for_loss(spec: CompileSpec, y, n_classes: int) -> np.ndarray:
    """Class indices (n_samples, 1) -> one-hot (n_samples, n_classes) when the loss wants
    one-hot targets (categorical cross-entropy); anything else unchanged (float32)."""
    y = np.asarray(y, dtype=np.float32)
    if model_bridge.make_loss(spec).one_hot_targets and n_classes > 1:
        return np.eye(n_classes, dtype=np.float32)[y.reshape(-1).astype(int)]
    return y


def probabilities(spec: CompileSpec, outputs) -> np.ndarray:
    """Model outputs (n, units) -> class probabilities (n, k): logits are squashed first
    (sigmoid, or softmax over several units) when the loss takes logits; one output unit is
    P(class 1), so it becomes the two columns [1 - p, p]."""
    outputs = np.asarray(outputs, dtype=np.float64)
    if outputs.ndim == 1:
        outputs = outputs.reshape(-1, 1)
    if spec.from_logits:
        with np.errstate(over="ignore"):
            if outputs.shape[1] == 1:
                outputs = 1.0 / (1.0 + np.exp(-outputs))
            else:
                shifted = np.exp(outputs - outputs.max(axis=1, keepdims=True))
                outputs = shifted / shifted.sum(axis=1, keepdims=True)
    if outputs.shape[1] == 1:
        outputs = np.hstack([1.0 - outputs, outputs])
    return outputs


def predict(project: Project, model, x) -> np.ndarray:
    """Raw features (n, n_features) -> the model's outputs (n, units): a regression's values
    in the target's own units (un-standardised when the project scales its target);
    probabilities or logits for classification, as the output layer gives them."""
    outputs = model.predict(scale_features(project, x), verbose=0)
    return to_target_units(fitted_target_scaler(project), outputs)


def evaluate(project: Project, model, x, y) -> dict[str, float]:
    """The loss and metrics of `model` on raw features x (n, n_features) and targets y (n, 1)
    (class indices, or values in the target's units), all in the target's units. A
    regression also gets "mae" and "r2" (1 - SSE / SST about the mean of y; 0 for a
    constant y) from its un-scaled predictions."""
    n_classes = int(getattr(project.dataset, "n_classes", None) or 1)
    y = np.asarray(y, dtype=np.float32).reshape(len(y), -1)
    targets = targets_for_loss(project.compile, y, n_classes)
    return _scores(
        project, model, scale_features(project, x), targets, fitted_target_scaler(project)
    )


def validation_scores(project: Project, model, prepared: PreparedData) -> dict[str, float]:
    """evaluate() on the validation split prepare_data made ({} without one): what the
    model as it stands (after early stopping, the best epoch's weights) scores there."""
    if validation_data(prepared) is None:
        return {}
    targets = prepared.y_val
    if prepared.target_scaler is not None:
        targets = prepared.target_scaler.inverse_transform(targets)
    return _scores(project, model, prepared.x_val, targets, prepared.target_scaler)


def _scores(project: Project, model, x_scaled, targets, target_scaler) -> dict[str, float]:
    fed = targets if target_scaler is None else target_scaler.transform(targets)
    results = {
        str(k): float(v)
        for k, v in model.evaluate(x_scaled, fed, verbose=0, return_dict=True).items()
    }
    logs_to_target_units(results, target_scaler, model.loss.registered_name)
    if loss_task(project.compile) == "regression" and targets.shape[1] == 1:
        predicted = to_target_units(target_scaler, model.predict(x_scaled, verbose=0))
        y = np.asarray(targets, dtype=np.float64)
        error = predicted.astype(np.float64) - y
        results["mae"] = float(np.mean(np.abs(error)))
        spread = float(np.sum((y - y.mean()) ** 2))
        results["r2"] = 1.0 - float(np.sum(error**2)) / spread if spread > 0 else 0.0
    return results


def predicted_classes(spec: CompileSpec, outputs) -> np.ndarray:
    """Model outputs (n, units) -> class indices (n,): P(class 1) > 0.5 for one unit (a
    logit > 0), the most probable class otherwise."""
    return np.argmax(probabilities(spec, outputs), axis=1)
