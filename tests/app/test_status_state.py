"""The status bar keeps the dataset (name, rows × features) and the epoch beside the run
summary, and shows a busy bar with a message while a long operation blocks the window."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QLabel, QProgressBar

from engine.data import builtin
from engine.project import DatasetSource, RunOutcome, runtime

pytest_plugins = ["window_fixtures"]


def _text(window, name):
    return window.statusBar().findChild(QLabel, name).text()


def test_dataset_and_epoch_follow_every_change(window):
    assert window.statusBar().findChild(QLabel, "runSummary") is not None
    dataset = window.project.dataset
    rows, features = dataset.x.shape
    assert _text(window, "datasetStatus") == f"{dataset.name}: {rows} rows × {features} features"
    iris = builtin("iris")
    window.dataset_panel.datasetChangeRequested.emit(DatasetSource.from_dataset(iris), iris)
    assert _text(window, "datasetStatus") == "iris: 150 rows × 4 features"
    assert _text(window, "epochStatus") == "Not trained"
    weights = [np.array(w) for w in runtime.build_model(window.project).get_weights()]
    window.record_run(RunOutcome("finished", weights, {"loss": [0.7, 0.5]}, 2), None, {}, 0)
    assert _text(window, "epochStatus") == "Epoch 2"
    window.undo()
    assert _text(window, "epochStatus") == "Not trained"
    window.undo()
    assert _text(window, "datasetStatus").startswith(f"{dataset.name}:")


def _watch_busy(window, seen):
    bar = window.statusBar().findChild(QProgressBar, "busyIndicator")
    message = window.statusBar().findChild(QLabel, "busyMessage")

    def look(*_args, **_kwargs):
        seen.append((bar.isVisible(), bar.maximum() == 0, message.text()))

    return bar, look


def test_saving_and_exporting_show_a_busy_indicator(window, answers, tmp_path, monkeypatch):
    window.show()
    seen = []
    bar, look = _watch_busy(window, seen)
    save = type(window.project).save

    def slow_save(project, path):
        look()
        return save(project, path)

    monkeypatch.setattr(type(window.project), "save", slow_save)
    answers.save_path = str(tmp_path / "p.nnproj")
    assert window.files.save_as()
    assert seen == [(True, True, "Saving p.nnproj…")]
    assert not bar.isVisible()

    from engine import export

    export_keras = export.export_keras

    def slow_export(project, path):
        look()
        return export_keras(project, path)

    monkeypatch.setattr(export, "export_keras", slow_export)
    answers.save_path = str(tmp_path / "model.py")
    assert window.files.export_keras_script()
    assert seen[-1] == (True, True, "Exporting model.py…")
    assert not bar.isVisible()


def test_importing_a_csv_shows_a_busy_indicator(window, tmp_path, monkeypatch, qtbot):
    from app.data import import_dialog
    from app.data.import_dialog import CsvImportDialog

    window.show()
    seen = []
    bar, look = _watch_busy(window, seen)
    load_csv = import_dialog.engine_data.load_csv

    def slow_load(*args, **kwargs):
        look()
        return load_csv(*args, **kwargs)

    monkeypatch.setattr(import_dialog.engine_data, "load_csv", slow_load)
    path = tmp_path / "data.csv"
    path.write_text("a,b,y\n1,2,0\n3,4,1\n", encoding="utf-8")
    dialog = CsvImportDialog(path, window.dataset_panel)
    qtbot.addWidget(dialog)
    dialog.accept()
    assert seen == [(True, True, "Importing data.csv…")]
    assert not bar.isVisible()
