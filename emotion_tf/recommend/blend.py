"""Two rankers' scores on one scale, blended with a weight chosen on validation.

    s_u = (1 − w) · f_u / σ_f + w · g_u / σ_g                                        [n_items]

f and g each score every item for user u from the training history (softmax CF's logits, a graph filter's
scores); σ_f and σ_g are their spreads, the mean over users of the standard deviation of a user's scores,
measured on the training rows (no held-out label is involved), so that w does not depend on either scorer's
units. w = 0 is f alone and w = 1 is g alone, so the validation choice of w can return either.

With f softmax CF's logits, the blend is a product of experts inside the article's softmax:
p(j | u) ∝ exp(f_uj)^{(1−w)/σ_f} · exp(g_uj)^{w/σ_g}, the graph filter's scores acting as a log-prior
that the trained model corrects. Ranking ignores the scale of s_u, so nothing else is needed to serve it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from emotion_tf.metrics.ranking import SELECTION_METRIC, evaluate_split

BLEND_WEIGHTS = tuple(round(w, 1) for w in np.linspace(0.0, 1.0, 11))  # 0, 0.1, ..., 1

Scorer = Callable[[np.ndarray], np.ndarray]  # user indices [b] -> scores [b, n_items]


def score_spread(score_users: Scorer, users: np.ndarray, batch_size: int = 1024) -> float:
    """σ: the mean over ``users`` of the standard deviation of each user's scores over the items."""
    users = np.asarray(users)
    if len(users) == 0:
        raise ValueError("the spread of a scorer needs at least one user")
    spreads = [np.std(score_users(users[i : i + batch_size]), axis=1) for i in range(0, len(users), batch_size)]
    spread = float(np.concatenate(spreads).mean())
    if not spread > 0:
        raise ValueError(f"a scorer gives every item the same score (spread {spread}); it cannot be blended")
    return spread


class ScoreBlend:
    """Args:
      first, second: f and g, each ``users [b] -> scores [b, n_items]`` from the training history.
      weight: w in [0, 1].
      first_spread, second_spread: σ_f and σ_g (``score_spread``).

    ``score(users)`` -> s [b, n_items] (module docstring); a weight of 0 or 1 calls only the scorer it keeps.
    """

    def __init__(self, first: Scorer, second: Scorer, weight: float, first_spread: float, second_spread: float):
        if not 0.0 <= weight <= 1.0:
            raise ValueError(f"weight must be in [0, 1], got {weight}")
        self.first, self.second, self.weight = first, second, float(weight)
        self.first_spread, self.second_spread = float(first_spread), float(second_spread)

    def score(self, users: np.ndarray) -> np.ndarray:
        if self.weight == 0.0:
            return np.asarray(self.first(users)) / self.first_spread
        if self.weight == 1.0:
            return np.asarray(self.second(users)) / self.second_spread
        return (1.0 - self.weight) * np.asarray(self.first(users)) / self.first_spread + self.weight * np.asarray(
            self.second(users)
        ) / self.second_spread


def tune_blend(first: Scorer, second: Scorer, splits, weights=BLEND_WEIGHTS, spread_users: int = 2048):
    """The blend with w chosen on validation ``SELECTION_METRIC`` (training items masked).

    The spreads are measured on the first ``spread_users`` users. Returns (the blend at the best w, that w,
    {w: validation value}); ties go to the smaller w.
    """
    users = np.arange(min(splits.n_users, spread_users))
    first_spread, second_spread = score_spread(first, users), score_spread(second, users)
    by_weight = {}
    for weight in weights:
        blend = ScoreBlend(first, second, weight, first_spread, second_spread)
        by_weight[float(weight)] = evaluate_split(blend.score, splits, "validation")[SELECTION_METRIC]
    best = max(by_weight, key=by_weight.get)  # max keeps the first of equal values: the smaller w
    return ScoreBlend(first, second, best, first_spread, second_spread), best, by_weight
