"""Step 3/4: the model P = M(E, I, F), a TensorFlow Recommenders model with a retrieval and a rating task.

    query     q = W_q [ e_user(u) , e_last(last item) , [I, E] ]          (d)
    candidate c = W_c [ e_item(i) , F(i, t) ]                            (d)
    retrieval score  s(u, i, t) = q · c         (tfrs.tasks.Retrieval: in-batch softmax, logQ-corrected)
    rating           r̂(u, i, t) = μ + MLP([q, c])  (tfrs.tasks.Ranking: squared error on rated pairs)
    loss = retrieval loss + rating_weight * rating loss

Because E enters q linearly and c carries an item embedding, q · c holds a term Eᵀ A c(i): the model can
learn, per item, how a user's emotion shifts its appeal.  Which blocks the towers read (the ablation:
with or without E, with or without the item's emotion) is a ``Blocks`` setting, not another model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import tensorflow as tf
import tensorflow_recommenders as tfrs

from emotion_tf.training.distribution import summed_squared_error

VARIANTS = {
    "behavior-only": (False, False),  # M(I, F): no emotion at all
    "user-emotion": (True, False),  # M(E, I, F) with the user's emotion state
    "user+item-emotion": (True, True),  # and the item's emotion (reviews it received before t)
}


@dataclass(frozen=True)
class Blocks:
    """Which feature blocks the towers read."""

    user_emotion: bool = True
    item_emotion: bool = True

    @classmethod
    def of(cls, variant: str) -> Blocks:
        if variant not in VARIANTS:
            raise KeyError(f"unknown variant {variant!r}; choose one of {sorted(VARIANTS)}")
        return cls(*VARIANTS[variant])


def _dense(units, seed, activation=None, name=None, dtype=None):
    return tf.keras.layers.Dense(
        units,
        activation=activation,
        name=name,
        dtype=dtype,
        kernel_initializer=tf.keras.initializers.GlorotUniform(seed),
    )


class EmotionAwareModel(tfrs.Model):
    """Args:
    n_users, n_items: id counts (the last-item id n_items means "none").
    dim: tower width d.
    item_static: float [n_items, f] static item features F (a constant inside the candidate tower).
    global_mean: μ, the mean training rating.
    item_probability: [n_items] training frequency of each item (the logQ correction).
    rating_weight: weight of the rating loss.
    temperature: softmax temperature of the retrieval task.
    global_batch: examples per step over all replicas (the rating loss is a mean over them).
    """

    def __init__(
        self,
        n_users: int,
        n_items: int,
        item_static,
        dim: int = 64,
        global_mean: float = 0.0,
        item_probability=None,
        rating_weight: float = 0.1,
        temperature: float = 0.2,
        seed: int = 0,
        global_batch: int = 512,
    ):
        super().__init__()
        embed = lambda n, k, name: tf.keras.layers.Embedding(  # noqa: E731
            n, dim, embeddings_initializer=tf.keras.initializers.RandomNormal(stddev=0.05, seed=seed + k), name=name
        )
        self.user_embedding = embed(n_users, 0, "user")
        self.last_item_embedding = embed(n_items + 1, 1, "last_item")
        self.item_embedding = embed(n_items, 2, "item")
        self.query_features = _dense(dim, seed + 3, name="query_features")
        self.item_features = _dense(dim, seed + 4, name="item_features")
        # float32 tower outputs: the retrieval softmax and the rating stay in float32 under mixed precision
        self.query_output = _dense(dim, seed + 5, name="query", dtype="float32")
        self.candidate_output = _dense(dim, seed + 6, name="candidate", dtype="float32")
        self.item_static = tf.constant(np.asarray(item_static, dtype=np.float32))
        self.item_probability = (
            None if item_probability is None else tf.constant(np.asarray(item_probability, dtype=np.float32))
        )
        self.rating_mlp = tf.keras.Sequential([_dense(32, seed + 7, "relu"), _dense(1, seed + 8, dtype="float32")])
        self.global_mean, self.rating_weight = float(global_mean), float(rating_weight)
        self.global_batch = float(global_batch)
        self.retrieval = tfrs.tasks.Retrieval(temperature=temperature, remove_accidental_hits=True)
        self.rating = tfrs.tasks.Ranking(loss=summed_squared_error(), metrics=[tf.keras.metrics.RootMeanSquaredError()])

    def query(self, features) -> tf.Tensor:
        """{user_index [b], last_item [b], query_dense [b, b_I + e]} -> [b, d]."""
        parts = [
            self.user_embedding(features["user_index"]),
            self.last_item_embedding(features["last_item"]),
            self.query_features(features["query_dense"]),
        ]
        return self.query_output(tf.concat(parts, axis=-1))

    def candidate(self, item_index, item_dynamic) -> tf.Tensor:
        """item_index [...], item_dynamic [..., e_i] (may have 0 columns) -> [..., d]."""
        dense = tf.concat([tf.gather(self.item_static, item_index), item_dynamic], axis=-1)
        return self.candidate_output(tf.concat([self.item_embedding(item_index), self.item_features(dense)], -1))

    def predicted_rating(self, queries, candidates) -> tf.Tensor:
        return self.global_mean + self.rating_mlp(tf.concat([queries, candidates], -1))[..., 0]

    def compute_loss(self, features, training=False) -> tf.Tensor:
        queries = self.query(features)
        candidates = self.candidate(features["item_index"], features["item_dense"])
        probability = (
            None if self.item_probability is None else tf.gather(self.item_probability, features["item_index"])
        )
        loss = self.retrieval(
            queries,
            candidates,
            candidate_ids=features["item_index"],
            candidate_sampling_probability=probability,
            compute_metrics=False,
        )
        # unrated pairs carry weight 0; the rating loss is computed even at rating_weight 0, so that the
        # rating head is built and the model's weights are the same in every variant.  Both losses are sums
        # over the replica's examples (what tf.distribute sums over replicas); the rating term is scaled to
        # rating_weight x the mean over the global batch
        loss += (
            self.rating_weight
            / self.global_batch
            * self.rating(
                labels=features["rating"][:, None],
                predictions=self.predicted_rating(queries, candidates)[:, None],
                sample_weight=features["has_rating"][:, None],
            )
        )
        return loss
