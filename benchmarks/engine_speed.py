"""Training speed of the engine, in microseconds per training step, against PyTorch (CPU)
measured in the same run when torch is importable (`pip install torch==2.13.0`).

    python benchmarks/engine_speed.py [--repeats 5] [--cases abc] [--float64]

Cases (the README's Performance table):
  (a) the course net 2-25-15-1, sigmoid everywhere, binary cross-entropy, Adam, batch 32,
      10,000 samples (313 steps per epoch);
  (b) 784-256-128-10, ReLU + softmax, sparse categorical cross-entropy, Adam, batch 128;
  (c) full-batch gradient descent (SGD, one step per epoch) on 200 samples, the course net.

A step is everything fit does per batch, including shuffling each epoch and recording the
epoch loss; timings are whole fit() calls divided by the number of steps, median of the
repeats, the repeats alternating between the two libraries so that load from other processes
hits both alike. The torch loops are written the way a careful torch user writes them: data as
tensors, randperm + index per batch, zero_grad(set_to_none=True), logits-based losses
(BCEWithLogitsLoss / CrossEntropyLoss, which fold the output activation in, as our fused
gradients do), torch.optim defaults (Adam eps set to Keras' 1e-7), the epoch loss accumulated
as a detached tensor. Both libraries get the same number of threads: torch.set_num_threads
is set to the BLAS thread count NumPy uses (OPENBLAS_NUM_THREADS, else one per core).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import engine  # noqa: E402
from engine.layers import Dense  # noqa: E402


def blas_threads() -> int:
    """The thread count NumPy's BLAS uses (env overrides, else one per core)."""
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        if os.environ.get(var, "").isdigit():
            return int(os.environ[var])
    return os.cpu_count() or 1


CASES = {
    "a": dict(
        title="(a) 2-25-15-1 sigmoid, BCE, Adam, batch 32, 10,000 samples",
        sizes=[2, 25, 15, 1], hidden="sigmoid", output="sigmoid", loss="binary",
        optimizer="adam", n=10_000, batch=32, epochs=3,
    ),
    "b": dict(
        title="(b) 784-256-128-10 relu/softmax, sparse CE, Adam, batch 128",
        sizes=[784, 256, 128, 10], hidden="relu", output="softmax", loss="sparse",
        optimizer="adam", n=6_400, batch=128, epochs=3,
    ),
    "c": dict(
        title="(c) full-batch gradient descent, 2-25-15-1 sigmoid, BCE, SGD, 200 samples",
        sizes=[2, 25, 15, 1], hidden="sigmoid", output="sigmoid", loss="binary",
        optimizer="sgd", n=200, batch=200, epochs=1_000,
    ),
}


def make_data(case: dict, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(case["n"], case["sizes"][0])).astype(np.float32)
    if case["loss"] == "binary":
        y = (x[:, :1] * x[:, 1:2] > 0).astype(np.float32)
    else:
        y = rng.integers(0, case["sizes"][-1], size=case["n"]).astype(np.int64)
    return x, y


def ours_runner(case: dict, x, y):
    """A function running `case["epochs"]` epochs of our fit; returns the number of steps."""
    engine.utils.set_random_seed(0)
    sizes = case["sizes"]
    model = engine.Sequential([engine.Input(shape=(sizes[0],))])
    for units in sizes[1:-1]:
        model.add(Dense(units, activation=case["hidden"]))
    model.add(Dense(sizes[-1], activation=case["output"]))
    loss = "binary_crossentropy" if case["loss"] == "binary" else "sparse_categorical_crossentropy"
    optimizer = (engine.optimizers.Adam(1e-3) if case["optimizer"] == "adam"
                 else engine.optimizers.SGD(0.1))
    model.compile(optimizer=optimizer, loss=loss)
    def run(epochs: int) -> None:
        model.fit(x, y, batch_size=case["batch"], epochs=epochs, verbose=0)

    return run


def torch_runner(torch, case: dict, x, y):
    torch.manual_seed(0)
    nn = torch.nn
    sizes = case["sizes"]
    act = nn.Sigmoid if case["hidden"] == "sigmoid" else nn.ReLU
    modules = []
    for n_in, n_out in zip(sizes[:-2], sizes[1:-1]):
        modules += [nn.Linear(n_in, n_out), act()]
    modules.append(nn.Linear(sizes[-2], sizes[-1]))  # logits; the loss applies the activation
    model = nn.Sequential(*modules)
    if case["loss"] == "binary":
        loss_fn = nn.BCEWithLogitsLoss()
        xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    else:
        loss_fn = nn.CrossEntropyLoss()
        xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    if case["optimizer"] == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
    n, batch = case["n"], case["batch"]
    full_batch = batch >= n

    def run(epochs: int) -> None:
        history = []
        for _ in range(epochs):
            total = torch.zeros(())
            if full_batch:
                batches = [(xt, yt)]
            else:
                order = torch.randperm(n)
                batches = [(xt[idx], yt[idx]) for idx in order.split(batch)]
            for xb, yb in batches:
                opt.zero_grad(set_to_none=True)
                loss = loss_fn(model(xb), yb)
                loss.backward()
                opt.step()
                total += loss.detach() * len(xb)
            history.append(total / n)
        [h.item() for h in history]

    return run


def time_interleaved(runners: list, case: dict, repeats: int) -> list[float]:
    """Median microseconds per step of each runner. Repeats alternate between the runners,
    so a load spike on this shared machine hits both sides alike."""
    steps = case["epochs"] * -(-case["n"] // case["batch"])
    for run in runners:
        run(1)  # warm-up: allocation, first-call costs
    times: list[list[float]] = [[] for _ in runners]
    for _ in range(repeats):
        for run, bucket in zip(runners, times):
            start = time.perf_counter()
            run(case["epochs"])
            bucket.append((time.perf_counter() - start) / steps * 1e6)
    return [statistics.median(bucket) for bucket in times]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cases", default="abc")
    parser.add_argument("--float64", action="store_true", help="time the engine in float64")
    args = parser.parse_args(argv)
    if args.float64:
        engine.config.set_floatx("float64")
    threads = blas_threads()
    try:
        import torch

        torch.set_num_threads(threads)
    except ImportError:
        torch = None
    print(f"NumPy {np.__version__}, {threads} BLAS thread(s), "
          + (f"torch {torch.__version__} ({torch.get_num_threads()} threads)" if torch
             else "torch not installed (pip install torch==2.13.0 for the comparison)"))
    print(f"median of {args.repeats} repeats, microseconds per training step\n")
    print(f"{'case':<78} {'ours':>9} {'torch':>9} {'ours/torch':>10}")
    for key in args.cases:
        case = CASES[key]
        x, y = make_data(case)
        runners = [ours_runner(case, x, y)]
        if torch is not None:
            if engine.config.floatx() == "float64":
                x = x.astype(np.float64)
                if case["loss"] == "binary":
                    y = y.astype(np.float64)
                torch.set_default_dtype(torch.float64)
            runners.append(torch_runner(torch, case, x, y))
        timings = time_interleaved(runners, case, args.repeats)
        line = f"{case['title']:<78} {timings[0]:9.1f}"
        if torch is not None:
            line += f" {timings[1]:9.1f} {timings[0] / timings[1]:10.2f}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
