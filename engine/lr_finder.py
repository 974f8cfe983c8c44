"""The learning-rate finder (Smith's LR range test, as fast.ai runs it).

From a copy of the project's weights, train a few hundred mini-batch steps while the learning
rate rises exponentially from lr_min to lr_max, and record the loss of every step. At first
the rate is too small to change anything and the loss is flat; then it falls, fastest around
a good rate; then the steps overshoot and the loss explodes. The suggestion is the rate where
the smoothed loss falls fastest.

    result = find_learning_rate(project)                 # the project is not changed
    result.rates, result.smoothed                        # the curve (plot on a log x axis)
    result.suggestion, result.suggestion_reason          # 0.0123, "steepest descent ..."

Runs on the engine's own compiled step (engine/step_plan.py), one step per batch with the
optimizer's learning rate set before each, so a few hundred steps of the course network take
a few hundredths of a second.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .errors import EngineValueError, ProjectError
from .project import runtime
from .step_plan import StepPlan, with_ones_column
from .utils import private_random_state

__all__ = [
    "LRFinderResult",
    "find_learning_rate",
    "search_summary",
    "smooth",
    "suggest",
    "minimum_rate",
    "BETA",
    "EXPLOSION_FACTOR",
    "STEEPEST",
    "TENTH_OF_MINIMUM",
    "HARDLY_FALLS",
]

BETA = 0.98  # the exponential moving average's weight, fast.ai's
EXPLOSION_FACTOR = 4.0  # stop once the smoothed loss passes this many times its minimum
# The first tenth of the steps is left out of the steepest-descent search, as fast.ai does,
# and cannot end the search: the average there is made of a few noisy batches, and a step's
# difference in log(rate) is small, so noise alone can look like the steepest slope.
SKIP_START = 0.1
SLOPE_SPAN = 0.5  # decades of learning rate a slope is measured over

# The curve must fall by this share of its starting value before a slope means anything.
MIN_FALL = 0.05

STEEPEST = "steepest descent of the smoothed loss"
TENTH_OF_MINIMUM = "a tenth of the rate at the minimum of the smoothed loss"
HARDLY_FALLS = (
    "a tenth of the rate at the minimum: the smoothed loss hardly falls, as for a trained network"
)


@dataclass(frozen=True)
class LRFinderResult:
    """What the search found.

    rates, losses, smoothed: float arrays of steps_done values: the learning rate of each
    step, the loss of its batch (measured before the step's update, regularization
    included), and their exponential moving average (bias-corrected). The losses are in the
    units the network trains in: a regression trained on a standardised target reports them
    standardised, not in the target's own units; the curve's shape is what matters.
    suggestion: the suggested learning rate (None when too few steps finished to say);
    suggestion_reason: STEEPEST, TENTH_OF_MINIMUM or HARDLY_FALLS, or why there is none.
    minimum_rate: the rate at the smoothed loss's minimum past the noisy first tenth of the
    steps (None without steps).
    stopped_early: True when the loss exploded (passed EXPLOSION_FACTOR times its minimum
    or became non-finite) before the last step, or the search was cancelled; stop_reason
    says which ("" when it ran every step). cancelled: should_stop() asked for it.
    current_rate: the project's learning rate, for comparison."""

    rates: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggestion: float | None
    suggestion_reason: str
    minimum_rate: float | None
    stopped_early: bool
    stop_reason: str
    steps_done: int
    current_rate: float
    cancelled: bool = False


def find_learning_rate(
    project,
    steps: int = 200,
    lr_min: float = 1e-6,
    lr_max: float = 10.0,
    seed: int | None = None,
    callback: Callable[[int, float, float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> LRFinderResult:
    """Run the learning-rate range test on `project` (an engine.project.Project) and return
    the curve and a suggestion. The project is never changed: not its weights, history,
    epochs or settings, and the engine's random generators are left as they were.

    Starts from a copy of the project's trained weights, or, untrained, from the initial
    weights its next run would get (runtime.initial_weights). Uses the training split of
    runtime.prepare_data (scaled as training scales it), the project's loss, optimizer
    (fresh state) and batch size (full batch: every step sees every row), and shuffles the
    batches every pass through the data (when training.shuffle) with a generator seeded by
    `seed`, or by runtime.run_seed(project) when None, so the same project gives the same
    curve.

    Step i (0-based) uses the rate lr_min * (lr_max / lr_min) ** (i / (steps - 1)). The
    search stops early once the loss is no longer finite, or (after the first tenth of the
    steps) the smoothed loss passes EXPLOSION_FACTOR times its minimum.
    callback(i, rate, smoothed_loss) is called after each recorded step (a window draws
    the curve from it); should_stop() is asked before each step, and True ends the search
    with what it has (cancelled=True).

    Raises ProjectError when the project has no data (or no layers, or weights that do not
    fit), EngineValueError for steps < 2 or rates that are not 0 < lr_min < lr_max."""
    steps, lr_min, lr_max = _checked(steps, lr_min, lr_max)
    prepared = runtime.prepare_data(project)
    if not len(prepared.x_train):
        raise ProjectError(
            f"Project {project.name!r} has no training rows to search a learning rate on."
        )
    with private_random_state():
        model = _starting_model(project)
    shuffle_seed = runtime.run_seed(project) if seed is None else int(seed)
    run = _Run(model, prepared, project.training, shuffle_seed)
    rates = lr_min * (lr_max / lr_min) ** (np.arange(steps) / (steps - 1))
    losses: list[float] = []
    smoothed: list[float] = []
    average, best = 0.0, math.inf
    # Over the first steps the average holds a few batches: on a trained network, whose loss
    # is tiny, one unlucky batch would pass for an explosion.
    warm_up = int(steps * SKIP_START)
    stop_reason, cancelled = "", False
    for i, rate in enumerate(rates):
        if should_stop is not None and should_stop():
            stop_reason, cancelled = "cancelled", True
            break
        loss = run.step(float(rate))
        if not math.isfinite(loss):
            stop_reason = f"the loss became {'NaN' if math.isnan(loss) else 'infinite'}"
            stop_reason += f" at learning rate {rate:.3g}"
            break
        average = BETA * average + (1.0 - BETA) * loss
        value = average / (1.0 - BETA ** (i + 1))
        if not math.isfinite(value):
            stop_reason = f"the smoothed loss became infinite at learning rate {rate:.3g}"
            break
        losses.append(loss)
        smoothed.append(value)
        if i >= warm_up:
            best = min(best, value)
        if callback is not None:
            callback(i, float(rate), value)
        if value > EXPLOSION_FACTOR * best and i >= warm_up:
            stop_reason = (
                f"the smoothed loss passed {EXPLOSION_FACTOR:g}× its minimum at learning "
                f"rate {rate:.3g}"
            )
            break
    done = len(losses)
    rates = rates[:done].copy()
    smoothed_array = np.asarray(smoothed, dtype=np.float64)
    suggestion, reason = suggest(rates, smoothed_array, warm_up)
    return LRFinderResult(
        rates=rates,
        losses=np.asarray(losses, dtype=np.float64),
        smoothed=smoothed_array,
        suggestion=suggestion,
        suggestion_reason=reason,
        minimum_rate=minimum_rate(rates, smoothed_array, warm_up),
        stopped_early=bool(stop_reason),
        stop_reason=stop_reason,
        steps_done=done,
        current_rate=float(project.compile.learning_rate),
        cancelled=cancelled,
    )


def search_summary(result: LRFinderResult) -> str:
    """How the search went, for a person: "Searched 200 steps from 1e-06 to 10." and, when it
    ended early, why ("...; stopped: the loss became NaN at learning rate 3.2."). The command
    line and the window say it in the same words. Only for a result with steps_done > 0."""
    searched = (
        f"Searched {result.steps_done} steps from {result.rates[0]:.3g} to {result.rates[-1]:.3g}"
    )
    return searched + (f"; stopped: {result.stop_reason}." if result.stop_reason else ".")


def smooth(losses, beta: float = BETA) -> np.ndarray:
    """The exponential moving average of `losses` with bias correction: s_i = a_i / (1 -
    beta^(i+1)), a_i = beta a_(i-1) + (1 - beta) loss_i, a_(-1) = 0 (what the search
    records)."""
    out = np.empty(len(losses), dtype=np.float64)
    average = 0.0
    for i, loss in enumerate(losses):
        average = beta * average + (1.0 - beta) * float(loss)
        out[i] = average / (1.0 - beta ** (i + 1))
    return out


def suggest(rates, smoothed, skip: int | None = None) -> tuple[float | None, str]:
    """(rate, reason): the rate where the smoothed loss falls fastest against log(rate),
    searched from step `skip` (default: the first tenth of the points is left out) up to
    the minimum; when the curve falls by less than MIN_FALL of its value on the way
    (HARDLY_FALLS) or has too few points there, a tenth of the rate at the minimum. (None,
    why) for fewer than two points."""
    rates = np.asarray(rates, dtype=np.float64)
    smoothed = np.asarray(smoothed, dtype=np.float64)
    if len(rates) < 2:
        return None, "too few steps finished to suggest a rate"
    start = _settled(len(rates), skip)
    lowest = start + int(np.argmin(smoothed[start:]))
    if smoothed[start] - smoothed[lowest] < MIN_FALL * abs(smoothed[start]):
        # no descent worth the name (a trained network, say): its steepest point is noise
        return float(rates[lowest]) / 10.0, HARDLY_FALLS
    if lowest - start >= 2:
        logs = np.log10(rates)
        # The slope at i spans SLOPE_SPAN decades (a central difference over 2k steps), so
        # one noisy batch cannot pass for the steepest descent.
        per_step = (logs[-1] - logs[0]) / (len(logs) - 1)
        k = max(1, int(round(SLOPE_SPAN / 2 / per_step)))
        index = np.arange(start, lowest + 1)
        left, right = np.maximum(index - k, start), np.minimum(index + k, lowest)
        slopes = (smoothed[right] - smoothed[left]) / (logs[right] - logs[left])
        steepest = int(np.argmin(slopes))
        if slopes[steepest] < 0:
            return float(rates[index[steepest]]), STEEPEST
    return float(rates[lowest]) / 10.0, TENTH_OF_MINIMUM


def minimum_rate(rates, smoothed, skip: int | None = None) -> float | None:
    """The rate at the smoothed loss's minimum, the first `skip` points (default: a tenth)
    left out; None without points."""
    if not len(rates):
        return None
    start = _settled(len(rates), skip)
    return float(rates[start + int(np.argmin(np.asarray(smoothed)[start:]))])


def _settled(n: int, skip: int | None) -> int:
    """The first point past the noisy start: `skip` (a tenth of n when None), leaving at
    least two points."""
    skip = int(n * SKIP_START) if skip is None else int(skip)
    return max(0, min(skip, n - 2))


# ---------------------------------------------------------------------------------------


def _checked(steps, lr_min, lr_max) -> tuple[int, float, float]:
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 2:
        raise EngineValueError(
            f"The learning-rate search needs at least 2 steps. Received: steps={steps!r}"
        )
    try:
        low, high = float(lr_min), float(lr_max)
    except (TypeError, ValueError):
        low = high = math.nan
    if not (math.isfinite(low) and math.isfinite(high) and 0 < low < high):
        raise EngineValueError(
            "The learning-rate search needs 0 < lr_min < lr_max, both finite. Received: "
            f"lr_min={lr_min!r}, lr_max={lr_max!r}"
        )
    return int(steps), low, high


def _starting_model(project):
    """A compiled model with a copy of the project's weights, or with the initial weights
    of its next run when it has none. Called with the random state preserved: building an
    untrained model draws (and discards) weights."""
    model = runtime.build_model(project)
    if not project.weights:
        model.set_weights(runtime.initial_weights(project))
    return model


class _Run:
    """One step at a time on the engine's compiled step: batches cut from the training split,
    reshuffled at the start of every pass, as fit_loop cuts them."""

    def __init__(self, model, prepared, training, seed: int):
        self.model = model
        # the checks fit makes, and the targets as the loss wants them (sparse labels stay
        # indices, one column per unit otherwise)
        x = with_ones_column(model._check_x(prepared.x_train), model._layers)
        y = model._check_y(prepared.y_train, len(x))
        n = len(x)
        self.batch = min(runtime.fit_batch_size(training, n), n)
        self.full_batch = self.batch >= n
        if bool(training.shuffle) and not self.full_batch:
            self.generator = np.random.default_rng(seed)
            self.xs, self.ys = np.empty_like(x), np.empty_like(y)
        else:
            self.generator, self.xs, self.ys = None, x, y
        self.x, self.y = x, y
        self.outputs = np.empty((n, model._layers[-1].units), dtype=model._flat.dtype)
        fused = model.loss.fuses_with(model._layers[-1].activation, y)
        plans: dict[int, StepPlan] = {}
        self.batches = []
        for start in range(0, n, self.batch):
            stop = min(start + self.batch, n)
            if stop - start not in plans:
                plans[stop - start] = StepPlan(model, stop - start, y, fused)
            self.batches.append((plans[stop - start].step, slice(start, stop)))
        update = None
        for plan in plans.values():
            update = plan.bind_optimizer(model.optimizer, update)
        self.regularized = any(
            layer.kernel_regularizer is not None or layer.bias_regularizer is not None
            for layer in model._layers
        )
        self.position = 0

    def step(self, rate: float) -> float:
        """One optimizer step at `rate`; returns the loss of its batch before the update."""
        if self.position == 0 and self.generator is not None:
            order = self.generator.permutation(len(self.x))
            np.take(self.x, order, axis=0, out=self.xs, mode="clip")
            np.take(self.y, order, axis=0, out=self.ys, mode="clip")
        step, rows = self.batches[self.position]
        self.position = (self.position + 1) % len(self.batches)
        model = self.model
        model.optimizer.learning_rate = rate
        with np.errstate(all="ignore"):
            penalty = model._penalty() if self.regularized else 0.0
            yb, pb = self.ys[rows], self.outputs[rows]
            step(self.xs[rows], yb, pb)
            return float(model.loss.value(yb, pb)) + penalty
