"""Every command of `netbuilder` end to end through app.cli.main(argv), on built-in data
with a few epochs so the whole file stays fast."""

from __future__ import annotations

import csv
import io
import os
import re
import signal
from importlib.metadata import version

import numpy as np
import pytest

from app import cli
from app.cli import main
from app.cli import progress as progress_module
from engine.project import Project, runtime


def run(capsys, *argv):
    """main(argv) -> (exit status, stdout, stderr), ignoring what earlier steps printed."""
    capsys.readouterr()
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def new_project(path, *options):
    code = main(["new", str(path), *map(str, options)])
    assert code == 0, f"netbuilder new failed with {code}"
    return path


def scaled_predictions(project_path, x_raw):
    """What the project's network predicts for raw features, computed without the CLI (a
    regression's output turned back into the target's units by hand)."""
    project = Project.load(project_path)
    scaler = runtime.fitted_scaler(project)
    x = x_raw if scaler is None else scaler.transform(x_raw)
    outputs = np.asarray(runtime.build_model(project).predict(x, verbose=0), dtype=np.float64)
    target = project.target_scaler
    if target is not None:
        outputs = outputs * target["scale"][0] + target["offset"][0]
    return outputs


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def xor_trained(tmp_path_factory):
    path = tmp_path_factory.mktemp("xor") / "xor.nnproj"
    new_project(
        path,
        "--builtin",
        "xor",
        "--layers",
        "8:tanh,1:sigmoid",
        "--learning-rate",
        "0.05",
        "--epochs",
        "3",
    )
    assert main(["train", str(path)]) == 0
    return path


# --------------------------------------------------------------------------------- new


@pytest.mark.parametrize(
    ("builtin", "activation", "loss", "units"),
    [
        ("xor", "sigmoid", "binary_crossentropy", 1),
        ("iris", "softmax", "sparse_categorical_crossentropy", 3),
        ("sine", "linear", "mean_squared_error", 1),
    ],
)
def test_new_follows_the_datasets_task(tmp_path, capsys, builtin, activation, loss, units):
    path = tmp_path / f"{builtin}.nnproj"
    code, out, err = run(capsys, "new", path, "--builtin", builtin)
    assert (code, err) == (0, "")
    assert f"created {path}" in out
    project = Project.load(path)
    assert project.layers[-1].activation == activation
    assert project.layers[-1].units == units
    assert project.compile.loss == loss
    assert project.epochs_trained == 0
    # Seeded initial weights and a fitted scaler: an untrained project already predicts
    # reproducibly, and its export matches.
    assert project.weights is not None and project.weights[0].shape[0] == project.dataset.n_features
    assert project.scaler is not None and project.scaler["kind"] == "standardize"


def test_new_with_the_same_seed_gives_the_same_weights(tmp_path):
    a = new_project(tmp_path / "a.nnproj", "--builtin", "xor", "--seed", "7")
    b = new_project(tmp_path / "b.nnproj", "--builtin", "xor", "--seed", "7")
    c = new_project(tmp_path / "c.nnproj", "--builtin", "xor", "--seed", "8")
    wa, wb, wc = (Project.load(p).weights[0] for p in (a, b, c))
    np.testing.assert_array_equal(wa, wb)
    assert not np.array_equal(wa, wc)


def test_new_from_csv_takes_every_option(tmp_path, capsys):
    rng = np.random.default_rng(0)
    rows = [
        [f"{a:.3f}", f"{b:.3f}", "7", "yes" if a + b > 0 else "no"]
        for a, b in rng.normal(size=(40, 2))
    ]
    data = write_csv(tmp_path / "data.csv", ["a", "b", "ignored", "label"], rows)
    path = tmp_path / "p.nnproj"
    code, out, err = run(
        capsys,
        "new",
        path,
        "--data",
        data,
        "--target",
        "label",
        "--features",
        "a,b",
        "--layers",
        "4:relu,3:tanh,1:sigmoid",
        "--loss",
        "bce",
        "--optimizer",
        "SGD",
        "--learning-rate",
        "0.3",
        "--batch-size",
        "full",
        "--epochs",
        "7",
        "--validation-split",
        "0.25",
        "--seed",
        "3",
        "--no-scaling",
        "--name",
        "Label model",
    )
    assert (code, err) == (0, "")
    project = Project.load(path)
    assert project.name == "Label model"
    assert [(layer.units, layer.activation) for layer in project.layers] == [
        (4, "relu"),
        (3, "tanh"),
        (1, "sigmoid"),
    ]
    assert project.compile.loss == "binary_crossentropy"
    assert (project.compile.optimizer, project.compile.learning_rate) == ("sgd", 0.3)
    t = project.training
    assert (t.batch_size, t.epochs, t.validation_split, t.seed, t.scaling) == (
        None,
        7,
        0.25,
        3,
        "none",
    )
    assert project.dataset.feature_names == ["a", "b"]
    assert project.dataset.class_names == ["no", "yes"]


# ------------------------------------------------------------------------------- train


def test_train_continues_from_the_stored_weights_and_saves_in_place(tmp_path, capsys):
    path = new_project(tmp_path / "xor.nnproj", "--builtin", "xor", "--layers", "6:tanh,1:sigmoid")
    before = Project.load(path).weights
    code, out, err = run(capsys, "train", path, "--epochs", "3")
    assert (code, err) == (0, "")
    # Not a terminal: one line per epoch, then the summary line.
    assert re.findall(r"^epoch (\d+)/3 ", out, flags=re.M) == ["1", "2", "3"]
    assert f"saved {path}" in out
    once = Project.load(path)
    assert once.epochs_trained == 3 and len(once.history["loss"]) == 3
    assert not np.array_equal(once.weights[0], before[0])

    code, out, _ = run(capsys, "train", path, "-e", "2")
    assert code == 0
    assert re.findall(r"^epoch (\d+)/5 ", out, flags=re.M) == ["4", "5"]
    twice = Project.load(path)
    assert twice.epochs_trained == 5 and len(twice.history["loss"]) == 5
    assert twice.history["loss"][:3] == once.history["loss"]
    # Continuing, not restarting: the first new epoch starts near where training stopped.
    assert abs(twice.history["loss"][3] - once.history["loss"][2]) < 0.1


def test_training_the_same_file_twice_gives_the_same_result(tmp_path):
    path = new_project(tmp_path / "p.nnproj", "--builtin", "moons", "--batch-size", "16")
    for out in ("a.nnproj", "b.nnproj"):
        assert main(["train", str(path), "--epochs", "2", "-o", str(tmp_path / out)]) == 0
    a, b = (Project.load(tmp_path / name) for name in ("a.nnproj", "b.nnproj"))
    for wa, wb in zip(a.weights, b.weights):
        np.testing.assert_array_equal(wa, wb)
    assert a.history == b.history


def test_train_without_epochs_uses_the_projects_and_o_leaves_the_original(tmp_path, capsys):
    path = new_project(tmp_path / "in.nnproj", "--builtin", "xor", "--epochs", "2")
    out_path = tmp_path / "out.nnproj"
    code, _, _ = run(capsys, "train", path, "-o", out_path)
    assert code == 0
    assert Project.load(path).epochs_trained == 0
    assert Project.load(out_path).epochs_trained == 2


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_train_on_a_terminal_draws_one_progress_bar(tmp_path, monkeypatch):
    path = new_project(tmp_path / "xor.nnproj", "--builtin", "xor", "--epochs", "4")
    terminal = _Terminal()
    monkeypatch.setattr("sys.stdout", terminal)
    assert main(["train", str(path)]) == 0
    text = terminal.getvalue()
    bar_line = text.split("\n")[0]
    assert bar_line.startswith("\repoch ")
    assert "epoch 4/4 [" + "#" * 30 + "]" in bar_line  # the final state is always drawn
    assert "\nepoch" not in text  # no line per epoch on a terminal


def test_ctrl_c_stops_after_the_current_batch_and_still_saves(tmp_path, capsys, monkeypatch):
    path = new_project(tmp_path / "xor.nnproj", "--builtin", "xor", "--batch-size", "8")
    real_epoch_end = progress_module.Progress.epoch_end

    def press_ctrl_c_after_the_first_epoch(self, epoch, logs):
        real_epoch_end(self, epoch, logs)
        if epoch == 0:
            os.kill(os.getpid(), signal.SIGINT)  # what the terminal sends on Ctrl+C

    monkeypatch.setattr(progress_module.Progress, "epoch_end", press_ctrl_c_after_the_first_epoch)
    handler_before = signal.getsignal(signal.SIGINT)
    code, out, err = run(capsys, "train", path, "--epochs", "200")
    assert code == cli.EXIT_INTERRUPTED
    assert "stopping after the current batch" in err
    assert "interrupted after epoch" in err and "Traceback" not in err
    saved = Project.load(path)
    assert 1 <= saved.epochs_trained < 200
    assert len(saved.history["loss"]) == saved.epochs_trained
    assert signal.getsignal(signal.SIGINT) is handler_before  # Ctrl+C behaves normally again


# ---------------------------------------------------------------------------- evaluate


def test_evaluate_prints_the_loss_and_metrics_of_the_trained_model(xor_trained, capsys):
    code, out, err = run(capsys, "evaluate", xor_trained)
    assert (code, err) == (0, "")
    assert re.fullmatch(r"loss \d+\.\d{4}\naccuracy [01]\.\d{4}\n", out), out
    project = Project.load(xor_trained)
    x = runtime.fitted_scaler(project).transform(project.dataset.x)
    expected = runtime.build_model(project).evaluate(
        x, project.dataset.y, verbose=0, return_dict=True
    )
    assert out == f"loss {expected['loss']:.4f}\naccuracy {expected['accuracy']:.4f}\n"


def test_evaluate_data_finds_columns_by_name_and_classes_by_label(xor_trained, tmp_path, capsys):
    dataset = Project.load(xor_trained).dataset
    names = dataset.class_names
    # Columns shuffled, an extra column, the target as class labels, semicolons.
    path = tmp_path / "other.csv"
    with open(path, "w", encoding="utf-8") as f:
        f.write(
            f"note;{dataset.target_name};{dataset.feature_names[1]};{dataset.feature_names[0]}\n"
        )
        for (a, b), y in zip(dataset.x, dataset.y[:, 0]):
            f.write(f"row;{names[int(y)]};{b:.9g};{a:.9g}\n")
    code, out, err = run(capsys, "evaluate", xor_trained, "--data", path)
    assert (code, err) == (0, "")
    _, same, _ = run(capsys, "evaluate", xor_trained)
    assert out == same


# ----------------------------------------------------------------------------- predict


def test_predict_writes_class_names_and_probabilities(tmp_path, capsys):
    path = new_project(tmp_path / "iris.nnproj", "--builtin", "iris", "--epochs", "3")
    assert main(["train", str(path)]) == 0
    dataset = Project.load(path).dataset
    x = dataset.x[::10]
    order = [3, 1, 0, 2]  # the input file's columns in another order
    rows = [[f"{x[i, j]:.9g}" for j in order] for i in range(len(x))]
    source = write_csv(tmp_path / "in.csv", [dataset.feature_names[j] for j in order], rows)
    out_path = tmp_path / "pred.csv"
    code, out, err = run(capsys, "predict", path, source, "-o", out_path, "--probabilities")
    assert code == 0 and out == ""
    assert f"wrote {len(x)} prediction(s)" in err
    with open(out_path, newline="", encoding="utf-8") as f:
        table = list(csv.reader(f))
    classes = dataset.class_names
    assert table[0] == [dataset.target_name] + [f"prob_{c}" for c in classes]
    assert len(table) == len(x) + 1
    probs = np.array([[float(v) for v in row[1:]] for row in table[1:]])
    expected = scaled_predictions(path, x)
    np.testing.assert_allclose(probs, expected, atol=1e-5)
    assert [row[0] for row in table[1:]] == [classes[i] for i in expected.argmax(axis=1)]
    assert list(tmp_path.glob(".*tmp")) == []  # the atomic write left no temporary file


def test_predict_binary_without_probabilities_to_stdout(xor_trained, tmp_path, capsys):
    dataset = Project.load(xor_trained).dataset
    source = write_csv(tmp_path / "in.csv", dataset.feature_names, dataset.x[:5].tolist())
    code, out, err = run(capsys, "predict", xor_trained, source)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    p1 = scaled_predictions(xor_trained, dataset.x[:5])[:, 0]
    assert lines == [dataset.target_name] + [dataset.class_names[int(p >= 0.5)] for p in p1]
    code, out, _ = run(capsys, "predict", xor_trained, source, "--probabilities")
    header, *rows = list(csv.reader(io.StringIO(out)))
    assert header[1:] == [f"prob_{c}" for c in dataset.class_names]
    np.testing.assert_allclose([float(r[2]) for r in rows], p1, atol=1e-5)


def test_predict_regression_writes_values(tmp_path, capsys):
    path = new_project(tmp_path / "sine.nnproj", "--builtin", "sine", "--epochs", "2")
    assert main(["train", str(path)]) == 0
    dataset = Project.load(path).dataset
    source = write_csv(tmp_path / "in.csv", dataset.feature_names, dataset.x[:7].tolist())
    code, out, _ = run(capsys, "predict", path, source)
    assert code == 0
    header, *rows = out.splitlines()
    assert header == dataset.target_name
    np.testing.assert_allclose(
        [float(v) for v in rows], scaled_predictions(path, dataset.x[:7])[:, 0], atol=1e-6
    )


def test_a_semicolon_file_with_decimal_commas_predicts_and_evaluates_as_it_trained(
    tmp_path, capsys
):
    """The file the project was made from reads the same in predict and evaluate: the data
    layer's sniffing (';' and decimal commas), not a second reader of the CLI's own."""
    rows = [
        f"{a / 10:.1f};{b / 10:.1f};{int(a > b)}".replace(".", ",")
        for a, b in [(1, 5), (9, 2), (3, 8), (7, 1), (2, 6), (8, 3)] * 3
    ]
    data = tmp_path / "semi.csv"
    data.write_text("a;b;y\n" + "\n".join(rows) + "\n", encoding="utf-8")
    path = new_project(tmp_path / "semi.nnproj", "--data", data, "--target", "y", "--epochs", "2")
    code, out, err = run(capsys, "predict", path, data)
    assert (code, err) == (0, "") and len(out.splitlines()) == 1 + len(rows)
    code, out, err = run(capsys, "evaluate", path, "--data", data)
    assert (code, err) == (0, "") and "loss" in out


# ----------------------------------------------------------------------------- summary


def test_summary_shows_layers_compile_dataset_and_history(xor_trained, capsys):
    code, out, err = run(capsys, "summary", xor_trained)
    assert (code, err) == (0, "")
    project = Project.load(xor_trained)
    model = runtime.build_model(project)
    for layer in model.layers:
        assert layer.name in out
    assert f"{model.count_params():,}" in out or str(model.count_params()) in out
    assert "Loss: binary_crossentropy" in out
    assert "Optimizer: adam (learning_rate=0.05)" in out
    assert "Dataset: " in out and project.dataset.name in out
    assert "Epochs trained: 3" in out
    assert "History (last 3 epoch(s)):" in out
    last_loss = f"{project.history['loss'][-1]:.4f}"
    history_rows = out.split("History")[1].split("Runs")[0].splitlines()[2:]
    assert [row.split()[0] for row in history_rows] == ["1", "2", "3"]
    assert last_loss in history_rows[-1]


def test_summary_of_an_untrained_project(tmp_path, capsys):
    path = new_project(tmp_path / "p.nnproj", "--builtin", "moons")
    code, out, _ = run(capsys, "summary", path)
    assert code == 0
    assert "Epochs trained: 0" in out and "History: not trained yet" in out


# ------------------------------------------------------------------------------ export


def test_export_keras_writes_script_weights_and_data(xor_trained, tmp_path, capsys):
    target = tmp_path / "out" / "net.py"
    target.parent.mkdir()
    code, out, err = run(capsys, "export", "keras", xor_trained, "-o", target)
    assert (code, err) == (0, "")
    assert sorted(p.name for p in target.parent.iterdir()) == [
        "net.py",
        "net_data.csv",
        "net_weights.npz",
    ]
    assert "net_weights.npz" in target.read_text(encoding="utf-8")
    assert f"python {target}" in out


# -------------------------------------------------------------------- --version, --help

EVERY_COMMAND = [
    [],
    ["new"],
    ["train"],
    ["evaluate"],
    ["predict"],
    ["summary"],
    ["export"],
    ["export", "keras"],
]


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda c: " ".join(c) or "netbuilder")
def test_version_on_every_command(command, capsys):
    code, out, _ = run(capsys, *command, "--version")
    assert code == 0
    assert out.strip() == f"netbuilder {version('netbuilder')}"


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda c: " ".join(c) or "netbuilder")
def test_help_on_every_command(command, capsys):
    code, out, _ = run(capsys, *command, "--help")
    assert code == 0
    assert out.startswith(f"usage: netbuilder {' '.join(command)}".rstrip())
    assert "--version" in out


def test_predict_one_hot_encodes_text_columns_like_the_training_data(tmp_path, capsys):
    rows = [
        [f"{v:.2f}", color, "big" if v > 0 and color == "red" else "small"]
        for v, color in zip(np.linspace(-1, 1, 30), ["red", "blue", "green"] * 10)
    ]
    data = write_csv(tmp_path / "d.csv", ["size", "color", "label"], rows)
    path = new_project(tmp_path / "p.nnproj", "--data", data, "--target", "label")
    dataset = Project.load(path).dataset
    assert [n for n in dataset.feature_names if n.startswith("color=")]  # one-hot encoded
    code, out, err = run(capsys, "predict", path, data, "--probabilities")
    assert (code, err) == (0, "")
    probs = np.array([[float(v) for v in r[1:]] for r in list(csv.reader(io.StringIO(out)))[1:]])
    np.testing.assert_allclose(probs[:, 1:], scaled_predictions(path, dataset.x), atol=1e-5)


def test_every_file_the_command_line_writes_gets_the_usual_permissions(tmp_path, capsys):
    # mkstemp creates 0600 files; predictions and exports must be readable like a saved project.
    old_umask = os.umask(0o022)
    try:
        project = tmp_path / "p.nnproj"
        assert main(["new", str(project), "--builtin", "xor"]) == 0
        points = tmp_path / "points.csv"
        points.write_text("x1,x2\n0,1\n1,0\n", encoding="utf-8")
        predictions = tmp_path / "predictions.csv"
        assert main(["predict", str(project), str(points), "-o", str(predictions)]) == 0
        assert main(["export", "keras", str(project), "-o", str(tmp_path / "model.py")]) == 0
    finally:
        os.umask(old_umask)
    written = [
        project,
        predictions,
        tmp_path / "model.py",
        tmp_path / "model_weights.npz",
        tmp_path / "model_data.csv",
    ]
    assert {path.name: oct(path.stat().st_mode & 0o777) for path in written} == {
        path.name: "0o644" for path in written
    }


def test_new_and_summary_print_the_course_advice_and_each_layers_activation(tmp_path, capsys):
    path = tmp_path / "relu_out.nnproj"
    code, out, _ = run(
        capsys, "new", path, "--builtin", "xor", "--layers", "8:relu,1:relu", "--loss", "bce"
    )
    assert code == 0
    assert "warning: Binary cross-entropy expects a probability" in out
    assert "relu" in out.splitlines()[-1] and "use a sigmoid output" in out
    code, out, _ = run(capsys, "summary", path)
    assert code == 0
    assert "  layer1: 8 units, relu\n  layer2: 1 unit, relu\n" in out
    assert "warning: Binary cross-entropy expects a probability" in out

    sound = tmp_path / "sound.nnproj"
    code, out, _ = run(capsys, "new", sound, "--builtin", "xor", "--layers", "8:tanh,1:sigmoid")
    assert code == 0 and "warning" not in out


# ------------------------------------------------------- early stopping, progress, scores


def test_new_turns_early_stopping_on_and_stores_the_choice(tmp_path):
    default = Project.load(new_project(tmp_path / "a.nnproj", "--builtin", "moons"))
    assert default.training.early_stopping == 40
    chosen = Project.load(
        new_project(tmp_path / "b.nnproj", "--builtin", "moons", "--early-stopping", "7")
    )
    assert chosen.training.early_stopping == 7
    off = Project.load(
        new_project(tmp_path / "c.nnproj", "--builtin", "moons", "--early-stopping", "0")
    )
    assert off.training.early_stopping is None
    no_split = Project.load(
        new_project(tmp_path / "d.nnproj", "--builtin", "moons", "--validation-split", "0")
    )
    assert no_split.training.early_stopping is None


def test_train_stops_early_says_which_epochs_weights_it_kept_and_scores_them(tmp_path, capsys):
    path = new_project(
        tmp_path / "m.nnproj",
        "--builtin",
        "moons",
        "--layers",
        "128,1:sigmoid",
        "--learning-rate",
        "0.05",
        "--early-stopping",
        "0",
    )
    code, out, err = run(capsys, "train", path, "--epochs", "400", "--early-stopping", "3")
    assert (code, err) == (0, "")
    stopped = re.search(
        r"^stopped early at epoch (\d+): .* Kept the weights of epoch (\d+)", out, flags=re.M
    )
    assert stopped, out
    last, best = int(stopped[1]), int(stopped[2])
    assert last - best == 3 and last < 400
    saved = Project.load(path)
    assert saved.epochs_trained == last
    assert saved.training.early_stopping is None  # --early-stopping on train is for this run
    assert f"(kept: epoch {best})" in out
    # The last progress line is the epoch it stopped at, though that is no 5% mark.
    assert re.findall(r"^epoch (\d+)/400 ", out, flags=re.M)[-1] == str(last)
    accuracy = float(re.search(r"^validation accuracy (\S+)$", out, flags=re.M)[1])
    prepared = runtime.prepare_data(saved)
    kept = runtime.validation_scores(saved, runtime.build_model(saved), prepared)["accuracy"]
    assert accuracy == pytest.approx(kept, abs=1e-4)


def test_train_off_a_terminal_prints_a_line_every_5_percent_or_every_epoch_verbose(
    tmp_path, capsys
):
    path = new_project(tmp_path / "x.nnproj", "--builtin", "xor", "--early-stopping", "0")
    code, out, _ = run(capsys, "train", path, "--epochs", "500")
    assert code == 0
    epochs = [int(e) for e in re.findall(r"^epoch (\d+)/500 ", out, flags=re.M)]
    assert epochs == [1, *range(25, 501, 25)]  # 21 lines, not 500
    assert re.search(r"^epoch 500/500 100% \S+ (epochs/s|s/epoch) ETA 0:00  loss ", out, flags=re.M)
    code, out, _ = run(capsys, "train", path, "--epochs", "30", "--verbose")
    assert re.findall(r"^epoch (\d+)/530 ", out, flags=re.M) == [str(e) for e in range(501, 531)]


def test_the_terminal_line_shows_rate_and_time_left(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # the line is cut to the terminal's width
    ticks = iter(range(100))
    terminal = _Terminal()
    progress = progress_module.Progress(0, 10, stream=terminal, clock=lambda: next(ticks) * 0.5)
    progress.epoch_end(0, {"loss": 0.5, "accuracy": 0.75})
    line = terminal.getvalue()
    assert line.startswith("\repoch 1/10 [###...") and "10%" in line
    assert "1 epochs/s ETA 0:09" in line  # one epoch in 1 s: nine left, nine seconds
    assert "loss 0.5000  accuracy 0.7500" in line


def test_evaluate_a_regression_prints_loss_mae_and_r2_in_the_targets_units(tmp_path, capsys):
    path = new_project(tmp_path / "lin.nnproj", "--builtin", "linear", "--epochs", "200")
    assert main(["train", str(path)]) == 0
    code, out, err = run(capsys, "evaluate", path)
    assert (code, err) == (0, "")
    scores = dict(line.split() for line in out.splitlines())
    assert list(scores) == ["loss", "mae", "r2"]
    project = Project.load(path)
    predicted = runtime.predict(project, runtime.build_model(project), project.dataset.x)
    y = project.dataset.y
    assert float(scores["loss"]) == pytest.approx(float(np.mean((predicted - y) ** 2)), rel=1e-3)
    assert float(scores["r2"]) > 0.9  # unscaled, this target trained to a flat line


def test_summary_lists_early_stopping_and_target_scaling(tmp_path, capsys):
    path = new_project(tmp_path / "lin.nnproj", "--builtin", "linear", "--early-stopping", "9")
    code, out, _ = run(capsys, "summary", path)
    assert code == 0
    assert "target scaling standardize, early stopping after 9 epochs without improvement" in out
    assert re.search(r"^  hidden1: 64 units, relu$", out, flags=re.M)


def test_train_keeps_the_weights_of_each_epoch_for_the_timeline(tmp_path, capsys):
    path = new_project(tmp_path / "xor.nnproj", "--builtin", "xor", "--layers", "6:tanh,1:sigmoid")
    assert run(capsys, "train", path, "--epochs", "4")[0] == 0
    assert run(capsys, "train", path, "--epochs", "3")[0] == 0
    project = Project.load(path)
    assert sorted(project.snapshots) == list(range(8))
    for got, want in zip(project.snapshots[7], project.weights, strict=True):
        np.testing.assert_array_equal(got, want)
    assert not np.array_equal(project.snapshots[4][0], project.snapshots[0][0])
