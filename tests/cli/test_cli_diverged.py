"""`netbuilder train` on a run whose loss stays finite while the weights blow up (issue #16:
sigmoid + binary cross-entropy at learning rate 1e6) exits 1 without saving, as for a
non-finite loss."""

from __future__ import annotations

import pytest

from app.cli import main


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "rmsprop"])
def test_weights_growing_out_of_bounds_stop_train_without_saving(tmp_path, capsys, optimizer):
    path = tmp_path / "coffee.nnproj"
    assert (
        main(
            [
                "new",
                str(path),
                "--builtin",
                "coffee",
                "--layers",
                "25:sigmoid,15:sigmoid,1:sigmoid",
                "--optimizer",
                optimizer,
                "--learning-rate",
                "1e6",
            ]
        )
        == 0
    )
    before = path.read_bytes()
    capsys.readouterr()
    assert main(["train", str(path), "--epochs", "100"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    assert err.startswith(f"netbuilder: error: {path}: Training diverged at epoch ")
    assert "not saved" in err
    assert path.read_bytes() == before
