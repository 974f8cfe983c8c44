"""Training speed of the engine, in microseconds per training step, against PyTorch (CPU)
and JAX (CPU) measured in the same run when they are importable (`pip install torch==2.13.0`,
`pip install jax`). Either peer is optional: without it the benchmark says so and times the
others.

    python benchmarks/engine_speed.py [--repeats 5] [--cases abc] [--float64] [--before REF]

--before REF also times the engine as it was at git revision REF (its engine/ package,
taken with `git archive` into a temporary directory and imported as `engine_before`) in the
same process, interleaved with the others: the README's "before" column.

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

JAX runs in two styles, from the same initial weights as ours (copied from our model, Glorot
uniform kernels and zero biases), the same batches (one permutation per epoch, the same
remainder batch) and Keras' Adam formula written out (m += (g - m)(1 - b1), ...):
  jax-jit   one jitted step (forward, grad, Adam) called from Python per batch, the way most
            JAX training loops run;
  jax-scan  jax.jit over lax.scan of every full batch of an epoch: one call per epoch, the
            whole epoch one XLA program (the remainder batch, if any, is one jitted step). For
            the full-batch case (c) the scan runs over the epochs, one call per fit.
Both use logits losses (sigmoid / softmax folded in), as torch and our fused gradients do.
XLA's CPU backend picks its own thread count (one per core).
"""

from __future__ import annotations

import argparse
import importlib
import io
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import engine  # noqa: E402


def blas_threads() -> int:
    """The thread count NumPy's BLAS uses (env overrides, else one per core)."""
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        if os.environ.get(var, "").isdigit():
            return int(os.environ[var])
    return os.cpu_count() or 1


CASES = {
    "a": dict(
        title="(a) 2-25-15-1 sigmoid, BCE, Adam, batch 32, 10,000 samples",
        sizes=[2, 25, 15, 1],
        hidden="sigmoid",
        output="sigmoid",
        loss="binary",
        optimizer="adam",
        n=10_000,
        batch=32,
        epochs=3,
    ),
    "b": dict(
        title="(b) 784-256-128-10 relu/softmax, sparse CE, Adam, batch 128",
        sizes=[784, 256, 128, 10],
        hidden="relu",
        output="softmax",
        loss="sparse",
        optimizer="adam",
        n=6_400,
        batch=128,
        epochs=3,
    ),
    "c": dict(
        title="(c) full-batch gradient descent, 2-25-15-1 sigmoid, BCE, SGD, 200 samples",
        sizes=[2, 25, 15, 1],
        hidden="sigmoid",
        output="sigmoid",
        loss="binary",
        optimizer="sgd",
        n=200,
        batch=200,
        epochs=1_000,
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


def engine_at(ref: str):
    """The engine package as of git revision `ref`, imported as `engine_before` (the engine
    uses relative imports only, so a copy under another name is self-contained)."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "engine"], capture_output=True, check=False
    )
    if archive.returncode:
        sys.exit(f"--before {ref}: {archive.stderr.decode().strip()}")
    directory = Path(tempfile.mkdtemp(prefix="engine_before_"))
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(directory, filter="data")
    (directory / "engine").rename(directory / "engine_before")
    sys.path.insert(0, str(directory))
    return importlib.import_module("engine_before")


def ours_runner(case: dict, x, y, eng=engine):
    """A function running `case["epochs"]` epochs of fit with engine package `eng` (ours, or
    the --before one); `run.initial_weights` are its starting weights."""
    eng.utils.set_random_seed(0)
    sizes = case["sizes"]
    model = eng.Sequential([eng.Input(shape=(sizes[0],))])
    for units in sizes[1:-1]:
        model.add(eng.layers.Dense(units, activation=case["hidden"]))
    model.add(eng.layers.Dense(sizes[-1], activation=case["output"]))
    loss = "binary_crossentropy" if case["loss"] == "binary" else "sparse_categorical_crossentropy"
    optimizer = (
        eng.optimizers.Adam(1e-3) if case["optimizer"] == "adam" else eng.optimizers.SGD(0.1)
    )
    model.compile(optimizer=optimizer, loss=loss)

    def run(epochs: int) -> None:
        model.fit(x, y, batch_size=case["batch"], epochs=epochs, verbose=0)

    run.initial_weights = model.get_weights()  # the JAX peers start from these
    run.model = model
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


def jax_runners(jax, case: dict, x, y, initial: list[np.ndarray]):  # noqa: C901 - both JAX styles side by side
    """(jit per step, scan per epoch) runners: the same network, initial weights, batches,
    loss and optimizer formula as ours."""
    jnp, lax = jax.numpy, jax.lax
    n, batch = case["n"], case["batch"]
    binary = case["loss"] == "binary"
    hidden = jax.nn.sigmoid if case["hidden"] == "sigmoid" else jax.nn.relu
    adam = case["optimizer"] == "adam"
    lr = 1e-3 if adam else 0.1
    b1, b2, eps = 0.9, 0.999, 1e-7
    yj = y.reshape(-1, 1).astype(np.float32) if binary else y.astype(np.int32)

    def loss_fn(params, xb, yb):
        a = xb
        for kernel, bias in params[:-1]:
            a = hidden(a @ kernel + bias)
        kernel, bias = params[-1]
        z = a @ kernel + bias
        if binary:  # binary cross-entropy of sigmoid(z), from the logits
            return jnp.mean(jax.nn.softplus(z) - z * yb)
        log_p = jax.nn.log_softmax(z)
        return -jnp.mean(jnp.take_along_axis(log_p, yb[:, None], axis=1))

    def update(state, xb, yb):
        params, m, v, t = state
        value, grads = jax.value_and_grad(loss_fn)(params, xb, yb)
        if adam:  # Keras 3's Adam: bias correction folded into the step size
            t = t + 1
            alpha = lr * jnp.sqrt(1.0 - b2**t) / (1.0 - b1**t)
            m = jax.tree.map(lambda m_, g: m_ + (g - m_) * (1.0 - b1), m, grads)
            v = jax.tree.map(lambda v_, g: v_ + (g * g - v_) * (1.0 - b2), v, grads)
            params = jax.tree.map(
                lambda w, m_, v_: w - alpha * m_ / (jnp.sqrt(v_) + eps), params, m, v
            )
        else:
            params = jax.tree.map(lambda w, g: w - lr * g, params, grads)
        return (params, m, v, t), value

    def fresh_state():
        params = [(jnp.asarray(k), jnp.asarray(b)) for k, b in zip(initial[::2], initial[1::2])]
        zeros = jax.tree.map(jnp.zeros_like, params)
        return (params, zeros, zeros, jnp.zeros((), jnp.float32))

    step = jax.jit(update)
    full = n // batch * batch

    @jax.jit
    def step_at(state, xs, ys, start):
        """The step on rows start:start + batch, sliced inside the program: a slice taken in
        Python would cost a dispatch of its own per batch."""
        xb = lax.dynamic_slice_in_dim(xs, start, batch)
        return update(state, xb, lax.dynamic_slice_in_dim(ys, start, batch))

    @jax.jit
    def epoch_scan(state, xs, ys):
        xb = xs[:full].reshape(-1, batch, xs.shape[1])
        yb = ys[:full].reshape(-1, batch, *ys.shape[1:])
        state, values = lax.scan(lambda s, b: update(s, *b), state, (xb, yb))
        return state, jnp.sum(values) * batch

    @jax.jit
    def full_batch_scan(state, xs, ys, epochs_marker):
        def body(s, _):
            return update(s, xs, ys)

        return lax.scan(body, state, None, length=epochs_marker.shape[0])

    xd, yd = jnp.asarray(x), jnp.asarray(yj)
    take = jax.jit(lambda a, order: jnp.take(a, order, axis=0))
    rng = np.random.default_rng(0)

    def epoch_data():
        if batch >= n:
            return xd, yd
        order = jnp.asarray(rng.permutation(n))
        return take(xd, order), take(yd, order)

    def run_jit(epochs: int) -> None:
        state, history = fresh_state(), []
        for _ in range(epochs):
            xs, ys = epoch_data()
            total = 0.0
            if batch >= n:
                state, total = step(state, xs, ys)
                total = total * n
            else:
                for start in range(0, full, batch):
                    state, value = step_at(state, xs, ys, start)
                    total = total + value * batch
                if full < n:
                    state, value = step(state, xs[full:], ys[full:])
                    total = total + value * (n - full)
            history.append(total / n)
        [float(h) for h in history]

    def run_scan(epochs: int) -> None:
        state = fresh_state()
        if batch >= n:
            state, values = full_batch_scan(state, xd, yd, np.empty(epochs))
            np.asarray(values)
            return
        history = []
        for _ in range(epochs):
            xs, ys = epoch_data()
            state, total = epoch_scan(state, xs, ys)
            if full < n:
                state, value = step(state, xs[full:], ys[full:])
                total = total + value * (n - full)
            history.append(total / n)
        [float(h) for h in history]

    return run_jit, run_scan


def time_interleaved(
    runners: list, case: dict, repeats: int, clock=time.perf_counter
) -> list[float]:
    """Median microseconds per step of each runner. Repeats alternate between the runners,
    so a load spike on this shared machine hits both sides alike."""
    steps = case["epochs"] * -(-case["n"] // case["batch"])
    for run in runners:
        run(case["epochs"])  # warm-up: allocation, first calls, JAX's compilations
    times: list[list[float]] = [[] for _ in runners]
    for _ in range(repeats):
        for run, bucket in zip(runners, times):
            start = clock()
            run(case["epochs"])
            bucket.append((clock() - start) / steps * 1e6)
    return [statistics.median(bucket) for bucket in times]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cases", default="abc")
    parser.add_argument("--float64", action="store_true", help="time the engine in float64")
    parser.add_argument(
        "--before", metavar="REF", help="also time the engine of git revision REF (e.g. main~3)"
    )
    parser.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="wall time, or the CPU time of the whole process (every thread: BLAS, XLA), which "
        "leaves out the time spent waiting for a core on a busy machine",
    )
    args = parser.parse_args(argv)
    before = engine_at(args.before) if args.before else None
    if args.float64:
        engine.config.set_floatx("float64")
        if before is not None:
            before.config.set_floatx("float64")
    threads = blas_threads()
    try:
        import torch

        torch.set_num_threads(threads)
    except ImportError:
        torch = None
    try:
        import jax

        jax.config.update("jax_platforms", "cpu")
    except ImportError:
        jax = None
    if jax is not None and args.float64:
        print("JAX is timed in float32 only: skipped with --float64")
        jax = None
    print(
        f"NumPy {np.__version__}, {threads} BLAS thread(s), "
        + (
            f"torch {torch.__version__} ({torch.get_num_threads()} threads)"
            if torch
            else "torch not installed (pip install torch==2.13.0 for the comparison)"
        )
        + ", "
        + (
            f"jax {jax.__version__} (CPU)"
            if jax
            else "jax not installed (pip install jax for the comparison)"
        )
    )
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    print(
        f"median of {args.repeats} interleaved repeats, microseconds per training step "
        f"({'process CPU' if args.clock == 'cpu' else 'wall'} time)\n"
    )
    names = (
        ["ours"]
        + (["before"] if before else [])
        + (["torch"] if torch else [])
        + (["jax-jit", "jax-scan"] if jax else [])
    )
    print(
        f"{'case':<78} "
        + " ".join(f"{name:>9}" for name in names)
        + "".join(f" {'/' + name:>9}" for name in names[1:])
    )
    for key in args.cases:
        case = CASES[key]
        x, y = make_data(case)
        ours = ours_runner(case, x, y)
        runners = [ours]
        if before is not None:
            runners.append(ours_runner(case, x, y, before))
        initial = ours.initial_weights
        if engine.config.floatx() == "float64":
            x = x.astype(np.float64)
            if case["loss"] == "binary":
                y = y.astype(np.float64)
        if torch is not None:
            if engine.config.floatx() == "float64":
                torch.set_default_dtype(torch.float64)
            runners.append(torch_runner(torch, case, x, y))
        if jax is not None:
            runners.extend(jax_runners(jax, case, x, y, initial))
        timings = time_interleaved(runners, case, args.repeats, clock)
        line = f"{case['title']:<78} " + " ".join(f"{t:9.1f}" for t in timings)
        line += "".join(f" {timings[0] / t:9.2f}" for t in timings[1:])
        print(line, flush=True)


if __name__ == "__main__":
    main()
