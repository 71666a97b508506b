"""Keras callbacks every ranking model trains with: validation ranking metrics, early stopping, logs, resume."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import tensorflow as tf


class ValidationRanking(tf.keras.callbacks.Callback):
    """Adds ``val_<metric>`` to each epoch's logs from ``evaluate(model) -> {metric: value}``.

    Full-ranking metrics are not batch averages, so Keras cannot compute them itself; logged this way
    they drive ``EarlyStopping`` and appear in TensorBoard under validation/epoch_<metric>.
    """

    def __init__(self, evaluate: Callable[[tf.keras.Model], dict], metrics=("recall@20", "ndcg@20")):
        super().__init__()
        self.evaluate, self.metrics = evaluate, tuple(metrics)

    def on_epoch_end(self, epoch, logs=None):
        scores = self.evaluate(self.model)
        for name in self.metrics:
            logs[f"val_{name}"] = scores[name]


def fit_callbacks(monitor: str, mode: str, patience: int, folder=None, first=(), backup: bool = True) -> list:
    """``first`` (e.g. a ``ValidationRanking``), early stopping on ``monitor`` with the best weights restored,
    and, with a ``folder``, TensorBoard curves and (``backup``) ``BackupAndRestore``, so that a killed fit run
    again with the same folder continues from its last epoch.  ``backup=False`` for models Keras cannot
    restore before ``fit`` has built them (subclassed TFRS models): ``train_all --resume`` reruns their task."""
    callbacks = [*first, tf.keras.callbacks.EarlyStopping(monitor, mode=mode, patience=patience,
                                                          restore_best_weights=True)]
    if folder is not None:
        callbacks.append(tf.keras.callbacks.TensorBoard(str(folder), write_graph=False, profile_batch=0))
        if backup:
            callbacks.append(tf.keras.callbacks.BackupAndRestore(str(Path(folder) / "backup")))
    return callbacks
