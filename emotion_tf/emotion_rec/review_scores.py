"""Step 1: a score vector per review, from the sentiment lexicon and from a trained sentiment classifier.

Both are fitted on the reviews of *training* interactions only (their star ratings give the labels
negative / neutral / positive), so no validation or test review shapes them.  A scorer maps texts to

    [P(negative), P(neutral), P(positive), intensity]        (float [n, 4], intensity in [-1, 1])

* ``LexiconScorer``: the class posteriors of ``emotion_tf.text.lexicon.SentimentLexicon`` (its naive
  Bayes scores through a softmax) and its intensity (the mean valence of the text's lexicon tokens).
* ``ClassifierScorer``: an LSTM or Transformer ``SentimentClassifier`` with a three-way head; its
  intensity is P(positive) - P(negative) (``emotion_tf.sentiment.heads``).
"""

from __future__ import annotations

import numpy as np

from emotion_tf.sentiment.classifier import SentimentClassifier
from emotion_tf.sentiment.heads import Head
from emotion_tf.text.lexicon import SentimentLexicon

LABELS = ("negative", "neutral", "positive")
SCORE_NAMES = ("p_negative", "p_neutral", "p_positive", "intensity")


def label_of_rating(ratings) -> np.ndarray:
    """Stars 1-2 -> 0 negative, 3 -> 1 neutral, 4-5 -> 2 positive."""
    ratings = np.asarray(ratings, dtype=float)
    return np.select([ratings <= 2, ratings < 4], [0, 1], 2).astype(np.int64)


class LexiconScorer:
    """Scores from a sentiment lexicon learned on training reviews."""

    name = "lexicon"

    def __init__(self, language: str = "en", min_documents: int = 3):
        self.lexicon = SentimentLexicon(LABELS, language, min_documents)

    def fit(self, texts, labels, validation_texts=None, validation_labels=None, seed: int = 0) -> "LexiconScorer":
        self.lexicon.fit(list(texts), labels)
        return self

    def scores(self, texts) -> np.ndarray:
        texts = list(texts)
        logits = self.lexicon.class_scores(texts)
        probabilities = np.exp(logits - logits.max(1, keepdims=True))
        probabilities /= probabilities.sum(1, keepdims=True)
        return np.column_stack([probabilities, self.lexicon.intensity(texts)]).astype(np.float32)


class ClassifierScorer:
    """Scores from a three-way sentiment classifier trained on training reviews (early stopping on validation)."""

    def __init__(self, architecture: str = "lstm", language: str = "en", max_epochs: int = 5,
                 sequence_length: int = 96):
        self.name = architecture
        self.architecture, self.language = architecture, language
        self.max_epochs, self.sequence_length = max_epochs, sequence_length

    def fit(self, texts, labels, validation_texts, validation_labels, seed: int = 0) -> "ClassifierScorer":
        self.classifier = SentimentClassifier(self.architecture, Head("three_way", LABELS), self.language,
                                              sequence_length=self.sequence_length, max_epochs=self.max_epochs,
                                              patience=2, seed=seed)
        self.classifier.fit(list(texts), np.asarray(labels), list(validation_texts), np.asarray(validation_labels))
        return self

    def scores(self, texts) -> np.ndarray:
        probabilities = self.classifier.predict_proba(list(texts))
        return np.column_stack([probabilities, self.classifier.head.intensity(probabilities)]).astype(np.float32)
