"""Keras callbacks every model trains with: validation ranking metrics, early stopping, logs, resume, progress."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

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


QUIET_ENV = "EMOTION_TF_QUIET"  # set to 1 to silence the per-epoch lines


class EpochProgress(tf.keras.callbacks.Callback):
    """One line per epoch on stderr: the losses and the metric being watched, its best so far, seconds.

        [recommend/synthetic/softmax-cf] epoch 3/20: loss 0.4120, val_recall@20 0.3012 (best 0.3100), 2.1 s

    Silent when ``EMOTION_TF_QUIET=1``.
    """

    def __init__(self, name: str, monitor: str | None = None, mode: str = "min", stream=None):
        super().__init__()
        self.name, self.monitor, self.mode, self.stream = name, monitor, mode, stream
        self.best = None

    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.time()

    def on_epoch_end(self, epoch, logs=None):
        if os.environ.get(QUIET_ENV) == "1":
            return
        logs = logs or {}
        parts = [f"{key} {logs[key]:.4f}" for key in ("loss", "val_loss") if key in logs]
        if self.monitor and self.monitor in logs:
            value = float(logs[self.monitor])
            better = self.best is None or (value < self.best if self.mode == "min" else value > self.best)
            self.best = value if better else self.best
            if self.monitor not in ("loss", "val_loss"):
                parts.append(f"{self.monitor} {value:.4f}")
            parts[-1] += f" (best {self.best:.4f})"
        total = self.params.get("epochs", "?")
        print(
            f"  [{self.name}] epoch {epoch + 1}/{total}: {', '.join(parts)}, {time.time() - self.started:.1f} s",
            file=self.stream or sys.stderr,
            flush=True,
        )


def run_name(folder) -> str:
    """task/dataset/model from a run folder laid out <logdir>/<task>/<dataset>/<model>."""
    return "/".join(Path(folder).parts[-3:]) if folder is not None else "fit"


def fit_callbacks(monitor: str, mode: str, patience: int, folder=None, first=(), backup: bool = True) -> list:
    """``first`` (e.g. a ``ValidationRanking``), early stopping on ``monitor`` with the best weights restored,
    and, with a ``folder``, TensorBoard curves and (``backup``) ``BackupAndRestore``, so that a killed fit run
    again with the same folder continues from its last epoch.  ``backup=False`` for models Keras cannot
    restore before ``fit`` has built them (subclassed TFRS models): ``train_all --resume`` reruns their task."""
    callbacks = [
        *first,
        tf.keras.callbacks.EarlyStopping(monitor, mode=mode, patience=patience, restore_best_weights=True),
        EpochProgress(run_name(folder), monitor, mode),
    ]
    if folder is not None:
        callbacks.append(tf.keras.callbacks.TensorBoard(str(folder), write_graph=False, profile_batch=0))
        if backup:
            callbacks.append(tf.keras.callbacks.BackupAndRestore(str(Path(folder) / "backup")))
    return callbacks
