"""Pooling of per-token hidden states into one vector per text, ignoring padding (id 0).

Both layers take the token ids beside the hidden states, so a text gives the same vector whatever it is
padded to.
"""

from __future__ import annotations

import tensorflow as tf


@tf.keras.utils.register_keras_serializable(package="emotion_tf")
class MaskedMeanPooling(tf.keras.layers.Layer):
    """Mean of the hidden states over non-padding tokens: [batch, T, dim], ids [batch, T] -> [batch, dim]."""

    def call(self, hidden, ids):
        weights = tf.cast(tf.not_equal(ids, 0), hidden.dtype)[:, :, tf.newaxis]
        return tf.reduce_sum(hidden * weights, axis=1) / tf.maximum(tf.reduce_sum(weights, axis=1), 1.0)


@tf.keras.utils.register_keras_serializable(package="emotion_tf")
class MaskedMaxPooling(tf.keras.layers.Layer):
    """Feature-wise maximum over non-padding tokens: [batch, T, dim], ids [batch, T] -> [batch, dim].

    out[b, j] = max over t with ids[b, t] != 0 of hidden[b, t, j]; a text with no token at all gives 0.
    Padding is set to the dtype's lowest value (not -1e9, which float16 cannot hold under mixed precision).
    """

    def call(self, hidden, ids):
        present = tf.not_equal(ids, 0)[:, :, tf.newaxis]
        lowest = tf.cast(hidden.dtype.min, hidden.dtype)
        pooled = tf.reduce_max(tf.where(present, hidden, lowest), axis=1)
        return tf.where(tf.reduce_any(present, axis=1), pooled, tf.zeros_like(pooled))
