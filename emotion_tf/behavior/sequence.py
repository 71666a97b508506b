"""Next-item prediction from a user's time-ordered history: the model the article's LSTM code intends.

The article's behaviour code feeds four inputs, random embedding matrices as data and tensors it never
defines; it cannot run (docs/errata.md). What it describes is a recurrent model over each user's
sequence of items that predicts the next one::

    ids [b, L] (item index + 1, 0 = padding, left-padded)
      -> Embedding(n_items + 1, d, mask_zero) -> GRU(d) (or LSTM) -> Dense(n_items) logits of the next item

Training examples are every prefix of every user's training sequence (the last ``max_length`` items
before each position); evaluation follows the temporal split of docs/protocols.md: the validation item is
predicted from the training sequence, the test item from training + validation, seen items masked.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import tensorflow as tf

from emotion_tf.data.splits import InteractionSplits
from emotion_tf.metrics.ranking import MASKED_SPLITS, evaluate_split
from emotion_tf.training.callbacks import ValidationRanking, fit_callbacks
from emotion_tf.training.distribution import global_batch_size, training_scope
from emotion_tf.training.recurrent import recurrent_layer
from emotion_tf.training.seeds import set_seed


def user_sequences(splits: InteractionSplits, *split_names: str) -> list[np.ndarray]:
    """Each user's items (indices) of the given splits, in time order: a list of n_users arrays."""
    frames = [splits[name] for name in split_names]
    users = np.concatenate([f["user_index"].to_numpy() for f in frames])
    items = np.concatenate([f["item_index"].to_numpy() for f in frames])
    times = np.concatenate([f["timestamp"].to_numpy() for f in frames])
    order = np.lexsort((times, users))  # stable: ties keep their split order (train before validation)
    users, items = users[order], items[order]
    bounds = np.searchsorted(users, np.arange(splits.n_users + 1))
    return [items[bounds[u] : bounds[u + 1]] for u in range(splits.n_users)]


def left_padded(sequences, max_length: int) -> np.ndarray:
    """[n, max_length] int32 of item index + 1, the last ``max_length`` items right-aligned, 0 = padding."""
    out = np.zeros((len(sequences), max_length), dtype=np.int32)
    for row, sequence in enumerate(sequences):
        tail = np.asarray(sequence[-max_length:], dtype=np.int64)
        if len(tail):
            out[row, max_length - len(tail) :] = tail + 1
    return out


def training_windows(sequences, max_length: int) -> tuple[np.ndarray, np.ndarray]:
    """Every (prefix, next item) pair: inputs [n, max_length] (left-padded ids), targets [n] (item index)."""
    prefixes, targets = [], []
    for sequence in sequences:
        for position in range(1, len(sequence)):
            prefixes.append(sequence[max(0, position - max_length) : position])
            targets.append(sequence[position])
    return left_padded(prefixes, max_length), np.asarray(targets, dtype=np.int32)


def next_item_model(
    n_items: int, max_length: int, dim: int = 64, cell: str = "gru", dropout: float = 0.2, seed: int = 0
) -> tf.keras.Model:
    """ids [b, max_length] -> logits [b, n_items]."""
    ids = tf.keras.Input([max_length], dtype=tf.int32, name="item_ids")
    x = tf.keras.layers.Embedding(n_items + 1, dim, mask_zero=True, name="item_embedding")(ids)
    x = tf.keras.layers.Dropout(dropout, seed=seed)(x)
    x = recurrent_layer(cell, dim, name=cell)(x)
    x = tf.keras.layers.Dropout(dropout, seed=seed + 1)(x)
    logits = tf.keras.layers.Dense(n_items, name="next_item")(x)
    return tf.keras.Model(ids, logits, name=f"next_item_{cell}")


@dataclass
class SequenceSettings:
    cell: str = "gru"
    dim: int = 64
    max_length: int = 50
    dropout: float = 0.2
    learning_rate: float = 2e-3
    batch_size: int = 256
    epochs: int = 30
    patience: int = 3


@dataclass
class SequenceResult:
    model: tf.keras.Model
    history: dict = field(default_factory=dict)
    seconds: float = 0.0


def next_item_inputs(splits: InteractionSplits, split: str, max_length: int) -> np.ndarray:
    """[n_users, max_length] model inputs for scoring ``split``: everything before its held-out item."""
    return left_padded(user_sequences(splits, *MASKED_SPLITS[split]), max_length)


def evaluate_next_item(
    model: tf.keras.Model,
    splits: InteractionSplits,
    split: str,
    max_length: int,
    ks=(10, 20),
    inputs: np.ndarray | None = None,
) -> dict:
    """HitRate/NDCG/Recall@K of the held-out item; the input is everything before it, seen items masked.

    ``inputs``: from ``next_item_inputs`` when scoring repeatedly (e.g. every epoch).
    """
    inputs = next_item_inputs(splits, split, max_length) if inputs is None else inputs
    score = lambda users: model.predict(inputs[users], batch_size=1024, verbose=0)  # noqa: E731
    return evaluate_split(score, splits, split, ks=ks)


def train_next_item(
    splits: InteractionSplits, settings: SequenceSettings, seed: int = 0, folder=None, verbose: int = 0
) -> SequenceResult:
    """Fit on every prefix of the training sequences; early stopping on validation HitRate@10."""
    set_seed(seed)
    inputs, targets = training_windows(user_sequences(splits, "train"), settings.max_length)
    validation_inputs = next_item_inputs(splits, "validation", settings.max_length)  # built once, not per epoch
    validation = ValidationRanking(
        lambda m: evaluate_next_item(m, splits, "validation", settings.max_length, ks=(10,), inputs=validation_inputs),
        metrics=("hit_rate@10", "ndcg@10"),
    )
    callbacks = fit_callbacks("val_hit_rate@10", "max", settings.patience, folder, first=[validation])
    started = time.time()
    with training_scope():  # the run's tf.distribute strategy
        model = next_item_model(
            splits.n_items, settings.max_length, settings.dim, settings.cell, settings.dropout, seed
        )
        model.compile(
            optimizer=tf.keras.optimizers.Adam(settings.learning_rate),
            loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        )
        history = model.fit(
            inputs,
            targets,
            batch_size=global_batch_size(settings.batch_size),
            epochs=settings.epochs,
            callbacks=callbacks,
            verbose=verbose,
            shuffle=True,
        )
    return SequenceResult(model, history.history, time.time() - started)
