"""Keras callbacks every model trains with: validation ranking metrics, early stopping, logs, resume, progress."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import tensorflow as tf

from emotion_tf.training.tensorboard import keras_callback


def monitor_mode(monitor: str) -> str:
    """Early stopping's mode: min for a loss, max for anything else a run monitors (accuracy, F1, NDCG)."""
    return "min" if monitor.endswith("loss") else "max"


class ValidationRanking(tf.keras.callbacks.Callback):
    """Adds ``val_<metric>`` to each epoch's logs from ``evaluate(model) -> {metric: value}``.

    Full-ranking metrics are not batch averages, so Keras cannot compute them itself; logged this way
    they drive ``EarlyStopping`` and appear in TensorBoard as validation/epoch/<metric>.
    """

    def __init__(self, evaluate: Callable[[tf.keras.Model], dict], metrics=("recall@20", "ndcg@20")):
        super().__init__()
        self.evaluate, self.metrics = evaluate, tuple(metrics)

    def on_epoch_end(self, epoch, logs=None):
        scores = self.evaluate(self.model)
        for name in self.metrics:
            logs[f"val_{name}"] = scores[name]


class ResumableEarlyStopping(tf.keras.callbacks.EarlyStopping):
    """``EarlyStopping`` whose state survives a kill: the best value and epoch, the epochs waited and the
    best weights are written to ``folder``/early_stopping.npz at every epoch end, read back when ``fit``
    starts again and removed when it ends.  Keras's ``BackupAndRestore`` brings back the weights, the
    optimizer and the epoch but not this state, so without it a resumed run would forget the best epoch
    before the kill and end on the best epoch after it."""

    def __init__(self, folder, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.path = Path(folder) / "early_stopping.npz"

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        if self.path.exists():
            with np.load(self.path) as state:
                self.wait, self.best_epoch = int(state["wait"]), int(state["best_epoch"])
                self.best = float(state["best"])
                count = int(state["weights"])
                self.best_weights = [state[f"weight_{k}"] for k in range(count)] if count else None

    def on_epoch_end(self, epoch, logs=None):
        super().on_epoch_end(epoch, logs)
        weights = self.best_weights or []
        state = {"wait": self.wait, "best_epoch": self.best_epoch, "best": self.best, "weights": len(weights)}
        state.update({f"weight_{k}": w for k, w in enumerate(weights)})
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(self.path.name + ".partial")
        with open(partial, "wb") as file:  # whole or not at all: a kill mid-write leaves the last state
            np.savez(file, **state)
        os.replace(partial, self.path)

    def on_train_end(self, logs=None):
        super().on_train_end(logs)
        self.path.unlink(missing_ok=True)


class EpochTimes(tf.keras.callbacks.Callback):
    """Per epoch, the seconds spent training (``seconds``, up to this callback's ``on_epoch_end``: put it before
    the validation callbacks) and the wall time since ``fit`` began (``elapsed``)."""

    def __init__(self):
        super().__init__()
        self.seconds: list[float] = []
        self.elapsed: list[float] = []

    def on_train_begin(self, logs=None):
        self.started = time.time()

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch_started = time.time()

    def on_epoch_end(self, epoch, logs=None):
        now = time.time()
        self.seconds.append(now - self.epoch_started)
        self.elapsed.append(now - self.started)


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


BACKUP = "backup"  # a run folder's resume state (Keras BackupAndRestore and ResumableEarlyStopping)


def has_backup(folder) -> bool:
    """Whether ``folder`` holds the resume state of a fit that did not finish (a finished fit removes it)."""
    backup = Path(folder) / BACKUP
    return backup.is_dir() and any(path.is_file() for path in backup.rglob("*"))


def fit_callbacks(monitor: str, mode: str, patience: int, folder=None, first=(), backup: bool = True) -> list:
    """``first`` (e.g. a ``ValidationRanking``), early stopping on ``monitor`` with the best weights restored,
    and, with a ``folder``, TensorBoard curves and (``backup``) ``BackupAndRestore`` with a resumable early
    stopping, so that a killed fit run again with the same folder continues from its last epoch and ends as
    an uninterrupted one would.  ``backup=False`` for models Keras cannot restore before ``fit`` has built them
    (subclassed TFRS models): ``train_all --resume`` reruns their task."""
    stopping = dict(monitor=monitor, mode=mode, patience=patience, restore_best_weights=True)
    resumable = folder is not None and backup
    callbacks = [
        *first,
        ResumableEarlyStopping(Path(folder) / BACKUP, **stopping)
        if resumable
        else tf.keras.callbacks.EarlyStopping(**stopping),
        EpochProgress(run_name(folder), monitor, mode),
    ]
    if folder is not None:
        callbacks.append(keras_callback(folder))
        if backup:
            callbacks.append(tf.keras.callbacks.BackupAndRestore(str(Path(folder) / BACKUP)))
    return callbacks
