"""Baselines: EASE against an independent solve, Pop by counting, TF-IDF LR learns planted signals."""

import numpy as np
import pytest
import tensorflow as tf

from emotion_tf.baselines import EASE, Popularity, TfidfLogisticRegression


def test_ease_matches_column_by_column_ridge_regression():
    """B's column j is the ridge regression of item j on all other items (the diag(B) = 0 constraint)."""
    rng = np.random.default_rng(0)
    X = (rng.random((30, 7)) < 0.4).astype(float)
    users, items = np.nonzero(X)
    l2 = 3.0
    model = EASE(l2, user_batch=4).fit(users, items, 30, 7)
    for j in range(7):
        others = [i for i in range(7) if i != j]
        A = X[:, others]
        expected = np.linalg.solve(A.T @ A + l2 * np.eye(6), A.T @ X[:, j])
        np.testing.assert_allclose(model.weights[others, j], expected, atol=1e-10)
        assert model.weights[j, j] == 0.0
    np.testing.assert_allclose(model.score(np.array([0, 5])), X[[0, 5]] @ model.weights)


def test_ease_rejects_bad_l2():
    with pytest.raises(ValueError, match="l2 must be positive"):
        EASE(0.0)


def test_popularity_counts_training_interactions():
    model = Popularity().fit(np.array([0, 1, 1, 2]), np.array([2, 2, 0, 2]), 3, 4)
    assert model.score(np.array([0, 1])).tolist() == [[1, 0, 3, 0]] * 2


def planted_english(n, rng):
    good = ["great", "lovely", "superb", "fine"]
    bad = ["awful", "dull", "broken", "poor"]
    filler = ["the", "movie", "was", "quite", "really", "plot", "acting"]
    texts, labels = [], []
    for _ in range(n):
        label = int(rng.integers(2))
        words = list(rng.choice(filler, 4)) + [rng.choice(good if label else bad)]
        rng.shuffle(words)
        texts.append(" ".join(words))
        labels.append(label)
    return texts, np.array(labels)


def test_tfidf_logreg_learns_planted_words_and_serves_raw_strings():
    rng = np.random.default_rng(0)
    train_x, train_y = planted_english(400, rng)
    validation_x, validation_y = planted_english(100, rng)
    model = TfidfLogisticRegression(2, language="en", max_epochs=10, seed=0)
    history = model.fit(train_x, train_y, validation_x, validation_y)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert (model.predict(validation_x) == validation_y).mean() == 1.0
    # the string-in model gives the same probabilities as the cached-feature path
    direct = model.model(tf.constant(["the plot was superb", "acting really awful"])).numpy()
    np.testing.assert_allclose(direct, model.predict_proba(["the plot was superb", "acting really awful"]), atol=1e-6)
    assert direct[0].argmax() == 1 and direct[1].argmax() == 0


def test_tfidf_logreg_chinese_characters_and_multilabel():
    rng = np.random.default_rng(1)
    # label 0 marked by 好, label 1 by 快; either, both or neither may appear
    texts, targets = [], []
    for _ in range(400):
        has = rng.random(2) < 0.5
        text = (
            "".join(rng.choice(list("这个东西还行吧我们他们"), 5)) + ("好" if has[0] else "") + ("快" if has[1] else "")
        )
        texts.append(text)
        targets.append(has.astype(np.float32))
    targets = np.array(targets)
    model = TfidfLogisticRegression(2, language="zh", ngrams=1, multi_label=True, max_epochs=15, seed=0)
    model.fit(texts[:300], targets[:300], texts[300:], targets[300:])
    predicted = model.predict(texts[300:])
    assert predicted.shape == (100, 2)
    assert (predicted == targets[300:]).mean() > 0.95


def test_tfidf_logreg_bad_arguments():
    with pytest.raises(ValueError, match="language"):
        TfidfLogisticRegression(2, language="fr")
    with pytest.raises(ValueError, match="n_classes"):
        TfidfLogisticRegression(1)
    with pytest.raises(RuntimeError, match="fit"):
        TfidfLogisticRegression(2).predict(["x"])


def test_dense_on_sparse_tfidf_rows_is_the_plain_matrix_product_and_its_gradient():
    """Keras's Dense reads the sparse rows without densifying them: same logits and weight gradient as x W + b."""
    rng = np.random.default_rng(3)
    dense_rows = (rng.random((6, 50)) < 0.1) * rng.random((6, 50))
    sparse_rows = tf.sparse.from_dense(tf.constant(dense_rows, tf.float32))
    layer = tf.keras.layers.Dense(3, kernel_initializer="glorot_uniform")
    layer.build((None, 50))
    with tf.GradientTape() as tape:
        logits = layer(sparse_rows)
        loss = tf.reduce_sum(logits**2)
    kernel, bias = layer.kernel.numpy(), layer.bias.numpy()
    expected = dense_rows @ kernel + bias
    np.testing.assert_allclose(logits.numpy(), expected, rtol=1e-5, atol=1e-6)
    gradient = tf.convert_to_tensor(tape.gradient(loss, layer.kernel)).numpy()
    np.testing.assert_allclose(gradient, dense_rows.T @ (2 * expected), rtol=1e-4, atol=1e-5)


def test_a_saved_tfidf_model_predicts_the_same_after_loading(tmp_path):
    """Saved and loaded here; the same model loaded in a new process is checked beside the sentiment classifier
    (test_sentiment_models.py::test_saved_text_classifiers_answer_the_same_in_a_fresh_process)."""
    from emotion_tf.training.artifacts import ArtifactError

    rng = np.random.default_rng(0)
    train_x, train_y = planted_english(300, rng)
    model = TfidfLogisticRegression(2, language="en", max_epochs=5, seed=0)
    model.fit(train_x, train_y, train_x[:50], train_y[:50])
    texts = ["the plot was superb", "acting really awful", "movie"]
    expected = model.predict_proba(texts)
    model.save(tmp_path / "tfidf")
    np.testing.assert_allclose(
        TfidfLogisticRegression.load(tmp_path / "tfidf").predict_proba(texts), expected, atol=1e-6
    )
    with pytest.raises(ValueError, match="text 1 is empty"):
        TfidfLogisticRegression.load(tmp_path / "tfidf").predict_proba(["fine", "  "])
    with pytest.raises(FileNotFoundError, match="no saved TF-IDF model"):
        TfidfLogisticRegression.load(tmp_path / "absent")
    with pytest.raises(ArtifactError, match="holds a tfidf-classifier, not a sentiment-classifier"):
        from emotion_tf.sentiment.classifier import SentimentClassifier

        SentimentClassifier.load(tmp_path / "tfidf")
