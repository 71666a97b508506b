"""Serving top-K: a TFRS ``BruteForce`` index inside a SavedModel that excludes what the user has seen.

The exported module answers three calls, all taking raw ids:

    for_user(user_id, k)        -> {"item_ids" [k], "scores" [k], "fallback" bool}
        a known user's top-K, seen items excluded; an unknown user gets the popularity ranking with
        fallback=True (never a silent personalised-looking answer)
    for_users(user_ids [n], k)  -> {"item_ids" [n, k], "scores" [n, k]}      known users, batched
    for_items(item_ids [m], k)  -> {"item_ids" [k], "scores" [k]}
        a new user described by recently seen items: the history encoder makes the query, the given items
        are excluded; unknown item ids are ignored (if none is known: the popularity ranking)

Exclusion with an index: ask ``BruteForce`` for k + (most items any query excludes), drop the excluded
ones, keep the first k. Seen items are held as a dense bool [n_users, n_items] table, fine up to a few
hundred million cells (ml-100k: 1.6 M); k must lie in [1, n_items − excluded].
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf
import tensorflow_recommenders as tfrs


class TopKRecommender(tf.Module):
    """Args:
    user_ids, item_ids: raw ids (int64) of the rows of ``user_queries`` and ``item_vectors``.
    user_queries: [n_users, d] query vector of every known user.
    item_vectors: [n_items, d] candidate vectors (scores are dot products).
    seen: bool [n_users, n_items], the items to exclude for each known user.
    popularity: [n_items] scores of the fallback ranking.
    history_encoder: multi-hot [b, n_items] float32 -> queries [b, d] (for ``for_items``).
    """

    def __init__(self, user_ids, item_ids, user_queries, item_vectors, seen, popularity, history_encoder):
        super().__init__()
        self.n_items = len(item_ids)
        self.item_ids = tf.constant(np.asarray(item_ids, dtype=np.int64))
        self.user_table = tf.lookup.StaticHashTable(
            tf.lookup.KeyValueTensorInitializer(
                tf.constant(np.asarray(user_ids, np.int64)), tf.range(len(user_ids), dtype=tf.int64)
            ),
            default_value=-1,
        )
        self.item_table = tf.lookup.StaticHashTable(
            tf.lookup.KeyValueTensorInitializer(self.item_ids, tf.range(self.n_items, dtype=tf.int64)), default_value=-1
        )
        self.user_queries = tf.Variable(np.asarray(user_queries, np.float32), trainable=False)
        self.seen = tf.Variable(np.asarray(seen, bool), trainable=False)
        self.popularity = tf.Variable(np.asarray(popularity, np.float32), trainable=False)
        self.index = tfrs.layers.factorized_top_k.BruteForce()
        self.index.index(tf.constant(np.asarray(item_vectors, np.float32)), tf.range(self.n_items, dtype=tf.int64))
        self.history_encoder = history_encoder

    def _checked_k(self, k, excluded):
        k = tf.cast(k, tf.int32)
        checks = [
            tf.debugging.assert_positive(k, message="k must be at least 1"),
            tf.debugging.assert_less_equal(
                k, self.n_items - excluded, message="k exceeds the number of items left after excluding seen ones"
            ),
        ]
        # k's users (reshapes to [n, k]) wait for the checks, so a bad k fails here with its reason and not
        # in whichever op the graph happens to run first
        with tf.control_dependencies(checks):
            return tf.identity(k)

    def _top_k(self, queries, exclude, k):
        """queries [n, d], exclude bool [n, n_items] -> (item positions [n, k], scores [n, k])."""
        most = tf.reduce_max(tf.reduce_sum(tf.cast(exclude, tf.int32), axis=1))
        k = self._checked_k(k, most)
        fetch = tf.minimum(k + most, self.n_items)
        scores, positions = self.index(queries, k=fetch)
        keep = tf.logical_not(tf.gather(exclude, positions, batch_dims=1))
        keep = tf.logical_and(keep, tf.cumsum(tf.cast(keep, tf.int32), axis=1) <= k)
        n = tf.shape(queries)[0]
        return (tf.reshape(tf.boolean_mask(positions, keep), [n, k]), tf.reshape(tf.boolean_mask(scores, keep), [n, k]))

    def _top_popular(self, k, exclude):
        k = self._checked_k(k, tf.reduce_sum(tf.cast(exclude, tf.int32)))
        scores = tf.where(exclude, tf.fill(tf.shape(self.popularity), -np.inf), self.popularity)
        scores, positions = tf.math.top_k(scores, k=k)
        return tf.cast(positions, tf.int64), scores

    @tf.function(input_signature=[tf.TensorSpec([], tf.int64), tf.TensorSpec([], tf.int32)])
    def for_user(self, user_id, k):
        row = self.user_table.lookup(user_id)
        if row < 0:
            positions, scores = self._top_popular(k, tf.zeros([self.n_items], tf.bool))
            fallback = tf.constant(True)
        else:
            positions, scores = self._top_k(self.user_queries[row][None, :], self.seen[row][None, :], k)
            positions, scores = positions[0], scores[0]
            fallback = tf.constant(False)
        return {"item_ids": tf.gather(self.item_ids, positions), "scores": scores, "fallback": fallback}

    @tf.function(input_signature=[tf.TensorSpec([None], tf.int64), tf.TensorSpec([], tf.int32)])
    def for_users(self, user_ids, k):
        rows = self.user_table.lookup(user_ids)
        tf.debugging.assert_non_negative(rows, message="for_users takes known user ids only (use for_user)")
        positions, scores = self._top_k(tf.gather(self.user_queries, rows), tf.gather(self.seen, rows), k)
        return {"item_ids": tf.gather(self.item_ids, positions), "scores": scores}

    @tf.function(input_signature=[tf.TensorSpec([None], tf.int64), tf.TensorSpec([], tf.int32)])
    def for_items(self, item_ids, k):
        positions = self.item_table.lookup(item_ids)
        positions = tf.boolean_mask(positions, positions >= 0)
        history = tf.scatter_nd(positions[:, None], tf.ones_like(positions, tf.float32), [self.n_items])
        history = tf.minimum(history, 1.0)
        exclude = history > 0
        if tf.size(positions) == 0:
            top, scores = self._top_popular(k, exclude)
        else:
            top, scores = self._top_k(self.history_encoder(history[None, :]), exclude[None, :], k)
            top, scores = top[0], scores[0]
        return {"item_ids": tf.gather(self.item_ids, top), "scores": scores}
