"""What does training in the window cost, next to the headless engine?

Measured in this run, on this machine (offscreen Qt, every live view open and repainting):

1. Throughput: the same project trained for the same epochs by the headless engine
   (model.fit, no callbacks) and from the window's Train button (training process, snapshots,
   cost/activation/boundary plots, canvas weight colouring). Goal: window >= 90% of headless,
   the median over window runs of each against the headless runs just before and after it,
   printed with a distribution-free 95% interval. Both kinds of training run on one CPU and
   the window on another (choose_cpus; --no-pin to let the scheduler place them).
2. Responsiveness: a 10 ms QTimer on the GUI thread while training; its longest gap and 99th
   percentile gap. Goal: <= 100 ms and <= 33 ms. For the default project and for
   784-256-128-10 (ReLU, softmax) on 10,000 samples. Each gap over 50 ms is told apart: the
   window's own work in it, the CPU time the process got, the host's steal.
3. Memory: resident set size before and after a 100,000-epoch run (bounded history plots).

Usage: QT_QPA_PLATFORM=offscreen python benchmarks/gui_overhead.py [--quick] [--repeats N]
           [--show gradientDock] [--show sampleInspector] [--float]   # these panels open
           [--no-pin]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import functools
import gc
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Keep the benchmark's settings and autosave files away from the user's.
os.environ.setdefault("NETBUILDER_CONFIG_DIR", tempfile.mkdtemp(prefix="nb-bench-"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# As the window's entry point does, before NumPy loads: its BLAS leaves a core to the GUI
# thread (app/blas_threads.py). The headless runs here share the setting; the default
# project's training makes no product big enough to split either way.
from app.blas_threads import leave_a_core_for_the_window  # noqa: E402

leave_a_core_for_the_window()
# As the window's run() does before its first paint: Qt's fill helper threads off
# (app/paint_threads.py).
from app.paint_threads import paint_on_the_gui_thread  # noqa: E402

paint_on_the_gui_thread()

import numpy as np  # noqa: E402
from PySide6.QtCore import QEventLoop, QTimer, Signal  # noqa: E402
from PySide6.QtGui import QUndoStack  # noqa: E402
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow  # noqa: E402

from engine.data import Dataset  # noqa: E402

print = functools.partial(print, flush=True)  # noqa: A001 - progress shows while it runs
from engine.project import CompileSpec, LayerSpec, Project, TrainingSpec, runtime  # noqa: E402


class BenchHost(QMainWindow):
    """The window's training interface, for when app.main_window cannot be imported."""

    projectChanged = Signal()

    def __init__(self, project):
        super().__init__()
        from app import commands

        self._commands = commands
        self.project = project
        self.undo_stack = QUndoStack(self)
        self.training_guard = None
        self.canvas = QLabel("canvas")
        self.setCentralWidget(self.canvas)

    def current_selection(self):
        return -1

    def project_edited(self, selection):
        self.projectChanged.emit()

    def push(self, command):
        self.undo_stack.push(command)

    def record_training(self, weights, history, epochs_trained):
        self.push(self._commands.record_training(self, weights, history, epochs_trained))


SHOWN_DOCKS: list[str] = []  # --show: panels whose tab is chosen (--float: floated beside)
FLOAT_SHOWN = False


def make_window(project):
    """The real main window showing `project` when it can be built, else BenchHost. The
    panels named by --show get their tab chosen, as a person would open them (hiding the
    panel they share a tab group with); with --float they float beside the window instead,
    on screen together with every other view (a heavier load than any tab choice)."""
    from app.training.integration import attach_training

    try:
        from app.main_window import MainWindow

        window = MainWindow()
        # Closing must not stop at "save changes?" (offscreen, nobody answers).
        window.dialogs.ask_unsaved_changes = lambda name: "discard"
        window.dialogs.ask_restore_recovery = lambda *args: False
        window.set_project(project)
        panel = window.training
        kind = "MainWindow"
    except Exception as exc:  # noqa: BLE001 - report and fall back
        print(f"  (main window unavailable: {type(exc).__name__}: {exc}; using a bare host)")
        window = BenchHost(project)
        panel = attach_training(window)
        kind = "bare host"
    window.resize(1600, 1000)
    window.show()
    watch_paints(panel.controller)
    for name in SHOWN_DOCKS:
        from PySide6.QtWidgets import QDockWidget

        dock = window.findChild(QDockWidget, name)
        if dock is None:
            raise SystemExit(f"--show {name}: the window has no panel of that name")
        if FLOAT_SHOWN:
            dock.setFloating(True)
            dock.resize(600, 400)
        dock.show()
        dock.raise_()  # tabbed: its tab chosen, as a person would
    return window, panel, kind


def rss_mb(pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


# (engine CPU, GUI CPU) or None: see choose_cpus. Set by main() unless --no-pin.
PINNED: tuple[int, int] | None = None


def choose_cpus() -> tuple[int, int] | None:
    """One CPU for the training (the headless fit and the window's worker alike), another for
    the GUI thread; None where threads cannot be pinned or there is one CPU.

    Why: this machine's two virtual CPUs run at different speeds from moment to moment (the
    same fit pinned to one and then the other took 1.85 and 1.25 s, a minute later 1.43 and
    1.62 s), so a headless fit and a window run that the scheduler put on different CPUs
    differed by up to 40% with no code of ours involved. Pinned, both engines always compute
    on the same CPU and the GUI thread has the other, as on a 2-core machine."""
    try:
        cpus = sorted(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return None
    return (cpus[-1], cpus[0]) if len(cpus) >= 2 else None


@contextlib.contextmanager
def on_cpu(cpu: int | None):
    """The calling thread runs on `cpu` alone inside the block (Linux; None: anywhere)."""
    if cpu is None:
        yield
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {cpu})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def headless_seconds(project, epochs: int, callbacks=()) -> float:
    detached = project.copy()
    model = runtime.build_model(detached, seed=detached.training.seed)
    data = runtime.prepare_data(detached)
    with on_cpu(PINNED and PINNED[0]):
        start = time.perf_counter()
        runtime.fit_run(model, data, detached.training, epochs, callbacks=list(callbacks))
        return time.perf_counter() - start


def engine_work_shown() -> list:
    """The engine callbacks the --show panels make a run compute: the Gradients panel asks
    for per-layer gradient statistics, work the headless engine does not do."""
    from engine.gradient_stats import GradientStats

    return [GradientStats()] if "gradientDock" in SHOWN_DOCKS else []


WORKER_CPU: list[float] = []  # CPU seconds of each run's training process (watch_worker_cpu)
WORKER_SNAPSHOT_CPU: list[float] = []  # ... of it spent making snapshots for the window
WORKER_SPAN: list[tuple[float, float]] = []  # when each run began and ended in the process
RUN_EDGES: list[tuple[float, float]] = []  # when each window run was clicked and finished


def watch_worker_cpu() -> None:
    """Record the CPU time of every training process's run, and how much of it went into the
    snapshots it makes for the window (the rest is the engine's work). Their share of the
    window run's wall time says how much of the run the engine computed, the rest being the
    window's (snapshots, the run's start and end, waiting for the process): both come from the
    same run, so a host that slows down for a while inflates both, and the share moves far
    less than the throughput ratio, which sets runs at different moments against each other.
    The training process is pinned to the headless fits' CPU (choose_cpus)."""
    from app.training import process_worker

    processes = process_worker.processes
    run, acquire = process_worker.ProcessWorker.run, processes.acquire
    if getattr(run, "_timed", False):
        return

    def pinned_acquire():
        process = acquire()
        if PINNED is not None:  # its main thread trains; the process lives on between runs
            os.sched_setaffinity(process.pid, {PINNED[0]})
        return process

    def timed_run(self):
        try:
            run(self)
        finally:
            if self.run_timing:
                WORKER_CPU.append(self.run_timing["run"])
                WORKER_SNAPSHOT_CPU.append(self.run_timing["snapshots"])
                WORKER_SPAN.append((self.run_timing["started"], self.run_timing["ended"]))

    timed_run._timed = True
    process_worker.ProcessWorker.run = timed_run
    processes.acquire = pinned_acquire


def host_steal_ms() -> float:
    """CPU time, in ms over all CPUs, that the hypervisor has given to other machines while
    this one's CPUs wanted to run (the "steal" column of /proc/stat; 0 where there is none).
    On a shared host it is the part of a slowdown that no code of ours can cause or cure."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = stat.readline().split()
        return int(fields[8]) * 1000 / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


CPUS = os.cpu_count() or 1
GUI_WORK: list[tuple[float, float, str]] = []  # (start, end, what) in ms, see watch_gui_work
TICKS: list[tuple[float, float, float]] = []  # a probed run's ticks, see window_run


def _logged(function, name_of):
    """`function`, logging each call in GUI_WORK under the name name_of(*args) gives."""

    def run(*args):
        name, start = name_of(*args), time.perf_counter() * 1e3
        try:
            return function(*args)
        finally:
            GUI_WORK.append((start, time.perf_counter() * 1e3, name))

    run._logged = True
    return run


def watch_gui_work() -> None:
    """Log when the GUI thread works for the run: its start and end, and each stage of a
    frame, as (start ms, end ms, name) on the clock of window_run's ticks. Then a long gap
    between two ticks can be told apart: the window drawing, or nothing of ours running."""
    from app.training import controller

    cls = controller.TrainingController
    if getattr(cls._run_stage, "_logged", False):
        return
    # Patched on the class before a window exists: the timers connect to these methods.
    cls._run_stage = _logged(cls._run_stage, lambda c: c._stages[0][0] if c._stages else "?")
    cls._start = _logged(cls._start, lambda c, _epochs: "run start")
    # A run's end is two turns of the event loop: its final state shown, then recorded.
    cls._on_worker_done = _logged(cls._on_worker_done, lambda c, _worker: "run end shown")
    cls._on_worker_finished = _logged(cls._on_worker_finished, lambda c, _worker: "run end")


def watch_paints(controller) -> None:
    """Log the paints of a frame (the controller's render_hook) too, as "paint" inside the
    stage that asked for them: a slow stage then says whether it painted or computed."""
    hook = controller.render_hook
    if hook is not None and not getattr(hook, "_logged", False):
        controller.render_hook = _logged(hook, lambda: "paint")


def window_run(app, panel, epochs: int, probe: bool) -> tuple[float, list[float]]:
    """Train `epochs` from the Train button; returns (seconds, gaps in ms between the ticks
    of a 10 ms QTimer on the GUI thread, when `probe`). A probed run also keeps, in TICKS,
    each tick's (time ms, process CPU ms, host steal ms), for explain_gaps."""
    window = panel.window
    window.project.training.epochs = epochs
    ticks: list[float] = []
    TICKS.clear()
    GUI_WORK.clear()

    def tick():
        now = time.perf_counter() * 1e3
        ticks.append(now)
        TICKS.append((now, time.process_time() * 1e3, host_steal_ms()))

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    loop = QEventLoop()
    panel.controller.runFinished.connect(loop.quit)
    if probe:
        timer.start()
    with on_cpu(PINNED and PINNED[1]):  # the window beside the training process's CPU
        start = time.perf_counter()
        panel.train_button.click()
        loop.exec()
        seconds = time.perf_counter() - start
    RUN_EDGES.append((start, start + seconds))
    timer.stop()
    # An autosave that fell due during the run starts as it ends (app/autosave.py): finished
    # here, untimed, or it would slow whichever run came next.
    autosaver = getattr(window, "autosaver", None)
    if autosaver is not None:
        autosaver.wait()
    panel.controller.runFinished.disconnect(loop.quit)
    result = panel.controller.last_result
    if result.outcome != "finished":
        raise RuntimeError(f"the benchmark run ended with {result.outcome}: {result.message}")
    return seconds, list(np.diff(ticks))


@dataclasses.dataclass
class Gap:
    """A long wait between two ticks of the probe timer, and what happened in it."""

    ms: float
    window_ms: float  # the window's own work in it (its stages and the run's start and end)
    what: str
    cpu_ms: float  # the CPU time the process got in it
    steal_ms: float  # the CPU time the host gave other machines meanwhile

    def __str__(self) -> str:
        return (
            f"{self.ms:.0f} ms: the window's own work {self.window_ms:.0f} ms ({self.what}); "
            f"the process used {self.cpu_ms:.0f} ms of CPU (both threads); "
            f"the host took {self.steal_ms:.0f} ms of this machine's CPU time"
        )


def explain_gaps(longer_than: float = 50.0) -> list[Gap]:
    """The probed run's gaps longer than `longer_than` ms, from TICKS and GUI_WORK."""
    gaps = []
    for (t0, cpu0, steal0), (t1, cpu1, steal1) in zip(TICKS, TICKS[1:]):
        if t1 - t0 <= longer_than:
            continue
        parts = []
        for start, end, name in GUI_WORK:
            overlap = min(end, t1) - max(start, t0)
            if overlap > 0:
                parts.append((overlap, name))
        window_ms = sum(ms for ms, name in parts if name != "paint")  # paints are in stages
        what = ", ".join(f"{name} {ms:.0f}" for ms, name in parts) or "none"
        gaps.append(Gap(t1 - t0, window_ms, what, cpu1 - cpu0, steal1 - steal0))
    return gaps


def mnist_like_project(n: int = 10_000) -> Project:
    rng = np.random.default_rng(0)
    x = rng.random((n, 784), dtype=np.float32)
    teacher = rng.standard_normal((784, 10)).astype(np.float32)
    y = np.argmax(x @ teacher, axis=1).astype(np.float32).reshape(-1, 1)
    dataset = Dataset(x, y, class_names=[str(i) for i in range(10)], name="mnist-like")
    project = Project(
        name="784-256-128-10",
        layers=[LayerSpec(256, "relu"), LayerSpec(128, "relu"), LayerSpec(10, "softmax")],
        compile=CompileSpec(
            loss="sparse_categorical_crossentropy",
            optimizer="adam",
            learning_rate=0.001,
            metrics=["accuracy"],
        ),
        training=TrainingSpec(epochs=3, batch_size=128, validation_split=0.2),
    )
    project.set_dataset(dataset)
    return project


def report_gaps(label: str, gaps: list[float], explained: list[Gap] = ()) -> None:
    if not gaps:
        print(f"  {label}: no timer ticks")
        return
    worst, p99 = max(gaps), float(np.percentile(gaps, 99))
    verdict = "ok" if worst <= 100 and p99 <= 33 else "MISSED"
    print(
        f"  {label}: 10 ms timer gaps: max {worst:.1f} ms (goal <= 100), "
        f"p99 {p99:.1f} ms (goal <= 33), median {statistics.median(gaps):.1f} ms  [{verdict}]"
    )
    if explained:
        # A gap can be no longer than the CPU time the process got in it unless something
        # outside it held the machine (the host's steal, another program): the training
        # runs in a process of its own, not counted here. This bound is what the window
        # itself can answer for; the goal above also counts the host's stalls.
        own = max(min(gap.ms, gap.cpu_ms) for gap in explained)
        print(
            f"    longest gap counting only the time this process ran in it: {own:.0f} ms "
            f"[{'ok' if own <= 100 else 'MISSED'}]; the longest ones:"
        )
    for gap in sorted(explained, key=lambda g: -g.ms)[:3]:
        print(f"    {gap}")


def bracketed_ratios(heads: list[float], windows: list[float]) -> list[float]:
    """mean(heads[k], heads[k + 1]) / windows[k] for each window run k: each window run
    against the headless runs around it (len(heads) == len(windows) + 1)."""
    return [
        (before + after) / 2 / window for before, after, window in zip(heads, heads[1:], windows)
    ]


def bracketed_median(heads: list[float], windows: list[float]) -> float:
    return statistics.median(bracketed_ratios(heads, windows))


def median_interval(values: list[float], confidence: float = 0.95) -> tuple[float, float]:
    """A distribution-free interval that holds the true median with at least `confidence`:
    the k-th smallest and k-th largest value, for the largest k with
    P(Binomial(n, 1/2) < k) <= (1 - confidence) / 2. It assumes nothing about the host's
    noise (which is neither normal nor symmetric here), only that the pairs are independent.
    Too few values for that confidence give the whole range, (min, max)."""
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        raise ValueError("median_interval needs at least one value")
    tail = (1 - confidence) / 2
    k, below = 0, 0.0  # below = P(Binomial(n, 1/2) < k + 1)
    while k < n // 2:
        below += math.comb(n, k) / 2**n
        if below > tail:
            break
        k += 1
    k = max(k, 1)
    return ordered[k - 1], ordered[n - k]


def throughput(app, label: str, project, epochs: int, repeats: int) -> None:
    """Headless and window runs interleaved, best of `repeats` each (on a shared machine the
    minimum is the least disturbed measurement). Throughput runs have no probe timer (a
    Python slot every 10 ms is itself a load on the GIL); the responsiveness runs that
    follow have it."""
    print(f"\n{label}: {epochs} epochs, best of {repeats} interleaved runs each")
    window, panel, kind = make_window(project.copy())
    for _ in range(20):  # first paint of every view, before anything is timed
        app.processEvents()
    heads, gui, all_gaps, heads_shown, computing, edges = [], [], [], [], [], []
    steal = {"headless": [], "window": []}  # the host's share of the CPUs' time in each run
    watch_worker_cpu()
    headless_seconds(project, min(epochs, 2000))  # warm-up: the first fit of a process is slow
    # The window's too, untimed like the headless one: its first run sends the data to the
    # training process (once per dataset) and is that process's first fit of this network.
    RUN_EDGES.clear()
    WORKER_SPAN.clear()
    first = window_run(app, panel, min(epochs, 2000), probe=False)[0]
    if WORKER_SPAN:
        print(
            f"  the window's first run ({min(epochs, 2000)} epochs, untimed): {first:.2f} s, "
            f"{(WORKER_SPAN[-1][0] - RUN_EDGES[-1][0]) * 1e3:.0f} ms from the click to the "
            "fit (the data sent to the training process)"
        )
    for _ in range(repeats):
        stolen = host_steal_ms()
        heads.append(headless_seconds(project, epochs))
        steal["headless"].append((host_steal_ms() - stolen) / (heads[-1] * 1e3 * CPUS))
        if engine_work_shown():
            heads_shown.append(headless_seconds(project, epochs, engine_work_shown()))
        panel.controller.reset()
        app.processEvents()
        WORKER_CPU.clear()
        WORKER_SPAN.clear()
        RUN_EDGES.clear()
        stolen = host_steal_ms()
        gui.append(window_run(app, panel, epochs, probe=False)[0])
        steal["window"].append((host_steal_ms() - stolen) / (gui[-1] * 1e3 * CPUS))
        if WORKER_CPU:
            computing.append((WORKER_CPU[-1] - WORKER_SNAPSHOT_CPU[-1]) / gui[-1])
            (clicked, finished), (began, ended) = RUN_EDGES[-1], WORKER_SPAN[-1]
            edges.append((began - clicked, finished - ended))
    # One more of each headless kind, so every window run has one just before and one after.
    heads.append(headless_seconds(project, epochs))
    if engine_work_shown():
        heads_shown.append(headless_seconds(project, epochs, engine_work_shown()))
    explained = []
    for _ in range(repeats):
        panel.controller.reset()
        app.processEvents()
        all_gaps += window_run(app, panel, epochs, probe=True)[1]
        explained += explain_gaps()
    head, win = min(heads), min(gui)
    ratio = head / win
    # Each window run against the headless runs made just before and just after it (their
    # mean): a host that speeds up or slows down over a pair favours neither kind. The median
    # of these pairs is less sensitive than the best-of ratio to one lucky or unlucky run.
    pairs = bracketed_median(heads, gui)
    print(f"  headless fit: {head:.3f} s (runs: {', '.join(f'{h:.2f}' for h in heads)})")
    print(
        f"  window ({kind}, all views open): {win:.3f} s "
        f"(runs: {', '.join(f'{g:.2f}' for g in gui)})"
    )
    print(f"  throughput: {ratio:.0%} of headless best-of, median of interleaved pairs {pairs:.0%}")
    same_work, same_heads = pairs, heads
    if heads_shown:
        # What the shown panels cost the engine itself, and the window's ratio against the
        # headless engine doing that same work.
        shown = min(heads_shown)
        same_work, same_heads = bracketed_median(heads_shown, gui), heads_shown
        print(
            f"  headless fit with the shown panels' statistics: {shown:.3f} s "
            f"({shown / head - 1:+.0%} in the engine); window vs that: {shown / win:.0%}, "
            f"median of pairs {same_work:.0%}"
        )
    # Each window run against the headless runs around it, doing the same engine work (a
    # panel's statistics have their own budget, gradient_stats_cost.py). On a shared host the
    # best-of ratio sets the luckiest run of each kind against each other, which may come
    # from different states of the host (it swung 72-96% between runs of this benchmark on
    # the same code); a pair's runs are made moments apart.
    # How sure that median is: on this host single pairs of the same code read 70-117%.
    low, high = median_interval(bracketed_ratios(same_heads, gui))
    print(
        f"  goal >= 90%, median of pairs (same engine work): {same_work:.0%}  "
        f"[{'ok' if same_work >= 0.9 else 'MISSED'}]; 95% interval of that median "
        f"{low:.0%}-{high:.0%} ({len(gui)} pairs)"
    )
    if computing:
        # What the window's own waits leave the engine: its CPU time in the window run over
        # the run's wall time, both from the same run, so the host's speed of the moment
        # cancels out (consecutive headless runs of the same work took 3.6 s, then 6.5 s,
        # then 3.7 s here, with no CPU time stolen: no pairing of whole runs evens that out).
        # It does not see the engine itself computing slower beside the window, which the
        # pairs do; the verdict stays with them.
        print(
            f"  the engine computed {statistics.median(computing):.0%} of each window run, "
            f"median (runs: {', '.join(f'{c:.0%}' for c in computing)}); the rest of the run "
            "was the window's: snapshots, the run's start and end"
        )
        print(
            "  from the click to the training process's fit, median "
            f"{statistics.median(e[0] for e in edges) * 1e3:.0f} ms; from its end to the "
            f"window's runFinished {statistics.median(e[1] for e in edges) * 1e3:.0f} ms"
        )
    print(
        "  host steal (CPU time the hypervisor gave other machines), median share of this "
        "machine's CPUs: "
        + ", ".join(f"{runs} runs {statistics.median(v):.1%}" for runs, v in steal.items())
    )
    report_gaps("GUI thread while training", all_gaps, explained)
    window.close()
    window.deleteLater()
    app.processEvents()


def memory(app, epochs: int) -> None:
    print(f"\nMemory over a {epochs:,}-epoch run (XOR, full batch, all views open)")
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (200, 2)).astype(np.float32)
    y = ((x[:, 0] * x[:, 1]) > 0).astype(np.float32).reshape(-1, 1)
    project = Project(
        name="xor-long",
        layers=[LayerSpec(8, "relu"), LayerSpec(1, "sigmoid")],
        compile=CompileSpec(loss="binary_crossentropy", optimizer="adam", learning_rate=0.01),
        training=TrainingSpec(epochs=epochs, batch_size=None, validation_split=0.2),
    )
    project.set_dataset(Dataset(x, y, class_names=["0", "1"], name="xor"))
    window, panel, kind = make_window(project)
    samples = []

    def sample():
        worker = panel.controller.worker
        if worker is not None and worker.process is not None:  # the run's training process
            done = window.project.epochs_trained + worker.epochs_done
            samples.append((done, rss_mb(), rss_mb(worker.process.pid)))

    probe = QTimer()
    probe.timeout.connect(sample)
    for _ in range(20):
        app.processEvents()
    gc.collect()  # what earlier sections left behind is not this run's growth
    before = rss_mb()
    probe.start(1000)
    seconds, gaps = window_run(app, panel, epochs, probe=True)
    explained = explain_gaps()
    probe.stop()
    gc.collect()
    after = rss_mb()
    points = ", ".join(
        f"{e:,}: {m:.0f} + {t:.0f} MB" for e, m, t in samples[:: max(1, len(samples) // 6)]
    )
    print(
        f"  {kind}: {seconds:.1f} s ({epochs / seconds:,.0f} epochs/s); RSS before "
        f"{before:.0f} MB, after {after:.0f} MB (growth {after - before:+.0f} MB)"
    )
    print(f"  RSS during the run (epoch: window + training process): {points}")
    print(
        f"  plotted loss points: {panel.cost_plot.curve_data('loss')[0].size:,} "
        f"(history kept in the project: {len(window.project.history['loss']):,} epochs)"
    )
    report_gaps("GUI thread during the long run", gaps, explained)
    window.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer epochs (a smoke run)")
    parser.add_argument(
        "--only",
        choices=("default", "mnist", "memory"),
        action="append",
        help="run only these sections (repeatable); default: all three",
    )
    parser.add_argument(
        "--show",
        action="append",
        default=[],
        metavar="DOCK",
        help="float this panel (objectName, e.g. gradientDock, sampleInspector) on screen too",
    )
    parser.add_argument(
        "--float", action="store_true", help="float the --show panels beside the window"
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=5,
        help="interleaved headless/window pairs per section (default 5; more on a noisy host)",
    )
    parser.add_argument(
        "--no-pin",
        action="store_true",
        help="let the scheduler place the threads (default: the training on one CPU, the GUI "
        "thread on another; see choose_cpus)",
    )
    args = parser.parse_args()
    global PINNED
    PINNED = None if args.no_pin else choose_cpus()
    SHOWN_DOCKS.extend(args.show)
    global FLOAT_SHOWN
    FLOAT_SHOWN = args.float
    sections = set(args.only or ("default", "mnist", "memory"))
    watch_gui_work()
    app = QApplication.instance() or QApplication([])
    print(
        f"Python {sys.version.split()[0]}, NumPy {np.__version__}, "
        f"{os.cpu_count()} CPUs, platform {app.platformName()}; "
        + (
            f"training (headless and window) on CPU {PINNED[0]}, the GUI thread on CPU {PINNED[1]}"
            if PINNED
            else "threads not pinned"
        )
    )
    default = Project.default()
    if "default" in sections:
        shape = "-".join(
            str(n) for n in [default.dataset.n_features] + [layer.units for layer in default.layers]
        )
        throughput(
            app,
            f"Default project ({default.name}, {shape})",
            default,
            2000 if args.quick else 20_000,
            1 if args.quick else args.repeats,
        )
    if "mnist" in sections:
        throughput(
            app,
            "784-256-128-10 on 10,000 samples (batch 128, Adam)",
            mnist_like_project(),
            2 if args.quick else 20,
            1 if args.quick else args.repeats,
        )
    if "memory" in sections:
        memory(app, 5_000 if args.quick else 100_000)


if __name__ == "__main__":
    main()
