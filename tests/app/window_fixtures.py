"""Fixtures for main-window tests: a window whose settings and recovery files live in a
temporary folder, and whose modal questions are answered by the test instead of a person."""

from __future__ import annotations

import pytest


@pytest.fixture
def config_dir(tmp_path, monkeypatch):
    folder = tmp_path / "config"
    monkeypatch.setenv("NETBUILDER_CONFIG_DIR", str(folder))
    return folder


class Answers:
    """What the fake dialogs reply, and what they were asked/shown."""

    def __init__(self):
        self.unsaved = "discard"
        self.open_path = ""
        self.save_path = ""
        self.restore = True
        self.errors: list[tuple[str, str]] = []
        self.notices: list[tuple[str, str]] = []
        self.asked_unsaved = 0


def install_answers(window, answers: Answers) -> None:
    d = window.dialogs

    def ask_unsaved(_name):
        answers.asked_unsaved += 1
        return answers.unsaved

    d.ask_unsaved_changes = ask_unsaved
    d.ask_open_path = lambda *a, **k: answers.open_path
    d.ask_save_path = lambda *a, **k: answers.save_path
    d.ask_restore_recovery = lambda *a, **k: answers.restore
    d.show_error = lambda title, text: answers.errors.append((title, text))
    d.show_notice = lambda title, text: answers.notices.append((title, text))


@pytest.fixture
def answers():
    return Answers()


@pytest.fixture
def make_window(qtbot, config_dir, answers):
    from app.main_window import MainWindow

    def make(path=None):
        window = MainWindow()
        install_answers(window, answers)
        qtbot.addWidget(window)
        if path is not None:
            window.files.open_path(path, ask=False)
        return window

    return make


@pytest.fixture
def window(make_window):
    return make_window()


@pytest.fixture
def shown_window(make_window, qtbot):
    """A main window on screen (the coffee project, trained) whose threads -- training,
    Compare…, Find learning rate -- are stopped and joined after the test, none left over."""
    from training_fakes import live_threads

    window = make_window()
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.training.learning_tools.shutdown()
    window.training.controller.shutdown()
    assert live_threads() == []
