"""EASE (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019).

With the binary user-item matrix X [n_users, n_items] and the Gram matrix
G = XᵀX + λI, the item-item weights that minimise ||X - XB||² + λ||B||²
subject to diag(B) = 0 are

    P = G⁻¹,   B_ij = -P_ij / P_jj  (i != j),   B_jj = 0,

and a user's scores are the row x_u B.  The solve is O(n_items³) in time and
O(n_items²) in memory, so EASE is for catalogues of up to a few tens of
thousands of items; users are processed in batches, so their number does not
matter.  We compute in float64: inverting a nearly singular Gram matrix needs
the precision.
"""

from __future__ import annotations

import numpy as np

from emotion_tf.data.splits import UserItemSets
from emotion_tf.metrics.ranking import SELECTION_METRIC, evaluate_split


def dense_rows(history: UserItemSets, users: np.ndarray, n_items: int, dtype=np.float64) -> np.ndarray:
    """Binary rows [len(users), n_items] of the users' item sets."""
    rows = np.zeros((len(users), n_items), dtype=dtype)
    counts = history.counts()[users]
    rows[np.repeat(np.arange(len(users)), counts), np.concatenate([history.of(u) for u in users])] = 1
    return rows


def ease_weights(gram: np.ndarray, l2: float) -> np.ndarray:
    """EASE's closed form for a Gram matrix G [n_items, n_items]: P = (G + λI)⁻¹, B = −P / diag(P) column-wise,
    diag(B) = 0 -> B [n_items, n_items] (float64; ``gram`` is left unchanged)."""
    regularized = np.array(gram, dtype=np.float64)
    regularized[np.diag_indices(len(regularized))] += l2
    inverse = np.linalg.inv(regularized)
    weights = -inverse / np.diag(inverse)[None, :]
    weights[np.diag_indices(len(weights))] = 0.0
    return weights


class EASE:
    """Closed-form item-item model; ``l2`` is λ (choose it on validation)."""

    def __init__(self, l2: float = 500.0, user_batch: int = 4096):
        if l2 <= 0:
            raise ValueError(f"l2 must be positive, got {l2}")
        self.l2 = l2
        self.user_batch = user_batch

    def fit(self, user_index: np.ndarray, item_index: np.ndarray, n_users: int, n_items: int) -> EASE:
        self.n_items = n_items
        self.history = UserItemSets.from_pairs(np.asarray(user_index), np.asarray(item_index), n_users)
        gram = np.zeros((n_items, n_items))
        for start in range(0, n_users, self.user_batch):
            rows = dense_rows(self.history, np.arange(start, min(start + self.user_batch, n_users)), n_items)
            gram += rows.T @ rows
        self.weights = ease_weights(gram, self.l2)
        return self

    def score(self, users: np.ndarray) -> np.ndarray:
        """[len(users), n_items] scores x_u B from the users' training histories."""
        return dense_rows(self.history, np.asarray(users), self.n_items) @ self.weights


# λ values tried on validation, a log grid of four steps per decade from 10 to 10⁴ (10, 17.8, 31.6, 56.2, 100,
# ...); the best is refitted (docs/baselines.md)
EASE_L2_GRID = tuple(float(f"{value:.3g}") for value in np.geomspace(10.0, 10_000.0, 13))


def tune_ease(splits, report=lambda l2, value: None, grid=EASE_L2_GRID):
    """EASE with λ chosen on validation ``SELECTION_METRIC`` (NDCG@20; train items masked).

    Args:
      splits: an ``InteractionSplits``.
      report: called with (λ, the validation value) after each fit, e.g. to log progress.
    Returns:
      (the model refitted at the best λ, that λ, {λ: validation value}).
    """
    fit_args = (
        splits.train["user_index"].to_numpy(),
        splits.train["item_index"].to_numpy(),
        splits.n_users,
        splits.n_items,
    )
    by_l2 = {}
    for l2 in grid:
        model = EASE(l2).fit(*fit_args)
        by_l2[l2] = evaluate_split(model.score, splits, "validation")[SELECTION_METRIC]
        report(l2, by_l2[l2])
    best = max(by_l2, key=by_l2.get)
    return EASE(best).fit(*fit_args), best, by_l2  # (a refit, not the grid's last model: λ may differ)
