"""Masked-LM pretraining: the masking rule, the loss falls, and a pretrained encoder fine-tunes."""

import numpy as np
import pytest
import tensorflow as tf

from emotion_tf.sentiment.classifier import SentimentClassifier
from emotion_tf.sentiment.heads import Head
from emotion_tf.sentiment.pretraining import mask_tokens, pretrain_encoder


def test_masking_rule_counts():
    ids = tf.constant(np.where(np.arange(4000) % 10 < 8, np.arange(4000) % 50 + 2, 0).reshape(40, 100))
    inputs, targets, weights = mask_tokens(ids, mask_id=99, vocabulary_size=60, seed=tf.constant([1, 2]))
    real = ids.numpy() != 0
    picked = weights.numpy() == 1
    assert not np.any(picked & ~real)  # padding is never picked
    assert np.all(targets.numpy() == ids.numpy())
    assert abs(picked.sum() / real.sum() - 0.15) < 0.02
    masked = inputs.numpy()[picked] == 99
    assert abs(masked.mean() - 0.8) < 0.05
    assert np.all(inputs.numpy()[~picked] == ids.numpy()[~picked])  # untouched elsewhere


def test_pretraining_learns_and_fine_tunes():
    rng = np.random.default_rng(0)
    # a corpus with structure to learn: each text repeats a short motif, so masked characters are predictable
    motifs = ["好评推荐", "物流很快", "质量很差", "不会再买"]
    texts = ["".join(rng.choice(motifs, 4)) for _ in range(400)]
    encoder, vectorizer, history = pretrain_encoder(
        texts,
        "zh",
        sequence_length=16,
        epochs=6,
        batch_size=32,
        learning_rate=3e-3,
        dim=32,
        num_heads=2,
        ff_dim=64,
        num_layers=1,
    )
    losses = history.history["loss"]
    assert losses[-1] < 0.6 * losses[0]
    assert encoder.get_layer("embedding").vocabulary_size == vectorizer.vocabulary_size() + 1  # + [MASK]
    labels = np.array([int("质量很差" in t or "不会再买" in t) for t in texts])
    classifier = SentimentClassifier(
        "transformer",
        Head("binary", ("negative", "positive")),
        "zh",
        sequence_length=16,
        max_epochs=5,
        learning_rate=2e-3,
        batch_size=32,
        pretrained=(encoder, vectorizer),
    )
    before = encoder.get_layer("embedding").get_weights()[0].copy()
    classifier.fit(texts[:300], labels[:300], texts[300:], labels[300:])
    assert (classifier.predict(texts[300:]) == labels[300:]).mean() > 0.9
    assert not np.allclose(before, encoder.get_layer("embedding").get_weights()[0])  # fine-tuned, not frozen


@pytest.fixture(scope="module")
def tiny_pretrained():
    """A tiny encoder and its vectorizer after one epoch of masked-LM pretraining on two texts."""
    encoder, vectorizer, _ = pretrain_encoder(
        ["好" * 5, "差" * 5], "zh", sequence_length=8, epochs=1, dim=8, num_heads=2, ff_dim=8, num_layers=1
    )
    return encoder, vectorizer


def test_pretrained_encoder_must_match(tiny_pretrained):
    encoder, vectorizer = tiny_pretrained
    with pytest.raises(ValueError, match="reads 8 tokens, but sequence_length is 16"):
        SentimentClassifier(
            "transformer",
            Head("binary", ("negative", "positive")),
            "zh",
            sequence_length=16,
            pretrained=(encoder, vectorizer),
        )
    with pytest.raises(ValueError, match="only be fine-tuned by the transformer"):
        SentimentClassifier(
            "lstm", Head("binary", ("negative", "positive")), "zh", sequence_length=8, pretrained=(encoder, vectorizer)
        )


def test_pretraining_corpus_never_holds_a_validation_or_test_text():
    import pandas as pd

    from emotion_tf import data
    from emotion_tf.sentiment.corpus import Corpus
    from emotion_tf.sentiment.experiment import pretraining_texts

    def corpus(key, train, validation, test):
        frame = lambda texts: pd.DataFrame({"text": texts, "label": [0] * len(texts)})  # noqa: E731
        splits = data.TextSplits(frame(train), frame(validation), frame(test))
        return Corpus(key, splits, Head("binary", ("negative", "positive")), "zh", 8)

    hotel = corpus("hotel", ["房间干净", "服务很好"], ["早餐一般"], ["隔音太差"])
    shop = corpus("shop", ["隔音太差 ", "物流很快", "房间干净"], ["包装破损"], ["价格便宜"])
    texts = pretraining_texts([hotel, shop])
    # '隔音太差' is hotel's test text and sits in shop's train split (with a trailing space): left out
    assert sorted(texts) == sorted(["房间干净", "服务很好", "物流很快"])


def test_copied_encoder_is_independent(tiny_pretrained):
    from emotion_tf.sentiment.experiment import copy_encoder

    encoder, vectorizer = tiny_pretrained
    copy = copy_encoder(encoder)
    ids = vectorizer(tf.constant(["好好差"]))
    np.testing.assert_allclose(copy(ids).numpy(), encoder(ids).numpy(), atol=1e-6)
    copy.get_layer("embedding").tokens.embeddings.assign_add(
        tf.ones_like(copy.get_layer("embedding").tokens.embeddings)
    )
    assert not np.allclose(copy(ids).numpy(), encoder(ids).numpy())


def test_loss_at_picked_positions_equals_the_weighted_loss_over_all_positions():
    from emotion_tf.sentiment.pretraining import MaskedLanguageModel, mask_tokens
    from emotion_tf.sentiment.transformer import transformer_encoder

    encoder = transformer_encoder(30, 12, dim=16, num_heads=2, ff_dim=32, num_layers=1)
    model = MaskedLanguageModel(encoder, 29)
    ids = tf.random.stateless_uniform([4, 12], seed=[3, 4], minval=1, maxval=29, dtype=tf.int64)
    inputs, targets, weights = mask_tokens(ids, 29, 29, rate=0.3, seed=tf.constant([5, 6]))
    loss, _ = model._picked((inputs, targets, weights), training=False)
    per_position = tf.keras.losses.sparse_categorical_crossentropy(targets, model(inputs), from_logits=True)
    expected = tf.reduce_sum(per_position * weights) / tf.reduce_sum(weights)
    assert float(weights.numpy().sum()) > 0
    np.testing.assert_allclose(loss.numpy(), expected.numpy(), rtol=1e-5)
