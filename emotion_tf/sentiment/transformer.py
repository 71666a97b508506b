"""A Transformer encoder for token ids, built on the project's own multi-head attention.

    ids [batch, T] -> token + learned position embeddings [batch, T, d]
                   -> N x encoder block -> hidden states [batch, T, d]

Encoder block (post-layer-norm, as BERT):

    h = LayerNorm(x + Dropout(MultiHeadSelfAttention(x, mask)))
    y = LayerNorm(h + Dropout(W₂ GELU(W₁ h + b₁) + b₂))

Padding (id 0) is masked in every attention layer and in pooling, so a text
gives the same representation whatever it is padded to.  The encoder is a
model of its own so that masked-language-model pretraining and the
classifiers can share it.
"""

from __future__ import annotations

import tensorflow as tf

from emotion_tf.sentiment.attention import MultiHeadSelfAttention, padding_mask


@tf.keras.utils.register_keras_serializable(package="emotion_tf")
class TokenAndPositionEmbedding(tf.keras.layers.Layer):
    """ids [batch, T] -> token embedding + learned position embedding, [batch, T, dim]."""

    def __init__(self, vocabulary_size: int, max_length: int, dim: int, **kwargs):
        super().__init__(**kwargs)
        self.vocabulary_size, self.max_length, self.dim = vocabulary_size, max_length, dim
        self.tokens = tf.keras.layers.Embedding(vocabulary_size, dim, name="token_embedding")
        self.positions = tf.keras.layers.Embedding(max_length, dim, name="position_embedding")

    def call(self, ids):
        length = tf.shape(ids)[-1]
        return self.tokens(ids) + self.positions(tf.range(length))[tf.newaxis, :, :]

    def get_config(self):
        return {
            **super().get_config(),
            "vocabulary_size": self.vocabulary_size,
            "max_length": self.max_length,
            "dim": self.dim,
        }


@tf.keras.utils.register_keras_serializable(package="emotion_tf")
class TransformerEncoderBlock(tf.keras.layers.Layer):
    """One encoder block; call(x [batch, T, dim], ids [batch, T]) -> [batch, T, dim]."""

    def __init__(self, dim: int, num_heads: int, ff_dim: int, dropout: float = 0.1, **kwargs):
        super().__init__(**kwargs)
        if dim % num_heads:
            raise ValueError(f"dim ({dim}) must be divisible by num_heads ({num_heads})")
        self.dim, self.num_heads, self.ff_dim, self.rate = dim, num_heads, ff_dim, dropout
        self.attention = MultiHeadSelfAttention(num_heads, dim // num_heads, dropout=dropout, name="attention")
        # named layers called in this block's scope: histograms read encoder_block_0/feed_forward_in/kernel,
        # not dense_1/kernel
        self.feed_forward_in = tf.keras.layers.Dense(ff_dim, activation="gelu", name="feed_forward_in")
        self.feed_forward_out = tf.keras.layers.Dense(dim, name="feed_forward_out")
        self.norm_attention = tf.keras.layers.LayerNormalization(epsilon=1e-6, name="norm_attention")
        self.norm_feed_forward = tf.keras.layers.LayerNormalization(epsilon=1e-6, name="norm_feed_forward")
        self.drop_attention = tf.keras.layers.Dropout(dropout, name="drop_attention")
        self.drop_feed_forward = tf.keras.layers.Dropout(dropout, name="drop_feed_forward")

    def call(self, x, ids, training=None, return_attention_scores=False):
        attended, scores = self.attention(
            x, x, attention_mask=padding_mask(ids), return_attention_scores=True, training=training
        )
        h = self.norm_attention(x + self.drop_attention(attended, training=training))
        feed_forward = self.feed_forward_out(self.feed_forward_in(h))
        y = self.norm_feed_forward(h + self.drop_feed_forward(feed_forward, training=training))
        return (y, scores) if return_attention_scores else y

    def get_config(self):
        return {
            **super().get_config(),
            "dim": self.dim,
            "num_heads": self.num_heads,
            "ff_dim": self.ff_dim,
            "dropout": self.rate,
        }


def transformer_encoder(
    vocabulary_size: int,
    max_length: int,
    dim: int = 128,
    num_heads: int = 4,
    ff_dim: int = 256,
    num_layers: int = 2,
    dropout: float = 0.1,
) -> tf.keras.Model:
    """ids [batch, max_length] -> hidden states [batch, max_length, dim]."""
    ids = tf.keras.Input(shape=(max_length,), dtype=tf.int64, name="token_ids")
    x = TokenAndPositionEmbedding(vocabulary_size, max_length, dim, name="embedding")(ids)
    x = tf.keras.layers.Dropout(dropout, name="embedding_dropout")(x)
    for number in range(num_layers):
        x = TransformerEncoderBlock(dim, num_heads, ff_dim, dropout, name=f"encoder_block_{number}")(x, ids)
    return tf.keras.Model(ids, x, name="transformer_encoder")
