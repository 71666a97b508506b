"""TensorFlow Recommenders models: a two-tower retrieval model and a rating model.

A tower maps an index (user or item) to a vector from its id embedding and its features::

    tower(i) = Dense_d( concat[ E_id[i], E_f[code_f[i]] for categorical features f, multi-hot_g[i] V_g ] )

The features live inside the tower as constant lookup tables indexed like the ids (ml-100k: a user's
age band, gender and occupation; an item's genres), so a tower is called with indices only.

``RetrievalModel`` (``tfrs.tasks.Retrieval``): in-batch softmax over the batch's items, with
``FactorizedTopK`` metrics against every item at evaluation. ``RatingModel`` (``tfrs.tasks.Ranking``):
r̂(u, i) = MLP(concat[tower_u(u), tower_i(i)]) trained with squared error, scored by RMSE.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import tensorflow as tf
import tensorflow_recommenders as tfrs

from emotion_tf.training.distribution import summed_squared_error


class Tower(tf.keras.Model):
    """Args:
    n: number of ids.
    dim: output width d.
    categorical: {name: int codes [n]} (each embedded in ``dim // 4`` dims).
    multi_hot: {name: 0/1 matrix [n, m]} (each projected to ``dim // 4`` dims).
    seed: initialisation seed.
    """

    def __init__(
        self,
        n: int,
        dim: int = 64,
        categorical: dict | None = None,
        multi_hot: dict | None = None,
        seed: int = 0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        init = lambda k: tf.keras.initializers.RandomNormal(stddev=0.05, seed=seed + k)  # noqa: E731
        self.id_embedding = tf.keras.layers.Embedding(n, dim, embeddings_initializer=init(0), name="id")
        self.codes, self.code_embeddings = {}, {}
        for k, (name, codes) in enumerate(sorted((categorical or {}).items()), start=1):
            codes = np.asarray(codes, dtype=np.int64)
            self.codes[name] = tf.constant(codes)
            self.code_embeddings[name] = tf.keras.layers.Embedding(
                int(codes.max()) + 1, max(dim // 4, 1), embeddings_initializer=init(k), name=name
            )
        self.matrices, self.projections = {}, {}
        for k, (name, matrix) in enumerate(sorted((multi_hot or {}).items()), start=50):
            self.matrices[name] = tf.constant(np.asarray(matrix, dtype=np.float32))
            self.projections[name] = tf.keras.layers.Dense(
                max(dim // 4, 1),
                use_bias=False,
                name=name,
                kernel_initializer=tf.keras.initializers.GlorotUniform(seed + k),
            )
        self.output_layer = tf.keras.layers.Dense(
            dim, name="combine", dtype="float32", kernel_initializer=tf.keras.initializers.GlorotUniform(seed + 99)
        )

    def call(self, indices: tf.Tensor) -> tf.Tensor:
        """indices [b] -> vectors [b, d]."""
        parts = [self.id_embedding(indices)]
        parts += [self.code_embeddings[name](tf.gather(codes, indices)) for name, codes in self.codes.items()]
        parts += [self.projections[name](tf.gather(matrix, indices)) for name, matrix in self.matrices.items()]
        return self.output_layer(tf.concat(parts, axis=1)) if len(parts) > 1 else tf.cast(parts[0], tf.float32)


class RetrievalModel(tfrs.Model):
    """Two towers scored by a dot product; the task owns the in-batch softmax loss and top-K metrics."""

    def __init__(
        self,
        user_tower: Tower,
        item_tower: Tower,
        n_items: int,
        temperature: float = 0.1,
        item_probability=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.user_tower, self.item_tower = user_tower, item_tower
        # an item appears among a batch's candidates in proportion to its popularity; the logQ correction
        # (log of that probability subtracted from its logit) keeps the in-batch softmax from learning to
        # push popular items down (Yi et al., 2019)
        self.item_probability = (
            None if item_probability is None else tf.constant(np.asarray(item_probability, dtype=np.float32))
        )
        candidates = tf.data.Dataset.range(n_items).batch(512).map(lambda i: item_tower(i))
        self.task = tfrs.tasks.Retrieval(
            metrics=tfrs.metrics.FactorizedTopK(candidates=candidates, ks=(10, 20)),
            temperature=temperature,
            remove_accidental_hits=True,
        )

    def compute_loss(self, features, training=False) -> tf.Tensor:
        users = self.user_tower(features["user_index"])
        items = self.item_tower(features["item_index"])
        probability = (
            None if self.item_probability is None else tf.gather(self.item_probability, features["item_index"])
        )
        return self.task(
            users,
            items,
            # int32 as FactorizedTopK's positional ids over the candidate dataset (item index = position)
            candidate_ids=tf.cast(features["item_index"], tf.int32),
            compute_metrics=not training,
            candidate_sampling_probability=probability,
        )


class RatingModel(tfrs.Model):
    """r̂(u, i) = MLP(concat[tower_u(u), tower_i(i)]) (+ the global mean), squared error, RMSE."""

    def __init__(
        self,
        user_tower: Tower,
        item_tower: Tower,
        global_mean: float,
        hidden=(64, 32),
        seed: int = 0,
        global_batch: int = 1024,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.user_tower, self.item_tower, self.global_mean = user_tower, item_tower, float(global_mean)
        self.global_batch = float(global_batch)
        self.mlp = tf.keras.Sequential(
            [
                tf.keras.layers.Dense(
                    units, activation="relu", kernel_initializer=tf.keras.initializers.GlorotUniform(seed + k)
                )
                for k, units in enumerate(hidden)
            ]
            + [tf.keras.layers.Dense(1)]
        )
        self.task = tfrs.tasks.Ranking(loss=summed_squared_error(), metrics=[tf.keras.metrics.RootMeanSquaredError()])

    def call(self, features) -> tf.Tensor:
        pair = tf.concat([self.user_tower(features["user_index"]), self.item_tower(features["item_index"])], 1)
        return self.global_mean + self.mlp(pair)[:, 0]

    def compute_loss(self, features, training=False) -> tf.Tensor:
        # the squared errors are summed on each replica and the gradients summed over replicas: divided by
        # the global batch, that is the batch mean on any number of replicas
        return self.task(labels=tf.cast(features["rating"], tf.float32), predictions=self(features)) / self.global_batch


def movielens_features(dataset, splits) -> tuple[dict, dict]:
    """ml-100k's user features (age band, gender, occupation codes) and item genres, in index order."""
    users = dataset["users"].set_index("user_id").loc[splits.user_ids]
    age_band = np.digitize(users["age"].to_numpy(), [18, 25, 35, 45, 50, 56])
    categorical_users = {
        "age_band": age_band,
        "gender": pd.Categorical(users["gender"]).codes,
        "occupation": pd.Categorical(users["occupation"]).codes,
    }
    items = dataset["items"].set_index("item_id").loc[splits.item_ids]
    genres = items[[c for c in items.columns if c.startswith("genre_")]].to_numpy(np.float32)
    return {"categorical": categorical_users}, {"multi_hot": {"genres": genres}}
