"""A run in the training process and the window share its fixed inputs instead of sending
them (app/training/wire.py, ProcessWorker's held data): a snapshot's views name the plane and
the rows they were computed on, a run on the same data sends it once, and the person's
choice of plane or rows mid-run reaches the process."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from PySide6.QtWidgets import QComboBox
from training_fakes import finish, project_for

from app.training import process_worker, wire
from app.training.prepare import PreparedCache
from app.training.views import ViewSetup, compute_views
from app.training.worker import Snapshot
from engine.data import Dataset
from engine.project import LayerSpec, Project, runtime

pytest_plugins = ["panel_fixtures"]
pytestmark = pytest.mark.skipif(not process_worker.SUPPORTED, reason="runs train on a thread")


def wide_project(features=40, epochs=1_000_000) -> Project:
    """A 3-class set with `features` columns: drawn over a plane (principal components, or
    two chosen features), whose probe grid has a row of every feature per pixel."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(600, features)).astype(np.float32)
    labels = (x[:, 0] > 0).astype(int) + (x[:, 1] > 0.5).astype(int)
    y = labels.astype(np.float32)
    names = [f"f{i}" for i in range(features)]
    dataset = Dataset(x, y, feature_names=names, class_names=["a", "b", "c"], name="wide")
    project = Project.new_for_dataset(dataset)
    project.layers = [LayerSpec(8, "relu"), LayerSpec(3, "softmax")]
    project.training.early_stopping = None
    project.training.epochs = epochs
    return project


def views_of(project):
    prepared = PreparedCache().get(project)
    setup = ViewSetup.for_project(project, prepared)
    model = runtime.build_model(project, seed=0)
    return setup, compute_views(model, setup)


def test_a_snapshot_s_views_name_the_plane_and_rows_the_window_holds():
    setup, views = views_of(wide_project())
    assert setup.kind == "boundary" and setup.layout.choice == "pca"
    message = ("snapshot", Snapshot(epoch=1, done=1, planned=2, views=views), {})
    data = wire.dumps(message)
    # The boundary's outputs, and nothing of the probe grid (10,000 rows x 40 features) nor
    # of the rows, which a plain pickle carries.
    assert len(data) < views.output.nbytes + 20_000
    assert len(pickle.dumps(message)) > views.output.nbytes + setup.layout.probe_x.nbytes
    _, snap, _ = wire.loads(data, setup)
    assert snap.views.layout is setup.layout
    assert snap.views.evaluation.rows is setup.eval_rows
    np.testing.assert_array_equal(snap.views.output, views.output)
    assert setup.shows(snap.views)
    # Views made for the plane shown before the person chose another one are not drawn.
    setup.use_layout(setup.layout_for("features:2:5"))
    _, stale, _ = wire.loads(data, setup)
    assert stale.views.layout is None and not setup.shows(stale.views)


def test_a_copy_of_a_setup_makes_the_window_s_choice_its_own():
    setup, _ = views_of(wide_project())
    copy = pickle.loads(pickle.dumps(setup))  # as the training process gets it
    setup.use_layout(setup.layout_for("features:4:7"))
    setup.use_split("training")
    copy.choose(setup.choice)
    assert copy.choice == ("features:4:7", "training")
    np.testing.assert_array_equal(copy.probe_x, setup.probe_x)
    assert copy.eval_rows.split == "training"


def test_a_run_on_the_same_data_does_not_send_it_again(qtbot, make_panel, monkeypatch):
    sent = []
    request_class = process_worker.RunRequest

    def recorded(**fields):
        sent.append(fields)
        return request_class(**fields)

    monkeypatch.setattr(process_worker, "RunRequest", recorded)
    projects = [project_for("moons", epochs=40), project_for("moons", epochs=40)]
    histories = []
    for separate in (True, False):
        window, panel = make_panel(projects[separate])
        panel.controller.separate_process = separate
        for _ in range(2):
            panel.controller.train()
            assert finish(qtbot, panel).outcome == "finished"
        histories.append(window.project.history["loss"])
    first, second = sent
    assert first["prepared"] is not None and not first["prepared_held"]
    assert second["prepared"] is None and second["prepared_held"]
    assert second["setup"] is None and second["setup_held"]
    # The held data trains exactly what the data sent again would have (here: on a thread).
    assert len(histories[0]) == 80
    np.testing.assert_allclose(histories[0], histories[1], rtol=1e-6)


@pytest.mark.parametrize("separate_process", [True, False], ids=["process", "thread"])
def test_a_plane_chosen_mid_run_is_the_one_drawn_when_the_run_pauses(
    qtbot, make_panel, separate_process
):
    """Also: a pause draws the views the pacing held back, so they show where it paused."""
    window, panel = make_panel(wide_project())
    c, output = panel.controller, panel.output_view
    boundary = output.boundary_plot
    c.separate_process = separate_process
    c.train()
    qtbot.waitUntil(
        lambda: c.worker is not None and boundary.last_output is not None, timeout=15_000
    )
    output.findChild(QComboBox, "projectionCombo").setCurrentIndex(1)  # two chosen features
    output.findChild(QComboBox, "projectionXCombo").setCurrentIndex(3)
    output.findChild(QComboBox, "projectionYCombo").setCurrentIndex(11)
    assert c.setup.layout.choice == "features:3:11"
    c.pause()  # the run shows where it paused: its views, on the plane it now has

    def drawn_on_the_chosen_plane():
        weights, drawn = c.latest_weights, boundary.last_output
        if not c.worker.paused or weights is None or drawn is None:
            return False
        model = runtime.build_model(window.project, seed=0)
        model.set_weights(weights)
        expected = compute_views(model, c.setup).output
        return np.allclose(drawn, expected, atol=1e-5)

    qtbot.waitUntil(drawn_on_the_chosen_plane, timeout=15_000)
    c.stop()
    finish(qtbot, panel)
