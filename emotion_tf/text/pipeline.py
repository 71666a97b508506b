"""Text datasets for training: tokenise once, cache, then shuffle and batch every epoch."""

from __future__ import annotations

import numpy as np
import tensorflow as tf


def featurized_dataset(
    texts, featurize, labels=None, batch_size: int = 64, shuffle: bool = False, seed: int = 0
) -> tf.data.Dataset:
    """Batches of ``featurize(texts)`` (and labels), with the text processing done once and cached.

    Args:
      texts: raw strings.
      featurize: [batch] strings -> [batch, ...] features (a vectorizer, possibly followed by more layers;
        dense or sparse).
      labels: optional array aligned with texts.
      batch_size: size of the batches returned.
      shuffle: reshuffle the cached examples every epoch (for training).

    Tokenising raw text costs more than a small model's step, so it must not be repeated each epoch.
    """
    texts = np.asarray([str(t) for t in texts], dtype=object)
    if labels is None:
        data = tf.data.Dataset.from_tensor_slices(texts).batch(1024).map(featurize)
    else:
        data = tf.data.Dataset.from_tensor_slices((texts, np.asarray(labels))).batch(1024)
        data = data.map(lambda text, label: (featurize(text), label))
    data = data.cache().unbatch()
    if shuffle:
        data = data.shuffle(len(texts), seed=seed, reshuffle_each_iteration=True)
    return data.batch(batch_size).prefetch(tf.data.AUTOTUNE)
