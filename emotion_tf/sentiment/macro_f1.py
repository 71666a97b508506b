"""Macro F1 of a multi-label head at its best one threshold, as a Keras metric (computed inside ``fit``).

For each threshold t of a grid and each label c, over every batch of the epoch:

    tp[t, c] = Σ_n 1[p_nc ≥ t] · y_nc     fp[t, c] = Σ_n 1[p_nc ≥ t] · (1 − y_nc)     fn[t, c] = Σ_n 1[p_nc < t] · y_nc
    F1[t, c] = 2 tp / (2 tp + fp + fn)      (0 when a label has neither positives nor predictions)
    result   = max_t  mean_c F1[t, c]

the same number as ``metrics.classification.choose_threshold(metric="macro_f1")`` followed by
``multilabel_report(...)["macro_f1"]`` on the whole split (tested), from counts that Keras sums across batches
and replicas, so that a run which stops on validation macro F1 needs no second pass over validation.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from emotion_tf.metrics.classification import THRESHOLD_GRID


@tf.keras.utils.register_keras_serializable(package="emotion_tf")
class BestThresholdMacroF1(tf.keras.metrics.Metric):
    """Args:
      n_labels: the head's number of labels.
      thresholds: the grid searched (default ``THRESHOLD_GRID``: 0.05, 0.10, ..., 0.95).

    ``update_state(y_true [b, n_labels] in {0, 1}, y_pred [b, n_labels] probabilities)``; ``result()`` -> scalar.
    """

    def __init__(self, n_labels: int, thresholds=None, name: str = "macro_f1", **kwargs):
        super().__init__(name=name, **kwargs)
        self.n_labels = int(n_labels)
        self.thresholds = [float(t) for t in (THRESHOLD_GRID if thresholds is None else thresholds)]
        shape = (len(self.thresholds), self.n_labels)
        self.true_positives = self.add_weight("true_positives", shape=shape, initializer="zeros")
        self.false_positives = self.add_weight("false_positives", shape=shape, initializer="zeros")
        self.false_negatives = self.add_weight("false_negatives", shape=shape, initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        if sample_weight is not None:
            raise ValueError("BestThresholdMacroF1 counts examples; sample weights are not supported")
        truth = tf.cast(y_true, tf.float32)[:, None, :]  # [b, 1, L]
        # float32: under mixed precision the head's probabilities may be float16
        probabilities = tf.cast(y_pred, tf.float32)[:, None, :]  # [b, 1, L]
        predicted = tf.cast(probabilities >= tf.constant(self.thresholds)[:, None], tf.float32)  # [b, T, L]
        self.true_positives.assign_add(tf.reduce_sum(predicted * truth, axis=0))  # [T, L]
        self.false_positives.assign_add(tf.reduce_sum(predicted * (1.0 - truth), axis=0))
        self.false_negatives.assign_add(tf.reduce_sum((1.0 - predicted) * truth, axis=0))

    def result(self):
        f1 = tf.math.divide_no_nan(
            2.0 * self.true_positives, 2.0 * self.true_positives + self.false_positives + self.false_negatives
        )
        return tf.reduce_max(tf.reduce_mean(f1, axis=1))

    def reset_state(self):
        for variable in (self.true_positives, self.false_positives, self.false_negatives):
            variable.assign(np.zeros(variable.shape, dtype=np.float32))

    def get_config(self) -> dict:
        return {**super().get_config(), "n_labels": self.n_labels, "thresholds": self.thresholds}
