"""TF-IDF + logistic regression with a head: the baseline on the same route as every sentiment model.

``TfidfClassifier`` wraps ``emotion_tf.baselines.TfidfLogisticRegression`` in the ``RawTextClassifier``
interface, so ``train_and_evaluate``, ``scripts/train_sentiment.py --model tfidf`` and
``scripts/predict_sentiment.py`` treat it as they treat the LSTM or the fine-tuned encoder: the same records,
TensorBoard logs, behaviour checks, intensity from its head, and a saved folder that reads raw strings.

It reads the whole text (no sequence length: every n-gram counts), so a long text is never cut.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import tensorflow as tf

from emotion_tf.baselines.tfidf import TfidfLogisticRegression
from emotion_tf.sentiment.classifier import RawTextClassifier
from emotion_tf.sentiment.heads import Head
from emotion_tf.text.checks import check_texts

ARCHITECTURE = "tfidf"


class TfidfClassifier(RawTextClassifier):
    """Linear classifier over TF-IDF n-grams (characters for Chinese, words for English), with a head.

    Args:
      head: what is predicted; multi-label heads use sigmoid outputs.
      language: ``"zh"`` or ``"en"``.
      ngrams: n-grams up to this length.
      The rest as ``TfidfLogisticRegression`` (FTRL, early stopping on validation).
    """

    def __init__(
        self,
        head: Head,
        language: str,
        ngrams: int = 1,
        max_tokens: int = 100_000,
        learning_rate: float = 1.0,
        batch_size: int = 64,
        max_epochs: int = 60,
        patience: int = 5,
        seed: int = 0,
    ):
        self.head, self.language, self.ngrams, self.max_tokens = head, language, ngrams, max_tokens
        self.baseline = TfidfLogisticRegression(
            head.n_outputs,
            language=language,
            max_tokens=max_tokens,
            ngrams=ngrams,
            multi_label=head.multi_label,
            learning_rate=learning_rate,
            batch_size=batch_size,
            max_epochs=max_epochs,
            patience=patience,
            seed=seed,
        )

    def fit(self, train_texts, train_labels, validation_texts, validation_labels, callbacks=(), verbose=0):
        history = self.baseline.fit(
            train_texts, train_labels, validation_texts, validation_labels, callbacks=callbacks, verbose=verbose
        )
        self.model, self.token_model = self.baseline.model, self.baseline.classifier
        return history

    def predict_proba(self, texts) -> np.ndarray:
        """[len(texts), head.n_outputs] probabilities; empty texts are refused by position."""
        return self.baseline.predict_proba(texts)

    def token_counts(self, texts) -> np.ndarray:
        """Tokens per text: characters for Chinese, white-space words for English."""
        texts = check_texts(texts)
        return np.array([len(t) if self.language == "zh" else len(t.split()) for t in texts])

    @property
    def reads(self) -> int:
        """Every token of a text: TF-IDF has no cut."""
        return sys.maxsize

    def settings(self) -> dict:
        return {
            "architecture": ARCHITECTURE,
            "language": self.language,
            "head": self.head.to_json(),
            "ngrams": self.ngrams,
            "max_tokens": self.max_tokens,
        }

    @classmethod
    def from_saved(cls, folder: Path, settings: dict) -> TfidfClassifier:
        classifier = cls(
            Head.from_json(settings["head"]),
            settings["language"],
            ngrams=settings["ngrams"],
            max_tokens=settings["max_tokens"],
        )
        classifier.model = tf.keras.models.load_model(Path(folder) / "model")
        classifier.baseline.model, classifier.baseline.classifier = classifier.model, None
        classifier.token_model = classifier.model.get_layer("tfidf_logreg_classifier")
        return classifier
