"""What per-layer gradient statistics (engine/gradient_stats.py) cost a fit: the networks of
engine_speed.py with and without the GradientStats callback, runs interleaved in one process,
medians of µs per step. Off is fit as it always was (the callback is the only code added to
a healthy run, and only when asked for)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine_speed import CASES, make_data, ours_runner, time_interleaved  # noqa: E402

from engine.gradient_stats import GradientStats  # noqa: E402


def with_stats(case, x, y):
    """Like engine_speed.ours_runner, with the statistics callback on."""
    import engine
    from engine.layers import Dense

    engine.utils.set_random_seed(0)
    sizes = case["sizes"]
    net = engine.Sequential([engine.Input(shape=(sizes[0],))])
    for units in sizes[1:-1]:
        net.add(Dense(units, activation=case["hidden"]))
    net.add(Dense(sizes[-1], activation=case["output"]))
    loss = "binary_crossentropy" if case["loss"] == "binary" else "sparse_categorical_crossentropy"
    optimizer = (
        engine.optimizers.Adam(1e-3) if case["optimizer"] == "adam" else engine.optimizers.SGD(0.1)
    )
    net.compile(optimizer=optimizer, loss=loss)

    def stats_runner(epochs: int) -> None:
        net.fit(
            x, y, batch_size=case["batch"], epochs=epochs, verbose=0, callbacks=[GradientStats()]
        )

    return stats_runner


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--cases", default="abc")
    args = parser.parse_args(argv)
    for key in args.cases:
        case = CASES[key]
        x, y = make_data(case)
        off, on = time_interleaved(
            [ours_runner(case, x, y), with_stats(case, x, y)], case, args.repeats
        )
        print(
            f"{case['title']}: off {off:,.1f} µs/step, on {on:,.1f} µs/step, on/off {on / off:.3f}"
        )


if __name__ == "__main__":
    main()
