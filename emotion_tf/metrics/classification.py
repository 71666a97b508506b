"""Classification metrics (numpy; labels are integer class ids).

For a class c with true positives TP, false positives FP and false negatives FN:
precision = TP / (TP + FP), recall = TP / (TP + FN), F1 = 2 P R / (P + R);
a ratio with a zero denominator is 0 (as scikit-learn's ``zero_division=0``).
Macro averages the per-class values; micro pools the counts (for single-label
data micro P = R = F1 = accuracy).
"""

from __future__ import annotations

import numpy as np


def _ratio(numerator, denominator):
    numerator, denominator = np.asarray(numerator, float), np.asarray(denominator, float)
    return np.divide(numerator, denominator, out=np.zeros_like(numerator), where=denominator > 0)


def _check_labels(y_true, y_pred, n_classes):
    y_true, y_pred = np.asarray(y_true).astype(np.int64), np.asarray(y_pred).astype(np.int64)
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ValueError(f"y_true and y_pred must be 1-D of one length, got {y_true.shape} and {y_pred.shape}")
    if len(y_true) == 0:
        raise ValueError("cannot score an empty set of predictions")
    if n_classes is None:
        n_classes = int(max(y_true.max(), y_pred.max())) + 1
    for name, y in (("y_true", y_true), ("y_pred", y_pred)):
        if y.min() < 0 or y.max() >= n_classes:
            raise ValueError(f"{name} has labels outside 0..{n_classes - 1}")
    return y_true, y_pred, n_classes


def confusion_matrix(y_true, y_pred, n_classes: int | None = None) -> np.ndarray:
    """Counts [n_classes, n_classes]: row = true class, column = predicted class."""
    y_true, y_pred, n_classes = _check_labels(y_true, y_pred, n_classes)
    return np.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def _prf(tp, fp, fn):
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    return precision, recall, _ratio(2 * precision * recall, precision + recall)


def classification_report(y_true, y_pred, labels=None, n_classes: int | None = None) -> dict:
    """Accuracy, macro and micro P/R/F1, per-class P/R/F1/support and the confusion matrix."""
    if labels is not None and n_classes is None:
        n_classes = len(labels)
    matrix = confusion_matrix(y_true, y_pred, n_classes)
    n_classes = matrix.shape[0]
    labels = list(labels) if labels is not None else [str(c) for c in range(n_classes)]
    tp = np.diag(matrix)
    fp, fn = matrix.sum(0) - tp, matrix.sum(1) - tp
    precision, recall, f1 = _prf(tp, fp, fn)
    micro_p, micro_r, micro_f1 = _prf(tp.sum(), fp.sum(), fn.sum())
    return {
        "accuracy": float(tp.sum() / matrix.sum()),
        "macro_precision": float(precision.mean()),
        "macro_recall": float(recall.mean()),
        "macro_f1": float(f1.mean()),
        "micro_precision": float(micro_p),
        "micro_recall": float(micro_r),
        "micro_f1": float(micro_f1),
        "per_class": {
            name: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
            for name, p, r, f, s in zip(labels, precision, recall, f1, matrix.sum(1))
        },
        "confusion_matrix": matrix.tolist(),
    }


def multilabel_report(y_true, y_pred, labels=None) -> dict:
    """Micro and macro P/R/F1 for multi-hot arrays [n_examples, n_labels] of 0/1."""
    y_true, y_pred = np.asarray(y_true).astype(bool), np.asarray(y_pred).astype(bool)
    if y_true.shape != y_pred.shape or y_true.ndim != 2:
        raise ValueError(f"multi-hot arrays of one 2-D shape expected, got {y_true.shape} and {y_pred.shape}")
    tp = (y_true & y_pred).sum(0)
    fp = (~y_true & y_pred).sum(0)
    fn = (y_true & ~y_pred).sum(0)
    precision, recall, f1 = _prf(tp, fp, fn)
    micro_p, micro_r, micro_f1 = _prf(tp.sum(), fp.sum(), fn.sum())
    labels = list(labels) if labels is not None else [str(c) for c in range(y_true.shape[1])]
    return {
        "micro_precision": float(micro_p),
        "micro_recall": float(micro_r),
        "micro_f1": float(micro_f1),
        "macro_precision": float(precision.mean()),
        "macro_recall": float(recall.mean()),
        "macro_f1": float(f1.mean()),
        "exact_match": float(np.all(y_true == y_pred, axis=1).mean()),
        "per_class": {
            name: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
            for name, p, r, f, s in zip(labels, precision, recall, f1, y_true.sum(0))
        },
    }


THRESHOLD_GRID = np.round(np.arange(0.05, 0.96, 0.05), 2)  # 0.05, 0.1, ..., 0.95 (rounded: no 0.15000000000000002)
SHRINKAGE_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)


def _label_f1(y_true, predicted) -> np.ndarray:
    """Each label's F1 of boolean [n, n_labels] truth and predictions."""
    tp = (y_true & predicted).sum(0)
    return _prf(tp, (~y_true & predicted).sum(0), (y_true & ~predicted).sum(0))[2]


def choose_threshold(y_true, probabilities, grid=None, metric: str = "micro_f1") -> float:
    """The one probability threshold in ``grid`` with the best ``metric`` (choose it on validation).

    ``metric`` is "micro_f1" (pooled counts, which frequent labels dominate) or "macro_f1" (the mean of
    the labels' F1, which rare labels dominate; its best threshold is usually lower).
    """
    if metric not in ("micro_f1", "macro_f1"):
        raise ValueError(f"metric must be 'micro_f1' or 'macro_f1', got {metric!r}")
    grid = THRESHOLD_GRID if grid is None else np.asarray(grid)
    scores = [multilabel_report(y_true, np.asarray(probabilities) >= t)[metric] for t in grid]
    return float(grid[int(np.argmax(scores))])


def choose_class_thresholds(y_true, probabilities, grid=None) -> np.ndarray:
    """Per label, the threshold in ``grid`` with that label's best F1 (choose on validation).

    Each label's F1 depends only on its own threshold, so this maximises macro F1, which rare labels
    dominate; one global threshold (``choose_threshold``) serves micro F1. Returns [n_labels].
    """
    grid = THRESHOLD_GRID if grid is None else np.asarray(grid)
    y_true = np.asarray(y_true).astype(bool)
    probabilities = np.asarray(probabilities)
    f1 = [_label_f1(y_true, probabilities >= threshold) for threshold in grid]
    return grid[np.argmax(np.stack(f1), axis=0)].astype(float)


def choose_threshold_shrinkage(y_true, probabilities, weights=SHRINKAGE_WEIGHTS, grid=None, seed: int = 0) -> float:
    """The weight w of shrunk per-label thresholds t_c(w) = w·t + (1 − w)·t̂_c, chosen by cross-fitting.

    t̂_c is label c's own best threshold and t the one threshold with the best macro F1. A rare label's
    t̂_c is fitted to a handful of validation positives and overfits them; w pulls it toward t. To choose
    w without a third split, the validation rows are halved at random (``seed``): thresholds fitted on one
    half are scored (macro F1) on the other, both ways, and the w with the best mean wins (ties: the larger
    w, the simpler model). w = 0 is plain per-label thresholds, w = 1 is the one macro threshold.
    """
    y_true = np.asarray(y_true).astype(bool)
    probabilities = np.asarray(probabilities)
    if len(y_true) < 4:
        raise ValueError(f"cross-fitting the shrinkage needs at least 4 validation rows, got {len(y_true)}")
    order = np.random.default_rng(seed).permutation(len(y_true))
    halves = (order[: len(order) // 2], order[len(order) // 2 :])
    scores = np.zeros(len(weights))
    for fit, held_out in (halves, halves[::-1]):
        own = choose_class_thresholds(y_true[fit], probabilities[fit], grid)
        common = choose_threshold(y_true[fit], probabilities[fit], grid, metric="macro_f1")
        for i, w in enumerate(weights):
            predicted = probabilities[held_out] >= (w * common + (1 - w) * own)[None, :]
            scores[i] += _label_f1(y_true[held_out], predicted).mean() / 2
    best = np.flatnonzero(scores >= scores.max() - 1e-12)
    return float(weights[best[-1]])


def thresholded_multilabel_reports(truth: dict, probabilities: dict, labels=None) -> tuple[dict, dict]:
    """Multi-label reports per split with every threshold chosen on ``truth["validation"]``.

    Each report is ``multilabel_report`` at the one threshold with the best validation micro F1, plus
    macro F1 at three other choices, all made on validation:

    * ``macro_f1_macro_threshold``: one threshold, the one with the best validation macro F1;
    * ``macro_f1_class_thresholds`` (and ``micro_f1_class_thresholds``): per-label thresholds, each the
      label's best validation F1;
    * ``macro_f1_shrunk_class_thresholds``: per-label thresholds shrunk toward the macro threshold by the
      weight ``choose_threshold_shrinkage`` picks by cross-fitting on validation.

    Returns (reports by split, {"threshold", "macro_threshold", "class_thresholds", "threshold_shrinkage",
    "shrunk_class_thresholds"}).
    """
    validation_truth, validation_probabilities = truth["validation"], probabilities["validation"]
    threshold = choose_threshold(validation_truth, validation_probabilities)
    macro_threshold = choose_threshold(validation_truth, validation_probabilities, metric="macro_f1")
    class_thresholds = choose_class_thresholds(validation_truth, validation_probabilities)
    shrinkage = choose_threshold_shrinkage(validation_truth, validation_probabilities)
    shrunk = shrinkage * macro_threshold + (1 - shrinkage) * class_thresholds
    reports = {}
    for split in truth:
        report = multilabel_report(truth[split], probabilities[split] >= threshold, labels)
        by_class = multilabel_report(truth[split], probabilities[split] >= class_thresholds[None, :], labels)
        report["micro_f1_class_thresholds"] = by_class["micro_f1"]
        report["macro_f1_class_thresholds"] = by_class["macro_f1"]
        at_macro = multilabel_report(truth[split], probabilities[split] >= macro_threshold)
        report["macro_f1_macro_threshold"] = at_macro["macro_f1"]
        report["macro_f1_shrunk_class_thresholds"] = multilabel_report(
            truth[split], probabilities[split] >= shrunk[None, :]
        )["macro_f1"]
        reports[split] = report
    extra = {
        "threshold": threshold,
        "macro_threshold": macro_threshold,
        "class_thresholds": class_thresholds.tolist(),
        "threshold_shrinkage": shrinkage,
        "shrunk_class_thresholds": shrunk.tolist(),
    }
    return reports, extra
