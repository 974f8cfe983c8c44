"""Write the example projects in resources/examples/ from the engine, so they always match
the current schema. Run after any change to the project format or the built-in datasets:

    python scripts/make_examples.py

Each example is trained briefly (a fixed seed, so every run trains the same way) so that it
opens with weights, a cost curve and the weights of its epochs to scrub through.
coffee.nnproj is the project the app opens by default (Project.default()).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.project import (  # noqa: E402
    CompileSpec,
    DatasetSource,
    LayerSpec,
    Project,
    TrainingSpec,
    runtime,
)
from engine.snapshot_keeper import EpochSnapshots  # noqa: E402

EXAMPLES = ROOT / "resources" / "examples"


def train(project: Project) -> dict[str, float]:
    """Train `project` for training.epochs from its seed and record the result in it.
    Returns the last epoch's logs."""
    model = runtime.build_model(project, seed=runtime.run_seed(project))
    data = runtime.prepare_data(project)
    epochs = project.training.epochs
    keeper = EpochSnapshots()  # what the window and `netbuilder train` keep: a full timeline
    outcome = runtime.fit_run(model, data, project.training, epochs, callbacks=[keeper])
    runtime.record_run(project, outcome, data.scaler_config, snapshots=keeper.snapshots())
    return {name: values[-1] for name, values in outcome.history.items()}


def coffee() -> Project:
    """The course network on the coffee-roasting data: Project.course(), which is also what
    Project.default() gives when this file is missing, untrained."""
    return Project.course()


def xor() -> Project:
    project = Project(
        name="XOR",
        layers=[LayerSpec(8, "relu", "hidden"), LayerSpec(1, "sigmoid", "output")],
        compile=CompileSpec(loss="binary_crossentropy", optimizer="adam", learning_rate=0.02),
        training=TrainingSpec(epochs=200, batch_size=32, validation_split=0.2, seed=0),
        dataset_source=DatasetSource(kind="builtin", name="xor"),
    )
    project.load_dataset()
    return project


def sine() -> Project:
    project = Project(
        name="Sine regression",
        layers=[
            LayerSpec(32, "relu", "hidden1"),
            LayerSpec(16, "relu", "hidden2"),
            LayerSpec(1, "linear", "output"),
        ],
        compile=CompileSpec(
            loss="mean_squared_error", optimizer="adam", learning_rate=0.01, metrics=["mae"]
        ),
        training=TrainingSpec(epochs=300, batch_size=32, validation_split=0.2, seed=0),
        dataset_source=DatasetSource(kind="builtin", name="sine"),
    )
    project.load_dataset()
    return project


def iris() -> Project:
    project = Project(
        name="Iris",
        layers=[LayerSpec(16, "relu", "hidden"), LayerSpec(3, "softmax", "output")],
        compile=CompileSpec(
            loss="sparse_categorical_crossentropy",
            optimizer="adam",
            learning_rate=0.01,
            metrics=["accuracy"],
        ),
        training=TrainingSpec(epochs=150, batch_size=16, validation_split=0.2, seed=0),
        dataset_source=DatasetSource(kind="builtin", name="iris"),
    )
    project.load_dataset()
    return project


EXAMPLE_MAKERS = {"coffee": coffee, "xor": xor, "sine": sine, "iris": iris}


def main() -> int:
    EXAMPLES.mkdir(parents=True, exist_ok=True)
    for file_name, make in EXAMPLE_MAKERS.items():
        start = time.perf_counter()
        project = make()
        logs = train(project)
        path = project.save(EXAMPLES / f"{file_name}.nnproj")
        shown = ", ".join(f"{k}={v:.4g}" for k, v in logs.items())
        print(
            f"{path.relative_to(ROOT)}: {project.epochs_trained} epochs, {shown} "
            f"({time.perf_counter() - start:.1f} s, {path.stat().st_size:,} bytes)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
