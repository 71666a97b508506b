"""Fitting M(E, I, F) and scoring it: full ranking of every item at each query's own time, and ratings.

Ranking follows docs/protocols.md on the temporal split: at validation the user's training items are masked,
at test the training and validation items; Recall/NDCG/Precision/HitRate@K for K = 10, 20, and F1@K, the
harmonic mean of the mean Precision@K and mean Recall@K (the second article lists P, R and F1).  Ratings:
RMSE and MAE over the held-out pairs that have one.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import numpy as np
import tensorflow as tf

from emotion_tf.baselines.popularity import item_counts
from emotion_tf.emotion_rec.features import QueryFeatures, ReviewedInteractions, item_emotion_grid
from emotion_tf.emotion_rec.model import Blocks, EmotionAwareModel
from emotion_tf.metrics.ranking import MASKED_SPLITS, ranking_metrics_from_top_k
from emotion_tf.metrics.regression import mae, rmse
from emotion_tf.training.callbacks import ValidationRanking, fit_callbacks
from emotion_tf.training.distribution import global_batch_size, shard_by_data, training_scope
from emotion_tf.training.prebuild import build_for_fit, example_inputs, in_replica
from emotion_tf.training.seeds import set_seed


@dataclass(frozen=True)
class EmotionRecSettings:
    """Training settings of M(E, I, F).

    Temperature and learning rate were chosen on validation Recall@20 of the simulated world of the
    ``emotion-rec`` task (seed 0, lexicon scores; without E / with E / with the true mood instead of E):
    τ 0.2, lr 2e-3: 0.310 / 0.314 / 0.350; τ 0.1: 0.305 / 0.305 / 0.342; τ 0.5: 0.318 / 0.319 / 0.348;
    lr 5e-4: 0.317 / 0.314 / 0.353; d 32: 0.325 / 0.325 / 0.351; batch 128: 0.315 / 0.315 / 0.345;
    τ 0.5 with lr 5e-4: 0.320 / 0.327 / 0.358 (chosen).
    """

    dim: int = 64
    learning_rate: float = 5e-4
    batch_size: int = 512
    epochs: int = 40
    patience: int = 4
    rating_weight: float = 0.1
    temperature: float = 0.5

    def hparams(self) -> dict:
        return asdict(self)


def model_inputs(features: QueryFeatures, blocks: Blocks) -> dict:
    """The dict a batch of M(E, I, F) reads: the blocks ``blocks`` selects, concatenated per tower."""
    query_dense = [features.behavior] + ([features.user_emotion] if blocks.user_emotion else [])
    item_dense = features.item_emotion if blocks.item_emotion else np.zeros((len(features), 0), dtype=np.float32)
    return {
        "user_index": features.user_index.astype(np.int64),
        "item_index": features.item_index.astype(np.int64),
        "last_item": features.last_item.astype(np.int64),
        "query_dense": np.concatenate(query_dense, axis=1).astype(np.float32),
        "item_dense": item_dense.astype(np.float32),
        "rating": np.nan_to_num(features.rating).astype(np.float32),
        "has_rating": (~np.isnan(features.rating)).astype(np.float32),
    }


class HeldOutScorer:
    """Scores every item for each query of a split, at the query's own time (item emotion included)."""

    def __init__(self, data: ReviewedInteractions, review_scores: np.ndarray, features: QueryFeatures, blocks: Blocks):
        self.data, self.features, self.blocks = data, features, blocks
        self.inputs = model_inputs(features, blocks)
        self.grid = item_emotion_grid(data, review_scores, features.timestamp) if blocks.item_emotion else None

    def scores(self, model: EmotionAwareModel, batch: int = 128) -> np.ndarray:
        """float [q, n_items]."""
        n_items = self.data.n_items
        out = np.empty((len(self.features), n_items), dtype=np.float32)
        static = (
            None
            if self.blocks.item_emotion
            else model.candidate(tf.range(n_items, dtype=tf.int64), tf.zeros((n_items, 0))).numpy()
        )
        for start in range(0, len(self.features), batch):
            rows = slice(start, start + batch)
            queries = model.query({k: self.inputs[k][rows] for k in ("user_index", "last_item", "query_dense")})
            if static is not None:
                out[rows] = queries.numpy() @ static.T
            else:
                dynamic = self.grid[rows]
                items = tf.broadcast_to(tf.range(n_items, dtype=tf.int64), dynamic.shape[:2])
                candidates = model.candidate(items, tf.constant(dynamic))
                out[rows] = tf.einsum("qd,qnd->qn", queries, candidates).numpy()
        return out

    def ratings(self, model: EmotionAwareModel) -> np.ndarray:
        queries = model.query({k: self.inputs[k] for k in ("user_index", "last_item", "query_dense")})
        candidates = model.candidate(self.inputs["item_index"], self.inputs["item_dense"])
        return np.clip(model.predicted_rating(queries, candidates).numpy(), 1.0, 5.0)


def rank_metrics(
    scores: np.ndarray, data: ReviewedInteractions, features: QueryFeatures, split: str, ks=(10, 20)
) -> dict:
    """Mean ranking metrics of ``scores`` [q, n_items] for the queries of ``split`` (one held-out item each)."""
    scores = scores.copy()
    seen = data.splits.items_by_user(*MASKED_SPLITS[split])
    for row, user in enumerate(features.user_index):
        scores[row, seen.of(user)] = -np.inf
    relevant = np.zeros(scores.shape, dtype=bool)
    relevant[np.arange(len(scores)), features.item_index] = True
    top = np.argsort(-scores, axis=1, kind="stable")[:, : max(ks)]
    metrics = {}
    for k in ks:
        per_query = ranking_metrics_from_top_k(top[:, :k], relevant, np.ones(len(scores), dtype=np.int64))
        metrics.update({f"{name}@{k}": float(values.mean()) for name, values in per_query.items()})
        p, r = metrics[f"precision@{k}"], metrics[f"recall@{k}"]
        metrics[f"f1@{k}"] = 2 * p * r / (p + r) if p + r > 0 else 0.0
    return metrics


def rating_metrics(predicted: np.ndarray, features: QueryFeatures) -> dict:
    rated = ~np.isnan(features.rating)
    if not rated.any():
        return {}
    return {
        "rmse": rmse(features.rating[rated], predicted[rated]),
        "mae": mae(features.rating[rated], predicted[rated]),
        "rated_pairs": int(rated.sum()),
    }


def evaluate_emotion_model(model: EmotionAwareModel, scorer: HeldOutScorer, split: str) -> dict:
    return {
        **rank_metrics(scorer.scores(model), scorer.data, scorer.features, split),
        **rating_metrics(scorer.ratings(model), scorer.features),
    }


def train_emotion_model(
    data: ReviewedInteractions,
    review_scores: np.ndarray,
    features: dict,
    blocks: Blocks,
    settings: EmotionRecSettings,
    seed: int = 0,
    folder=None,
):
    """Fit M on the training queries, early-stopping on validation Recall@20.

    Args:
      features: {split: QueryFeatures} for train, validation (and test).
    Returns:
      (model, {split: HeldOutScorer} for the held-out splits, history dict, seconds).
    """
    set_seed(seed)
    train = features["train"]
    counts = item_counts(train.item_index, data.n_items)
    rated = train.rating[~np.isnan(train.rating)]
    dataset = (
        tf.data.Dataset.from_tensor_slices(model_inputs(train, blocks))
        .shuffle(len(train), seed=seed, reshuffle_each_iteration=True)
        .batch(global_batch_size(settings.batch_size))
    )
    dataset = shard_by_data(dataset)
    scorers = {
        split: HeldOutScorer(data, review_scores, features[split], blocks) for split in features if split != "train"
    }
    validation = ValidationRanking(
        lambda m: rank_metrics(scorers["validation"].scores(m), data, features["validation"], "validation"),
        metrics=("recall@20", "ndcg@20"),
    )
    started = time.time()
    with training_scope():  # the run's tf.distribute strategy
        model = EmotionAwareModel(
            data.splits.n_users,
            data.n_items,
            data.item_static,
            dim=settings.dim,
            global_mean=float(rated.mean()) if len(rated) else 0.0,
            item_probability=counts / counts.sum(),
            rating_weight=settings.rating_weight,
            temperature=settings.temperature,
            seed=seed,
            global_batch=global_batch_size(settings.batch_size),
        )
        model.compile(optimizer=tf.keras.optimizers.Adam(settings.learning_rate))
        in_replica(model.compute_loss, example_inputs(dataset))  # builds the towers (fit resets the tasks' metrics)
        build_for_fit(model)  # and the optimizer's slots, so fit traces its train step once
        history = model.fit(
            dataset,
            epochs=settings.epochs,
            verbose=0,
            callbacks=fit_callbacks(
                "val_recall@20", "max", settings.patience, folder, first=[validation], backup=False
            ),
        )
    return model, scorers, history.history, time.time() - started
