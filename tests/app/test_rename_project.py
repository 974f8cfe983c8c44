"""File ▸ Rename Project…: one undo step, and the title, the quit prompt and the Keras
export's docstring follow the new name."""

from __future__ import annotations

pytest_plugins = ["window_fixtures"]


def test_rename_project_is_undoable_and_named_everywhere(window, tmp_path):
    window.dialogs.ask_project_name = lambda current: "Roast  quality\n model"
    window.rename_action.trigger()
    assert window.project.name == "Roast quality model"
    assert "Roast quality model" in window.windowTitle()
    assert window.undo_action.text() == "&Undo Rename project"

    window.dialogs.ask_save_path = lambda *a, **k: str(tmp_path / "model.py")
    assert window.files.export_keras_script()
    assert "Roast quality model" in (tmp_path / "model.py").read_text(encoding="utf-8")

    window.undo_action.trigger()
    assert window.project.name != "Roast quality model"
    assert "Roast quality model" not in window.windowTitle()
    window.redo_action.trigger()
    assert window.project.name == "Roast quality model"

    asked = []
    window.dialogs.ask_unsaved_changes = lambda name: asked.append(name) or "discard"
    window.show()
    window.close()
    assert asked == ["Roast quality model"]


def test_an_empty_name_is_refused(window):
    before = window.project.name
    assert not window.rename_project("   ")
    assert window.project.name == before and not window.undo_stack.canUndo()
