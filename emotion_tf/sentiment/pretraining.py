"""Masked-language-model pretraining of the Transformer encoder, with no downloaded weights.

BERT-level accuracy comes largely from pretraining on unlabeled text; no
pretrained weights can be downloaded here, so we pretrain our own encoder on
the unlabeled review texts of the *training* splits (never validation or
test text), then fine-tune it on the labelled task.

The objective (Devlin et al. 2019): pick 15% of the real (non-padding)
tokens of each text; replace 80% of the picked by a [MASK] id, 10% by a
random token, and leave 10% unchanged; train the encoder plus a linear
output layer to predict the original token at the picked positions only:

    loss = - Σ_{picked t} log softmax(W h_t + b)[original token at t] / #picked

[MASK] gets the id ``vocabulary_size`` (one past the vectorizer's
vocabulary), so the encoder's embedding table has ``vocabulary_size + 1``
rows; ``SentimentClassifier`` accepts the pretrained encoder and vectorizer.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from emotion_tf.sentiment.transformer import transformer_encoder
from emotion_tf.text.vectorize import make_vectorizer
from emotion_tf.training.distribution import global_batch_size, training_scope
from emotion_tf.training.prebuild import build_for_fit, example_inputs
from emotion_tf.training.seeds import set_seed


def mask_tokens(
    ids: tf.Tensor, mask_id: int, vocabulary_size: int, rate: float = 0.15, seed: tf.Tensor | None = None
) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """BERT masking of a batch of ids [batch, T].

    Returns:
      (inputs [batch, T] with masked ids, targets [batch, T] = the original ids,
       weights [batch, T] = 1.0 at the picked positions, else 0).
    """
    ids = tf.cast(ids, tf.int64)
    real = tf.not_equal(ids, 0)
    draws = (
        tf.random.uniform(tf.shape(ids), seed=None)
        if seed is None
        else tf.random.stateless_uniform(tf.shape(ids), seed=seed)
    )
    picked = tf.logical_and(real, draws < rate)
    how = draws / rate  # uniform in [0, 1) among picked positions
    random_ids = tf.random.uniform(tf.shape(ids), minval=2, maxval=vocabulary_size, dtype=tf.int64)
    replaced = tf.where(how < 0.8, tf.cast(mask_id, tf.int64), tf.where(how < 0.9, random_ids, ids))
    inputs = tf.where(picked, replaced, ids)
    return inputs, ids, tf.cast(picked, tf.float32)


class MaskedLanguageModel(tf.keras.Model):
    """Encoder + BERT's MLM head (Dense d + GELU, LayerNorm, Dense to the vocabulary).

    Training runs the head at the picked positions only: the projection to the vocabulary ([positions, d]
    x [d, V], V ~ 20,000) is most of the cost, and picked positions are ~15% of the tokens, so this is
    several times cheaper than scoring every position and ignoring most of them. ``call`` scores every
    position (for inspection on small inputs). Data: (masked inputs, original ids, picked weights) batches
    from ``mask_tokens``.
    """

    def __init__(self, encoder: tf.keras.Model, vocabulary_size: int, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        width = encoder.output_shape[-1]
        self.transform = tf.keras.layers.Dense(width, activation="gelu", name="mlm_transform")
        self.norm = tf.keras.layers.LayerNormalization(epsilon=1e-6, name="mlm_norm")
        self.output_layer = tf.keras.layers.Dense(vocabulary_size, name="mlm_logits")
        self.loss_tracker = tf.keras.metrics.Mean(name="loss")
        self.accuracy_tracker = tf.keras.metrics.Mean(name="accuracy")

    @property
    def metrics(self):
        return [self.loss_tracker, self.accuracy_tracker]

    def _head(self, hidden):
        return self.output_layer(self.norm(self.transform(hidden)))

    def call(self, ids, training=False):
        """ids [batch, T] -> logits [batch, T, vocabulary_size]."""
        hidden = self.encoder(ids, training=training)
        shape = tf.shape(hidden)
        # the head always sees [positions, d], as in training (its LayerNormalization is built for rank 2)
        logits = self._head(tf.reshape(hidden, [-1, hidden.shape[-1]]))
        return tf.reshape(logits, tf.concat([shape[:2], [-1]], axis=0))

    def _picked(self, data, training):
        inputs, targets, weights = data
        hidden = self.encoder(inputs, training=training)
        where = tf.where(weights > 0)  # [n_picked, 2]
        logits = self._head(tf.gather_nd(hidden, where))
        labels = tf.gather_nd(targets, where)
        losses = tf.keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True)
        count = tf.maximum(tf.cast(tf.size(labels), tf.float32), 1.0)  # a batch may pick nothing
        correct = tf.cast(tf.equal(tf.argmax(logits, axis=-1), labels), tf.float32)
        return tf.reduce_sum(losses) / count, tf.reduce_sum(correct) / count

    def train_step(self, data):
        with tf.GradientTape() as tape:
            loss, accuracy = self._picked(data, training=True)
        self.optimizer.apply_gradients(zip(tape.gradient(loss, self.trainable_variables), self.trainable_variables))
        self.loss_tracker.update_state(loss)
        self.accuracy_tracker.update_state(accuracy)
        return {m.name: m.result() for m in self.metrics}

    def test_step(self, data):
        loss, accuracy = self._picked(data, training=False)
        self.loss_tracker.update_state(loss)
        self.accuracy_tracker.update_state(accuracy)
        return {m.name: m.result() for m in self.metrics}


def pretrain_encoder(
    texts,
    language: str,
    sequence_length: int = 128,
    max_tokens: int = 20_000,
    epochs: int = 3,
    batch_size: int = 64,
    learning_rate: float = 5e-4,
    seed: int = 0,
    callbacks=(),
    verbose=0,
    **encoder_options,
):
    """Pretrain an encoder on unlabeled training text.

    Returns:
      (encoder, vectorizer, history); pass both to ``SentimentClassifier(...,
      pretrained=(encoder, vectorizer))`` to fine-tune.
    """
    set_seed(seed)
    vectorizer = make_vectorizer(texts, language, max_tokens, sequence_length)
    vocabulary_size = vectorizer.vocabulary_size()
    mask_id = vocabulary_size
    strings = np.asarray([str(t) for t in texts], dtype=object)
    ids = tf.data.Dataset.from_tensor_slices(strings).batch(1024).map(vectorizer).cache().unbatch()
    # a new masking every epoch: the mask is drawn inside the pipeline, after the cache
    data = (
        ids.shuffle(len(strings), seed=seed, reshuffle_each_iteration=True)
        .batch(global_batch_size(batch_size))
        .map(lambda batch: mask_tokens(batch, mask_id, vocabulary_size))
        .prefetch(tf.data.AUTOTUNE)
    )
    with training_scope():  # the run's tf.distribute strategy
        encoder = transformer_encoder(vocabulary_size + 1, sequence_length, **encoder_options)
        model = MaskedLanguageModel(encoder, vocabulary_size)
        model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate))
        model(example_inputs(data)[0])  # builds the head
        build_for_fit(model)  # and the optimizer's slots, so fit traces its train step once
        history = model.fit(data, epochs=epochs, callbacks=list(callbacks), verbose=verbose)
    return encoder, vectorizer, history
