"""A project's model judged on rows: the per-class (or regression) report of
engine.metrics_report for a model's raw outputs, through the runtime's one rule for turning
outputs or logits into classes. `netbuilder evaluate --per-class` and the window's metrics
table both call report_for_outputs, so they print the same numbers for the same rows."""

from __future__ import annotations

import numpy as np

from ..metrics_report import (
    ClassificationReport,
    RegressionReport,
    classes_at_threshold,
    classification_report,
    regression_report,
)
from . import runtime
from .specs import CompileSpec

__all__ = ["class_targets", "report_for_outputs", "report_for_probabilities"]


def class_targets(y) -> np.ndarray:
    """(n, 1) labels or (n, k) one-hot targets -> (n,) class indices."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        return np.argmax(y, axis=1)
    return np.rint(y.reshape(-1)).astype(np.int64)


def report_for_probabilities(
    probabilities, actual, class_names: list[str] | None, threshold: float = 0.5
) -> ClassificationReport:
    """probabilities: (n, k) (runtime.probabilities); actual: (n,) class indices. With two
    classes a row is class 1 when P(class 1) > threshold."""
    probabilities = np.asarray(probabilities)
    k = max(probabilities.shape[1], len(class_names or ()), 2)
    if probabilities.shape[1] == 2:
        predicted = classes_at_threshold(probabilities, threshold)
    else:
        predicted = np.argmax(probabilities, axis=1)
    return classification_report(actual, predicted, k, class_names)


def report_for_outputs(
    spec: CompileSpec, outputs, y, dataset, threshold: float = 0.5
) -> ClassificationReport | RegressionReport:
    """The report for model outputs (n, units) against targets y ((n, 1) or one-hot) of
    `dataset` (an engine.data.Dataset: its class names decide classification)."""
    if getattr(dataset, "class_names", None) is None:
        return regression_report(np.asarray(y)[:, 0], np.asarray(outputs)[:, 0])
    return report_for_probabilities(
        runtime.probabilities(spec, outputs), class_targets(y), list(dataset.class_names), threshold
    )
