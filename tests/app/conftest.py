"""GUI tests run without a display: the offscreen platform must be chosen before Qt starts."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _window_sandbox(tmp_path, monkeypatch):
    """Every GUI test: settings and autosave files go to a temporary folder (never the user's
    real ones), and the main window's modal questions answer at once instead of waiting
    forever for a click (offscreen there is nobody to click): unsaved changes -> Discard,
    restore an autosave -> No; error boxes are printed. Tests that check a question replace
    the method on their window's `dialogs` (see tests/app/window_fixtures.py)."""
    monkeypatch.setenv("NETBUILDER_CONFIG_DIR", str(tmp_path / "netbuilder-config"))
    from app.dialogs import Dialogs

    monkeypatch.setattr(Dialogs, "ask_unsaved_changes", lambda self, name: "discard")
    monkeypatch.setattr(Dialogs, "ask_restore_recovery", lambda self, name, original: False)
    monkeypatch.setattr(Dialogs, "show_error", lambda self, title, text: print(title, text))


@pytest.fixture(autouse=True, scope="module")
def _collect_qt_garbage():
    """After each GUI test module, Python-owned Qt objects left in reference cycles (windows,
    panels, lambdas wired to their signals) are collected here, on the GUI thread. Left to the
    cyclic collector, they are freed by whichever thread next triggers it, and Qt objects must
    be deleted on their own thread. (One CI run segfaulted in a command-line test that runs a
    thread, after the GUI tests; the next run of the same commit passed. This removes one way
    that can happen, not a proven cause.)"""
    yield
    import gc

    gc.collect()
