"""How fast and how lean is engine.data.load_csv next to bare pandas.read_csv?

Generates a CSV of 1,000,000 rows x 10 numeric columns (9 features and a real-valued target)
in a temporary folder, then measures on that same file, in this run:

- the median of 5 wall-clock times of pandas.read_csv(path) and of
  load_csv(path, target="target"); goal: ratio <= 1.5;
- peak memory while load_csv runs, against the size of the final x and y arrays; goal < 3x.
  Two measures: tracemalloc (NumPy and Python allocations; pandas' C tokenizer buffers are
  not traced) and the growth of the process's peak resident set (VmHWM) in a fresh child
  process (Linux), which counts everything.

Usage: python benchmarks/data_speed.py [--rows N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.data import load_csv  # noqa: E402

N_COLUMNS = 10

_CHILD = r"""
import sys
sys.path.insert(0, {root!r})
import numpy, pandas
from engine.data import load_csv
# Warm up on a tiny file so lazy imports inside read_csv are not counted.
tiny = {path!r} + ".tiny.csv"
open(tiny, "w").write("a,target\n1,2\n3,4\n")
load_csv(tiny, target="target"); pandas.read_csv(tiny)
def status(key):  # kB figures from /proc/self/status
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024
before = status("VmRSS:")
# Reset the peak (VmHWM) to the current resident set, so only the load counts.
open("/proc/self/clear_refs", "w").write("5")
if {which!r} == "pandas":
    df = pandas.read_csv({path!r})
    final = int(df.memory_usage(index=False).sum())
else:
    ds = load_csv({path!r}, target="target")
    final = ds.x.nbytes + ds.y.nbytes
print(status("VmHWM:") - before, final)
"""


def make_csv(path: Path, n_rows: int) -> None:
    rng = np.random.default_rng(0)
    data = rng.normal(size=(n_rows, N_COLUMNS)) * rng.uniform(0.1, 100, N_COLUMNS)
    names = [f"f{i + 1}" for i in range(N_COLUMNS - 1)] + ["target"]
    pd.DataFrame(data, columns=names).to_csv(path, index=False, float_format="%.6g")


def interleaved_times(fns: dict, repeats: int = 5) -> dict:
    """Seconds per run for each function, run in turns so that both see the same load from
    other processes on a shared machine."""
    times: dict = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.csv"
        start = time.perf_counter()
        make_csv(path, args.rows)
        size_mb = path.stat().st_size / 1e6
        print(
            f"file: {args.rows:,} rows x {N_COLUMNS} columns, {size_mb:.0f} MB "
            f"(generated in {time.perf_counter() - start:.1f} s)"
        )

        load_csv(path, target="target")  # warm the page cache and lazy imports
        times = interleaved_times(
            {
                "pandas.read_csv(path)": lambda: pd.read_csv(path),
                "pandas.read_csv(path, dtype=float32)": lambda: pd.read_csv(path, dtype=np.float32),
                "engine.data.load_csv(path, 'target')": lambda: load_csv(path, target="target"),
            }
        )
        for label, ts in times.items():
            print(f"{label:38s} median {statistics.median(ts):5.2f} s, best {min(ts):5.2f} s")
        t_pandas, t_load = (
            times["pandas.read_csv(path)"],
            times["engine.data.load_csv(path, 'target')"],
        )
        median_ratio = statistics.median(t_load) / statistics.median(t_pandas)
        best_ratio = min(t_load) / min(t_pandas)
        print(
            f"ratio load_csv / pandas.read_csv: median {median_ratio:.2f}, best "
            f"{best_ratio:.2f}  (goal <= 1.5)"
        )

        tracemalloc.start()
        ds = load_csv(path, target="target")
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        final = ds.x.nbytes + ds.y.nbytes
        print(f"final arrays: x {ds.x.shape} + y {ds.y.shape} = {final / 1e6:.0f} MB")
        print(
            f"peak traced memory (tracemalloc): {peak / 1e6:.0f} MB = {peak / final:.2f}x "
            "the final arrays (goal < 3x)"
        )
        del ds
        root = str(Path(__file__).resolve().parents[1])
        for which in ("pandas", "load_csv"):
            code = _CHILD.format(root=root, path=str(path), which=which)
            out = subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout.split()
            growth, final = int(out[0]), int(out[1])
            print(
                f"peak RSS growth, fresh process, {which:9s}: {growth / 1e6:4.0f} MB = "
                f"{growth / final:.2f}x its result ({final / 1e6:.0f} MB)"
            )


if __name__ == "__main__":
    main()
