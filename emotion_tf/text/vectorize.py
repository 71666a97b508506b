"""Token-id vectorizers for the sentiment models.

Chinese is read character by character (no segmenter is needed, and the
models learn multi-character words from context); English word by word after
lower-casing and stripping ASCII punctuation.  The vocabulary is adapted on
training text only.  Id 0 is padding and id 1 the out-of-vocabulary token,
so models can mask padding with ``ids != 0``.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

LANGUAGES = ("en", "zh")


def make_vectorizer(
    train_texts, language: str, max_tokens: int = 20_000, sequence_length: int = 128
) -> tf.keras.layers.TextVectorization:
    """A ``TextVectorization`` [batch] strings -> [batch, sequence_length] int ids, adapted on ``train_texts``.

    Args:
      train_texts: the training split's texts (never validation or test text).
      language: ``"zh"`` (characters) or ``"en"`` (words).
      max_tokens: vocabulary size including padding and out-of-vocabulary.
      sequence_length: texts are cut or padded to this many tokens.
    """
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
    texts = np.asarray([str(t) for t in train_texts], dtype=object)
    if len(texts) == 0:
        raise ValueError("cannot adapt a vectorizer on no training text")
    vectorizer = tf.keras.layers.TextVectorization(
        max_tokens=max_tokens,
        output_mode="int",
        output_sequence_length=sequence_length,
        split="character" if language == "zh" else "whitespace",
        standardize="lower_and_strip_punctuation",
        name=f"{language}_token_ids",
    )
    vectorizer.adapt(tf.data.Dataset.from_tensor_slices(texts).batch(1024))
    return vectorizer
