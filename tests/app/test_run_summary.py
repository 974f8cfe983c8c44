"""The status bar's figures of the last run (app/training/run_summary.py)."""

from __future__ import annotations

import math

from app.training.run_summary import best_epoch, summary_text


def test_the_best_epoch_is_the_first_lowest_finite_loss():
    nan, inf = math.nan, math.inf
    assert best_epoch({"loss": [0.9, 0.5, nan, 0.2, 0.2, inf]}) == 4
    # validation loss decides when there is one
    assert best_epoch({"loss": [0.9, 0.1], "val_loss": [0.3, 0.4]}) == 1
    assert best_epoch({"loss": [nan, nan]}) is None
    assert best_epoch({}) is None


def test_the_summary_gives_the_last_epochs_figures_and_names_the_best():
    text = summary_text({"loss": [0.9, 0.5, 0.7], "val_loss": [1.0, 0.6, 0.8]})
    # the last epoch's number is the epoch label's (epochStatus), beside it
    assert text.startswith("loss 0.7 (val 0.8)")
    assert text.endswith("best epoch 2 by val loss")
    assert summary_text({"loss": []}) == ""
