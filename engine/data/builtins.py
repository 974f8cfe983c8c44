"""The built-in datasets: the course's coffee roasting data, TensorFlow-Playground-style 2-D
classification sets, two small regression sets and Iris.

Every generator takes (n_samples, noise, rng) and returns (x, y) unscaled: scaling is the
project's job, after the split. The data is shuffled (except coffee, which reproduces the
course exactly) so that a Keras-style validation_split, which takes the last rows, still sees
every class. The same seed always gives the same data.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..errors import DatasetError
from ..resources import resource_path
from .dataset import Dataset

MAX_SAMPLES = 1_000_000


@dataclass(frozen=True)
class BuiltinSpec:
    name: str
    description: str
    generate: Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]] | None
    feature_names: tuple[str, ...]
    target_name: str
    class_names: tuple[str, ...] | None
    n_samples: int  # default
    noise: float | None  # default; None: this dataset has no noise control
    noise_max: float = 1.0
    noise_meaning: str = ""
    n_samples_range: tuple[int, int] = (20, 2000)


def _split_counts(n: int, k: int) -> list[int]:
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


def _shuffled(rng, x, y):
    order = rng.permutation(len(x))
    return x[order], y[order]


def _coffee(n, noise, rng):
    # The course's load_coffee_data(), with its default_rng(2) replaced by `rng`: seed=2
    # gives the course's exact 200 samples.
    x = rng.random(n * 2).reshape(-1, 2)
    x[:, 1] = x[:, 1] * 4 + 11.5  # duration, minutes; 12-15 is best
    x[:, 0] = x[:, 0] * (285 - 150) + 150  # temperature, °C; 175-260 is best
    t, d = x[:, 0], x[:, 1]
    good = (t > 175) & (t < 260) & (d > 12) & (d < 15) & (d <= -3 / (260 - 175) * t + 21)
    y = good.astype(np.float32)
    if noise:
        flip = rng.random(n) < noise
        y[flip] = 1 - y[flip]
    return x, y


def _xor(n, noise, rng):
    # Uniform in [-1, 1]², pushed 0.05 away from the axes as in the Playground; class 1 where
    # the two coordinates have different signs (the XOR of their sign bits). Not forced to be
    # balanced: the example project xor.nnproj was trained on exactly this data.
    x = rng.uniform(-1, 1, (n, 2))
    x += np.where(x >= 0, 0.05, -0.05)
    y = ((x[:, 0] > 0) != (x[:, 1] > 0)).astype(np.float32)
    x += rng.normal(0, noise, x.shape)
    return x, y


def _circles(n, noise, rng):
    n_out, n_in = _split_counts(n, 2)
    r = np.concatenate([rng.uniform(0.7, 1.0, n_out), rng.uniform(0.0, 0.5, n_in)])
    angle = rng.uniform(0, 2 * np.pi, n)
    x = np.column_stack([r * np.cos(angle), r * np.sin(angle)])
    y = np.concatenate([np.zeros(n_out), np.ones(n_in)]).astype(np.float32)
    x += rng.normal(0, noise, x.shape)
    return _shuffled(rng, x, y)


def _moons(n, noise, rng):
    n_a, n_b = _split_counts(n, 2)
    ta, tb = rng.uniform(0, np.pi, n_a), rng.uniform(0, np.pi, n_b)
    a = np.column_stack([np.cos(ta), np.sin(ta)])
    b = np.column_stack([1 - np.cos(tb), 0.5 - np.sin(tb)])
    x = np.concatenate([a, b])
    y = np.concatenate([np.zeros(n_a), np.ones(n_b)]).astype(np.float32)
    x += rng.normal(0, noise, x.shape)
    return _shuffled(rng, x, y)


def _spiral(arms):
    def generate(n, noise, rng):
        xs, ys = [], []
        for k, m in enumerate(_split_counts(n, arms)):
            s = rng.uniform(0, 1, m)  # position along the arm, centre to tip
            angle = 1.75 * 2 * np.pi * s + 2 * np.pi * k / arms
            xs.append(np.column_stack([s * np.sin(angle), s * np.cos(angle)]))
            ys.append(np.full(m, k, dtype=np.float32))
        x = np.concatenate(xs)
        x += rng.normal(0, noise, x.shape)
        return _shuffled(rng, x, np.concatenate(ys))

    return generate


def _blobs(n, noise, rng):
    angles = np.deg2rad([90, 210, 330])
    centres = np.column_stack([np.cos(angles), np.sin(angles)])
    counts = _split_counts(n, 3)
    x = np.concatenate([c + rng.normal(0, noise, (m, 2)) for c, m in zip(centres, counts)])
    y = np.repeat(np.arange(3, dtype=np.float32), counts)
    return _shuffled(rng, x, y)


def _sine(n, noise, rng):
    x = rng.uniform(-np.pi, np.pi, (n, 1))
    y = np.sin(x[:, 0]) + rng.normal(0, noise, n)
    return x, y


def _linear(n, noise, rng):
    # The course's house prices: 1.0 (1000 sqft) costs 300 and 2.0 costs 500 (1000s of $),
    # i.e. price = 200 * size + 100.
    x = rng.uniform(0.5, 3.5, (n, 1))
    y = 200 * x[:, 0] + 100 + rng.normal(0, noise, n)
    return x, y


_PLANE = ("x1", "x2")
_SPECS: dict[str, BuiltinSpec] = {
    s.name: s
    for s in [
        BuiltinSpec(
            "coffee",
            "Coffee roasting (the course): is a roast good, from temperature and duration?",
            _coffee,
            ("Temperature (°C)", "Duration (min)"),
            "roast",
            ("bad", "good"),
            200,
            0.0,
            0.5,
            "fraction of labels flipped",
        ),
        BuiltinSpec(
            "xor",
            "XOR: class 1 where the two coordinates have different signs",
            _xor,
            _PLANE,
            "class",
            ("0", "1"),
            200,
            0.1,
            0.5,
            "std of jitter",
        ),
        BuiltinSpec(
            "circles",
            "Circles: an inner disc inside an outer ring",
            _circles,
            _PLANE,
            "class",
            ("outer", "inner"),
            200,
            0.05,
            0.5,
            "std of jitter",
        ),
        BuiltinSpec(
            "moons",
            "Two moons: interleaving half circles",
            _moons,
            _PLANE,
            "class",
            ("upper", "lower"),
            200,
            0.1,
            0.5,
            "std of jitter",
        ),
        BuiltinSpec(
            "spiral2",
            "Spiral with 2 arms: the hard one",
            _spiral(2),
            _PLANE,
            "arm",
            ("arm 1", "arm 2"),
            300,
            0.03,
            0.3,
            "std of jitter",
        ),
        BuiltinSpec(
            "spiral3",
            "Spiral with 3 arms: 3 classes",
            _spiral(3),
            _PLANE,
            "arm",
            ("arm 1", "arm 2", "arm 3"),
            300,
            0.03,
            0.3,
            "std of jitter",
        ),
        BuiltinSpec(
            "blobs",
            "Gaussian blobs: 3 classes around a circle",
            _blobs,
            _PLANE,
            "class",
            ("A", "B", "C"),
            300,
            0.35,
            1.5,
            "std of each blob",
        ),
        BuiltinSpec(
            "sine",
            "Noisy sine (regression): y = sin(x) + noise, x in [-π, π]",
            _sine,
            ("x",),
            "y",
            None,
            200,
            0.1,
            1.0,
            "std of noise added to y",
        ),
        BuiltinSpec(
            "linear",
            "House prices (regression): price = 200·size + 100 + noise",
            _linear,
            ("Size (1000 sqft)",),
            "Price (1000s of $)",
            None,
            100,
            20.0,
            100.0,
            "std of noise added to price",
        ),
        BuiltinSpec(
            "iris",
            "Iris (Fisher 1936): 150 flowers, 4 measurements, 3 species",
            None,
            ("sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"),
            "species",
            ("setosa", "versicolor", "virginica"),
            150,
            None,
            n_samples_range=(150, 150),
        ),
    ]
}


def builtin_names() -> list[str]:
    return list(_SPECS)


def describe_builtins() -> list[tuple[str, str]]:
    """[(name, one-line description)] in menu order."""
    return [(s.name, s.description) for s in _SPECS.values()]


def builtin_defaults(name: str) -> dict:
    """What a GUI needs for its sliders: default n_samples and noise, their ranges, what noise
    means, and the task. noise is None for a dataset without a noise control (iris)."""
    s = _spec(name)
    task = (
        "regression"
        if s.class_names is None
        else "binary"
        if len(s.class_names) == 2
        else "multiclass"
    )
    return {
        "n_samples": s.n_samples,
        "n_samples_range": s.n_samples_range,
        "noise": s.noise,
        "noise_range": None if s.noise is None else (0.0, s.noise_max),
        "noise_meaning": s.noise_meaning,
        "task": task,
        "n_features": len(s.feature_names),
    }


def builtin(
    name: str, n_samples: int | None = None, noise: float | None = None, seed: int = 0
) -> Dataset:
    """Make a built-in dataset by name (see builtin_names()). n_samples and noise default to
    builtin_defaults(name); the same arguments always give the same data."""
    s = _spec(name)
    n = s.n_samples if n_samples is None else n_samples
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise DatasetError(f"n_samples must be a whole number. Received: n_samples={n!r}.")
    n = int(n)
    if s.generate is None:  # a fixed table
        if n != s.n_samples:
            raise DatasetError(
                f"{name} has exactly {s.n_samples} samples. Received: "
                f"n_samples={n_samples!r}; leave it as None."
            )
        return _iris()
    k = 2 if s.class_names is None else len(s.class_names)
    if not k <= n <= MAX_SAMPLES:
        raise DatasetError(
            f"n_samples for {name} must be between {k} and {MAX_SAMPLES}. "
            f"Received: n_samples={n_samples!r}."
        )
    try:
        level = s.noise if noise is None else float(noise)
    except (TypeError, ValueError, OverflowError):  # OverflowError: a 400-digit integer
        level = math.nan
    if not (np.isfinite(level) and level >= 0):
        raise DatasetError(f"noise must be a number >= 0. Received: noise={noise!r}.")
    if name == "coffee" and level > 1:
        raise DatasetError(
            f"coffee's noise is the fraction of labels flipped, 0 to 1. Received: noise={noise!r}."
        )
    x, y = s.generate(n, level, np.random.default_rng(seed))
    return Dataset(
        x,
        y,
        feature_names=list(s.feature_names),
        target_name=s.target_name,
        class_names=None if s.class_names is None else list(s.class_names),
        name=s.name,
        source={
            "kind": "builtin",
            "name": s.name,
            "n_samples": n,
            "noise": level,
            "seed": int(seed),
        },
    )


def _iris() -> Dataset:
    # A shipped, known-clean table: the csv module is enough, and keeps this module free of
    # the CSV loader.
    path = resource_path("datasets", "iris.csv")
    if path is None:
        raise DatasetError(
            "The built-in iris data file (resources/datasets/iris.csv) is missing from this "
            "installation. Reinstall Netbuilder."
        )
    text = path.read_text(encoding="utf-8")
    header, *rows = list(csv.reader(text.splitlines()))
    classes = ["setosa", "versicolor", "virginica"]
    x = np.array([[float(v) for v in r[:4]] for r in rows], dtype=np.float32)
    y = np.array([classes.index(r[4]) for r in rows], dtype=np.float32)
    return Dataset(
        x,
        y,
        feature_names=header[:4],
        target_name=header[4],
        class_names=classes,
        name="iris",
        source={"kind": "builtin", "name": "iris", "n_samples": 150, "noise": None, "seed": 0},
    )


def _spec(name: str) -> BuiltinSpec:
    key = str(name).lower()
    if key not in _SPECS:
        raise DatasetError(
            f"Unknown built-in dataset. Received: name={name!r}; expected one of {builtin_names()}."
        )
    return _SPECS[key]
