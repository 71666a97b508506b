"""The LSTM, BiLSTM and Transformer classifiers: planted signals are learned, padding is masked, export round-trips."""

import functools

import numpy as np
import pytest
import tensorflow as tf
from conftest import predict_in_fresh_process

from emotion_tf.sentiment.classifier import SentimentClassifier
from emotion_tf.sentiment.heads import Head
from emotion_tf.sentiment.pooling import MaskedMaxPooling, MaskedMeanPooling
from emotion_tf.sentiment.transformer import transformer_encoder
from emotion_tf.text.checks import check_texts

POLARITY = Head("binary", ("negative", "positive"))


def planted_chinese(n, rng):
    """Label 1 iff the review contains 好 after 很 (order matters: '好很' is noise)."""
    filler = list("这个东西我们今天买的质量物流包装")
    texts, labels = [], []
    for _ in range(n):
        label = int(rng.integers(2))
        body = list(rng.choice(filler, 6))
        cue = "很好" if label else "好很"
        position = int(rng.integers(0, 6))
        texts.append("".join(body[:position]) + cue + "".join(body[position:]))
        labels.append(label)
    return texts, np.array(labels)


@functools.cache
def planted_fit(architecture):
    """A classifier fitted on the planted order signal: (classifier, history, validation texts, labels).

    Cached: the fresh-process export test reloads the Transformer trained here instead of training another."""
    rng = np.random.default_rng(0)
    train_x, train_y = planted_chinese(600, rng)
    validation_x, validation_y = planted_chinese(200, rng)
    options = dict(dim=32, num_heads=2, ff_dim=64, num_layers=1) if architecture == "transformer" else {}
    # the recurrent models learn the cue within 3 (BiLSTM) and 5 (LSTM) epochs here, the Transformer within 20
    epochs = {"lstm": 10, "bilstm": 5, "transformer": 25}[architecture]
    classifier = SentimentClassifier(
        architecture,
        POLARITY,
        language="zh",
        sequence_length=16,
        max_epochs=epochs,
        patience=epochs,
        learning_rate=3e-3,
        batch_size=32,
        **options,
    )
    history = classifier.fit(train_x, train_y, validation_x, validation_y)
    return classifier, history, validation_x, validation_y


@pytest.mark.parametrize("architecture", ["lstm", "bilstm", "transformer"])
def test_learns_a_planted_order_dependent_signal(architecture):
    classifier, history, validation_x, validation_y = planted_fit(architecture)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    accuracy = (classifier.predict(validation_x) == validation_y).mean()
    assert accuracy > 0.9, accuracy  # bag-of-characters cannot do this: both classes hold 很 and 好
    intensity = classifier.intensity(["今天很好", "今天好很"])
    assert np.all(np.abs(intensity) <= 1) and intensity[0] > intensity[1]


def test_transformer_representation_ignores_padding():
    tf.keras.utils.set_random_seed(0)
    encoder = transformer_encoder(vocabulary_size=20, max_length=8, dim=16, num_heads=2, ff_dim=32, num_layers=2)
    short = tf.constant([[5, 6, 7, 0, 0, 0, 0, 0]], tf.int64)
    pooled = MaskedMeanPooling()(encoder(short, training=False), short)
    # whatever the padding embedding holds, the representation of the text is the same
    tokens = encoder.get_layer("embedding").tokens
    table = tokens.get_weights()[0]
    table[0] = np.random.default_rng(0).normal(0, 10, table.shape[1])
    tokens.set_weights([table])
    np.testing.assert_allclose(
        pooled.numpy(), MaskedMeanPooling()(encoder(short, training=False), short).numpy(), atol=1e-5
    )
    # a real token in place of padding does change it
    filled = tf.constant([[5, 6, 7, 9, 0, 0, 0, 0]], tf.int64)
    assert not np.allclose(pooled.numpy(), MaskedMeanPooling()(encoder(filled, training=False), filled).numpy())
    # the padded positions get no attention weight in any head of any block
    block = encoder.get_layer("encoder_block_0")
    hidden = encoder.get_layer("embedding")(short)
    _, scores = block(hidden, short, return_attention_scores=True)
    assert np.all(scores.numpy()[..., 3:] < 1e-6)


def test_intensity_by_hand():
    probabilities = np.array([[0.9, 0.1], [0.5, 0.5], [0.0, 1.0]])
    np.testing.assert_allclose(POLARITY.intensity(probabilities), [-0.8, 0.0, 1.0])
    emotions = Head("multiclass", ("sadness", "joy", "love", "anger", "fear", "surprise"))
    np.testing.assert_allclose(emotions.intensity([[0.5, 0.2, 0.1, 0.1, 0.0, 0.1]]), [-0.5 + 0.3 - 0.1])
    multi = Head("multilabel", ("joy", "anger", "neutral"))
    # sigmoid outputs summing to 2: normalised before weighting
    np.testing.assert_allclose(multi.intensity([[1.0, 0.5, 0.5], [0.2, 0.0, 0.0]]), [(1.0 - 0.5) / 2, 0.2])
    with pytest.raises(ValueError, match="binary head needs 2 labels"):
        Head("binary", ("a", "b", "c"))
    with pytest.raises(ValueError, match="head kind"):
        Head("ranking", ("a", "b"))


def test_bad_texts_are_refused_by_position():
    with pytest.raises(ValueError, match="text 1 is empty"):
        check_texts(["fine", "   "])
    with pytest.raises(ValueError, match="text 0 is not valid UTF-8"):
        check_texts([b"\xff\xfe"])
    with pytest.raises(TypeError, match="not a single string"):
        check_texts("just one")
    assert check_texts([b"\xe5\xa5\xbd"]).tolist() == ["好"]


@pytest.mark.parametrize("policy,dtype", [("float32", "float32"), ("mixed_float16", "float16")])
def test_masked_max_pooling_by_hand(policy, dtype):
    hidden = tf.constant(
        [
            [[1.0, 5.0], [3.0, -2.0], [9.0, 9.0]],
            [[-4.0, -1.0], [-3.0, -6.0], [7.0, 7.0]],
            [[2.0, 2.0], [2.0, 2.0], [2.0, 2.0]],
        ],
        dtype,
    )
    ids = tf.constant([[4, 8, 0], [5, 6, 0], [0, 0, 0]], tf.int64)
    pooled = MaskedMaxPooling(dtype=policy)(hidden, ids).numpy()  # mixed_float16: computes in float16
    # the padded third position (9, 9 and 7, 7) never wins; a text with no token pools to 0; all finite in float16
    np.testing.assert_array_equal(pooled, [[3.0, 5.0], [-3.0, -1.0], [0.0, 0.0]])
    assert pooled.dtype == np.dtype(dtype)
    # registered: a SavedModel of the BiLSTM revives it from its config in a process that never built one
    revived = tf.keras.layers.deserialize(tf.keras.layers.serialize(MaskedMaxPooling(dtype=policy)))
    np.testing.assert_array_equal(revived(hidden, ids).numpy(), pooled)


def test_saved_text_classifiers_answer_the_same_in_a_fresh_process(tmp_path):
    """A Transformer classifier and a TF-IDF model, saved here, loaded together in one new process (one
    TensorFlow start-up for both)."""
    from test_baselines import planted_english

    from emotion_tf.baselines import TfidfLogisticRegression

    # the planted Transformer: its attention and encoder layers must load in a process that did not build them
    classifier = planted_fit("transformer")[0]
    folder = classifier.save(tmp_path / "model")
    english_x, english_y = planted_english(300, np.random.default_rng(0))
    tfidf = TfidfLogisticRegression(2, language="en", max_epochs=5, seed=0)
    tfidf.fit(english_x, english_y, english_x[:50], english_y[:50])
    tfidf.save(tmp_path / "tfidf")
    chinese, english = ["今天很好", "质量好很", "好"], ["the plot was superb", "acting really awful", "movie"]
    expected = np.stack([classifier.predict_proba(chinese), tfidf.predict_proba(english)])
    code = (
        "import sys, numpy as np\n"
        "from emotion_tf.baselines import TfidfLogisticRegression\n"
        "from emotion_tf.sentiment.classifier import SentimentClassifier\n"
        f"c = SentimentClassifier.load({str(folder)!r})\n"
        f"t = TfidfLogisticRegression.load({str(tmp_path / 'tfidf')!r})\n"
        f"np.save(sys.argv[1], np.stack([c.predict_proba({chinese!r}), t.predict_proba({english!r})]))\n"
    )
    np.testing.assert_allclose(predict_in_fresh_process(code), expected, atol=1e-6)
    with pytest.raises(FileNotFoundError, match="no saved sentiment classifier"):
        SentimentClassifier.load(tmp_path / "missing")


@pytest.mark.parametrize("architecture", ["lstm", "bilstm", "transformer"])
def test_weights_have_meaningful_unique_names(architecture):
    """TensorBoard's histograms are tagged by weight name: no Keras auto-name (dense_1), no two alike."""
    import re

    from emotion_tf.sentiment.classifier import token_classifier

    options = dict(dim=16, num_heads=2, ff_dim=32, num_layers=2) if architecture == "transformer" else {}
    model = token_classifier(architecture, 50, 8, POLARITY, **options)
    names = [weight.name for weight in model.weights]
    auto = re.compile(r"(^|/)(dense|dropout|embedding|lstm|layer_normalization|bidirectional|sequential)_\d+/")
    assert not [name for name in names if auto.search(name)], names
    assert len(set(names)) == len(names), names
    assert [layer.name for layer in model.layers if re.fullmatch(r"[a-z_]+_\d+", layer.name)] == []
