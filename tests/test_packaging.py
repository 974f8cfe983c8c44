"""Guards on how Netbuilder is installed."""

import os
import subprocess
import sys
import tomllib
import zipfile
from importlib.metadata import version
from pathlib import Path

from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def test_installed_pyside6_is_below_the_release_that_crashes_painting_threads():
    # PySide6 6.12.0 on Python 3.11 aborts with "Fatal Python error: none_dealloc" when Python
    # code paints while another Python thread runs (every training run). The soak test in
    # tests/app/test_thread_paint_soak.py reproduces it; lift the pin only when it passes.
    assert Version(version("PySide6-Essentials")) < Version("6.12")


def test_pyproject_pins_pyside6_below_6_12():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = [dep for dep in project["dependencies"] if dep.startswith("PySide6-Essentials")]
    assert pins == ["PySide6-Essentials>=6.9,<6.12"]


def test_every_package_in_the_tree_is_listed_for_the_wheel():
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
            "packages"
        ]
    )
    found = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for top in ("engine", "app")
        for path in (ROOT / top).rglob("__init__.py")
    }
    assert found | {"netbuilder_resources"} == listed


def test_the_built_wheel_ships_the_resources_and_finds_them_once_installed(tmp_path):
    # Build the wheel as pip would and install it into a folder of its own (no dependencies:
    # the ones of this environment serve), then look the resources up from a fresh process
    # that sees only that folder's netbuilder.
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    [wheel] = tmp_path.glob("netbuilder-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for shipped in (
        "netbuilder_resources/examples/coffee.nnproj",
        "netbuilder_resources/icons/netbuilder.svg",
        "netbuilder_resources/datasets/iris.csv",
    ):
        assert shipped in names
    target = tmp_path / "site"
    installed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--quiet",
            "--target",
            str(target),
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    code = (
        "import engine.resources as r\n"
        "from engine.data import builtin\n"
        "print(r.resource_path('examples', 'coffee.nnproj'))\n"
        "print(builtin('iris').n_samples)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    example, iris_rows = run.stdout.split()
    assert Path(example).is_relative_to(target) and iris_rows == "150"
