"""Metrics of docs/protocols.md, one implementation each, used by every task.

* ``classification``: accuracy, precision/recall/F1 (macro, micro, per class),
  confusion matrix, multi-label F1 and its threshold.
* ``ranking``: Recall/NDCG/Precision/HitRate@K over full ranking with masking,
  batched over users.
* ``regression``: RMSE, MAE, Pearson and Spearman correlation.
"""

from emotion_tf.metrics.classification import (
    choose_class_thresholds,
    choose_threshold,
    choose_threshold_shrinkage,
    classification_report,
    confusion_matrix,
    multilabel_report,
    thresholded_multilabel_reports,
)
from emotion_tf.metrics.ranking import evaluate_ranking, evaluate_split, evaluate_splits, ranking_metrics_from_top_k
from emotion_tf.metrics.regression import mae, pearson, rmse, spearman

__all__ = [
    "choose_class_thresholds",
    "choose_threshold",
    "choose_threshold_shrinkage",
    "thresholded_multilabel_reports",
    "classification_report",
    "confusion_matrix",
    "evaluate_ranking",
    "evaluate_split",
    "evaluate_splits",
    "mae",
    "multilabel_report",
    "pearson",
    "ranking_metrics_from_top_k",
    "rmse",
    "spearman",
]
