"""How good a model's predictions are, row by row summed up: per-class precision, recall, F1
and support with accuracy and macro averages (classification); MAE, RMSE and R² (regression);
ROC and precision-recall curves for a binary task.

Pure NumPy over predictions already made, so the window (on its worker thread) and
`netbuilder evaluate --per-class` report the same numbers from the same function. Turning a
model's outputs or logits into probabilities is `engine.project.runtime.probabilities`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "ClassificationReport",
    "RegressionReport",
    "BinaryCurves",
    "confusion_matrix",
    "classification_report",
    "regression_report",
    "binary_curves",
    "classes_at_threshold",
    "format_report",
]


def confusion_matrix(actual, predicted, k: int) -> np.ndarray:
    """(k, k) counts, rows = actual class, columns = predicted class."""
    matrix = np.zeros((k, k), dtype=np.int64)
    a = np.clip(np.asarray(actual, dtype=np.int64).reshape(-1), 0, k - 1)
    p = np.clip(np.asarray(predicted, dtype=np.int64).reshape(-1), 0, k - 1)
    np.add.at(matrix, (a, p), 1)
    return matrix


def classes_at_threshold(probabilities: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """(n, 2) binary probabilities -> class 1 where P(class 1) > threshold. At 0.5 this is
    exactly runtime.predicted_classes (argmax, a tie going to class 0)."""
    return (np.asarray(probabilities)[:, 1] > threshold).astype(np.int64)


@dataclass(frozen=True)
class ClassificationReport:
    """Per class (arrays of length k): precision, recall, f1, support (rows of that actual
    class). A class never predicted has precision 0; one never present, recall 0 (as
    scikit-learn's zero_division=0). Macro averages are the unweighted means over classes."""

    class_names: list[str]
    confusion: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray
    accuracy: float
    macro_precision: float
    macro_recall: float
    macro_f1: float

    @property
    def rows(self) -> int:
        return int(self.support.sum())


def classification_report(
    actual, predicted, k: int, class_names: list[str] | None = None
) -> ClassificationReport:
    """actual, predicted: (n,) class indices in 0..k-1."""
    k = max(int(k), 2)
    matrix = confusion_matrix(actual, predicted, k)
    hits = np.diag(matrix).astype(np.float64)
    support = matrix.sum(axis=1)
    predicted_count = matrix.sum(axis=0)
    precision = _ratio(hits, predicted_count)
    recall = _ratio(hits, support)
    f1 = _ratio(2 * precision * recall, precision + recall)
    total = int(matrix.sum())
    names = list(class_names or [])
    names += [str(i) for i in range(len(names), k)]
    return ClassificationReport(
        class_names=names[:k],
        confusion=matrix,
        precision=precision,
        recall=recall,
        f1=f1,
        support=support,
        accuracy=float(hits.sum() / total) if total else 0.0,
        macro_precision=float(precision.mean()),
        macro_recall=float(recall.mean()),
        macro_f1=float(f1.mean()),
    )


@dataclass(frozen=True)
class RegressionReport:
    mae: float
    rmse: float
    r2: float  # 1 - SS_res / SS_tot; nan when the targets are all equal
    rows: int


def regression_report(actual, predicted) -> RegressionReport:
    y = np.asarray(actual, dtype=np.float64).reshape(-1)
    p = np.asarray(predicted, dtype=np.float64).reshape(-1)
    if not len(y):
        return RegressionReport(float("nan"), float("nan"), float("nan"), 0)
    residual = y - p
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    r2 = 1.0 - float(np.sum(residual**2)) / ss_tot if ss_tot > 0 else float("nan")
    return RegressionReport(
        mae=float(np.mean(np.abs(residual))),
        rmse=float(np.sqrt(np.mean(residual**2))),
        r2=r2,
        rows=len(y),
    )


@dataclass(frozen=True)
class BinaryCurves:
    """ROC: fpr, tpr from (0, 0) to (1, 1), one point per distinct score; roc_auc by the
    trapezoid rule. Precision-recall: recall, precision from the highest threshold down;
    average_precision = sum over thresholds of (recall step) x precision, the usual area
    under that step curve. thresholds: the scores at which the points are taken (a row is
    positive when its score is >= the threshold of its point)."""

    fpr: np.ndarray
    tpr: np.ndarray
    roc_auc: float
    recall: np.ndarray
    precision: np.ndarray
    average_precision: float
    thresholds: np.ndarray
    positives: int
    negatives: int

    def operating_point(self, actual, scores, threshold: float = 0.5) -> dict[str, float]:
        """fpr, tpr, precision and recall of 'positive when score > threshold' (the rule
        predicted_classes applies at 0.5)."""
        y = np.asarray(actual).reshape(-1) == 1
        positive = np.asarray(scores).reshape(-1) > threshold
        tp = float(np.sum(positive & y))
        fp = float(np.sum(positive & ~y))
        return {
            "fpr": fp / self.negatives if self.negatives else 0.0,
            "tpr": tp / self.positives if self.positives else 0.0,
            "recall": tp / self.positives if self.positives else 0.0,
            "precision": tp / (tp + fp) if tp + fp else 1.0,
        }


def binary_curves(actual, scores) -> BinaryCurves:
    """actual: (n,) 0/1; scores: (n,) P(class 1)."""
    y = np.asarray(actual).reshape(-1) == 1
    s = np.asarray(scores, dtype=np.float64).reshape(-1)
    order = np.argsort(-s, kind="mergesort")
    s, y = s[order], y[order]
    # The last row of each run of equal scores: rows with the same score go positive together.
    last = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1] if len(s) else np.zeros(0, int)
    tp = np.cumsum(y)[last].astype(np.float64)
    fp = (last + 1) - tp
    positives, negatives = int(y.sum()), int((~y).sum())
    tpr = np.r_[0.0, tp / positives] if positives else np.zeros(len(tp) + 1)
    fpr = np.r_[0.0, fp / negatives] if negatives else np.zeros(len(fp) + 1)
    precision = _ratio(tp, tp + fp)
    recall = tp / positives if positives else np.zeros(len(tp))
    steps = np.diff(np.r_[0.0, recall])
    return BinaryCurves(
        fpr=fpr,
        tpr=tpr,
        roc_auc=float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2)),
        recall=recall,
        precision=precision,
        average_precision=float(np.sum(steps * precision)),
        thresholds=s[last],
        positives=positives,
        negatives=negatives,
    )


def format_report(report: ClassificationReport | RegressionReport) -> list[str]:
    """The report as aligned text lines (the command line prints them)."""
    if isinstance(report, RegressionReport):
        return [
            f"rows {report.rows}",
            f"mae {report.mae:.4g}",
            f"rmse {report.rmse:.4g}",
            f"r2 {report.r2:.4g}",
        ]
    width = max([len("macro avg"), *(len(n) for n in report.class_names)])
    lines = [f"{'class':<{width}}  precision  recall      f1  support"]
    for i, name in enumerate(report.class_names):
        lines.append(
            f"{name:<{width}}  {report.precision[i]:9.4f}  {report.recall[i]:6.4f}"
            f"  {report.f1[i]:6.4f}  {int(report.support[i]):7d}"
        )
    lines.append(
        f"{'macro avg':<{width}}  {report.macro_precision:9.4f}  "
        f"{report.macro_recall:6.4f}  {report.macro_f1:6.4f}  {report.rows:7d}"
    )
    lines.append(f"{'accuracy':<{width}}  {'':9}  {'':6}  {report.accuracy:6.4f}  {report.rows:7d}")
    return lines


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)
