"""engine.metrics_report and engine.projection against plain NumPy computations."""

import numpy as np
import pytest

from engine.metrics_report import (
    binary_curves,
    classes_at_threshold,
    classification_report,
    format_report,
    regression_report,
)
from engine.projection import feature_plane, pca_plane


def test_per_class_metrics_match_a_direct_count():
    rng = np.random.default_rng(0)
    actual = rng.integers(0, 10, 360)
    predicted = np.where(rng.random(360) < 0.7, actual, rng.integers(0, 10, 360))
    predicted[predicted == 9] = 8  # class 9 is never predicted: its precision is 0, not nan
    report = classification_report(actual, predicted, 10, [f"digit {i}" for i in range(10)])
    for k in range(10):
        tp = np.sum((actual == k) & (predicted == k))
        fp = np.sum((actual != k) & (predicted == k))
        fn = np.sum((actual == k) & (predicted != k))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        assert report.precision[k] == pytest.approx(precision)
        assert report.recall[k] == pytest.approx(recall)
        assert report.f1[k] == pytest.approx(f1)
        assert report.support[k] == np.sum(actual == k)
    assert report.precision[9] == 0.0
    assert report.support.sum() == report.rows == 360
    assert report.accuracy == pytest.approx(np.mean(actual == predicted))
    assert report.macro_f1 == pytest.approx(np.mean(report.f1))
    assert report.confusion.sum() == 360
    lines = format_report(report)
    assert lines[1].startswith("digit 0") and lines[-1].startswith("accuracy")


def test_regression_metrics_match_their_formulas():
    rng = np.random.default_rng(1)
    y = rng.normal(size=200)
    p = y + rng.normal(scale=0.3, size=200)
    report = regression_report(y, p)
    assert report.mae == pytest.approx(np.abs(y - p).mean())
    assert report.rmse == pytest.approx(np.sqrt(((y - p) ** 2).mean()))
    assert report.r2 == pytest.approx(1 - ((y - p) ** 2).sum() / ((y - y.mean()) ** 2).sum())


def test_roc_auc_is_the_share_of_correctly_ordered_pairs():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 300)
    scores = np.round(np.clip(y * 0.3 + rng.random(300) * 0.8, 0, 1), 2)  # ties included
    curves = binary_curves(y, scores)
    pos, neg = scores[y == 1], scores[y == 0]
    pairs = (pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean()
    assert curves.roc_auc == pytest.approx(pairs)
    assert (curves.fpr[0], curves.tpr[0], curves.fpr[-1], curves.tpr[-1]) == (0, 0, 1, 1)
    # Average precision: precision at each positive row, averaged (ties share a threshold).
    ap = np.mean([np.mean(y[scores >= s] == 1) for s in pos])
    assert curves.average_precision == pytest.approx(ap)
    point = curves.operating_point(y, scores, 0.5)
    assert point["tpr"] == pytest.approx(np.mean(pos > 0.5))
    assert point["fpr"] == pytest.approx(np.mean(neg > 0.5))
    probs = np.c_[1 - scores, scores]
    assert classes_at_threshold(probs, 0.5).tolist() == (scores > 0.5).astype(int).tolist()


def test_pca_plane_matches_an_svd_of_the_scaled_data():
    rng = np.random.default_rng(3)
    raw = rng.normal(size=(150, 30)) @ rng.normal(size=(30, 30)) + 5
    x = (raw - raw.mean(0)) / raw.std(0)
    plane = pca_plane(x)
    _, s, vt = np.linalg.svd(x - x.mean(0), full_matrices=False)
    uv = plane.to_plane(x)
    expected = (x - x.mean(0)) @ vt[:2].T
    assert np.allclose(np.abs(uv), np.abs(expected), atol=1e-9)
    assert plane.explained[0] == pytest.approx(s[0] ** 2 / np.sum(s**2))
    assert plane.labels[0] == f"PC1, {s[0] ** 2 / np.sum(s**2):.0%} of variance"
    # Back to feature space: the other components at their mean (0), so the round trip
    # lands on the plane and projects to the same point.
    back = plane.from_plane(uv)
    assert np.allclose(plane.to_plane(back), uv)
    assert np.allclose((back - x.mean(0)) @ vt[2:].T, 0, atol=1e-9)


def test_feature_plane_holds_the_other_features_at_their_median_in_original_units():
    rng = np.random.default_rng(4)
    raw = rng.normal(loc=[10, 20, 30, 40], scale=[1, 2, 3, 4], size=(99, 4))
    mean, std = raw.mean(0), raw.std(0)
    x = (raw - mean) / std
    plane = feature_plane(x, 2, 0, ["a", "b", "c", "d"], unscale=lambda z: z * std + mean)
    assert plane.labels == ("c", "a")
    assert np.allclose(plane.to_plane(x), raw[:, [2, 0]])
    rows = plane.from_plane([[31.0, 9.0]])
    assert np.allclose(rows[0, [2, 0]], ([31, 9] - mean[[2, 0]]) / std[[2, 0]])
    assert np.allclose(rows[0, [1, 3]], np.median(x, axis=0)[[1, 3]])
