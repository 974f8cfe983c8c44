"""The project document: everything a person builds in Netbuilder, and its .nnproj file.

`Project` holds the settings (engine/project/specs.py), the dataset, the trained weights, the
history and the runs (engine/project/runs.py). `save`/`load` go through the container
(container.py: the zip, atomic writes, refusing unsafe files), the value checks (schema.py)
and the schema upgrades (migrations.py). Training a project is the runtime's job (runtime.py):

    project = Project.load("coffee.nnproj")      # warnings lists e.g. a moved dataset file
    model = runtime.build_model(project)         # compiled, with the stored weights
    prepared = runtime.prepare_data(project)     # split with the training seed, scaled
    outcome = runtime.fit_run(model, prepared, project.training, epochs=10,
                              initial_epoch=project.epochs_trained)
    runtime.record_run(project, outcome, prepared.scaler_config)
    project.save("coffee.nnproj")                # atomic
"""

from __future__ import annotations

import contextlib
import copy as _copy
import hashlib
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import data as data_module
from ..errors import EngineError, ProjectError
from ..files import open_regular
from ..resources import resource_path
from . import migrations, model_bridge
from .container import FORMAT_NAME, read_raw, write_raw
from .history import copy_history
from .migrations import SCHEMA_VERSION, RawProject
from .runs import Run
from .schema import (
    history_to_json,
    read_meta,
    run_arrays,
    run_weights_from_arrays,
    runs_to_json,
    weight_shape_problem,
    weights_from_arrays,
)
from .snapshot_stack import snapshots_from_arrays, stack_snapshots
from .specs import (
    DEFAULT_EPOCHS,
    DEFAULT_LEARNING_RATE,
    DEFAULT_PATIENCE,
    TASK_OUTPUT,
    CompileSpec,
    DatasetSource,
    LayerSpec,
    TrainingSpec,
    default_hidden_units,
    json_safe,
    output_units,
)

__all__ = [
    "SCHEMA_VERSION",
    "FORMAT_NAME",
    "EMBED_LIMIT_BYTES",
    "LayerSpec",
    "CompileSpec",
    "TrainingSpec",
    "DatasetSource",
    "Project",
]

# A CSV dataset smaller than this is copied into the project, so it opens on another machine.
EMBED_LIMIT_BYTES = 20 * 1024**2


@dataclass
class Project:
    name: str = "Untitled"
    layers: list[LayerSpec] = field(default_factory=list)
    compile: CompileSpec = field(default_factory=CompileSpec)
    training: TrainingSpec = field(default_factory=TrainingSpec)
    dataset_source: DatasetSource | None = None
    # In-memory only (stored as dataset.csv / recreated from dataset_source):
    dataset: Any = None  # engine.data.Dataset | None
    scaler: dict[str, Any] | None = None  # get_config() of the fitted scaler
    # get_config() of the scaler the regression target was trained through (None: raw target)
    target_scaler: dict[str, Any] | None = None
    weights: list[np.ndarray] | None = None
    history: dict[str, list[float]] = field(default_factory=dict)
    epochs_trained: int = 0
    # Per-epoch weight snapshots for rewinding: epoch -> weights list.
    # (epoch = epochs completed when it was taken, 1-based, counted like epochs_trained)
    snapshots: dict[int, list[np.ndarray]] = field(default_factory=dict)
    # Every training kept as a run (engine/project/runs.py), oldest first, and the id of the
    # one the weights and history above belong to (None: untrained, or its run was deleted).
    runs: list[Run] = field(default_factory=list)
    current_run: str | None = None
    ui: dict[str, Any] = field(default_factory=dict)
    # Where the project was loaded from / last saved to; never stored in the file.
    path: Path | None = None
    # Messages from loading that the user should see (e.g. a moved dataset file).
    warnings: list[str] = field(default_factory=list)
    # Number of input features, kept so a project whose data is missing still builds.
    # build_model prefers the dataset's n_features, then the stored weights, then this.
    input_dim: int | None = None
    # The bytes of the CSV file the dataset was read from (the copy embedded on save);
    # None for built-in data or a file over EMBED_LIMIT_BYTES.
    dataset_bytes: bytes | None = field(default=None, repr=False)

    def copy(self) -> Project:
        """A deep copy (arrays copied too), for autosave and the training worker. The history
        is copied list by list (see copy_history): deepcopy would visit every float. Runs are
        never changed, so the copy shares them (a hundred runs' histories are not copied)."""
        memo = {id(self.history): copy_history(self.history), id(self.runs): list(self.runs)}
        return _copy.deepcopy(self, memo)

    # ------------------------------------------------------------------ making projects

    @classmethod
    def course(cls) -> Project:
        """The course network, untrained: 25 sigmoid -> 15 sigmoid -> 1 sigmoid with binary
        cross-entropy, on the built-in coffee-roasting data (loaded)."""
        project = cls(
            name="Coffee roasting",
            layers=[
                LayerSpec(25, "sigmoid", "layer1"),
                LayerSpec(15, "sigmoid", "layer2"),
                LayerSpec(1, "sigmoid", "layer3"),
            ],
            compile=CompileSpec(
                loss="binary_crossentropy",
                optimizer="adam",
                learning_rate=0.01,
                metrics=["accuracy"],
            ),
            training=TrainingSpec(epochs=300, batch_size=32, validation_split=0.2, seed=1),
            dataset_source=DatasetSource(kind="builtin", name="coffee"),
            input_dim=2,
        )
        project.load_dataset()
        return project

    @classmethod
    def default(cls) -> Project:
        """The project the app opens with: the example app/resources/examples/coffee.nnproj
        (trained, with history) when it is installed, else the same network built here,
        untrained. Its `path` is None, so saving asks where instead of overwriting the
        packaged example."""
        path = resource_path("examples", "coffee.nnproj")
        if path is not None and path.is_file():
            try:
                project = cls.load(path)
            except ProjectError as exc:
                project = cls.course()
                project.warnings.append(f"The example project could not be opened: {exc}")
            project.path = None
            return project
        return cls.course()

    @classmethod
    def new_for_dataset(cls, dataset, source: DatasetSource | None = None) -> Project:
        """A sensible starting network for `dataset`, following the course's advice: a ReLU
        hidden layer sized for the features (default_hidden_units), and an output and loss
        that fit the task -- binary: 1 sigmoid unit with binary cross-entropy; multiclass:
        n_classes softmax units with sparse categorical cross-entropy; regression: 1 linear
        unit with mean squared error on a standardised target. Training stops early once the
        validation loss stalls (DEFAULT_PATIENCE) and keeps the best weights."""
        project = cls(name=str(getattr(dataset, "name", "Untitled")))
        project.apply_defaults(dataset)
        project.set_dataset(dataset, source)
        return project

    def apply_defaults(self, dataset) -> None:
        """Give this project the layers, loss and training settings new_for_dataset gives a
        new project for `dataset` (the seed is kept). Raises ProjectError for a dataset
        whose task is not binary, multiclass or regression."""
        task = dataset.task
        if task not in TASK_OUTPUT:
            raise ProjectError(
                f"Cannot suggest a network for a dataset with task={task!r}; expected "
                "'binary', 'multiclass' or 'regression'."
            )
        activation, loss = TASK_OUTPUT[task]
        hidden = default_hidden_units(dataset.n_features)
        self.layers = [
            LayerSpec(hidden, "relu", "hidden1"),
            LayerSpec(output_units(dataset), activation, "output"),
        ]
        self.compile = CompileSpec(
            loss=loss,
            learning_rate=DEFAULT_LEARNING_RATE,
            metrics=[] if task == "regression" else ["accuracy"],
        )
        self.training = TrainingSpec(
            epochs=DEFAULT_EPOCHS,
            seed=self.training.seed,
            early_stopping=DEFAULT_PATIENCE,
            target_scaling="standardize" if task == "regression" else "none",
        )

    @classmethod
    def from_model(
        cls,
        model,
        dataset=None,
        source: DatasetSource | None = None,
        training: TrainingSpec | None = None,
        history: dict[str, list[float]] | None = None,
    ) -> Project:
        """A project holding `model`'s layers, compile settings and (when built) weights.

        model: an engine Sequential of Dense layers (compiled or not). dataset/source: the
        data it is trained on (source defaults to DatasetSource.from_dataset(dataset)).
        history: a History.history dict; epochs_trained is the length of its longest list."""
        project = cls(
            name=str(getattr(model, "name", None) or "Untitled"),
            layers=[model_bridge.layer_spec(layer) for layer in model.layers],
            compile=model_bridge.compile_spec(model),
            training=training if training is not None else TrainingSpec(),
        )
        if getattr(model, "built", False):
            project.weights = [np.array(w, copy=True) for w in model.get_weights()]
            if project.weights:
                project.input_dim = int(project.weights[0].shape[0])
        if dataset is not None:
            project.set_dataset(dataset, source)
        elif source is not None:
            project.dataset_source = source
        if history:
            history = getattr(history, "history", history)
            project.history = {str(k): [float(v) for v in vals] for k, vals in history.items()}
            project.epochs_trained = max((len(v) for v in project.history.values()), default=0)
        return project

    # ------------------------------------------------------------------ the model

    def resolved_input_dim(self) -> int | None:
        """Input features: the dataset's, else the stored weights', else input_dim."""
        if self.dataset is not None:
            return int(self.dataset.n_features)
        if self.weights:
            return int(np.shape(self.weights[0])[0])
        return self.input_dim

    def clear_training(self) -> None:
        """Forget the trained weights, history, snapshots and fitted scaler (after the
        network changed, or to train again from scratch). The runs stay: they are the record
        of what was trained; none of them is current any more."""
        self.current_run = None
        self.weights = None
        self.history = {}
        self.epochs_trained = 0
        self.snapshots = {}
        self.scaler = None
        self.target_scaler = None

    # ------------------------------------------------------------------ the data

    def set_dataset(self, dataset, source: DatasetSource | None = None) -> None:
        """Use `dataset` (an engine.data.Dataset) from now on. source defaults to
        DatasetSource.from_dataset(dataset). The fitted scaler is forgotten (it belonged to
        the old data); weights are kept, build_model checks that they still fit."""
        self.dataset_source = source if source is not None else DatasetSource.from_dataset(dataset)
        self.dataset = dataset
        self.scaler = None
        self.target_scaler = None
        self.input_dim = int(dataset.n_features)
        self.dataset_bytes = None
        src = self.dataset_source
        if src.kind == "csv":
            if src.path and Path(src.path).is_file():
                self.dataset_bytes, src.sha256 = _read_for_embedding(Path(src.path))
            elif not src.path:
                self.dataset_bytes = dataset.to_csv_bytes()
                src.params = dataset.csv_params()
                src.sha256 = hashlib.sha256(self.dataset_bytes).hexdigest()

    def load_dataset(self):
        """Recreate `dataset` from `dataset_source` and return it (None when impossible).

        builtin: engine.data.builtin(name, **params). csv: the file at `path` when it exists
        and its SHA-256 matches the recorded one (or none is recorded), else the copy embedded
        in the project, else no data. Each fallback adds a message to `warnings` that says
        what happened and how to relink. Never raises for missing or changed data."""
        self.dataset = None
        src = self.dataset_source
        if src is None:
            return None
        if src.kind == "builtin":
            try:
                self.dataset = data_module.builtin(src.name, **src.params)
            except (EngineError, TypeError, ValueError, ArithmeticError) as exc:
                self.warnings.append(
                    f"The built-in dataset {src.name!r} could not be made ({exc}); the project "
                    "opened without data. Pick a dataset to train."
                )
            else:
                self.input_dim = int(self.dataset.n_features)
            return self.dataset
        return self._load_csv_dataset(data_module)

    def relink_dataset(self, path: str | os.PathLike):
        """Point a CSV dataset at a new file (it moved, or it was updated on purpose) and load
        it. Unlike load_dataset, a file that cannot be read raises DatasetError, since the
        person asked for this file."""
        if self.dataset_source is None or self.dataset_source.kind != "csv":
            raise ProjectError(
                "Only a dataset read from a CSV file can be relinked; this project's dataset is "
                f"{'missing' if self.dataset_source is None else self.dataset_source.kind!r}. "
                "Import the CSV file as a new dataset instead."
            )
        src = self.dataset_source
        file_path = Path(path).absolute()
        payload, digest = _read_for_embedding(file_path)
        dataset = _load_csv_as_read(data_module, file_path, payload, src.params)
        src.path, src.sha256 = str(file_path), digest
        self.dataset, self.dataset_bytes = dataset, payload
        self.input_dim = int(dataset.n_features)
        return dataset

    def _load_csv_dataset(self, data_module):
        src = self.dataset_source
        problem = self._load_csv_file(data_module) if src.path else None
        if self.dataset is not None:
            return self.dataset
        if self.dataset_bytes is None:
            what = problem or "The dataset has no file"
            self.warnings.append(
                f"{what}, and the project holds no copy of it (files of 20 MB or more are not "
                "embedded). The project opened without data; relink the dataset to its CSV "
                "file."
            )
            return None
        try:
            self.dataset = data_module.load_csv_bytes(self.dataset_bytes, **src.params)
        except Exception as exc:  # noqa: BLE001 - untrusted bytes and params, see below
            # The embedded copy comes from the project file, which may be damaged: whatever
            # the CSV reader raises, the project must still open.
            self.warnings.append(
                f"{problem + '. The' if problem else 'The'} copy of the dataset embedded in the "
                f"project could not be read ({exc}). The project opened without data; relink "
                "the dataset to its CSV file."
            )
            return None
        self.input_dim = int(self.dataset.n_features)
        if problem:
            self.warnings.append(
                f"{problem}; using the copy embedded in the project. Relink the dataset to use "
                "a file again."
            )
        return self.dataset

    def _load_csv_file(self, data_module) -> str | None:
        """Load the dataset from its file into self.dataset when the file is there and
        unchanged. Returns why it was not used, or None."""
        src = self.dataset_source
        file_path = Path(src.path)
        if not file_path.is_file():
            return f"The dataset file {file_path} was not found"
        try:
            payload, digest = _read_for_embedding(file_path)
        except OSError as exc:
            return f"The dataset file {file_path} could not be read ({exc.strerror or exc})"
        if src.sha256 is not None and digest != src.sha256:
            return (
                f"The dataset file {file_path} has changed since the project was saved "
                "(its SHA-256 differs)"
            )
        try:
            dataset = _load_csv_as_read(data_module, file_path, payload, src.params)
        except Exception as exc:  # noqa: BLE001 - params come from a possibly damaged file
            return f"The dataset file {file_path} could not be read ({exc})"
        self.dataset, src.sha256 = dataset, digest
        # Only bytes that were just parsed into this dataset become the copy to embed.
        self.dataset_bytes = payload
        self.input_dim = int(dataset.n_features)
        return None

    # ------------------------------------------------------------------ the file

    def to_dict(self, base_dir: str | os.PathLike | None = None) -> dict[str, Any]:
        """The JSON part of the file (project.json). With base_dir, a CSV dataset's path is
        written relative to it (as the file does, relative to the project's folder).
        Weights that do not fit the layers are not counted (save leaves them out)."""
        weights = self._fitting_weights()
        input_dim = self.resolved_input_dim()
        if weights:  # the stored weights decide, so the file is consistent with itself
            input_dim = int(weights[0].shape[0])
        return {
            "format": FORMAT_NAME,
            "schema_version": migrations.SCHEMA_VERSION,
            "name": self.name,
            "layers": [{"type": "Dense", **asdict(layer)} for layer in self.layers],
            "input_dim": input_dim,
            "compile": asdict(self.compile),
            "training": asdict(self.training),
            "dataset": self._source_to_json(base_dir),
            "scaler": json_safe(self.scaler),
            "target_scaler": json_safe(self.target_scaler),
            "weight_arrays": len(weights or []),
            "epochs_trained": self.epochs_trained,
            "history": history_to_json(self.history),
            "ui": json_safe(self.ui),
            "runs": runs_to_json(self.runs),
            "current_run": self.current_run,
        }

    def _source_to_json(self, base_dir) -> dict[str, Any] | None:
        src = self.dataset_source
        if src is None:
            return None
        out = asdict(src)
        out["params"] = json_safe(src.params)
        out["absolute_path"] = None
        if src.path is not None:
            absolute = Path(src.path).absolute()
            out["absolute_path"] = str(absolute)
            out["path"] = absolute.as_posix()
            if base_dir is not None:
                # On another drive (Windows) there is no relative path: keep the absolute one.
                with contextlib.suppress(ValueError):
                    out["path"] = Path(
                        os.path.relpath(absolute, Path(base_dir).absolute())
                    ).as_posix()
        return out

    @classmethod
    def from_dict(
        cls,
        data: dict[str, Any],
        source: str = "project.json",
        base_dir: str | os.PathLike | None = None,
    ) -> Project:
        """A Project from project.json contents (migrated from older schemas first), checked
        value by value; weights (the project's and its runs') are not part of the JSON and stay
        None. A relative dataset path is resolved against base_dir (the project file's
        folder)."""
        if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
            found = data.get("format") if isinstance(data, dict) else type(data).__name__
            raise ProjectError(
                f"{source}: expected a project dict with format={FORMAT_NAME!r}; received "
                f"{found!r}. Pass what Project.to_dict() returns."
            )
        raw = migrations.migrate(RawProject(meta=_copy.deepcopy(data)), source)
        fields, _ = read_meta(raw.meta, source, base_dir)
        return cls(**fields)

    @classmethod
    def load(cls, path: str | os.PathLike) -> Project:
        """Open a .nnproj file. The dataset is recreated (load_dataset); a moved or changed
        CSV file does not stop the project opening but adds a message to `warnings`.

        Raises ProjectError naming the file and the problem for anything unreadable,
        unsafe, of a newer schema, or inconsistent (see project_io, project_schema)."""
        source = str(path)
        raw = migrations.migrate(read_raw(path), source)
        base_dir = Path(path).absolute().parent
        fields, n_weights = read_meta(raw.meta, source, base_dir)
        project = cls(**fields)
        units = [layer.units for layer in project.layers]
        project.weights = weights_from_arrays(raw.weights, n_weights, units, "weights.npz", source)
        if (
            project.weights
            and project.input_dim is not None
            and project.weights[0].shape[0] != project.input_dim
        ):
            raise ProjectError(
                f"{source}: weights.npz has {project.weights[0].shape[0]} inputs but "
                f"project.json says input_dim={project.input_dim}. The file is damaged; "
                "open a backup copy."
            )
        n_inputs = project.weights[0].shape[0] if project.weights else None
        project.snapshots = snapshots_from_arrays(raw.snapshots, units, source, n_inputs)
        project.runs = run_weights_from_arrays(project.runs, raw.meta, raw.runs, source)
        project.dataset_bytes = raw.dataset_csv
        project.path = Path(path).absolute()
        project.load_dataset()
        return project

    def save(self, path: str | os.PathLike | None = None) -> Path:
        """Write the project to `path` (default: where it was loaded from or last saved)
        atomically, and remember that path. Returns it. The dataset's bytes are embedded when
        the CSV file is under EMBED_LIMIT_BYTES. Raises ProjectError, leaving any previous
        file unchanged, when the file cannot be written."""
        if path is None:
            path = self.path
        if path is None:
            raise ProjectError(
                f"Project {self.name!r} has never been saved, so it has no file name. Use "
                "Save As and pick a file name."
            )
        target = Path(path).absolute()
        self._refresh_embedded_copy()
        weights, snapshots, dropped = self._weights_that_fit()
        raw = RawProject(
            meta=self.to_dict(base_dir=target.parent),
            weights={f"w{i}": np.asarray(w) for i, w in enumerate(weights or [])},
            snapshots=stack_snapshots(snapshots),
            runs=run_arrays(self.runs),
            dataset_csv=self.dataset_bytes if self._is_csv() else None,
        )
        write_raw(target, raw)
        self.path = target
        if dropped:
            self.warnings.append(
                f"{target}: {dropped} did not fit the network ({len(self.layers)} layers of "
                f"{[layer.units for layer in self.layers]} units) and were not saved. Train "
                "again to store new weights."
            )
        return target

    def _fitting_weights(self) -> list[np.ndarray] | None:
        """The trained weights when they fit the layers, else None. Apart from the snapshots:
        to_dict needs only these, and checking 300 snapshots twice per save cost 17 ms."""
        units = [layer.units for layer in self.layers]
        arrays = [np.asarray(w) for w in self.weights or []]
        return arrays if arrays and weight_shape_problem(arrays, units) is None else None

    def _weights_that_fit(self) -> tuple[list | None, dict, str]:
        """The weights and snapshots a saved file may hold: only those that fit the layers
        (a file whose weights do not fit would be refused when opened). The third item
        names what was left out, or is ""."""
        units = [layer.units for layer in self.layers]
        weights = self._fitting_weights()
        fitting = {
            epoch: snapshot
            for epoch, snapshot in self.snapshots.items()
            if snapshot and weight_shape_problem([np.asarray(w) for w in snapshot], units) is None
        }
        # The file stacks the snapshots (snapshot_stack.py), so they all need one shape: that
        # of the weights, or without weights that of the newest snapshot.
        n_inputs = weights[0].shape[0] if weights else None
        if n_inputs is None and fitting:
            n_inputs = np.asarray(fitting[max(fitting)][0]).shape[0]
        snapshots = {
            epoch: snapshot
            for epoch, snapshot in fitting.items()
            if np.asarray(snapshot[0]).shape[0] == n_inputs
        }
        dropped = []
        if self.weights and weights is None:
            dropped.append("the trained weights")
        if len(snapshots) < len(self.snapshots):
            dropped.append(f"{len(self.snapshots) - len(snapshots)} weight snapshots")
        return weights, snapshots, " and ".join(dropped)

    def _is_csv(self) -> bool:
        return self.dataset_source is not None and self.dataset_source.kind == "csv"

    def _refresh_embedded_copy(self) -> None:
        """Before saving: a CSV dataset made in memory (no file) is embedded as the CSV text
        it writes. A dataset's file is never read here: only bytes that Netbuilder parsed
        into the project's dataset since it was opened are embedded (load_dataset,
        set_dataset, relink_dataset keep them). Reading the file named by a project someone
        sent would copy any readable file -- an SSH key -- into the next save."""
        src = self.dataset_source
        if not self._is_csv() or self.dataset_bytes is not None:
            return
        if not src.path and self.dataset is not None:
            self.dataset_bytes = self.dataset.to_csv_bytes()
            src.sha256 = hashlib.sha256(self.dataset_bytes).hexdigest()


# ---------------------------------------------------------------------- helpers


def _read_for_embedding(path: Path) -> tuple[bytes | None, str]:
    """(the file's bytes if under EMBED_LIMIT_BYTES else None, SHA-256 hex of the file).
    Only a regular file is read (open_regular: a FIFO or a device is an OSError)."""
    digest = hashlib.sha256()
    with open_regular(path) as handle:
        payload = handle.read(EMBED_LIMIT_BYTES)
        digest.update(payload)
        if len(payload) < EMBED_LIMIT_BYTES:
            return payload, digest.hexdigest()
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return None, digest.hexdigest()


def _load_csv_as_read(data_module, file_path: Path, payload: bytes | None, params: dict):
    """The dataset of a CSV file, parsed from `payload` (the bytes just read and hashed, so
    what is embedded is exactly what was loaded) when the file is small enough to embed;
    a bigger file is read from disk as usual and never embedded."""
    if payload is None:
        return data_module.load_csv(file_path, **params)
    options = dict(params)
    name = options.pop("name", None) or file_path.name
    dataset = data_module.load_csv_bytes(payload, name=name, **options)
    dataset.source = {**dataset.source, "kind": "csv", "path": str(file_path)}
    dataset.source.pop("name", None)
    return dataset
