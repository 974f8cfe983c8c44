"""Do Netbuilder's defaults generalise? Held-out scores of `netbuilder new` + `train` with every
default, beside scikit-learn's default MLP on the same rows.

For each dataset that ships inside scikit-learn (nothing is downloaded) and each seed, the rows
are cut into train.csv and test.csv (75% / 25%, stratified for classes), and the command line
runs exactly as a person would, each command in its own process:

    netbuilder new p.nnproj --data train.csv --target T
    netbuilder train p.nnproj
    netbuilder evaluate p.nnproj --data test.csv      # accuracy, or R2 for a regression

The peer is scikit-learn's MLPClassifier / MLPRegressor with its defaults (one hidden layer of
100 ReLU units, Adam at 0.001, 200 iterations, L2 1e-4) behind a StandardScaler, and for a
regression with the target standardised too (TransformedTargetRegressor) -- Netbuilder scales
both by default, and the bare MLP is a much weaker peer (its R2 on diabetes is about -1.3:
200 iterations do not reach a target of a few hundred). It is fitted on train.csv and scored
on test.csv. scikit-learn is used here only, never by Netbuilder.

The defaults were chosen on the TUNING sets; the CONFIRM sets were not looked at while
choosing them. No dataset is special-cased anywhere in Netbuilder.

    pip install scikit-learn
    python benchmarks/default_quality.py                 # every set, seeds 0 1 2
    python benchmarks/default_quality.py --sets diabetes --seeds 0
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# name -> (loader name in sklearn.datasets or a generator, task, role)
SETS = {
    "breast_cancer": ("classification", "tuning"),
    "diabetes": ("regression", "tuning"),
    "digits": ("classification", "confirm"),
    "wine": ("classification", "confirm"),
    # Looked at once the first choice (32 hidden units at least) fell 0.04 short on it, so
    # from then on a tuning set; friedman2 took its place as an unseen regression.
    "friedman1": ("regression", "tuning"),
    "friedman2": ("regression", "confirm"),
    # Added once the patience was raised to 40 on the tuning sets: never run before that.
    "iris": ("classification", "confirm"),
    "friedman3": ("regression", "confirm"),
}


def load(name, seed):
    """(X, y) of a dataset that ships with scikit-learn (the friedman sets are generated,
    seeded)."""
    from sklearn import datasets

    if name == "friedman1":  # 10 features, 5 of them noise; a smooth non-linear target
        x, y = datasets.make_friedman1(n_samples=600, noise=1.0, random_state=1000 + seed)
        return x, y * 20  # a target of a few hundred, like a price
    if name == "friedman2":  # 4 features, a target of a few hundred
        return datasets.make_friedman2(n_samples=600, noise=10.0, random_state=2000 + seed)
    if name == "friedman3":  # 4 features, an angle as the target (0 to 1.6)
        return datasets.make_friedman3(n_samples=600, noise=0.1, random_state=3000 + seed)
    return getattr(datasets, f"load_{name}")(return_X_y=True)


def write_csv(path, x, y):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow([f"f{i}" for i in range(x.shape[1])] + ["target"])
        for row, target in zip(x, y):
            writer.writerow([f"{v:.9g}" for v in row] + [f"{target:.9g}"])


def netbuilder(*args, cwd):
    command = [sys.executable, "-m", "app", *map(str, args)]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
    result = subprocess.run(command, capture_output=True, text=True, cwd=cwd, env=env)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr}")
    return result.stdout


def netbuilder_score(folder, task):
    project = folder / "p.nnproj"
    netbuilder("new", project, "--data", folder / "train.csv", "--target", "target", cwd=folder)
    trained = netbuilder("train", project, cwd=folder)
    out = netbuilder("evaluate", project, "--data", folder / "test.csv", cwd=folder)
    metric = "accuracy" if task == "classification" else "r2"
    score = float(re.search(rf"^{metric} (\S+)$", out, flags=re.M)[1])
    epochs = int(re.search(r"trained (\d+) epoch", trained)[1])
    return score, epochs


def sklearn_score(x_train, y_train, x_test, y_test, task, seed):
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if task == "classification":
        model = make_pipeline(StandardScaler(), MLPClassifier(random_state=seed))
    else:
        model = TransformedTargetRegressor(
            make_pipeline(StandardScaler(), MLPRegressor(random_state=seed)),
            transformer=StandardScaler(),
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # 200 iterations is its default
        model.fit(x_train, y_train)
    return float(model.score(x_test, y_test))  # accuracy, or R2 for a regressor


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=list(SETS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    args = parser.parse_args()
    try:
        from sklearn.model_selection import train_test_split
    except ImportError:
        print(
            "This benchmark compares with scikit-learn: pip install scikit-learn", file=sys.stderr
        )
        return 1

    rows = []
    for name in args.sets:
        task, role = SETS[name]
        ours, theirs, epochs = [], [], []
        started = time.perf_counter()
        for seed in args.seeds:
            x, y = load(name, seed)
            split = train_test_split(
                x,
                y,
                test_size=0.25,
                random_state=seed,
                stratify=y if task == "classification" else None,
            )
            x_train, x_test, y_train, y_test = split
            with tempfile.TemporaryDirectory() as tmp:
                folder = Path(tmp)
                write_csv(folder / "train.csv", x_train, y_train)
                write_csv(folder / "test.csv", x_test, y_test)
                score, ran = netbuilder_score(folder, task)
            ours.append(score)
            epochs.append(ran)
            theirs.append(sklearn_score(x_train, y_train, x_test, y_test, task, seed))
            print(
                f"  {name} seed {seed}: netbuilder {score:.4f} ({ran} epochs), "
                f"scikit-learn {theirs[-1]:.4f}",
                file=sys.stderr,
                flush=True,
            )
        a, b = statistics.median(ours), statistics.median(theirs)
        rows.append(
            (
                name,
                role,
                task,
                x.shape,
                a,
                b,
                statistics.median(epochs),
                time.perf_counter() - started,
            )
        )

    print(
        f"\nHeld-out scores, median of seeds {' '.join(map(str, args.seeds))} "
        "(accuracy for classes, R2 for regression):\n"
    )
    print(
        "| dataset | set | rows x features | metric | Netbuilder defaults | scikit-learn MLP "
        "| difference | epochs run |"
    )
    print("|---|---|---:|---|---:|---:|---:|---:|")
    worst = float("inf")
    for name, role, task, shape, a, b, ran, _ in rows:
        metric = "accuracy" if task == "classification" else "R2"
        worst = min(worst, a - b)
        print(
            f"| {name} | {role} | {shape[0]} x {shape[1]} | {metric} | {a:.3f} | {b:.3f} "
            f"| {a - b:+.3f} | {ran:.0f} |"
        )
    verdict = "within 0.02 of (or better than)" if worst >= -0.02 else "NOT within 0.02 of"
    print(f"\nEvery set is {verdict} scikit-learn's default MLP (worst difference {worst:+.3f}).")
    return 0 if worst >= -0.02 else 1


if __name__ == "__main__":
    sys.exit(main())
