"""`netbuilder evaluate --per-class`: the per-class table, the same numbers as a direct
computation on the model's own predictions (and as the window's metrics table, which calls the
same engine.project.reports function)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from app.cli import main
from engine.project import Project, runtime

CSV = Path(__file__).resolve().parents[1] / "fixtures" / "csv"


def run(capsys, *argv):
    capsys.readouterr()
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_per_class_prints_precision_recall_f1_and_support_of_every_class(tmp_path, capsys):
    path = tmp_path / "digits.nnproj"
    assert (
        main(
            [
                "new",
                str(path),
                "--data",
                str(CSV / "digits_64.csv"),
                "--target",
                "digit",
                "--layers",
                "16:relu,10:softmax",
                "--epochs",
                "3",
            ]
        )
        == 0
    )
    assert main(["train", str(path)]) == 0
    code, out, err = run(capsys, "evaluate", path, "--per-class")
    assert code == 0, err
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("class"))
    rows = [line.split() for line in lines[header + 1 : header + 11]]
    assert [r[0] for r in rows] == [f"d{k}" for k in range(10)]

    project = Project.load(path)
    x = runtime.scale_features(project, project.dataset.x)
    predicted = runtime.predicted_classes(
        project.compile, runtime.build_model(project).predict(x, verbose=0)
    )
    actual = project.dataset.y[:, 0].astype(int)
    for k, (_, precision, recall, f1, support) in enumerate(rows):
        tp = np.sum((predicted == k) & (actual == k))
        expected_p = tp / max(np.sum(predicted == k), 1)
        expected_r = tp / np.sum(actual == k)
        assert float(precision) == round(expected_p, 4)
        assert float(recall) == round(expected_r, 4)
        both = expected_p + expected_r
        assert float(f1) == round(2 * expected_p * expected_r / both if both else 0.0, 4)
        assert int(support) == np.sum(actual == k)
    assert sum(int(r[4]) for r in rows) == len(actual) == 1500
    accuracy = next(line for line in lines if line.startswith("accuracy")).split()
    assert float(accuracy[1]) == round(float(np.mean(predicted == actual)), 4)


def test_per_class_for_regression_prints_mae_rmse_and_r2(tmp_path, capsys):
    path = tmp_path / "sine.nnproj"
    assert (
        main(
            ["new", str(path), "--builtin", "sine", "--layers", "8:tanh,1:linear", "--epochs", "2"]
        )
        == 0
    )
    code, out, err = run(capsys, "evaluate", path, "--per-class")
    assert code == 0, err
    values = dict(line.split() for line in out.splitlines())
    project = Project.load(path)
    x = runtime.scale_features(project, project.dataset.x)
    outputs = runtime.build_model(project).predict(x, verbose=0)
    # In the target's own units: a new regression project trains on a standardised target.
    p = runtime.to_target_units(runtime.fitted_target_scaler(project), outputs)[:, 0]
    y = project.dataset.y[:, 0]
    assert int(values["rows"]) == len(y)
    assert float(values["mae"]) == float(f"{np.mean(np.abs(y - p)):.4g}")
    assert float(values["r2"]) == float(
        f"{1 - np.sum((y - p) ** 2) / np.sum((y - y.mean()) ** 2):.4g}"
    )
