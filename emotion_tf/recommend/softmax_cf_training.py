"""Training softmax CF: Keras fit on users' history rows, early stopping on validation NDCG@20
(``SELECTION_METRIC``).

The input and the target are the same training row (a denoising autoencoder over the catalogue). At
validation and at test alike the input is the training history, the data the model was fitted on, as for
every other ranking model here (EASE, the graph filters and the graph models score from the training
graph; RecBole does the same); the ranking masks the training items at validation and the training and
validation items at test (docs/protocols.md). Until 2026-12-03 the test input was the training +
validation history, which gave softmax CF more of each user's history at test than EASE or the graph
models saw (docs/recommendation.md).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field

import numpy as np
import tensorflow as tf

from emotion_tf.data.splits import InteractionSplits
from emotion_tf.metrics.ranking import SELECTION_METRIC, evaluate_split
from emotion_tf.recommend.softmax_cf import SoftmaxCF, interaction_targets, multinomial_loss
from emotion_tf.training.callbacks import ValidationRanking, fit_callbacks
from emotion_tf.training.distribution import global_batch_size, training_scope
from emotion_tf.training.seeds import set_seed


@dataclass
class SoftmaxCFSettings:
    """Defaults chosen on ml-100k validation Recall@20 (seed 0): dropout 0.3 0.3483, 0.5 0.3525, 0.7 0.3544;
    d=600 0.3512; with user ids 0.3479; rating targets 0.3536 (0.3541 with dropout 0.7)."""

    dim: int = 200
    dropout: float = 0.7
    use_user_id: bool = False
    targets: str = "implicit"  # or "ratings": y_ij = r_ij
    learning_rate: float = 1e-3
    batch_size: int = 128
    epochs: int = 200
    patience: int = 15

    def hparams(self) -> dict:
        return dataclasses.asdict(self)


@dataclass
class SoftmaxCFResult:
    model: SoftmaxCF
    history: dict = field(default_factory=dict)
    seconds: float = 0.0


def history_rows(splits: InteractionSplits, *split_names: str, kind: str = "implicit") -> np.ndarray:
    """y [n_users, n_items] from the union of ``split_names``."""
    frames = [splits[name] for name in split_names]
    rows = np.zeros((splits.n_users, splits.n_items), dtype=np.float32)
    for frame in frames:
        rows += interaction_targets(frame, splits.n_users, splits.n_items, kind)
    return rows


def scorer(model: SoftmaxCF, rows: np.ndarray):
    """score_users for ``evaluate_split``: logits of the users' rows."""
    users_all = np.arange(len(rows))
    return lambda users: model({"history": rows[users], "user": users_all[users]}, training=False).numpy()


# what feeds the test ranking; records say so (before 2026-12-03 it was the training + validation history)
TEST_INPUT = "training history"


def evaluate_softmax_cf(
    model: SoftmaxCF, splits: InteractionSplits, split: str, kind: str = "implicit", ks=(10, 20)
) -> dict:
    """Full-ranking metrics of ``split`` from the training history (module docstring), seen items masked."""
    rows = history_rows(splits, "train", kind=kind)
    return evaluate_split(scorer(model, rows), splits, split, ks=ks)


def train_softmax_cf(
    splits: InteractionSplits, settings: SoftmaxCFSettings, seed: int = 0, folder=None, verbose: int = 0
) -> SoftmaxCFResult:
    set_seed(seed)
    y = history_rows(splits, "train", kind=settings.targets)
    users = np.arange(splits.n_users)
    active = users[y.sum(1) > 0]  # a user with no training item has nothing to reconstruct
    with training_scope():  # the run's tf.distribute strategy
        model = SoftmaxCF(splits.n_items, settings.dim, settings.dropout, splits.n_users, settings.use_user_id, seed)
        model.compile(optimizer=tf.keras.optimizers.Adam(settings.learning_rate), loss=multinomial_loss)
        model({"history": y[active[:1]], "user": active[:1]})  # built before fit, so BackupAndRestore can restore it
        # the validation input is the training history: built once here, not again every epoch
        validation = ValidationRanking(lambda m: evaluate_split(scorer(m, y), splits, "validation", ks=(20,)))
        callbacks = fit_callbacks(f"val_{SELECTION_METRIC}", "max", settings.patience, folder, first=[validation])
        started = time.time()
        history = model.fit(
            {"history": y[active], "user": active},
            y[active],
            batch_size=global_batch_size(settings.batch_size),
            epochs=settings.epochs,
            callbacks=callbacks,
            verbose=verbose,
            shuffle=True,
        )
    return SoftmaxCFResult(model, history.history, time.time() - started)
