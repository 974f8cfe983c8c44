"""Where a training step's time goes: each NumPy call of the compiled step (engine/step_plan.py)
timed alone in a loop, the optimizer update, the bare step, fit per step and, when JAX is
installed, JAX scan per step (benchmarks/engine_speed.py's jax-scan) -- all in one process,
every item once per round, medians over the rounds, process CPU time (what the README's
"where the time goes" quotes).

    python benchmarks/step_budget.py [--case a] [--rounds 9]

A call timed alone runs with its operands hot in the cache, so the sum of the calls is the
step's cost with no Python between the calls and no cache misses between them.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import engine_speed  # noqa: E402

from engine.fit_loop import QUIET  # noqa: E402
from engine.step_plan import StepPlan, _Expr, with_ones_column  # noqa: E402


def timed_calls(plan: StepPlan, xb, yb, pb) -> list[tuple[str, object]]:
    """(label, loop(n)) for each call of the plan's step, on these batch arrays."""
    arguments = {"xb": xb, "yb": yb, "pb": pb, "xb.T": xb.T, "pb.T": pb.T, "yb.T": yb.T}
    items = []
    for function, *operands in plan.operations:
        keywords = operands.pop() if operands and isinstance(operands[-1], dict) else {}
        args = [arguments[o] if isinstance(o, _Expr) else o for o in operands]
        keywords = {k: arguments[v] if isinstance(v, _Expr) else v for k, v in keywords.items()}
        shapes = [a.shape for a in args if isinstance(a, np.ndarray)]
        label = f"{getattr(function, '__name__', function)} {shapes}"

        def loop(n, function=function, args=args, keywords=keywords):
            for _ in range(n):
                function(*args, **keywords)

        items.append((label, loop))
    return items


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", default="a", choices=sorted(engine_speed.CASES))
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args(argv)
    case = engine_speed.CASES[args.case]
    x, y = engine_speed.make_data(case)
    probe, run_fit = engine_speed.ours_runner(case, x, y), engine_speed.ours_runner(case, x, y)
    probe(1)  # builds the model and its optimizer state; its weights take the timing loops
    run_fit(1)
    model = probe.model
    try:
        import jax

        jax.config.update("jax_platforms", "cpu")
        _, scan = engine_speed.jax_runners(jax, case, x, y, run_fit.initial_weights)
        scan(case["epochs"])  # compiles
    except ImportError:
        scan = None
    batch = case["batch"]
    units = model._layers[-1].units
    y_prepared = model.loss.prepare_targets(y, units, model._flat.dtype)
    xb = with_ones_column(x, model._layers)[:batch]
    yb, pb = y_prepared[:batch], np.empty((batch, units), dtype=model._flat.dtype)
    plan = StepPlan(model, batch, y_prepared)
    plan.bind_optimizer(model.optimizer)
    repeats = 20 if batch * model._flat.size > 1e6 else 2000
    steps = case["epochs"] * -(-case["n"] // batch)
    items = timed_calls(plan, xb, yb, pb)
    items += [
        ("update", lambda n: [plan.apply_update() for _ in range(n)]),
        ("bare step", lambda n: [plan.step(xb, yb, pb) for _ in range(n)]),
    ]
    whole = [("fit per step", lambda: run_fit(case["epochs"]))]
    if scan is not None:
        whole.append(("jax scan per step", lambda: scan(case["epochs"])))
    times: dict[str, list[float]] = {label: [] for label, _ in items + whole}
    with np.errstate(**QUIET):
        for _ in range(args.rounds):
            for label, loop in items:
                start = time.process_time()
                loop(repeats)
                times[label].append((time.process_time() - start) / repeats * 1e6)
            for label, run in whole:
                start = time.process_time()
                run()
                times[label].append((time.process_time() - start) / steps * 1e6)
    median = {label: statistics.median(values) for label, values in times.items()}
    print(f"{case['title']}: median of {args.rounds} rounds, process CPU time, us")
    calls = [label for label, _ in items[:-2]]
    for label in calls:
        print(f"  {median[label]:9.2f}  {label}")
    total = sum(median[label] for label in calls) + median["update"]
    summary = {
        f"{len(calls)} calls + update": total,
        "bare step": median["bare step"],
        "fit per step": median["fit per step"],
    }
    for label, value in summary.items():
        ratio = f" = {value / median['jax scan per step']:.2f} x JAX scan" if scan else ""
        print(f"{label:>22}: {value:9.1f}{ratio}")
    print(
        f"update alone: {median['update']:.1f}"
        + (
            f"; JAX scan per step: {median['jax scan per step']:.1f}"
            if scan
            else "; JAX not installed"
        )
    )


if __name__ == "__main__":
    main()
