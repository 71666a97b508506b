"""Scaled dot-product attention and multi-head attention, written out so the formula is visible.

For queries Q [..., T_q, d_k], keys K [..., T_k, d_k] and values V [..., T_k, d_v]:

    Attention(Q, K, V) = softmax(Q Kᵀ / √d_k) V

The scaling divides the logits *inside* the softmax: with d_k-dimensional
vectors of unit-variance entries, q·k has variance d_k, and unscaled logits
push the softmax into saturation where its gradients vanish.  (The article
prints 1/√d_k outside the softmax and d_k inside it; see docs/errata.md.)

A mask [..., T_q, T_k] marks which keys each query may attend to (True =
attend).  Masked logits are set to a large negative number before the
softmax, so padding gets (numerically) zero weight.

``MultiHeadSelfAttention`` projects the input into h heads of size d_k,
attends in each head, and projects the concatenated heads back:

    head_i = Attention(X W_i^Q + b_i^Q, X W_i^K + b_i^K, X W_i^V + b_i^V)
    MultiHead(X) = Σ_i head_i W_i^O + b^O

Its weights are laid out as tf.keras.layers.MultiHeadAttention's
(query/key/value kernels [d_model, h, d_k], output kernel [h, d_v, d_model]),
so the two can be checked against each other with the same weights.
"""

from __future__ import annotations

import math

import tensorflow as tf

# Large enough to zero a masked position after softmax, small enough not to overflow float16.
MASKED_LOGIT = -1e4


def scaled_dot_product_attention(
    query: tf.Tensor, key: tf.Tensor, value: tf.Tensor, mask: tf.Tensor | None = None, dropout=None, training=None
) -> tuple[tf.Tensor, tf.Tensor]:
    """softmax(Q Kᵀ / √d_k) V.

    Args:
      query: [..., T_q, d_k].
      key: [..., T_k, d_k].
      value: [..., T_k, d_v].
      mask: optional bool, broadcastable to [..., T_q, T_k]; True where a query may attend.
      dropout: optional layer applied to the weights before they mix the values (training only).

    Returns:
      (output [..., T_q, d_v], weights [..., T_q, T_k]); each row of weights sums to 1.
    """
    d_k = tf.cast(tf.shape(key)[-1], query.dtype)
    logits = tf.matmul(query, key, transpose_b=True) / tf.sqrt(d_k)
    if mask is not None:
        logits = tf.where(tf.cast(mask, tf.bool), logits, tf.cast(MASKED_LOGIT, logits.dtype))
    weights = tf.nn.softmax(logits, axis=-1)
    mixing = weights if dropout is None else dropout(weights, training=training)
    return tf.matmul(mixing, value), weights


def padding_mask(token_ids: tf.Tensor, padding_id: int = 0) -> tf.Tensor:
    """Attention mask [batch, T, T] from token ids [batch, T]: no query attends to a padding key."""
    keys = tf.not_equal(token_ids, padding_id)  # [batch, T]
    return tf.repeat(keys[:, tf.newaxis, :], tf.shape(token_ids)[1], axis=1)


@tf.keras.utils.register_keras_serializable(package="emotion_tf")
class MultiHeadSelfAttention(tf.keras.layers.Layer):
    """Multi-head attention on our own ``scaled_dot_product_attention``.

    Args:
      num_heads: h.
      key_dim: d_k, the size of each head's queries and keys.
      value_dim: d_v, the size of each head's values (default d_k).
      dropout: dropout on the attention weights during training.

    Call arguments:
      query: [batch, T_q, d_model]; value: [batch, T_k, d_model]; key: defaults to value.
      attention_mask: bool [batch, T_q, T_k], True where attention is allowed.
      return_attention_scores: also return the weights [batch, h, T_q, T_k].
    """

    def __init__(self, num_heads: int, key_dim: int, value_dim: int | None = None, dropout: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        if num_heads < 1 or key_dim < 1:
            raise ValueError(f"num_heads and key_dim must be positive, got {num_heads} and {key_dim}")
        self.num_heads, self.key_dim = num_heads, key_dim
        self.value_dim = value_dim or key_dim
        self.dropout = tf.keras.layers.Dropout(dropout)
        self.rate = dropout

    def build(self, input_shape):
        d_model = int(input_shape[-1])
        h, d_k, d_v = self.num_heads, self.key_dim, self.value_dim
        init = "glorot_uniform"  # a fresh initializer per weight, so the kernels differ
        self.query_kernel = self.add_weight(name="query_kernel", shape=(d_model, h, d_k), initializer=init)
        self.query_bias = self.add_weight(name="query_bias", shape=(h, d_k), initializer="zeros")
        self.key_kernel = self.add_weight(name="key_kernel", shape=(d_model, h, d_k), initializer=init)
        self.key_bias = self.add_weight(name="key_bias", shape=(h, d_k), initializer="zeros")
        self.value_kernel = self.add_weight(name="value_kernel", shape=(d_model, h, d_v), initializer=init)
        self.value_bias = self.add_weight(name="value_bias", shape=(h, d_v), initializer="zeros")
        self.output_kernel = self.add_weight(name="output_kernel", shape=(h, d_v, d_model), initializer=init)
        self.output_bias = self.add_weight(name="output_bias", shape=(d_model,), initializer="zeros")
        super().build(input_shape)

    def call(self, query, value, key=None, attention_mask=None, return_attention_scores=False, training=None):
        key = value if key is None else key
        # [batch, T, d_model] x [d_model, h, d] -> [batch, h, T, d]
        q = tf.einsum("btm,mhd->bhtd", query, self.query_kernel) + self.query_bias[:, tf.newaxis, :]
        k = tf.einsum("btm,mhd->bhtd", key, self.key_kernel) + self.key_bias[:, tf.newaxis, :]
        v = tf.einsum("btm,mhd->bhtd", value, self.value_kernel) + self.value_bias[:, tf.newaxis, :]
        mask = None if attention_mask is None else attention_mask[:, tf.newaxis, :, :]  # same mask per head
        heads, weights = scaled_dot_product_attention(
            q, k, v, mask, dropout=self.dropout, training=training
        )  # [batch, h, T_q, d_v]
        output = tf.einsum("bhtd,hdm->btm", heads, self.output_kernel) + self.output_bias
        return (output, weights) if return_attention_scores else output

    def get_config(self):
        return {
            **super().get_config(),
            "num_heads": self.num_heads,
            "key_dim": self.key_dim,
            "value_dim": self.value_dim,
            "dropout": self.rate,
        }


def attention_by_hand(query, key, value, mask=None):
    """The same formula in plain numpy, for tests and the notebook (float64)."""
    import numpy as np

    query, key, value = (np.asarray(x, dtype=np.float64) for x in (query, key, value))
    logits = query @ np.swapaxes(key, -1, -2) / math.sqrt(key.shape[-1])
    if mask is not None:
        logits = np.where(mask, logits, -np.inf)
    logits -= logits.max(axis=-1, keepdims=True)
    weights = np.exp(logits)
    weights /= weights.sum(axis=-1, keepdims=True)
    return weights @ value, weights
