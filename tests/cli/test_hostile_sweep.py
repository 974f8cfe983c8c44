"""A few representative cases of benchmarks/hostile_inputs.py, run the way the sweep runs
them: a subprocess with a deadline and a capped address space (RLIMIT_AS)."""

from __future__ import annotations

import importlib.util
import os
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the sweep uses POSIX rlimits")

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sweep():
    spec = importlib.util.spec_from_file_location(
        "hostile_inputs", ROOT / "benchmarks" / "hostile_inputs.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["hostile_inputs"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def good(tmp_path_factory, sweep):
    from app.cli import main

    folder = tmp_path_factory.mktemp("sweep")
    path = folder / "good.nnproj"
    assert main(["new", str(path), "--builtin", "xor", "--layers", "4:tanh,1:sigmoid"]) == 0
    return path


def test_a_fifo_project_through_the_command_line(sweep, tmp_path):
    fifo = tmp_path / "pipe.nnproj"
    os.mkfifo(fifo)
    case = sweep.Case("fifo", ["-m", "app", "summary", str(fifo)], "cli-error", str(fifo))
    assert sweep.run_case(case) is None


def test_a_symlink_to_dev_zero_through_the_api(sweep, tmp_path):
    link = tmp_path / "zero.nnproj"
    link.symlink_to("/dev/zero")
    case = sweep.Case("zero", ["-c", sweep.API_HARNESS, "project", str(link)], "api-refused")
    assert sweep.run_case(case) is None


def test_a_bzip2_project_json_and_a_huge_network(sweep, tmp_path, good):
    members = sweep._members(good)
    bz = sweep._zip(tmp_path / "bz.nnproj", members, {"project.json": zipfile.ZIP_BZIP2})
    text = members["project.json"].decode().replace('"units": 4', '"units": 1000000000', 1)
    huge = sweep._zip(tmp_path / "huge.nnproj", dict(members, **{"project.json": text.encode()}))
    for path in (bz, huge):
        case = sweep.Case(path.name, ["-m", "app", "train", str(path)], "cli-error", str(path))
        assert sweep.run_case(case) is None


def test_a_broken_csv_for_predict(sweep, tmp_path, good):
    table = tmp_path / "big.csv"
    table.write_text("x1,x2\n1,2\n1e308,3\n")
    case = sweep.Case(
        "1e308", ["-m", "app", "predict", str(good), str(table)], "cli-error", str(table)
    )
    assert sweep.run_case(case) is None


def test_the_sweep_notices_a_broken_promise(sweep, tmp_path):
    # A harness that raises a plain ValueError must be reported, not counted as promised.
    case = sweep.Case("bug", ["-c", "raise ValueError('boom')"], "api-refused")
    assert sweep.run_case(case) is not None
