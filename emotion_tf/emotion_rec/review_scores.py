"""Step 1: a score vector per review, from the sentiment lexicon and from a trained sentiment classifier.

Both are fitted on the reviews of *training* interactions only (their star ratings give the labels
negative / neutral / positive), so no validation or test review shapes them.  A scorer maps texts to

    [P(negative), P(neutral), P(positive), intensity]        (float [n, 4], intensity in [-1, 1])

* ``LexiconScorer``: the class posteriors of ``emotion_tf.text.lexicon.SentimentLexicon`` (its naive
  Bayes scores through a softmax) and its intensity (the mean valence of the text's lexicon tokens).
* ``ClassifierScorer``: an LSTM, Transformer or fine-tuned pretrained encoder (``bert``) with a three-way
  head, whose intensity is P(positive) - P(negative), or with a star head (``target="stars"``, one class
  per star), whose intensity is (E[stars] - 3) / 2 and so measures how strongly a review feels
  (``emotion_tf.sentiment.heads``); its three probabilities are then P(1-2 stars), P(3), P(4-5).
"""

from __future__ import annotations

import numpy as np

from emotion_tf.sentiment.classifier import SentimentClassifier
from emotion_tf.sentiment.heads import Head, three_way_of_stars
from emotion_tf.text.lexicon import SentimentLexicon
from emotion_tf.text.valence import STAR_LABELS

LABELS = ("negative", "neutral", "positive")
SCORE_NAMES = ("p_negative", "p_neutral", "p_positive", "intensity")
# Several scorers' scores sit side by side, one block of len(SCORE_NAMES) columns per scorer, in this order.
SCORES_PER_SCORER = len(SCORE_NAMES)


def intensity_columns(scores, n_scorers: int) -> np.ndarray:
    """[n, n_scorers]: the intensity of each scorer, from [n, >= SCORES_PER_SCORER * n_scorers] scores laid out
    in blocks of ``SCORE_NAMES`` (review scores, or an emotion state of them with extra columns after)."""
    scores = np.asarray(scores)
    if scores.ndim != 2 or scores.shape[1] < SCORES_PER_SCORER * n_scorers:
        raise ValueError(f"scores of shape {scores.shape} hold fewer than {n_scorers} blocks of {SCORE_NAMES}")
    columns = [k * SCORES_PER_SCORER + SCORE_NAMES.index("intensity") for k in range(n_scorers)]
    return scores[:, columns]


def label_of_rating(ratings) -> np.ndarray:
    """Stars 1-2 -> 0 negative, 3 -> 1 neutral, 4-5 -> 2 positive."""
    ratings = np.asarray(ratings, dtype=float)
    return np.select([ratings <= 2, ratings < 4], [0, 1], 2).astype(np.int64)


class LexiconScorer:
    """Scores from a sentiment lexicon learned on training reviews."""

    name = "lexicon"
    target = "label"  # what it is fitted on: the three-way label of the stars

    def __init__(self, language: str = "en", min_documents: int = 3):
        self.lexicon = SentimentLexicon(LABELS, language, min_documents)

    def fit(self, texts, labels, validation_texts=None, validation_labels=None, seed: int = 0) -> LexiconScorer:
        self.lexicon.fit(list(texts), labels)
        return self

    def scores(self, texts) -> np.ndarray:
        texts = list(texts)
        logits = self.lexicon.class_scores(texts)
        probabilities = np.exp(logits - logits.max(1, keepdims=True))
        probabilities /= probabilities.sum(1, keepdims=True)
        return np.column_stack([probabilities, self.lexicon.intensity(texts)]).astype(np.float32)


class ClassifierScorer:
    """Scores from a sentiment classifier trained on training reviews (early stopping on validation).

    Args:
      architecture: ``lstm``, ``bilstm``, ``transformer`` or ``bert`` (needs ``checkpoint``).
      target: ``"label"`` (three-way head on the stars' label) or ``"stars"`` (one class per star).
      checkpoint: bert only, the pretrained checkpoint's folder.
      learning_rate: default 1e-4 for bert, the classifier's own (1e-3) otherwise.
    """

    def __init__(
        self,
        architecture: str = "lstm",
        language: str = "en",
        max_epochs: int = 5,
        sequence_length: int = 96,
        target: str = "label",
        checkpoint=None,
        learning_rate=None,
    ):
        if target not in ("label", "stars"):
            raise ValueError(f"target must be 'label' or 'stars', got {target!r}")
        if architecture == "bert" and checkpoint is None:
            raise ValueError("a bert scorer needs a pretrained checkpoint folder")
        self.name = architecture if target == "label" else f"{architecture}-stars"
        self.architecture, self.language, self.target, self.checkpoint = architecture, language, target, checkpoint
        self.max_epochs, self.sequence_length, self.learning_rate = max_epochs, sequence_length, learning_rate

    @property
    def target_column(self) -> str:
        return "label" if self.target == "label" else "rating"

    def fit(self, texts, labels, validation_texts, validation_labels, seed: int = 0) -> ClassifierScorer:
        """``labels``: three-way labels (target ``label``) or star ratings 1-5 (target ``stars``)."""
        head = Head("three_way", LABELS) if self.target == "label" else Head("multiclass", STAR_LABELS)
        targets = [np.asarray(y, dtype=np.int64) - (self.target == "stars") for y in (labels, validation_labels)]
        if self.architecture == "bert":
            from emotion_tf.sentiment.finetune import PretrainedClassifier

            self.classifier = PretrainedClassifier(
                self.checkpoint,
                head,
                max_length=self.sequence_length,
                truncation="head+tail",
                max_epochs=self.max_epochs,
                patience=1,
                learning_rate=self.learning_rate or 1e-4,
                seed=seed,
            )
        else:
            self.classifier = SentimentClassifier(
                self.architecture,
                head,
                self.language,
                sequence_length=self.sequence_length,
                max_epochs=self.max_epochs,
                patience=2,
                seed=seed,
                learning_rate=self.learning_rate or 1e-3,
            )
        self.classifier.fit(list(texts), targets[0], list(validation_texts), targets[1], verbose=0)
        return self

    def scores(self, texts) -> np.ndarray:
        probabilities = self.classifier.predict_proba(list(texts))
        three = probabilities if self.target == "label" else three_way_of_stars(probabilities)
        return np.column_stack([three, self.classifier.head.intensity(probabilities)]).astype(np.float32)
