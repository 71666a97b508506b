"""Most-popular ranking: score(u, i) = number of training interactions of item i."""

from __future__ import annotations

import numpy as np


class Popularity:
    """Scores every user's items by training popularity (the same list for all users)."""

    def fit(self, user_index: np.ndarray, item_index: np.ndarray, n_users: int, n_items: int) -> Popularity:
        self.counts = np.bincount(np.asarray(item_index), minlength=n_items).astype(np.float32)
        return self

    def score(self, users: np.ndarray) -> np.ndarray:
        """[len(users), n_items] scores."""
        return np.broadcast_to(self.counts, (len(users), len(self.counts)))
