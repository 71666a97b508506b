"""Most-popular ranking: score(u, i) = number of training interactions of item i."""

from __future__ import annotations

import numpy as np


def item_counts(item_index, n_items: int) -> np.ndarray:
    """[n_items] int64: how often each item occurs in ``item_index`` (the training interactions), the one
    definition of popularity that the baseline, the features and the profiles' cold-start list all use."""
    return np.bincount(np.asarray(item_index, dtype=np.int64), minlength=n_items)


class Popularity:
    """Scores every user's items by training popularity (the same list for all users)."""

    def fit(self, user_index: np.ndarray, item_index: np.ndarray, n_users: int, n_items: int) -> Popularity:
        self.counts = item_counts(item_index, n_items).astype(np.float32)
        return self

    def score(self, users: np.ndarray) -> np.ndarray:
        """[len(users), n_items] scores."""
        return np.broadcast_to(self.counts, (len(users), len(self.counts)))
