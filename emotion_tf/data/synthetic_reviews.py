"""``synthetic-reviews-en``: the English reviews of a small simulated world as a labelled text corpus.

SIMULATED data, for the quick preset and the tests: the reviews of ``QUICK_WORLD`` written in English, with
the three-way label of their stars (``SENTIMENT_LABELS``), split as every text corpus without an official
split is (``split_text``).
"""

from __future__ import annotations

from emotion_tf.data.loader import load
from emotion_tf.data.splits import TextSplits, split_text
from emotion_tf.data.synthetic import SENTIMENT_LABELS

# The simulated world of the quick preset: small enough to train every model in seconds.
QUICK_WORLD = dict(n_users=600, n_items=400, sessions_per_user=15, seed=0)
KEY = "synthetic-reviews-en"


def synthetic_review_splits(seed: int) -> TextSplits:
    """The quick world's English reviews, 3-way labels from the stars, split per docs/protocols.md."""
    reviews = load("synthetic", **{**QUICK_WORLD, "review_language": "en"})["reviews"]
    splits = split_text(reviews[["text", "label"]], seed=seed)
    splits.labels = SENTIMENT_LABELS
    return splits
