"""The window keeps a core for its GUI thread: BLAS gets one thread fewer than the cores,
set before NumPy loads (app/blas_threads.py)."""

from __future__ import annotations

import ctypes
import os
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

from app import __main__ as entry
from app.blas_threads import (
    BLAS_THREAD_VARIABLES,
    blas_threads_beside_window,
    leave_a_core_for_the_window,
    usable_cpus,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("cpus", "threads"), [(1, 1), (2, 1), (4, 3), (16, 15)])
def test_blas_gets_every_core_but_the_windows(cpus, threads):
    assert blas_threads_beside_window(cpus) == threads
    environ = {}
    assert leave_a_core_for_the_window(environ, cpus=cpus) == dict.fromkeys(
        BLAS_THREAD_VARIABLES, str(threads)
    )
    assert environ == dict.fromkeys(BLAS_THREAD_VARIABLES, str(threads))


def test_a_thread_count_the_person_set_is_kept():
    environ = {"OPENBLAS_NUM_THREADS": "4", "MKL_NUM_THREADS": ""}
    chosen = leave_a_core_for_the_window(environ, cpus=8)
    assert environ["OPENBLAS_NUM_THREADS"] == "4"
    assert chosen == {"OMP_NUM_THREADS": "7", "MKL_NUM_THREADS": "7"}


def _unset(monkeypatch):
    # Empty counts as unset; monkeypatch puts the test process's own values back afterwards.
    for name in BLAS_THREAD_VARIABLES:
        monkeypatch.setenv(name, "")


def test_the_window_entry_sets_them_before_the_window_module_loads_numpy(monkeypatch):
    _unset(monkeypatch)
    seen = {}

    def run(path):  # stands in for app.main_window.run, whose import loads NumPy
        seen.update({name: os.environ.get(name) for name in BLAS_THREAD_VARIABLES})
        return 0

    monkeypatch.setitem(sys.modules, "app.main_window", types.SimpleNamespace(run=run))
    monkeypatch.setattr(entry, "_display_problem", lambda: None)
    assert entry._open_window(None) == 0
    expected = str(blas_threads_beside_window(usable_cpus()))
    assert seen == dict.fromkeys(BLAS_THREAD_VARIABLES, expected)


def test_the_command_line_leaves_blas_alone(monkeypatch, capsys):
    _unset(monkeypatch)
    assert entry.main(["--version"]) == 0
    assert all(os.environ[name] == "" for name in BLAS_THREAD_VARIABLES)


def _numpy_openblas():
    import numpy  # noqa: F401 - loads the library whose symbols are looked up below

    with open("/proc/self/maps", encoding="ascii", errors="replace") as maps:
        paths = {p for p in re.findall(r"(/\S+)", maps.read()) if "openblas" in p.lower()}
    for path in sorted(paths):
        library = ctypes.CDLL(path)
        for name in ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads"):
            if hasattr(library, name):
                return name
    return None


def test_numpy_loaded_after_it_really_runs_that_many_blas_threads():
    if not sys.platform.startswith("linux") or _numpy_openblas() is None:
        pytest.skip("NumPy here is not linked to an OpenBLAS whose thread count can be read")
    probe = (
        "import ctypes, re\n"
        "from app.blas_threads import leave_a_core_for_the_window\n"
        "leave_a_core_for_the_window(cpus=2)\n"
        "import numpy\n"
        "maps = open('/proc/self/maps').read()\n"
        "path = sorted(p for p in set(re.findall(r'(/\\S+)', maps)) if 'openblas' in p.lower())[0]\n"
        f"print(getattr(ctypes.CDLL(path), {_numpy_openblas()!r})())\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in BLAS_THREAD_VARIABLES}
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "1"  # OpenBLAS's own default is one thread per core
