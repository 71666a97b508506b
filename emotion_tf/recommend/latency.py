"""Serving speed: the exported index against a plain numpy brute force over the same vectors.

Both answer "top-10 unseen items" from the same user query vectors and item vectors; numpy computes
scores = q · Vᵀ, masks seen items, ``argpartition`` + sort. Latency is per single-user call after a
warm-up (p50, p95); throughput is users per second for one batched call over ``batch`` users.
"""

from __future__ import annotations

import time

import numpy as np
import tensorflow as tf

from emotion_tf.metrics.speed import call_latency


def numpy_top_k(queries: np.ndarray, item_vectors: np.ndarray, seen: np.ndarray, k: int) -> np.ndarray:
    scores = queries @ item_vectors.T
    scores[seen] = -np.inf
    top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    return np.take_along_axis(top, np.argsort(-np.take_along_axis(scores, top, axis=1), axis=1), axis=1)


def serving_speed(module, served=None, k: int = 10, calls: int = 200, batch: int = 1000, seed: int = 0) -> dict:
    """p50/p95 single-user latency and batch throughput, served vs numpy.

    ``module`` (a ``TopKRecommender``) supplies the vectors numpy uses; ``served`` answers the calls
    (default ``module``; pass the reloaded SavedModel to time what a server runs).
    """
    served = module if served is None else served
    rng = np.random.default_rng(seed)
    user_ids = module.user_table.export()[0].numpy()
    queries = module.user_queries.numpy()
    item_vectors = module.index._candidates.numpy()
    seen = module.seen.numpy()
    rows = module.user_table.lookup(tf.constant(user_ids)).numpy()
    picks = rng.integers(0, len(user_ids), size=calls)
    k32 = np.int32(k)
    served_latency = call_latency(
        lambda pick: served.for_user(np.int64(user_ids[pick]), k32)["item_ids"].numpy(), picks, warmup=20
    )

    def numpy_one(pick):
        row = rows[pick]
        return numpy_top_k(queries[row : row + 1], item_vectors, seen[row : row + 1], k)

    numpy_latency = call_latency(numpy_one, picks, warmup=20)
    batch_ids = user_ids[rng.integers(0, len(user_ids), size=batch)]
    batch_rows = module.user_table.lookup(tf.constant(batch_ids)).numpy()
    served.for_users(tf.constant(batch_ids[:10]), k32)
    started = time.perf_counter()
    served.for_users(tf.constant(batch_ids), k32)["item_ids"].numpy()
    tf_batch = time.perf_counter() - started
    started = time.perf_counter()
    numpy_top_k(queries[batch_rows], item_vectors, seen[batch_rows], k)
    np_batch = time.perf_counter() - started
    return {
        **served_latency,
        **{f"numpy_{name}": value for name, value in numpy_latency.items()},
        "batch_users_per_second": batch / tf_batch,
        "numpy_batch_users_per_second": batch / np_batch,
    }
