"""Runs on the command line: `netbuilder train` records them in the file, `netbuilder summary`
lists them one line each."""

from __future__ import annotations

import re

from app.cli import main
from engine.project import Project, edits


def run(capsys, *argv):
    capsys.readouterr()
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def new_xor(path):
    assert main(["new", str(path), "--builtin", "xor", "--layers", "6:tanh,1:sigmoid"]) == 0
    return path


def test_train_records_a_run_and_continuing_brings_it_up_to_date(tmp_path, capsys):
    path = new_xor(tmp_path / "xor.nnproj")
    assert Project.load(path).runs == []
    assert run(capsys, "train", path, "-e", "3")[0] == 0
    [first] = Project.load(path).runs
    assert (first.name, first.epochs) == ("run 1", 3)
    assert run(capsys, "train", path, "-e", "2")[0] == 0
    project = Project.load(path)
    [again] = project.runs
    assert (again.id, again.name, again.epochs) == (first.id, "run 1", 5)
    assert again.history == project.history and project.current_run == again.id


def test_train_after_a_settings_change_branches_and_summary_lists_every_run(tmp_path, capsys):
    path = new_xor(tmp_path / "xor.nnproj")
    assert run(capsys, "train", path, "-e", "2")[0] == 0
    project = Project.load(path)
    project.compile.learning_rate = 0.1
    project.save(path)
    assert run(capsys, "train", path, "-e", "2")[0] == 0
    project = Project.load(path)
    edits.set_layer_field(project, 0, "activation", "relu")  # a fresh start
    project.save(path)
    assert run(capsys, "train", path, "-e", "3")[0] == 0

    code, out, err = run(capsys, "summary", path)
    assert (code, err) == (0, "")
    project = Project.load(path)
    assert [r.name for r in project.runs] == ["run 1", "lr 0.1", "layer 1 relu"]
    lines = out.split("Runs (3; * the current one):\n")[1].splitlines()[:3]
    for line, saved in zip(lines, project.runs, strict=True):
        figures = saved.final_figures()
        expected = (
            f"{'*' if saved.id == project.current_run else ' '} {saved.name}: "
            f"{saved.epochs} epochs, loss {figures['loss']:.4f}"
        )
        assert line.strip(" ").startswith(expected.strip(" ")), line
        assert re.search(r"accuracy \d\.\d{4}", line)
    assert [line.startswith("  *") for line in lines] == [False, False, True]
    assert "(kept: epoch" not in out


def test_summary_of_an_untrained_project_lists_no_runs(tmp_path, capsys):
    code, out, _ = run(capsys, "summary", new_xor(tmp_path / "xor.nnproj"))
    assert code == 0 and "Runs" not in out
