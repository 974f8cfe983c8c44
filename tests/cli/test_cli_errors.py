"""Bad input: usage errors exit 2 with argparse's message; a missing, unreadable or broken
file, or one without the columns the project needs, exits 1 with exactly one line
`netbuilder: error: <file>: <what is wrong>` on stderr -- never a traceback."""

from __future__ import annotations

import zipfile

import pytest

from app import cli
from app.cli import main


def run(capsys, *argv):
    capsys.readouterr()
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(err: str, file, *fragments: str) -> str:
    """Exactly one line naming `file`; returns what it says is wrong."""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    prefix = f"netbuilder: error: {file}: "
    assert lines[0].startswith(prefix), lines[0]
    what = lines[0][len(prefix) :]
    assert what.strip(), "the message must say what is wrong"
    for fragment in fragments:
        assert fragment in what, f"{fragment!r} not in {what!r}"
    return what


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    path = tmp_path_factory.mktemp("p") / "xor.nnproj"
    assert main(["new", str(path), "--builtin", "xor", "--layers", "4:tanh,1:sigmoid"]) == 0
    return path


@pytest.fixture(scope="module")
def names(project):
    from engine.project import Project

    dataset = Project.load(project).dataset
    return dataset.feature_names, dataset.target_name


# --------------------------------------------------------------------------- usage: 2


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["frobnicate"], "invalid choice"),
        (["new"], "the following arguments are required"),
        (["new", "x.nnproj"], "one of the arguments --data --builtin is required"),
        (["new", "x.nnproj", "--data", "d.csv"], "--data needs --target"),
        (["new", "x.nnproj", "--builtin", "nope"], "unknown dataset 'nope'"),
        (["new", "x.nnproj", "--builtin", "xor", "--layers", "0:relu"], "UNITS >= 1"),
        (["new", "x.nnproj", "--builtin", "iris", "--layers", "4:relu,1:sigmoid"], "needs 3"),
        (["new", "x.nnproj", "--builtin", "xor", "--layers", "4:sigmoidd"], "unknown activation"),
        (["new", "x.nnproj", "--builtin", "xor", "--loss", "hinge_like"], "unknown loss"),
        (["new", "x.nnproj", "--builtin", "xor", "--optimizer", "lbfgs"], "unknown optimizer"),
        (["new", "x.nnproj", "--builtin", "xor", "--learning-rate", "-1"], "positive"),
        (["new", "x.nnproj", "--builtin", "xor", "--validation-split", "1.5"], "fraction"),
        (["train"], "the following arguments are required"),
        (["train", "p.nnproj", "--epochs", "0"], "at least 1"),
        (["predict", "p.nnproj"], "the following arguments are required"),
        (["export", "p.nnproj"], "invalid choice"),
    ],
)
def test_usage_errors_exit_2_with_argparse_message(tmp_path, monkeypatch, capsys, argv, fragment):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert "usage: netbuilder" in err and fragment in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # nothing written


# ------------------------------------------------------------------- bad projects: 1


@pytest.mark.parametrize("command", [["train"], ["evaluate"], ["summary"], ["export", "keras"]])
def test_missing_project(tmp_path, capsys, command):
    missing = tmp_path / "missing.nnproj"
    code, out, err = run(capsys, *command, missing)
    assert code == 1
    assert_one_line_error(err, missing, "no such file")


def test_unreadable_project(tmp_path, capsys):
    folder = tmp_path / "folder.nnproj"
    folder.mkdir()
    code, _, err = run(capsys, "summary", folder)
    assert code == 1
    assert_one_line_error(err, folder)


def _zip(path, members: dict[str, bytes]):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize(
    "make",
    [
        lambda p: p.write_bytes(b"this is not a zip file at all"),
        lambda p: p.write_bytes(b""),
        lambda p: _zip(p, {"project.json": b"{not json"}),
        lambda p: _zip(p, {"project.json": b'{"format": "something-else"}'}),
        lambda p: _zip(p, {"readme.txt": b"hello"}),
    ],
    ids=["not-a-zip", "empty", "bad-json", "wrong-format", "no-project-json"],
)
def test_broken_project(tmp_path, capsys, make):
    path = tmp_path / "broken.nnproj"
    make(path)
    for command in (["train"], ["evaluate"], ["summary"], ["predict", path, "x.csv"]):
        argv = command if command[0] == "predict" else [*command, path]
        code, out, err = run(capsys, *argv)
        assert code == 1, argv
        assert_one_line_error(err, path)


def test_truncated_project(project, tmp_path, capsys):
    path = tmp_path / "truncated.nnproj"
    data = project.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    code, _, err = run(capsys, "evaluate", path)
    assert code == 1
    assert_one_line_error(err, path)


# ---------------------------------------------------------------------- bad CSVs: 1


def test_new_with_missing_csv(tmp_path, capsys):
    missing = tmp_path / "nothing.csv"
    code, _, err = run(capsys, "new", tmp_path / "p.nnproj", "--data", missing, "--target", "y")
    assert code == 1
    assert_one_line_error(err, missing, "no such file")
    assert not (tmp_path / "p.nnproj").exists()


def test_new_with_unknown_target(tmp_path, capsys, monkeypatch):
    data = tmp_path / "d.csv"
    data.write_text("a,b,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # a relative name, as typed
    code, _, err = run(capsys, "new", "p.nnproj", "--data", "d.csv", "--target", "label")
    assert code == 1
    what = assert_one_line_error(err, "d.csv", "label")
    assert str(data) not in what  # the file is named once, as the person typed it
    assert not (tmp_path / "p.nnproj").exists()


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\x01\x02\xff\xfe binary", b"a,b,y\n"],
    ids=["empty", "binary", "header-only"],
)
def test_new_with_broken_csv(tmp_path, capsys, content):
    data = tmp_path / "d.csv"
    data.write_bytes(content)
    code, _, err = run(capsys, "new", tmp_path / "p.nnproj", "--data", data, "--target", "y")
    assert code == 1
    assert_one_line_error(err, data)


def test_predict_csv_without_the_feature_columns(project, names, tmp_path, capsys):
    features, _ = names
    data = tmp_path / "in.csv"
    data.write_text(f"{features[0]},other\n1,2\n", encoding="utf-8")
    out_path = tmp_path / "out.csv"
    out_path.write_text("previous results\n", encoding="utf-8")
    code, out, err = run(capsys, "predict", project, data, "-o", out_path)
    assert code == 1
    what = assert_one_line_error(err, data, repr(features[1]), "found: " + features[0])
    assert repr(features[0]) not in what.split(";")[0]  # only the missing one is named missing
    # The old output is untouched and no temporary file is left behind.
    assert out_path.read_text(encoding="utf-8") == "previous results\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv"]


def test_predict_missing_and_non_numeric_input(project, names, tmp_path, capsys):
    features, _ = names
    missing = tmp_path / "none.csv"
    code, _, err = run(capsys, "predict", project, missing)
    assert code == 1
    assert_one_line_error(err, missing, "no such file")

    data = tmp_path / "in.csv"
    data.write_text(f"{features[0]},{features[1]}\n1,2\n3,abc\n", encoding="utf-8")
    code, _, err = run(capsys, "predict", project, data)
    assert code == 1
    assert_one_line_error(err, data, "line 3", repr(features[1]), "'abc'")

    data.write_text(f"{features[0]},{features[1]}\n1,\n", encoding="utf-8")
    code, _, err = run(capsys, "predict", project, data)
    assert code == 1
    assert_one_line_error(err, data, "line 2", "empty")


def test_evaluate_data_without_target_or_with_unknown_class(project, names, tmp_path, capsys):
    features, target = names
    data = tmp_path / "d.csv"
    data.write_text(f"{features[0]},{features[1]}\n1,2\n", encoding="utf-8")
    code, _, err = run(capsys, "evaluate", project, "--data", data)
    assert code == 1
    assert_one_line_error(err, data, f"no target column {target!r}")

    data.write_text(f"{features[0]},{features[1]},{target}\n1,2,banana\n", encoding="utf-8")
    code, _, err = run(capsys, "evaluate", project, "--data", data)
    assert code == 1
    assert_one_line_error(err, data, "'banana'", "not one of the project's classes")


def test_output_into_a_missing_folder(project, names, tmp_path, capsys):
    features, _ = names
    data = tmp_path / "in.csv"
    data.write_text(f"{features[0]},{features[1]}\n1,2\n", encoding="utf-8")
    out_path = tmp_path / "no" / "such" / "out.csv"
    code, _, err = run(capsys, "predict", project, data, "-o", out_path)
    assert code == 1
    assert_one_line_error(err, out_path)


def test_an_unexpected_exception_is_one_line_asking_for_a_report(project, capsys, monkeypatch):
    def broken(args):
        raise RuntimeError("something\nunforeseen")

    monkeypatch.setattr(cli.summary, "run", broken)
    code, _, err = run(capsys, "summary", project)
    assert code == 1
    assert "Traceback" not in err and len(err.splitlines()) == 1
    assert err.startswith("netbuilder: error: unexpected RuntimeError: something unforeseen")
    assert "report" in err


def test_diverging_training_is_one_line_and_leaves_the_project_as_it_was(tmp_path, capsys):
    path = tmp_path / "sine.nnproj"
    assert (
        main(
            ["new", str(path), "--builtin", "sine", "--optimizer", "sgd", "--learning-rate", "1000"]
        )
        == 0
    )
    before = path.read_bytes()
    code, _, err = run(capsys, "train", path, "--epochs", "5")
    assert code == 1
    assert_one_line_error(err, path, "diverged", "not saved")
    assert path.read_bytes() == before


def test_a_bad_cell_names_the_file_once_then_line_and_column(tmp_path, capsys):
    from app.cli import main

    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n3,x\n", encoding="utf-8")
    assert main(["new", str(tmp_path / "p.nnproj"), "--data", str(bad), "--target", "b"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"netbuilder: error: {bad}: line 3, column 'b': 'x' is not a number")
    assert err.count(str(bad)) == 1
