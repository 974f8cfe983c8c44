"""The view pacer keeps drawing within its time budget (Qt-free)."""

import pytest

from app.training.pacing import ViewPacer


def test_a_view_is_redrawn_no_more_often_than_its_cost_allows():
    pacer = ViewPacer(["curves", "canvas"], budget=0.05, assumed_cost=0.001)
    pacer.restart(0.0)
    assert not pacer.due("curves", 0.01)
    pacer.drawn("canvas", 0.040, now=0.0)
    # canvas: share 0.025; cost (EMA of 1 ms and 40 ms) ~12.7 ms -> every ~0.51 s
    assert pacer.interval("canvas") == pytest.approx((0.7 * 0.001 + 0.3 * 0.040) / 0.025)
    assert not pacer.due("canvas", 0.3) and pacer.due("canvas", 0.6)
    assert pacer.wait("canvas", 0.3) == pytest.approx(pacer.interval("canvas") - 0.3)


def test_cheap_views_are_capped_at_30_per_second_and_heavy_ones_at_the_maximum():
    pacer = ViewPacer(["a"], budget=0.05, max_interval=2.0, assumed_cost=0.0)
    assert pacer.interval("a") == pytest.approx(1 / 30)
    for _ in range(30):
        pacer.drawn("a", 1.0, now=0.0)
    assert pacer.interval("a") == 2.0


def test_weights_give_a_view_a_larger_share_of_the_budget():
    pacer = ViewPacer(
        ["curves", "other"], budget=0.06, weights={"curves": 2, "other": 1}, assumed_cost=0.004
    )
    assert pacer.shares == pytest.approx({"curves": 0.04, "other": 0.02})
    assert pacer.interval("curves") == pytest.approx(pacer.interval("other") / 2)


def test_an_added_view_takes_its_share_and_starts_due():
    pacer = ViewPacer(["curves", "other"], budget=0.06, weights={"curves": 2})
    pacer.restart(5.0)
    pacer.add("gradients", weight=1.0)
    assert pacer.shares == pytest.approx({"curves": 0.03, "other": 0.015, "gradients": 0.015})
    assert pacer.due("gradients", 5.0) and not pacer.due("other", 5.0)
    with pytest.raises(ValueError, match="already"):
        pacer.add("other")


def test_only_the_views_on_screen_share_the_budget():
    """A panel behind another tab leaves its share to the views a person sees: with two of
    four views hidden, the cost curve redraws twice as often as with all four shown."""
    pacer = ViewPacer(["curves", "canvas", "gradients", "sample"], budget=0.05, assumed_cost=0.01)
    all_shown = pacer.interval("curves")
    pacer.set_shown(["curves", "canvas"])
    assert pacer.shares == pytest.approx(
        {"curves": 0.025, "canvas": 0.025, "gradients": 0.0, "sample": 0.0}
    )
    assert pacer.interval("curves") == pytest.approx(all_shown / 2)
    # Hidden: the slowest pace, so it is current soon after its tab is chosen.
    assert pacer.interval("gradients") == pacer.max_interval
    pacer.set_shown(["curves", "canvas", "gradients", "sample", "unknown"])
    assert pacer.interval("curves") == pytest.approx(all_shown)
    # A view added later is on screen until said otherwise.
    pacer.add("weights")
    assert pacer.shares["weights"] == pytest.approx(0.01)
