"""The window benchmark's own arithmetic (benchmarks/gui_overhead.py): the throughput verdict
sets each window run against the headless runs around it, and a long timer gap is told
apart into the window's own work and the rest."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location(
        "gui_overhead", ROOT / "benchmarks" / "gui_overhead.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["gui_overhead"] = module
    spec.loader.exec_module(module)
    return module


def test_a_host_that_slows_down_steadily_favours_neither_kind_of_run(bench):
    # Headless runs take 2, 4, 6 s as the host slows; each window run, made between two of
    # them, takes 10% longer than the headless work at its moment.
    heads, windows = [2.0, 4.0, 6.0], [3.3, 5.5]
    assert bench.bracketed_median(heads, windows) == pytest.approx(1 / 1.1)
    # Against the run just before it alone, the same runs would have read 61% and 73%.
    assert 2.0 / 3.3 < 0.62


def test_the_median_of_pairs_comes_with_a_distribution_free_interval(bench):
    # 25 pairs: the 8th smallest and 8th largest hold the median with >= 95% (the textbook
    # order statistics for n = 25), whatever the shape of the host's noise.
    ratios = [0.5 + k / 100 for k in range(25)]  # 0.50 ... 0.74, shuffled below
    ratios = ratios[::2] + ratios[1::2]
    assert bench.median_interval(ratios) == (pytest.approx(0.57), pytest.approx(0.67))
    # Too few pairs for 95%: the whole range, never a narrower interval than the data allow.
    assert bench.median_interval([0.9, 0.8, 1.0, 0.7, 0.95]) == (0.7, 1.0)
    assert bench.median_interval([0.9]) == (0.9, 0.9)


def test_a_pinned_block_runs_on_its_cpu_and_gives_the_thread_back_its_cpus(bench):
    import os

    if not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs Linux and two CPUs")
    before = os.sched_getaffinity(0)
    engine, gui = bench.choose_cpus()
    assert engine != gui and {engine, gui} <= before
    with bench.on_cpu(engine):
        assert os.sched_getaffinity(0) == {engine}
    assert os.sched_getaffinity(0) == before
    with bench.on_cpu(None):  # --no-pin
        assert os.sched_getaffinity(0) == before


def test_a_long_gap_names_the_window_work_in_it_and_counts_a_paint_once(bench, monkeypatch):
    monkeypatch.setattr(
        bench,
        "TICKS",
        [(0.0, 0.0, 0.0), (10.0, 5.0, 0.0), (130.0, 140.0, 30.0), (140.0, 150, 30.0)],
    )
    monkeypatch.setattr(
        bench,
        "GUI_WORK",
        [(15.0, 115.0, "curves"), (20.0, 100.0, "paint"), (131.0, 135.0, "output")],
    )
    (gap,) = bench.explain_gaps(longer_than=50)
    assert gap.ms == 120
    assert gap.window_ms == 100  # the paint is part of the curves stage, not on top of it
    assert gap.what == "curves 100, paint 80"
    assert (gap.cpu_ms, gap.steal_ms) == (135, 30)
    assert "the window's own work 100 ms (curves 100, paint 80)" in str(gap)


def test_a_probed_window_run_logs_its_start_its_end_and_its_ticks(bench, qtbot, monkeypatch):
    from app.training.controller import TrainingController
    from engine.project import Project

    # restored after the test
    for name in ("_run_stage", "_start", "_on_worker_done", "_on_worker_finished"):
        monkeypatch.setattr(TrainingController, name, getattr(TrainingController, name))
    bench.watch_gui_work()
    project = Project.default()
    window, panel, kind = bench.make_window(project.copy())
    qtbot.addWidget(window)
    assert kind == "MainWindow"
    before = window.project.epochs_trained
    seconds, gaps = bench.window_run(None, panel, 2000, probe=True)
    assert seconds > 0
    assert window.project.epochs_trained == before + 2000
    (start,) = [work for work in bench.GUI_WORK if work[2] == "run start"]
    (shown,) = [work for work in bench.GUI_WORK if work[2] == "run end shown"]
    (end,) = [work for work in bench.GUI_WORK if work[2] == "run end"]
    assert start[1] <= shown[0]  # the start was over before the end began
    assert shown[1] <= end[0]  # the end is shown, then recorded in a later turn
    assert "paint" in {name for _, _, name in bench.GUI_WORK}  # the start paints the views
    assert len(bench.TICKS) == len(gaps) + 1
    times = [t for t, _, _ in bench.TICKS]
    assert times == sorted(times)
    window.close()


def test_a_gap_the_host_stole_is_told_apart_from_one_the_window_spent(bench, capsys):
    stolen = bench.Gap(145.0, 139.0, "activations 139", cpu_ms=54.0, steal_ms=150.0)
    spent = bench.Gap(120.0, 118.0, "curves 118", cpu_ms=119.0, steal_ms=0.0)
    bench.report_gaps("run", [10.0] * 200 + [145.0], [stolen])
    report = capsys.readouterr().out
    assert "max 145.0 ms" in report and "MISSED" in report.splitlines()[0]
    assert "only the time this process ran in it: 54 ms [ok]" in report
    bench.report_gaps("run", [10.0] * 200 + [145.0, 120.0], [stolen, spent])
    assert "only the time this process ran in it: 119 ms [MISSED]" in capsys.readouterr().out
