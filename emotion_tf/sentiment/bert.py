"""A BERT-family encoder in tf.keras, on the project's own scaled dot-product attention.

    ids [batch, T] (padding = the checkpoint's pad id)
      -> E = LayerNorm(W_word[ids] + W_position[0..T-1] + W_type[0]) -> Dropout         (BertEmbedding)
      -> N x post-LayerNorm block:                                                     (BertBlock)
            h = LayerNorm(x + Dropout(MultiHeadSelfAttention(x, mask)))
            y = LayerNorm(h + Dropout(W₂ GELU(W₁ h + b₁) + b₂))
      -> hidden states [batch, T, hidden]

GELU is the exact one, x·Φ(x) (``hidden_act: gelu``), or the tanh approximation for checkpoints that ask
for it (``gelu_new``, ``gelu_pytorch_tanh``); LayerNorm uses the checkpoint's ``layer_norm_eps``
(1e-12 for BERT, not Keras's 1e-3).  Padding is masked out of every attention layer (no query attends to
a padding key) and out of the pooling, so a text's vector does not depend on what it is padded to.

Poolings (``pool``): ``cls`` (the [CLS] state), ``mean`` and ``max`` over the real tokens.

The weights are laid out so that a Hugging Face checkpoint maps onto them one tensor to one weight
(``emotion_tf.sentiment.checkpoint``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import tensorflow as tf

from emotion_tf.sentiment.attention import MultiHeadSelfAttention
from emotion_tf.sentiment.pooling import MaskedMaxPooling, MaskedMeanPooling

ACTIVATIONS = {"gelu": "gelu_exact", "gelu_new": "gelu_tanh", "gelu_pytorch_tanh": "gelu_tanh", "relu": "relu"}
POOLINGS = ("cls", "mean", "max")


@dataclass(frozen=True)
class BertConfig:
    """The architecture of a BERT-family checkpoint (the fields of its ``config.json``)."""

    vocab_size: int
    hidden_size: int = 768
    num_hidden_layers: int = 12
    num_attention_heads: int = 12
    intermediate_size: int = 3072
    hidden_act: str = "gelu"
    hidden_dropout_prob: float = 0.1
    attention_probs_dropout_prob: float = 0.1
    max_position_embeddings: int = 512
    type_vocab_size: int = 2
    layer_norm_eps: float = 1e-12
    pad_token_id: int = 0

    def __post_init__(self):
        if self.hidden_act not in ACTIVATIONS:
            raise ValueError(f"hidden_act {self.hidden_act!r} is not supported (one of {sorted(ACTIVATIONS)})")
        if self.hidden_size % self.num_attention_heads:
            raise ValueError(
                f"hidden_size {self.hidden_size} is not divisible by num_attention_heads {self.num_attention_heads}"
            )
        for name in (
            "vocab_size",
            "hidden_size",
            "num_hidden_layers",
            "num_attention_heads",
            "intermediate_size",
            "max_position_embeddings",
            "type_vocab_size",
        ):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")

    @classmethod
    def from_dict(cls, values: dict) -> BertConfig:
        """From a ``config.json`` dictionary; other keys (``architectures``, ...) are ignored."""
        known = {name: values[name] for name in cls.__dataclass_fields__ if name in values}
        if "vocab_size" not in known:
            raise ValueError("config has no vocab_size")
        return cls(**known)

    def to_dict(self) -> dict:
        return asdict(self)


def initializer():
    """BERT's initialisation, N(0, 0.02²) truncated at 2σ; a new one per weight, so weights differ."""
    return tf.keras.initializers.TruncatedNormal(stddev=0.02)


def activation(name: str):
    kind = ACTIVATIONS[name]
    if kind == "gelu_exact":
        return lambda x: tf.nn.gelu(x, approximate=False)
    if kind == "gelu_tanh":
        return lambda x: tf.nn.gelu(x, approximate=True)
    return tf.nn.relu


def attention_mask(ids: tf.Tensor, pad_id: int) -> tf.Tensor:
    """bool [batch, T, T]: query t may attend to key s when s is not padding."""
    keys = tf.not_equal(ids, pad_id)
    return tf.repeat(keys[:, tf.newaxis, :], tf.shape(ids)[1], axis=1)


@tf.keras.utils.register_keras_serializable(package="emotion_tf")
class BertEmbedding(tf.keras.layers.Layer):
    """ids [batch, T] -> LayerNorm(word + position + token type) -> Dropout, [batch, T, hidden].

    Every text is one segment (token type 0), as in single-sentence classification.
    """

    def __init__(
        self,
        vocab_size: int,
        hidden_size: int,
        max_position_embeddings: int,
        type_vocab_size: int,
        layer_norm_eps: float = 1e-12,
        dropout: float = 0.1,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.vocab_size, self.hidden_size = vocab_size, hidden_size
        self.max_position_embeddings, self.type_vocab_size = max_position_embeddings, type_vocab_size
        self.layer_norm_eps, self.rate = layer_norm_eps, dropout
        self.word_embeddings = tf.keras.layers.Embedding(
            vocab_size, hidden_size, embeddings_initializer=initializer(), name="word_embeddings"
        )
        self.position_embeddings = tf.keras.layers.Embedding(
            max_position_embeddings, hidden_size, embeddings_initializer=initializer(), name="position_embeddings"
        )
        self.token_type_embeddings = tf.keras.layers.Embedding(
            type_vocab_size, hidden_size, embeddings_initializer=initializer(), name="token_type_embeddings"
        )
        self.layer_norm = tf.keras.layers.LayerNormalization(epsilon=layer_norm_eps, name="layer_norm")
        self.dropout = tf.keras.layers.Dropout(dropout)

    def call(self, ids, training=None):
        return self.dropout(self.layer_norm(self.add_positions(self.word_embeddings(ids))), training=training)

    def add_positions(self, word_vectors):
        """word vectors [batch, T, hidden] + position and token-type vectors (before the LayerNorm)."""
        length = tf.shape(word_vectors)[1]
        positions = self.position_embeddings(tf.range(length))[tf.newaxis]
        token_type = self.token_type_embeddings(tf.zeros([1, 1], tf.int32))
        return word_vectors + positions + token_type

    def get_config(self):
        return {
            **super().get_config(),
            "vocab_size": self.vocab_size,
            "hidden_size": self.hidden_size,
            "max_position_embeddings": self.max_position_embeddings,
            "type_vocab_size": self.type_vocab_size,
            "layer_norm_eps": self.layer_norm_eps,
            "dropout": self.rate,
        }


@tf.keras.utils.register_keras_serializable(package="emotion_tf")
class BertBlock(tf.keras.layers.Layer):
    """One post-LayerNorm block: call(x [batch, T, hidden], mask [batch, T, T]) -> [batch, T, hidden].

    h = LayerNorm(x + Dropout(MultiHeadSelfAttention(x, mask)))
    y = LayerNorm(h + Dropout(W₂ act(W₁ h + b₁) + b₂))
    """

    def __init__(
        self,
        hidden_size: int,
        num_heads: int,
        intermediate_size: int,
        hidden_act: str = "gelu",
        layer_norm_eps: float = 1e-12,
        dropout: float = 0.1,
        attention_dropout: float = 0.1,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.hidden_size, self.num_heads, self.intermediate_size = hidden_size, num_heads, intermediate_size
        self.hidden_act, self.layer_norm_eps = hidden_act, layer_norm_eps
        self.rate, self.attention_rate = dropout, attention_dropout
        self.attention = MultiHeadSelfAttention(
            num_heads, hidden_size // num_heads, dropout=attention_dropout, name="attention"
        )
        self.attention_norm = tf.keras.layers.LayerNormalization(epsilon=layer_norm_eps, name="attention_norm")
        self.intermediate = tf.keras.layers.Dense(
            intermediate_size, kernel_initializer=initializer(), name="intermediate"
        )
        self.activation = activation(hidden_act)  # applied in call: a Dense config cannot hold it
        self.output_dense = tf.keras.layers.Dense(hidden_size, kernel_initializer=initializer(), name="output_dense")
        self.output_norm = tf.keras.layers.LayerNormalization(epsilon=layer_norm_eps, name="output_norm")
        self.attention_dropout_layer = tf.keras.layers.Dropout(dropout)
        self.output_dropout = tf.keras.layers.Dropout(dropout)

    def call(self, x, mask, training=None, return_attention_scores=False):
        attended, scores = self.attention(x, x, attention_mask=mask, return_attention_scores=True, training=training)
        h = self.attention_norm(x + self.attention_dropout_layer(attended, training=training))
        feed_forward = self.output_dense(self.activation(self.intermediate(h)))
        y = self.output_norm(h + self.output_dropout(feed_forward, training=training))
        return (y, scores) if return_attention_scores else y

    def get_config(self):
        return {
            **super().get_config(),
            "hidden_size": self.hidden_size,
            "num_heads": self.num_heads,
            "intermediate_size": self.intermediate_size,
            "hidden_act": self.hidden_act,
            "layer_norm_eps": self.layer_norm_eps,
            "dropout": self.rate,
            "attention_dropout": self.attention_rate,
        }


@tf.keras.utils.register_keras_serializable(package="emotion_tf")
class BertEncoder(tf.keras.layers.Layer):
    """ids [batch, T] -> hidden states [batch, T, hidden] (all layers' with ``return_all``).

    Args:
      config: a ``BertConfig`` or its dictionary.
    """

    def __init__(self, config, **kwargs):
        super().__init__(**kwargs)
        self.config = config if isinstance(config, BertConfig) else BertConfig.from_dict(config)
        c = self.config
        self.embedding = BertEmbedding(
            c.vocab_size,
            c.hidden_size,
            c.max_position_embeddings,
            c.type_vocab_size,
            c.layer_norm_eps,
            c.hidden_dropout_prob,
            name="embedding",
        )
        self.blocks = [
            BertBlock(
                c.hidden_size,
                c.num_attention_heads,
                c.intermediate_size,
                c.hidden_act,
                c.layer_norm_eps,
                c.hidden_dropout_prob,
                c.attention_probs_dropout_prob,
                name=f"layer_{number}",
            )
            for number in range(c.num_hidden_layers)
        ]

    def call(self, ids, training=None, return_all=False, return_attention_scores=False):
        return self.from_embeddings(
            self.embedding(ids, training=training), ids, training, return_all, return_attention_scores
        )

    def from_embeddings(self, x, ids, training=None, return_all=False, return_attention_scores=False):
        """The blocks on embedded tokens x [batch, T, hidden] (integrated gradients start here)."""
        mask = attention_mask(ids, self.config.pad_token_id)
        states, scores = [x], []
        for block in self.blocks:
            x, weights = block(x, mask, training=training, return_attention_scores=True)
            states.append(x)
            scores.append(weights)
        output = states if return_all else x
        return (output, scores) if return_attention_scores else output

    def get_config(self):
        return {**super().get_config(), "config": self.config.to_dict()}


@tf.keras.utils.register_keras_serializable(package="emotion_tf")
class BertPooling(tf.keras.layers.Layer):
    """Hidden states [batch, T, hidden] and ids [batch, T] -> [batch, hidden] (``cls``, ``mean`` or ``max``)."""

    def __init__(self, how: str = "mean", pad_id: int = 0, **kwargs):
        super().__init__(**kwargs)
        if how not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, got {how!r}")
        self.how, self.pad_id = how, pad_id
        self.mean, self.max = MaskedMeanPooling(), MaskedMaxPooling()

    def call(self, hidden, ids):
        if self.how == "cls":
            return hidden[:, 0]
        present = tf.cast(tf.not_equal(ids, self.pad_id), ids.dtype)  # the pooling layers mask id 0
        return (self.mean if self.how == "mean" else self.max)(hidden, present)

    def get_config(self):
        return {**super().get_config(), "how": self.how, "pad_id": self.pad_id}
