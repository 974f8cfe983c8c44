"""After Save As to a new name the project carries that name everywhere (title, quit prompt,
exported script), and the export message lists every file it wrote."""

from __future__ import annotations

from pathlib import Path

pytest_plugins = ["window_fixtures"]


def test_save_as_renames_the_project(window, answers, tmp_path):
    answers.save_path = str(tmp_path / "first.nnproj")
    assert window.files.save_as()
    assert "first" in window.windowTitle()
    answers.save_path = str(tmp_path / "second.nnproj")
    window.canvas.layerInsertRequested.emit(0, "tanh")
    assert window.files.save_as()
    assert window.project.name == "second"
    assert "second" in window.windowTitle() and "first" not in window.windowTitle()
    asked = []
    window.dialogs.ask_unsaved_changes = lambda name: asked.append(name) or "discard"
    window.canvas.layerInsertRequested.emit(0, "relu")
    window.show()
    window.close()
    assert asked == ["second"]


def test_the_export_message_names_the_data_file(window, answers, tmp_path):
    answers.save_path = str(tmp_path / "model.py")
    assert window.files.export_keras_script()
    message = window.statusBar().currentMessage()
    assert Path(tmp_path / "model_data.csv").is_file()
    for name in ("model.py", "model_weights.npz", "model_data.csv"):
        assert name in message, message
