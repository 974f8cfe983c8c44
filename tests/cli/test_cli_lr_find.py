"""`netbuilder lr-find`: prints the engine's suggestion and a short table, never changes the
project file, draws the curve as a PNG with -o (in a real process without a display; the
command line loads Qt only then), and reports problems in one line."""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys

import pytest

from app.cli import main
from engine.lr_finder import find_learning_rate
from engine.project import LayerSpec, Project

SUGGESTION = re.compile(
    r"^Suggested learning rate: (\S+) \((steepest descent of the smoothed loss|"
    r"a tenth of the rate at the minimum[^;]*); current 0\.001\)$"
)


def run(capsys, *argv):
    capsys.readouterr()
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def headless_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    return env


def run_process(*argv, cwd):
    return subprocess.run(
        [sys.executable, *map(str, argv)],
        capture_output=True,
        text=True,
        timeout=120,
        env=headless_env(),
        cwd=cwd,
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    path = tmp_path_factory.mktemp("lr") / "coffee.nnproj"
    argv = ["new", str(path), "--builtin", "coffee", "--layers", "8:relu,1:sigmoid"]
    assert main(argv) == 0
    return path


def test_prints_the_suggestion_and_a_table_and_leaves_the_file_alone(project, capsys):
    before = project.read_bytes()
    code, out, err = run(capsys, "lr-find", project)
    assert code == 0, err
    assert project.read_bytes() == before
    lines = out.splitlines()
    match = SUGGESTION.match(lines[0])
    assert match, lines[0]
    suggested = float(match.group(1))
    assert 1e-6 <= suggested <= 10.0
    expected = find_learning_rate(Project.load(project))
    assert match.group(1) == f"{expected.suggestion:.3g}"
    assert lines[1].startswith("Searched 200 steps from 1e-06 to ")
    header = lines.index(f"{'learning rate':>14}  {'smoothed loss':>13}")
    rows = lines[header + 1 :]
    assert 3 <= len(rows) <= 12
    assert any(row.endswith("<- suggested") for row in rows)
    rates = [float(row.split()[0]) for row in rows]
    assert rates == sorted(rates) and rates[0] == 1e-6


def test_steps_and_usage_errors(project, capsys):
    code, out, _ = run(capsys, "lr-find", project, "--steps", "40")
    assert code == 0 and "Searched 40 steps" in out
    code, _, err = run(capsys, "lr-find", project, "--steps", "1")
    assert code == 2 and "expected 2 to" in err
    code, _, err = run(capsys, "lr-find", project, "-o", "curve.svg")
    assert code == 2 and "PNG" in err


def test_a_project_without_data_or_no_project_is_one_line(tmp_path, capsys):
    bare = tmp_path / "bare.nnproj"
    Project(name="bare", layers=[LayerSpec(4, "relu"), LayerSpec(1, "sigmoid")], input_dim=2).save(
        bare
    )
    code, out, err = run(capsys, "lr-find", bare)
    assert code == 1 and out == ""
    assert err.startswith(f"netbuilder: error: {bare}: ") and len(err.splitlines()) == 1
    assert "dataset" in err
    missing = tmp_path / "missing.nnproj"
    code, _, err = run(capsys, "lr-find", missing)
    assert code == 1 and err == f"netbuilder: error: {missing}: no such file\n"


def test_without_o_no_qt_is_imported(project, tmp_path):
    result = run_process("-X", "importtime", "-m", "app", "lr-find", project, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    imported = [
        line.rsplit("|", 1)[-1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    ]
    assert "app.cli.lr_find" in imported
    assert not [m for m in imported if m.split(".")[0] in ("PySide6", "shiboken6", "pyqtgraph")]


def test_o_writes_the_curve_as_a_png_without_a_display(project, tmp_path):
    before = project.read_bytes()
    plot = tmp_path / "plot.png"
    result = run_process("-m", "app", "lr-find", project, "-o", plot, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no Qt chatter on a headless machine
    assert f"Wrote {plot}" in result.stdout
    data = plot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert (width, height) == (900, 560)
    assert len(data) > 10_000  # a drawing, not an empty canvas
    assert project.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plot.png"]  # no temporary left


def test_an_unwritable_plot_path_is_one_line(project, tmp_path):
    plot = tmp_path / "no-such-folder" / "plot.png"
    result = run_process("-m", "app", "lr-find", project, "-o", plot, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == f"netbuilder: error: {plot}: No such file or directory\n"
