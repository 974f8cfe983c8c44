"""engine.lr_finder: the rate rises exponentially, each loss is the loss of a real batch from
the right starting weights, the curve is smoothed as fast.ai smooths it, the search stops
when the loss explodes, the suggestion sits where the loss falls fastest -- and the project
and the engine's random generators come out exactly as they went in."""

from __future__ import annotations

import math
import random
import time

import numpy as np
import pytest

from engine import utils
from engine.errors import EngineValueError, ProjectError
from engine.lr_finder import (
    BETA,
    EXPLOSION_FACTOR,
    HARDLY_FALLS,
    STEEPEST,
    TENTH_OF_MINIMUM,
    find_learning_rate,
    minimum_rate,
    smooth,
    suggest,
)
from engine.project import LayerSpec, Project, runtime
from engine.resources import resource_path


@pytest.fixture(scope="module")
def trained_course():
    project = Project.course()
    model = runtime.build_model(project, seed=runtime.run_seed(project))
    prepared = runtime.prepare_data(project)
    outcome = runtime.fit_run(model, prepared, project.training, epochs=40)
    runtime.record_run(project, outcome, prepared.scaler_config)
    return project


def random_states():
    return (
        utils.rng().bit_generator.state,
        np.random.get_state()[1].copy(),
        random.getstate(),
    )


def test_the_rate_rises_exponentially_and_the_curve_is_the_smoothed_loss():
    result = find_learning_rate(Project.course(), steps=120, lr_min=1e-5, lr_max=1.0)
    assert result.steps_done == len(result.rates) == len(result.losses) == len(result.smoothed)
    assert result.rates[0] == pytest.approx(1e-5)
    ratios = result.rates[1:] / result.rates[:-1]
    np.testing.assert_allclose(ratios, (1.0 / 1e-5) ** (1 / 119), rtol=1e-9)
    np.testing.assert_allclose(result.smoothed, smooth(result.losses), rtol=1e-12)
    # bias-corrected: the first smoothed value is the first loss itself, not (1 - beta) x it
    assert result.smoothed[0] == pytest.approx(result.losses[0])
    assert result.smoothed[1] == pytest.approx(
        (BETA * (1 - BETA) * result.losses[0] + (1 - BETA) * result.losses[1]) / (1 - BETA**2)
    )
    assert np.isfinite(result.losses).all()
    assert result.current_rate == 0.01


def test_the_course_net_gets_a_steepest_descent_suggestion_in_range_quickly():
    project = Project.course()
    started = time.perf_counter()
    result = find_learning_rate(project)
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0, f"200 steps of the course net took {elapsed:.2f} s"
    assert result.steps_done == 200 and not result.stopped_early and not result.cancelled
    assert result.suggestion_reason == STEEPEST
    assert 1e-6 <= result.suggestion <= result.minimum_rate <= 10.0
    # the smoothed loss falls on the way to the suggestion and beyond it
    at = int(np.searchsorted(result.rates, result.suggestion))
    assert result.smoothed[at] < result.smoothed[20]
    assert result.smoothed.min() < result.smoothed[at]


def test_an_untrained_project_starts_from_its_next_runs_weights_on_a_shuffled_batch():
    """The first loss is that of the first batch of a pass shuffled by the run seed, through
    the initial weights the project's next run would get."""
    project = Project.course()
    result = find_learning_rate(project, steps=5)
    prepared = runtime.prepare_data(project)
    model = runtime.build_model(project)
    model.set_weights(runtime.initial_weights(project))
    order = np.random.default_rng(runtime.run_seed(project)).permutation(len(prepared.x_train))
    batch = order[:32]
    expected = model.loss(prepared.y_train[batch], model.predict(prepared.x_train[batch]))
    assert result.losses[0] == pytest.approx(expected, rel=1e-5)


def test_a_trained_project_starts_from_its_own_weights(trained_course):
    untrained = find_learning_rate(Project.course(), steps=5)
    trained = find_learning_rate(trained_course, steps=5)
    model = runtime.build_model(trained_course)
    prepared = runtime.prepare_data(trained_course)
    order = np.random.default_rng(runtime.run_seed(trained_course)).permutation(
        len(prepared.x_train)
    )
    batch = order[:32]
    expected = model.loss(prepared.y_train[batch], model.predict(prepared.x_train[batch]))
    assert trained.losses[0] == pytest.approx(expected, rel=1e-5)
    assert trained.losses[0] < untrained.losses[0]


def test_the_project_and_the_random_generators_are_left_as_they_were(trained_course):
    project = trained_course
    weights = [w.copy() for w in project.weights]
    history = {k: list(v) for k, v in project.history.items()}
    epochs, compile_spec, training = project.epochs_trained, project.compile, project.training
    compile_copy, training_copy = repr(compile_spec), repr(training)
    utils.set_random_seed(123)
    before = random_states()
    for untrained in (False, True):
        subject = Project.course() if untrained else project
        find_learning_rate(subject, steps=30)
        after = random_states()
        assert after[0] == before[0]
        np.testing.assert_array_equal(after[1], before[1])
        assert after[2] == before[2]
    for kept, now in zip(weights, project.weights):
        np.testing.assert_array_equal(kept, now)
    assert project.history == history and project.epochs_trained == epochs
    assert repr(project.compile) == compile_copy and repr(project.training) == training_copy
    assert project.snapshots == {}


def test_the_same_project_gives_the_same_curve_and_a_seed_other_batches():
    project = Project.course()
    first = find_learning_rate(project, steps=40)
    again = find_learning_rate(project, steps=40)
    np.testing.assert_array_equal(first.losses, again.losses)
    other = find_learning_rate(project, steps=40, seed=99)
    assert not np.array_equal(first.losses, other.losses)


def test_an_exploding_loss_stops_the_search_and_is_left_out_when_not_finite():
    project = Project.course()
    project.compile.optimizer = "sgd"
    project.layers = [LayerSpec(16, "relu", "h"), LayerSpec(1, "linear", "out")]
    project.compile.loss = "mean_squared_error"
    project.compile.metrics = []
    result = find_learning_rate(project, steps=200, lr_min=1e-4, lr_max=1e6)
    assert result.stopped_early and not result.cancelled
    assert result.steps_done < 200
    assert "learning rate" in result.stop_reason
    assert np.isfinite(result.losses).all() and np.isfinite(result.smoothed).all()
    if "passed" in result.stop_reason:
        assert result.smoothed[-1] > EXPLOSION_FACTOR * result.smoothed.min()
    assert result.suggestion is not None and result.suggestion < result.rates[-1]


def test_steepest_descent_of_a_known_curve_and_the_fallback():
    rates = np.logspace(-6, 1, 141)
    x = np.log10(rates)
    # flat at 1, falling fastest at 1e-3 (a logistic step), lowest near 1e-1, then rising
    curve = 1.0 - 0.8 / (1.0 + np.exp(-(x + 3.0) * 3.0)) + np.where(x > -1, (x + 1) ** 2, 0)
    rate, reason = suggest(rates, curve)
    assert reason == STEEPEST
    assert rate == pytest.approx(1e-3, rel=0.2)
    rising = np.linspace(1.0, 3.0, 50)
    rate, reason = suggest(rates[:50], rising)
    # the minimum is looked for past the noisy first tenth of the points
    assert minimum_rate(rates[:50], rising) == rates[5]
    assert reason == HARDLY_FALLS and rate == pytest.approx(rates[5] / 10)
    # a fall too quick to measure a slope on: one step down, then up
    cliff = np.concatenate([np.ones(6), [0.5], np.linspace(0.6, 3.0, 43)])
    rate, reason = suggest(rates[:50], cliff)
    assert reason == TENTH_OF_MINIMUM and rate == pytest.approx(rates[6] / 10)
    assert suggest(rates[:1], rising[:1])[0] is None
    # a curve that falls 2% on its way to the minimum has no descent to speak of
    flat = 1.0 - 0.02 / (1.0 + np.exp(-(x + 3.0) * 3.0)) + np.where(x > -1, (x + 1) ** 2, 0)
    rate, reason = suggest(rates, flat)
    assert reason == HARDLY_FALLS
    assert rate == pytest.approx(minimum_rate(rates, flat) / 10)


def test_one_noisy_batch_early_on_does_not_pass_for_the_steepest_descent():
    rates = np.logspace(-6, 1, 200)
    x = np.log10(rates)
    curve = 1.0 - 0.5 / (1.0 + np.exp(-(x + 2.0) * 2.0))
    curve[25] -= 0.05  # one dip right after the skipped start
    rate, _ = suggest(rates, curve)
    assert rate == pytest.approx(1e-2, rel=0.5)


def test_progress_and_cancel():
    seen = []
    result = find_learning_rate(
        Project.course(),
        steps=100,
        callback=lambda step, rate, loss: seen.append((step, rate, loss)),
        should_stop=lambda: len(seen) >= 10,
    )
    assert result.cancelled and result.stopped_early and result.stop_reason == "cancelled"
    assert result.steps_done == 10
    assert [s for s, _, _ in seen] == list(range(10))
    np.testing.assert_allclose([r for _, r, _ in seen], result.rates)
    np.testing.assert_allclose([v for _, _, v in seen], result.smoothed)


@pytest.mark.parametrize("name", ["iris", "sine"])
def test_trained_multiclass_and_regression_examples(name):
    """A trained network's batch losses differ a hundredfold: the noisy start must not pass
    for an explosion."""
    path = resource_path("examples", f"{name}.nnproj")
    if path is None:
        pytest.skip("examples not built")
    project = Project.load(path)
    result = find_learning_rate(project, steps=60)
    assert result.steps_done > 10 and np.isfinite(result.losses).all()
    assert result.suggestion is not None and result.suggestion > 0


def test_an_l2_penalty_is_part_of_each_loss():
    project = Project.course()
    plain = find_learning_rate(project, steps=3)
    project.layers[0].l2 = 0.5
    penalised = find_learning_rate(project, steps=3)
    model = runtime.build_model(project)
    model.set_weights(runtime.initial_weights(project))
    assert penalised.losses[0] - plain.losses[0] == pytest.approx(model._penalty(), rel=1e-4)


def test_a_project_without_data_or_with_bad_arguments_is_refused():
    project = Project.course()
    project.dataset = None
    with pytest.raises(ProjectError, match="no data"):
        find_learning_rate(project)
    course = Project.course()
    with pytest.raises(EngineValueError, match="at least 2 steps"):
        find_learning_rate(course, steps=1)
    for low, high in ((1e-2, 1e-3), (0.0, 1.0), (1e-3, math.inf)):
        with pytest.raises(EngineValueError, match="lr_min < lr_max"):
            find_learning_rate(course, lr_min=low, lr_max=high)
