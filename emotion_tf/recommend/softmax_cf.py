"""Softmax collaborative filtering: the first article's recommendation loss, made to run.

    y_i        user i's targets over all items                                        [n_items]
    x_i        = y_i / ‖y_i‖₂, with input dropout while training (denoising)           [n_items]
    h_i        = tanh(x_i V + c)  (+ E[i], a user-id embedding, optional)              [d]
    logits_i   = Wᵀ h_i + b                                                            [n_items]
    Loss       = − Σ_i Σ_j y_ij · log softmax(logits_i)_j

This is the multinomial likelihood of Mult-DAE / Mult-VAE (Liang et al., 2018). How y_ij is formed:

* implicit data: y_ij = 1 if user i interacted with item j, else 0;
* ratings: y_ij = r_ij, the star rating (0 where unrated), so a five-star item weighs five times a
  one-star one in the likelihood; ``interaction_targets(kind="ratings")``.

Keras averages the per-user losses over a batch instead of summing over all users: the same minimiser,
the gradient scaled by 1/batch (``multinomial_loss`` returns the per-user sums so both are easy to check).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import tensorflow as tf

TARGET_KINDS = ("implicit", "ratings")


def interaction_targets(frame: pd.DataFrame, n_users: int, n_items: int, kind: str = "implicit") -> np.ndarray:
    """Dense y [n_users, n_items] (float32) from a split table with ``user_index``/``item_index`` (and ``rating``)."""
    if kind not in TARGET_KINDS:
        raise ValueError(f"kind must be one of {TARGET_KINDS}, got {kind!r}")
    y = np.zeros((n_users, n_items), dtype=np.float32)
    if kind == "ratings":
        if "rating" not in frame.columns:
            raise ValueError("kind='ratings' needs a 'rating' column")
        values = frame["rating"].to_numpy(np.float32)
    else:
        values = np.ones(len(frame), dtype=np.float32)
    y[frame["user_index"].to_numpy(), frame["item_index"].to_numpy()] = values
    return y


def multinomial_loss(y_true: tf.Tensor, logits: tf.Tensor) -> tf.Tensor:
    """Per-user  − Σ_j y_ij log softmax(logits_i)_j : [b, n_items], [b, n_items] -> [b]."""
    return -tf.reduce_sum(tf.cast(y_true, logits.dtype) * tf.nn.log_softmax(logits, axis=-1), axis=-1)


class SoftmaxCF(tf.keras.Model):
    """Args:
      n_items: catalogue size.
      dim: d, the width of h_i.
      dropout: input dropout rate on x_i while training (0 disables the denoising).
      n_users: with ``use_user_id``, the number of user ids embedded.
      use_user_id: add a learned user embedding E[i] to h_i.
      seed: initialisation and dropout seed.

    Call: ``model({"history": y [b, n_items], "user": ids [b]})`` -> logits [b, n_items]; "user" only
    with ``use_user_id``.
    """

    def __init__(
        self,
        n_items: int,
        dim: int = 200,
        dropout: float = 0.5,
        n_users: int | None = None,
        use_user_id: bool = False,
        seed: int = 0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if use_user_id and not n_users:
            raise ValueError("use_user_id needs n_users")
        self.n_items, self.dim, self.use_user_id = n_items, dim, use_user_id
        self.input_dropout = tf.keras.layers.Dropout(dropout, seed=seed)
        self.encoder = tf.keras.layers.Dense(
            dim, activation="tanh", name="encoder", kernel_initializer=tf.keras.initializers.GlorotUniform(seed)
        )
        self.user_embedding = (
            tf.keras.layers.Embedding(
                n_users,
                dim,
                name="user_embedding",
                embeddings_initializer=tf.keras.initializers.RandomNormal(stddev=0.01, seed=seed + 1),
            )
            if use_user_id
            else None
        )
        # float32 logits: under mixed precision a softmax over thousands of items needs them
        self.output_layer = tf.keras.layers.Dense(
            n_items,
            name="item_logits",
            dtype="float32",
            kernel_initializer=tf.keras.initializers.GlorotUniform(seed + 2),
        )

    def user_representation(self, inputs, training=False) -> tf.Tensor:
        """h_i [b, d]."""
        history = tf.cast(inputs["history"], tf.float32)
        x = tf.math.l2_normalize(history, axis=-1)
        h = self.encoder(self.input_dropout(x, training=training))
        if self.use_user_id:
            h = h + self.user_embedding(inputs["user"])
        return h

    def call(self, inputs, training=False) -> tf.Tensor:
        return self.output_layer(self.user_representation(inputs, training=training))
