"""Scaled dot-product attention: by hand, against Keras' MultiHeadAttention, with masks, on the article's sentence."""

import math

import numpy as np
import pytest
import tensorflow as tf

from emotion_tf.sentiment.attention import (
    MultiHeadSelfAttention,
    attention_by_hand,
    padding_mask,
    scaled_dot_product_attention,
)


def test_two_keys_by_hand():
    query = tf.constant([[1.0, 0.0]])
    key = tf.constant([[1.0, 0.0], [0.0, 1.0]])
    value = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    output, weights = scaled_dot_product_attention(query, key, value)
    # logits q.k / sqrt(2) = [1/sqrt(2), 0]
    first = math.exp(1 / math.sqrt(2)) / (math.exp(1 / math.sqrt(2)) + 1.0)
    np.testing.assert_allclose(weights.numpy(), [[first, 1 - first]], rtol=1e-6)
    np.testing.assert_allclose(output.numpy(), [[first * 1 + (1 - first) * 3, first * 2 + (1 - first) * 4]], rtol=1e-6)


def test_mask_gives_padding_zero_weight_and_rows_sum_to_one():
    rng = np.random.default_rng(0)
    q, k, v = (tf.constant(rng.normal(size=(2, 4, 8)), tf.float32) for _ in range(3))
    ids = tf.constant([[5, 7, 0, 0], [3, 1, 4, 0]])
    mask = padding_mask(ids)
    assert mask.shape == (2, 4, 4)
    output, weights = scaled_dot_product_attention(q, k, v, mask)
    np.testing.assert_allclose(weights.numpy().sum(-1), 1.0, rtol=1e-6)
    assert np.all(weights.numpy()[0, :, 2:] < 1e-6) and np.all(weights.numpy()[1, :, 3] < 1e-6)
    expected, _ = attention_by_hand(q.numpy(), k.numpy(), v.numpy(), mask.numpy())
    np.testing.assert_allclose(output.numpy(), expected, atol=1e-5)
    # changing a padded value changes nothing
    v_changed = tf.tensor_scatter_nd_update(v, [[0, 3]], tf.fill([1, 8], 100.0))
    np.testing.assert_allclose(
        scaled_dot_product_attention(q, k, v_changed, mask)[0].numpy()[0], output.numpy()[0], atol=1e-4
    )


def test_multi_head_matches_keras_with_the_same_weights():
    tf.keras.utils.set_random_seed(0)
    x = tf.random.normal([3, 6, 16])
    mask = padding_mask(tf.constant([[1, 2, 3, 4, 5, 6], [1, 2, 3, 0, 0, 0], [9, 9, 0, 0, 0, 0]]))
    keras = tf.keras.layers.MultiHeadAttention(num_heads=4, key_dim=8)
    expected, expected_scores = keras(x, x, attention_mask=mask, return_attention_scores=True)
    ours = MultiHeadSelfAttention(num_heads=4, key_dim=8)
    ours(x, x)  # build
    ours.set_weights(keras.get_weights())
    output, scores = ours(x, x, attention_mask=mask, return_attention_scores=True)
    np.testing.assert_allclose(output.numpy(), expected.numpy(), atol=1e-5)
    np.testing.assert_allclose(scores.numpy(), expected_scores.numpy(), atol=1e-6)
    assert ours.count_params() == keras.count_params()


def test_article_sentence_worked_example():
    """我今天很开心的: seven characters, self-attention weights 7 x 7, by layer and by hand."""
    sentence = "我今天很开心的"
    vectorizer = tf.keras.layers.TextVectorization(split="character", standardize=None)
    vectorizer.adapt([sentence])
    ids = vectorizer([sentence])
    assert ids.shape == (1, 7)
    tf.keras.utils.set_random_seed(1)
    embedded = tf.keras.layers.Embedding(vectorizer.vocabulary_size(), 4)(ids)  # d_k = 4
    output, weights = scaled_dot_product_attention(embedded, embedded, embedded)
    by_hand_output, by_hand_weights = attention_by_hand(embedded.numpy(), embedded.numpy(), embedded.numpy())
    assert weights.shape == (1, 7, 7)
    np.testing.assert_allclose(weights.numpy(), by_hand_weights, atol=1e-6)
    np.testing.assert_allclose(output.numpy(), by_hand_output, atol=1e-6)
    # The article's printed form, softmax(Q Kᵀ · d_k) / √d_k, is no distribution: its rows sum to 1/√d_k.
    e = embedded.numpy()[0].astype(np.float64)
    logits = e @ e.T * 4
    literal = np.exp(logits - logits.max(1, keepdims=True))
    literal = literal / literal.sum(1, keepdims=True) / math.sqrt(4)
    np.testing.assert_allclose(literal.sum(1), 0.5)
    np.testing.assert_allclose(weights.numpy()[0].sum(1), 1.0, rtol=1e-6)


def test_bad_configuration():
    with pytest.raises(ValueError, match="num_heads and key_dim must be positive"):
        MultiHeadSelfAttention(num_heads=0, key_dim=8)
