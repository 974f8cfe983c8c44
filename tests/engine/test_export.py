"""Keras export: the script compiles, its weights file holds every layer, and run against a
NumPy stand-in for Keras (injected as sys.modules["keras"]) it reproduces `netbuilder
predict` to 1e-4 -- which proves the script's math (Normalization + the Dense stack). Where
real Keras is importable, the same check runs under Keras."""

from __future__ import annotations

import ast
import csv
import os
import re
import runpy
import subprocess
import sys
import types

import numpy as np
import pytest

from app.cli import main
from engine.export import companion_paths, export_keras, keras_script
from engine.export import keras_export as export
from engine.project import Project, runtime

# ----------------------------------------------------------------------------------------
# A tiny NumPy stand-in for the part of Keras 3 the exported script uses. It follows Keras'
# definitions (Normalization divides by max(sqrt(variance), epsilon); leaky_relu's default
# negative_slope is 0.2; weights are [kernel (n_in, units), bias]) and is strict about
# argument names and weight shapes, so a script that runs against it uses the Keras API as
# Keras spells it and computes what Keras computes.


EPSILON = 1e-7  # keras.backend.epsilon()


def _sigmoid(z):
    return np.exp(-np.logaddexp(0.0, -z))  # 1 / (1 + e^-z) without overflow warnings


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


ACTIVATIONS = {
    "linear": lambda z: z,
    "sigmoid": _sigmoid,
    "relu": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
    "softmax": _softmax,
    "leaky_relu": lambda z: np.where(z >= 0, z, 0.2 * z),
    "elu": lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0.0))),
    "softplus": lambda z: np.logaddexp(0.0, z),
    "silu": lambda z: z * _sigmoid(z),
}

LOSSES = {
    "BinaryCrossentropy": {"from_logits"},
    "CategoricalCrossentropy": {"from_logits"},
    "SparseCategoricalCrossentropy": {"from_logits"},
    "MeanSquaredError": set(),
    "MeanAbsoluteError": set(),
    "Huber": {"delta"},
}
OPTIMIZERS = {
    "SGD": {"learning_rate", "momentum", "nesterov"},
    "RMSprop": {"learning_rate", "rho", "momentum"},
    "Adam": {"learning_rate", "beta_1", "beta_2"},
}


def _configured(kind: str, allowed: set[str]):
    """A class named `kind` that accepts only Keras' keyword arguments for it."""

    def __init__(self, **kwargs):
        unknown = set(kwargs) - allowed
        if unknown:
            raise TypeError(f"{kind}() got unexpected keyword arguments {sorted(unknown)}")
        self.kwargs = kwargs

    return type(kind, (), {"__init__": __init__})


class Input:
    def __init__(self, shape):
        if not (isinstance(shape, tuple) and len(shape) == 1 and isinstance(shape[0], int)):
            raise ValueError(f"shape must be a tuple like (n,). Received: shape={shape!r}")
        self.shape = shape


class Layer:
    def __init__(self, name=None):
        if name is not None and "/" in name:
            raise ValueError(f"Layer names cannot contain '/'. Received: name={name!r}")
        self.name = name


class Normalization(Layer):
    def __init__(self, axis=-1, mean=None, variance=None, invert=False, name=None):
        super().__init__(name or "normalization")
        self.mean = np.asarray(mean, dtype=np.float32)
        self.variance = np.asarray(variance, dtype=np.float32)

    def build(self, n_in):
        if self.mean.shape != (n_in,) or self.variance.shape != (n_in,):
            raise ValueError(f"mean/variance shape {self.mean.shape} for {n_in} features")
        return n_in

    def __call__(self, x):
        return (x - self.mean) / np.maximum(np.sqrt(self.variance), np.float32(EPSILON))


class Rescaling(Layer):
    def __init__(self, scale, offset=0.0, name=None):
        super().__init__(name)
        self.scale, self.offset = float(scale), float(offset)

    def build(self, n_in):
        return n_in

    def __call__(self, x):
        return (x * np.float32(self.scale) + np.float32(self.offset)).astype(np.float32)


class L2:
    def __init__(self, l2=0.01):
        self.l2 = l2


class Dense(Layer):
    def __init__(
        self,
        units,
        activation=None,
        use_bias=True,
        kernel_regularizer=None,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        name=None,
    ):
        super().__init__(name)
        if activation is not None and activation not in ACTIVATIONS:
            raise ValueError(f"Unknown activation {activation!r}")
        self.units = units
        self.activation = ACTIVATIONS[activation or "linear"]
        self.use_bias = use_bias
        self.kernel_regularizer = kernel_regularizer
        self.kernel = self.bias = None
        self.loaded = False

    def build(self, n_in):
        self.kernel = np.zeros((n_in, self.units), dtype=np.float32)
        self.bias = np.zeros(self.units, dtype=np.float32) if self.use_bias else None
        return self.units

    def set_weights(self, weights):
        expected = [self.kernel.shape] + ([self.bias.shape] if self.use_bias else [])
        received = [np.shape(w) for w in weights]
        if received != expected:
            raise ValueError(
                f"Layer {self.name}: expected weight shapes {expected}, received {received}"
            )
        self.kernel = np.asarray(weights[0], dtype=np.float32)
        if self.use_bias:
            self.bias = np.asarray(weights[1], dtype=np.float32)
        self.loaded = True

    def __call__(self, x):
        z = x @ self.kernel
        if self.use_bias:
            z = z + self.bias
        self.last_z = z  # kept so tests can compare every layer, not only the output
        return self.activation(z).astype(np.float32)


class Sequential:
    def __init__(self, layers):
        if not isinstance(layers[0], Input):
            raise ValueError("the stub expects keras.Input first")
        width = layers[0].shape[0]
        self.layers = list(layers[1:])  # Keras 3 lists no InputLayer in model.layers
        for layer in self.layers:
            width = layer.build(width)
        self.compiled = None
        self.fit_calls = []

    def compile(self, optimizer, loss, metrics=None):
        self.compiled = {"optimizer": optimizer, "loss": loss, "metrics": metrics}

    def predict(self, x, verbose="auto"):
        a = np.asarray(x, dtype=np.float32)
        for layer in self.layers:
            a = layer(a)
        return a

    def fit(self, x, y, epochs=1, batch_size=None, validation_split=0.0, **kwargs):
        self.fit_calls.append(
            {
                "x": x,
                "y": y,
                "epochs": epochs,
                "batch_size": batch_size,
                "validation_split": validation_split,
                **kwargs,
            }
        )

    def summary(self):
        print(f"stub Sequential with {len(self.layers)} layers")


def make_stub_keras() -> types.ModuleType:
    """A fresh `keras` module object (put it in sys.modules["keras"])."""
    keras = types.ModuleType("keras")
    keras.Input = Input
    keras.Sequential = Sequential
    keras.layers = types.SimpleNamespace(
        Dense=Dense, Normalization=Normalization, Rescaling=Rescaling
    )
    keras.losses = types.SimpleNamespace(
        **{name: _configured(name, allowed) for name, allowed in LOSSES.items()}
    )
    keras.optimizers = types.SimpleNamespace(
        **{name: _configured(name, allowed) for name, allowed in OPTIMIZERS.items()}
    )
    keras.regularizers = types.SimpleNamespace(L2=L2)
    keras.utils = types.SimpleNamespace(
        to_categorical=lambda y, num_classes: np.eye(num_classes, dtype=np.float32)[
            np.asarray(y).reshape(-1).astype(int)
        ]
    )
    return keras


# ----------------------------------------------------------------------------------------
# Projects to export: every task, every scaling, every activation, every loss shape.

CONFIGS = {
    "binary-tanh": ["--builtin", "xor", "--layers", "8:tanh,1:sigmoid"],
    "multiclass-sparse": ["--builtin", "iris"],
    "multiclass-onehot": ["--builtin", "iris", "--loss", "categorical_crossentropy"],
    "regression": ["--builtin", "sine", "--layers", "16:tanh,1:linear", "--loss", "huber"],
    # MSE on a standardised target (the default): the script ends in a Rescaling layer.
    "regression-scaled-target": ["--builtin", "sine", "--layers", "16:tanh,1:linear"],
    "every-activation-minmax": [
        "--builtin",
        "circles",
        "--layers",
        "4:leaky_relu,4:elu,4:softplus,4:silu,4:relu,4:linear,1:sigmoid",
    ],
    "raw-features-sgd": [
        "--builtin",
        "moons",
        "--no-scaling",
        "--optimizer",
        "sgd",
        "--batch-size",
        "full",
        "--validation-split",
        "0",
    ],
}
TRAIN = {"multiclass-onehot": False}  # the export does not need trained weights


@pytest.fixture(scope="module", params=list(CONFIGS))
def exported(request, tmp_path_factory):
    """A project made with `netbuilder new`, trained briefly, exported with the CLI."""
    folder = tmp_path_factory.mktemp(request.param)
    path = folder / "project.nnproj"
    assert (
        main(
            ["new", str(path), *CONFIGS[request.param], "--epochs", "2", "--learning-rate", "0.05"]
        )
        == 0
    )
    if request.param.endswith("minmax"):
        project = Project.load(path)
        project.training.scaling = "minmax"
        project.layers[0].l2 = 0.001  # an L2 penalty travels as kernel_regularizer
        runtime.prepare_data(project)
        project.save(path)
    if TRAIN.get(request.param, True):
        assert main(["train", str(path)]) == 0
    script = folder / "export" / "model.py"
    script.parent.mkdir()
    assert main(["export", "keras", str(path), "-o", str(script)]) == 0
    return {"name": request.param, "project": path, "script": script}


@pytest.fixture
def stub_keras(monkeypatch):
    keras = make_stub_keras()
    monkeypatch.setitem(sys.modules, "keras", keras)
    return keras


def run_script(script, as_main=False):
    """The script's globals after running it (as __main__ when as_main)."""
    return runpy.run_path(str(script), run_name="__main__" if as_main else "exported_model")


def netbuilder_predictions(project_path, x, folder):
    """What `netbuilder predict` writes for raw features x: P(class) (n, k) for
    classification, the value (n, 1) for regression."""
    dataset = Project.load(project_path).dataset
    source = folder / "predict_in.csv"
    with open(source, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(dataset.feature_names)
        writer.writerows([[f"{v:.9g}" for v in row] for row in x])
    out = folder / "predict_out.csv"
    assert main(["predict", str(project_path), str(source), "-o", str(out), "--probabilities"]) == 0
    with open(out, newline="", encoding="utf-8") as f:
        header, *rows = list(csv.reader(f))
    if dataset.class_names is None:
        return np.array([[float(r[0])] for r in rows])
    probs = np.array([[float(v) for v in r[1:]] for r in rows])
    return probs[:, 1:] if len(dataset.class_names) == 2 else probs  # sigmoid gives P(class 1)


# ----------------------------------------------------------------------------------------


def test_the_script_compiles_and_reads_like_the_course(exported):
    source = exported["script"].read_text(encoding="utf-8")
    compile(source, str(exported["script"]), "exec")
    tree = ast.parse(source)
    functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert {"build_model", "load_data"} <= functions
    assert 'if __name__ == "__main__":' in source and "model.fit(X, Y, epochs=2" in source
    assert "keras.Input(shape=(" in source
    has_normalization = "keras.layers.Normalization(mean=MEAN, variance=VARIANCE)" in source
    assert has_normalization != exported["name"].startswith("raw-features")
    project = Project.load(exported["project"])
    for layer in project.layers:
        assert re.search(
            rf'keras\.layers\.Dense\(\s*units={layer.units},\s*activation="{layer.activation}"',
            source,
        )
    assert max(len(line) for line in source.splitlines()) <= 100
    regularized = "kernel_regularizer=keras.regularizers.L2(0.001)" in source
    assert regularized == exported["name"].endswith("minmax")


def test_the_weights_file_holds_every_layer_in_keras_layout(exported):
    project = Project.load(exported["project"])
    weights_path, data_path = companion_paths(exported["script"])
    assert weights_path.name == "model_weights.npz" and data_path.name == "model_data.csv"
    with np.load(weights_path, allow_pickle=False) as stored:
        names = [layer.name for layer in runtime.build_model(project).layers]
        assert sorted(stored.files) == sorted(
            f"{name}/{part}" for name in names for part in ("kernel", "bias")
        )
        for i, name in enumerate(names):
            np.testing.assert_array_equal(stored[f"{name}/kernel"], project.weights[2 * i])
            np.testing.assert_array_equal(stored[f"{name}/bias"], project.weights[2 * i + 1])
            assert stored[f"{name}/kernel"].shape == (
                project.weights[2 * i].shape[0],
                project.layers[i].units,
            )


def test_the_scripts_math_reproduces_netbuilder_predict(exported, stub_keras, tmp_path):
    project = Project.load(exported["project"])
    x = project.dataset.x[:60]
    expected = netbuilder_predictions(exported["project"], x, tmp_path)
    namespace = run_script(exported["script"])
    model = namespace["build_model"]()
    assert all(layer.loaded for layer in model.layers if isinstance(layer, stub_keras.layers.Dense))
    predicted = model.predict(x)
    assert predicted.shape == expected.shape
    np.testing.assert_allclose(predicted, expected, atol=1e-4)


def test_every_layer_computes_what_the_engine_computes(exported, stub_keras):
    # The output alone can hide a wrong hidden layer (a deep sigmoid net squashes everything
    # towards 0.5), so compare each Dense layer's z = a_prev @ W + b with the engine's.
    project = Project.load(exported["project"])
    raw = project.dataset.x[:60]
    scaler = runtime.fitted_scaler(project)
    engine_z = runtime.build_model(project).preactivations(
        raw if scaler is None else scaler.transform(raw)
    )
    model = run_script(exported["script"])["build_model"]()
    model.predict(raw)
    dense = [layer for layer in model.layers if isinstance(layer, stub_keras.layers.Dense)]
    assert len(dense) == len(engine_z)
    for layer, expected in zip(dense, engine_z):
        np.testing.assert_allclose(layer.last_z, expected, rtol=1e-4, atol=1e-4, err_msg=layer.name)


def test_normalization_holds_the_projects_scaling(exported, stub_keras):
    project = Project.load(exported["project"])
    namespace = run_script(exported["script"])
    scaler = runtime.fitted_scaler(project)
    if project.training.scaling == "none":
        assert "MEAN" not in namespace
        return
    np.testing.assert_allclose(namespace["MEAN"], scaler.offset_, rtol=1e-12)
    np.testing.assert_allclose(namespace["VARIANCE"], scaler.scale_**2, rtol=1e-12)


def test_run_as_a_script_it_continues_training_with_the_projects_settings(
    exported, stub_keras, capsys
):
    project = Project.load(exported["project"])
    namespace = run_script(exported["script"], as_main=True)
    (call,) = namespace["model"].fit_calls
    dataset = project.dataset
    np.testing.assert_array_equal(call["x"], dataset.x)  # the data file round-trips exactly
    if exported["name"] == "multiclass-onehot":
        np.testing.assert_array_equal(call["y"], np.eye(3)[dataset.y[:, 0].astype(int)])
    else:
        np.testing.assert_array_equal(call["y"], dataset.y)
    assert call["epochs"] == project.training.epochs
    batch = project.training.batch_size
    assert call["batch_size"] == (len(dataset.x) if batch is None else batch)
    assert call["validation_split"] == project.training.validation_split
    compiled = namespace["model"].compiled
    assert (
        type(compiled["optimizer"]).__name__
        == {"adam": "Adam", "sgd": "SGD"}[project.compile.optimizer]
    )
    assert compiled["optimizer"].kwargs["learning_rate"] == pytest.approx(0.05)


def test_copied_code_without_the_weights_file_starts_fresh(stub_keras, tmp_path, capsys):
    path = tmp_path / "p.nnproj"
    assert main(["new", str(path), "--builtin", "xor"]) == 0
    source = keras_script(Project.load(path))
    assert "model_weights.npz" in source and "model_data.csv" in source
    script = tmp_path / "model.py"
    script.write_text(source, encoding="utf-8")
    model = run_script(script)["build_model"]()
    assert (
        "model_weights.npz not found: starting from fresh initial weights"
        in capsys.readouterr().out
    )
    assert not any(getattr(layer, "loaded", False) for layer in model.layers)
    with pytest.raises(SystemExit, match="netbuilder export keras"):
        run_script(script)["load_data"]()


def test_a_loss_on_logits_is_exported_with_from_logits(tmp_path, stub_keras):
    path = tmp_path / "p.nnproj"
    assert main(["new", str(path), "--builtin", "xor", "--layers", "4:tanh,1:linear"]) == 0
    project = Project.load(path)
    project.compile.from_logits = True
    source = keras_script(project)
    assert "loss=keras.losses.BinaryCrossentropy(from_logits=True)" in source
    assert "keras.activations.sigmoid for the probabilities" in source
    compile(source, "model.py", "exec")


def test_a_failed_export_leaves_no_half_written_file(tmp_path, monkeypatch):
    path = tmp_path / "p.nnproj"
    assert main(["new", str(path), "--builtin", "xor"]) == 0
    project = Project.load(path)
    script = tmp_path / "model.py"
    script.write_text("# the previous export\n", encoding="utf-8")

    def disk_full(f, dataset):
        f.write("x1,x2,label\n1,2")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export, "_write_data_csv", disk_full)
    with pytest.raises(export.ProjectError, match="No space left on device"):
        export_keras(project, script)
    assert script.read_text(encoding="utf-8") == "# the previous export\n"
    assert not (tmp_path / "model_data.csv").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_the_script_must_be_a_py_file(tmp_path):
    path = tmp_path / "p.nnproj"
    assert main(["new", str(path), "--builtin", "xor"]) == 0
    with pytest.raises(export.ProjectError, match="must end in .py"):
        export_keras(Project.load(path), tmp_path / "model.txt")


def keras_backend() -> str | None:
    """A Keras 3 backend that is installed here (tensorflow is not required), or None."""
    import importlib.util

    if importlib.util.find_spec("keras") is None:
        return None
    preferred = os.environ.get("KERAS_BACKEND")
    for backend in ([preferred] if preferred else []) + ["tensorflow", "torch", "jax"]:
        if importlib.util.find_spec(backend) is not None:
            return backend
    return None


# Runs in a fresh interpreter so the backend choice and Keras' import cost stay out of the
# test process: predictions of build_model(), then the script as __main__ (it trains).
REAL_KERAS_RUN = """
import contextlib, io, runpy, sys
import numpy as np
for script, x_path, out_path in zip(*[iter(sys.argv[1:])] * 3):
    model = runpy.run_path(script, run_name="exported")["build_model"]()
    np.save(out_path, model.predict(np.load(x_path), verbose=0))
    with contextlib.redirect_stdout(io.StringIO()):
        history = runpy.run_path(script, run_name="__main__")["model"].history.history
    print(script, len(history["loss"]))
"""


@pytest.mark.slow
def test_under_real_keras_predictions_match_netbuilder_predict(tmp_path):
    backend = keras_backend()
    if backend is None:
        pytest.skip("Keras 3 with a backend (tensorflow, torch or jax) is not installed")
    configs = {
        "iris": ["--builtin", "iris"],
        "circles": [
            "--builtin",
            "circles",
            "--layers",
            "4:leaky_relu,4:elu,4:softplus,4:silu,4:tanh,4:relu,1:sigmoid",
        ],
    }
    argv, expected = [], {}
    for name, options in configs.items():
        folder = tmp_path / name
        folder.mkdir()
        path = folder / "p.nnproj"
        assert main(["new", str(path), *options, "--epochs", "2"]) == 0
        assert main(["train", str(path)]) == 0
        script = folder / "model.py"
        assert main(["export", "keras", str(path), "-o", str(script)]) == 0
        x = Project.load(path).dataset.x
        np.save(folder / "x.npy", x)
        expected[name] = netbuilder_predictions(path, x, folder)
        argv += [str(script), str(folder / "x.npy"), str(folder / "keras.npy")]
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        [sys.executable, "-c", REAL_KERAS_RUN, *argv],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for name in configs:
        predicted = np.load(tmp_path / name / "keras.npy")
        np.testing.assert_allclose(predicted, expected[name], atol=1e-4, err_msg=name)
        assert f"{tmp_path / name / 'model.py'} 2" in result.stdout  # it trained 2 epochs


def test_a_standardised_target_is_undone_by_a_rescaling_layer(tmp_path, stub_keras):
    path = tmp_path / "p.nnproj"
    assert main(["new", str(path), "--builtin", "linear", "--epochs", "3"]) == 0
    assert main(["train", str(path)]) == 0
    project = Project.load(path)
    scaler = runtime.fitted_target_scaler(project)
    source = keras_script(project)
    assert 'keras.layers.Rescaling(scale=TARGET_STD, offset=TARGET_MEAN, name="target_units")' in (
        source
    )
    script = tmp_path / "model.py"
    export_keras(project, script)
    namespace = run_script(script)
    assert namespace["TARGET_MEAN"] == pytest.approx(float(scaler.offset_[0]), rel=1e-12)
    assert namespace["TARGET_STD"] == pytest.approx(float(scaler.scale_[0]), rel=1e-12)
    x = project.dataset.x[:40]
    expected = netbuilder_predictions(path, x, tmp_path)
    assert np.abs(expected).mean() > 100  # in the target's units (the linear set's ~527)
    np.testing.assert_allclose(
        namespace["build_model"]().predict(x), expected, rtol=1e-5, atol=1e-3
    )
    # Without target scaling there is nothing to undo.
    assert main(["new", str(path), "--builtin", "linear", "--no-target-scaling"]) == 0
    assert "Rescaling" not in keras_script(Project.load(path))


def test_the_distributed_script_says_how_to_run_it_on_many_devices(tmp_path, capsys):
    path = tmp_path / "p.nnproj"
    assert main(["new", str(path), "--builtin", "iris"]) == 0
    script = tmp_path / "model.py"
    assert main(["export", "keras", str(path), "-o", str(script), "--distributed"]) == 0
    source = script.read_text(encoding="utf-8")
    compile(source, str(script), "exec")
    assert "keras.distribution.DataParallel(devices=DEVICES)" in source
    assert "DEVICES = keras.distribution.list_devices()" in source
    assert "several GPUs" in source and "TPU" in source and "KERAS_BACKEND=jax" in source
    assert max(len(line) for line in source.splitlines()) <= 100
    plain = keras_script(Project.load(path))
    assert "distribution" not in plain


# Two CPU devices stand in for two GPUs: JAX splits each batch across them.
DISTRIBUTED_RUN = """
import contextlib, io, runpy, sys
import numpy as np
import keras
script, x_path, out_path = sys.argv[1:]
namespace = runpy.run_path(script, run_name="exported")
assert len(namespace["DEVICES"]) == 2, namespace["DEVICES"]
assert isinstance(keras.distribution.distribution(), keras.distribution.DataParallel)
np.save(out_path, namespace["build_model"]().predict(np.load(x_path), verbose=0))
with contextlib.redirect_stdout(io.StringIO()):
    history = runpy.run_path(script, run_name="__main__")["model"].history.history
print("epochs", len(history["loss"]), "finite", bool(np.isfinite(history["loss"]).all()))
"""


@pytest.mark.slow
def test_the_distributed_script_trains_on_two_devices_and_predicts_like_netbuilder(tmp_path):
    import importlib.util

    if importlib.util.find_spec("keras") is None or importlib.util.find_spec("jax") is None:
        pytest.skip("Keras 3 and JAX are not installed")
    results = {}
    for name, options in {"iris": ["--builtin", "iris"], "linear": ["--builtin", "linear"]}.items():
        folder = tmp_path / name
        folder.mkdir()
        path = folder / "p.nnproj"
        assert main(["new", str(path), *options, "--epochs", "3"]) == 0
        script = folder / "model.py"
        assert main(["export", "keras", str(path), "-o", str(script), "--distributed"]) == 0
        x = Project.load(path).dataset.x
        np.save(folder / "x.npy", x)
        env = {
            **os.environ,
            "KERAS_BACKEND": "jax",
            "XLA_FLAGS": "--xla_force_host_platform_device_count=2",
        }
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                DISTRIBUTED_RUN,
                str(script),
                str(folder / "x.npy"),
                str(folder / "keras.npy"),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
            cwd=folder,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        assert "epochs 3 finite True" in result.stdout
        results[name] = (np.load(folder / "keras.npy"), netbuilder_predictions(path, x, folder))
    for name, (keras_out, expected) in results.items():
        np.testing.assert_allclose(keras_out, expected, atol=1e-4, rtol=1e-5, err_msg=name)
