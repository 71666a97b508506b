"""The valence of each emotion label: what an intensity in [-1, 1] is made of.

Valences follow the sentiment grouping of the GoEmotions paper (Demszky et al. 2020): positive emotions +1,
negative ones -1, ambiguous ones (surprise, confusion, ...) and neutral 0.  A star label of k stars
(``STAR_LABELS``) has valence (k - 3) / 2, so a star distribution's expected valence is (E[stars] - 3) / 2.

It lives in ``text`` because both the lexicon (``text.lexicon``) and the models' heads (``sentiment.heads``)
read it, and ``text`` sits below ``sentiment``.
"""

from __future__ import annotations

POSITIVE = {
    "joy",
    "love",
    "admiration",
    "amusement",
    "approval",
    "caring",
    "desire",
    "excitement",
    "gratitude",
    "optimism",
    "pride",
    "relief",
    "positive",
}
NEGATIVE = {
    "sadness",
    "anger",
    "fear",
    "annoyance",
    "disappointment",
    "disapproval",
    "disgust",
    "embarrassment",
    "grief",
    "nervousness",
    "remorse",
    "negative",
}


STAR_LABELS = ("1 star", "2 stars", "3 stars", "4 stars", "5 stars")


def valence_of(label: str) -> float:
    """+1 for positive emotions, -1 for negative ones, 0 for ambiguous (surprise, confusion, ...) and neutral;
    (k - 3) / 2 for the star label of k stars."""
    if label in STAR_LABELS:
        return (STAR_LABELS.index(label) + 1 - 3) / 2
    return 1.0 if label in POSITIVE else -1.0 if label in NEGATIVE else 0.0
