"""Two running instances never share a recovery file: the second window neither offers to
restore the first one's live autosave nor deletes it (declining, saving, exiting). Only a
file whose owner has died is offered."""

from __future__ import annotations

import subprocess
import sys
import textwrap

pytest_plugins = ["window_fixtures"]


def test_a_second_window_does_not_offer_the_first_ones_live_autosave(make_window, answers):
    first = make_window()
    first.canvas.layerInsertRequested.emit(0, "elu")
    assert first.autosaver.save_now()
    second = make_window()
    assert second.autosaver.recovery_path != first.autosaver.recovery_path
    assert second.autosaver.pending() is None
    answers.restore = True
    assert second.offer_recovery() is False
    assert first.autosaver.recovery_path.is_file()


def test_saving_or_exiting_one_window_keeps_the_others_safety_net(make_window, answers, tmp_path):
    first = make_window()
    first.canvas.layerInsertRequested.emit(0, "elu")
    assert first.autosaver.save_now()
    second = make_window()
    second.canvas.layerInsertRequested.emit(0, "tanh")
    second.autosaver.save_now()
    answers.save_path = str(tmp_path / "second.nnproj")
    assert second.files.save_as()
    second.show()
    assert second.close()
    assert first.autosaver.recovery_path.is_file()
    assert not second.autosaver.recovery_path.exists()


def test_the_file_of_a_crashed_process_is_offered(make_window, answers, config_dir):
    """A real crash: another Python process takes a lock and writes a recovery file the way
    a window does, then dies without unlocking (os._exit)."""
    window = make_window()  # creates the recovery folder and knows its path
    folder = window.autosaver.folder
    script = textwrap.dedent(f"""
        import json, os, pathlib
        from PySide6.QtCore import QLockFile
        from engine.project import Project
        folder = pathlib.Path({str(folder)!r})
        stem = f"recovery-{{os.getpid()}}-0"
        lock = QLockFile(str(folder / (stem + ".lock")))
        assert lock.tryLock(0)
        project = Project.default()
        project.layers[0].activation = "elu"
        project.save(folder / (stem + ".nnproj"))
        (folder / (stem + ".json")).write_text(json.dumps({{"original": None, "name": "Lost"}}))
        os._exit(0)
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    assert list(folder.glob("recovery-*.lock"))  # the dead owner's lock is still there
    answers.restore = True
    assert window.offer_recovery() is True
    assert window.project.layers[0].activation == "elu"
    assert window.autosaver.pending() is None
