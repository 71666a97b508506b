"""Emotion state: what a user's (or an item's) reviews written *before* a time t say, with time decay.

For a key k (a user or an item) at time t, over the reviews r of k with t_r < t (strictly earlier)
that do not belong to the interaction being predicted::

    w_r  = 2 ** (-(t - t_r) / half_life)                       (a review loses half its weight per half-life)
    E(k, t) = [ Σ_r w_r x_r / Σ_r w_r ,  log(1 + Σ_r w_r) ]    (0 for the mean when there is no review)

x_r is a review's score vector (class probabilities and intensity from ``review_scores``); the last
entry says how much evidence the mean rests on.  ``EmotionState`` is the same state kept online,
updated as each review arrives (the article's real-time 情感状态监测); ``emotion_states`` computes it
for many (key, t) queries at once.  A test in ``tests/test_emotion_state.py`` checks they agree.
"""

from __future__ import annotations

import numpy as np

SECONDS_PER_DAY = 86_400.0


class EmotionState:
    """The decayed emotion state of one user, updated review by review.

    Args:
      n_values: length of a review's score vector.
      half_life_days: a review's weight halves every this many days.
    """

    def __init__(self, n_values: int, half_life_days: float):
        if half_life_days <= 0:
            raise ValueError(f"half_life_days must be > 0, got {half_life_days}")
        self.half_life = half_life_days * SECONDS_PER_DAY
        self.weighted_sum = np.zeros(n_values)
        self.weight = 0.0
        self.time: float | None = None

    def _decay(self, timestamp: float) -> float:
        if self.time is None:
            return 0.0
        if timestamp < self.time:
            raise ValueError(f"reviews must arrive in time order: {timestamp} is before {self.time}")
        return 2.0 ** (-(timestamp - self.time) / self.half_life)

    def update(self, timestamp: float, scores) -> None:
        """Add a review written at ``timestamp`` with score vector ``scores``."""
        factor = self._decay(timestamp)
        self.weighted_sum = self.weighted_sum * factor + np.asarray(scores, dtype=float)
        self.weight = self.weight * factor + 1.0
        self.time = float(timestamp)

    def at(self, timestamp: float) -> np.ndarray:
        """[n_values + 1]: the decayed mean score and log(1 + total weight), as of ``timestamp``.

        Reviews added at exactly ``timestamp`` count here; ``emotion_states`` (which only uses reviews
        strictly earlier) is its equal when every review is older than the query.
        """
        factor = self._decay(timestamp)
        weight = self.weight * factor
        mean = self.weighted_sum * factor / weight if weight > 0 else np.zeros_like(self.weighted_sum)
        return np.append(mean, np.log1p(weight))


def emotion_states(
    query_keys,
    query_times,
    review_keys,
    review_times,
    review_values,
    half_life_days: float,
    query_pairs=None,
    review_pairs=None,
) -> np.ndarray:
    """Decayed mean review scores per query, using only reviews strictly before the query time.

    Args:
      query_keys, query_times: int [q]: whose state (user or item index) and when.
      review_keys, review_times: int [r]: whose review and when it was written.
      review_values: float [r, v]: each review's score vector.
      half_life_days: weight halves every this many days (``np.inf``: a plain mean).
      query_pairs, review_pairs: optional int [q] / [r] codes of the (user, item) pair; a review with the
        query's own pair is never used (a predicted interaction's own review is not an input).

    Returns:
      float32 [q, v + 1]: the decayed mean of ``review_values`` and log(1 + Σ weights).
    """
    query_keys, query_times = np.asarray(query_keys), np.asarray(query_times, dtype=np.float64)
    review_keys, review_times = np.asarray(review_keys), np.asarray(review_times, dtype=np.float64)
    review_values = np.asarray(review_values, dtype=np.float64)
    if review_values.ndim == 1:  # one score per review
        review_values = review_values[:, None]
    if half_life_days <= 0:
        raise ValueError(f"half_life_days must be > 0, got {half_life_days}")
    if (
        review_values.ndim != 2
        or len(query_keys) != len(query_times)
        or not len(review_keys) == len(review_times) == len(review_values)
    ):
        raise ValueError(
            f"emotion_states: {len(query_keys)} query keys vs {len(query_times)} query times; "
            f"{len(review_keys)} review keys, {len(review_times)} times, score table of shape "
            f"{review_values.shape} (want [reviews] or [reviews, v])"
        )
    out = np.zeros((len(query_keys), review_values.shape[1] + 1), dtype=np.float32)
    review_order = np.argsort(review_keys, kind="stable")
    sorted_keys = review_keys[review_order]
    query_order = np.argsort(query_keys, kind="stable")
    boundaries = np.flatnonzero(np.r_[True, query_keys[query_order][1:] != query_keys[query_order][:-1]])
    for start, stop in zip(boundaries, np.r_[boundaries[1:], len(query_order)]):
        rows = query_order[start:stop]
        key = query_keys[rows[0]]
        lo, hi = np.searchsorted(sorted_keys, key, "left"), np.searchsorted(sorted_keys, key, "right")
        if lo == hi:
            continue
        reviews = review_order[lo:hi]
        age = query_times[rows, None] - review_times[None, reviews]  # [q_k, r_k] seconds
        usable = age > 0
        if query_pairs is not None:
            usable &= np.asarray(query_pairs)[rows, None] != np.asarray(review_pairs)[None, reviews]
        weights = np.where(usable, 2.0 ** (-np.maximum(age, 0) / (half_life_days * SECONDS_PER_DAY)), 0.0)
        total = weights.sum(1)
        means = weights @ review_values[reviews] / np.maximum(total, 1e-300)[:, None]
        out[rows, :-1] = np.where(total[:, None] > 0, means, 0.0)
        out[rows, -1] = np.log1p(total)
    return out
