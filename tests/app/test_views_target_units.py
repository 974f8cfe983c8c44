"""The output views of a regression trained on a standardised target speak the target's own
units: the scatter's predictions, its targets and the metrics table alike."""

import numpy as np

from app.training.views import ViewSetup, compute_views
from engine.data import Dataset
from engine.project import Project, runtime


def test_a_wide_regression_on_a_scaled_target_is_shown_in_the_targets_units():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3)).astype(np.float32)
    y = (500.0 + 40.0 * x[:, 0] - 25.0 * x[:, 1]).astype(np.float32).reshape(-1, 1)
    project = Project.new_for_dataset(Dataset(x, y, name="wide-regression"))
    prepared = runtime.prepare_data(project)
    assert prepared.target_scaler is not None  # the default scales a regression target
    model = runtime.build_model(project, seed=0)
    setup = ViewSetup.for_data(
        prepared, project.dataset, ["relu", "linear"], project.compile, project.training
    )
    update = compute_views(model, setup)

    expected = runtime.to_target_units(
        prepared.target_scaler, model.predict(prepared.x_val, verbose=0)
    )[:, 0]
    evaluation = update.evaluation
    assert np.allclose(evaluation.predictions, expected, rtol=1e-5)
    assert np.allclose(
        np.sort(evaluation.rows.targets),
        np.sort(project.dataset.y[:, 0][np.isin(np.arange(200), evaluation.rows.rows)]),
    )
    assert 300 < evaluation.rows.targets.mean() < 700  # not the standardised ~0
    assert setup.kind == "scatter" and np.allclose(update.output, expected, rtol=1e-5)
