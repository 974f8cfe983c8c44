"""The training panel on a stand-in window (training_fakes.FakeHost), for tests of a run's
way between the window and its training process. No tests live here; a test module loads it
with `pytest_plugins = ["panel_fixtures"]`."""

from __future__ import annotations

import pytest
from training_fakes import FakeHost, live_threads

from app.training.integration import attach_training


@pytest.fixture
def make_panel(qtbot):
    """make(project) -> (window, panel); every panel's runs are shut down after the test."""
    panels = []

    def make(project):
        window = FakeHost(project)
        qtbot.addWidget(window)
        panel = attach_training(window)
        window.show()
        panels.append(panel)
        return window, panel

    yield make
    for panel in panels:
        panel.controller.shutdown()
    assert live_threads() == []
