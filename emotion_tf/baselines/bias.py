"""The rating baseline every rating model must beat: r̂(u, i) = μ + b_u + b_i.

Biases are fitted by alternating regularised least squares (a few sweeps of closed-form updates):
b_i = Σ_u (r_ui − μ − b_u) / (λ_i + n_i),  b_u = Σ_i (r_ui − μ − b_i) / (λ_u + n_u)  (Koren, 2008).
"""

from __future__ import annotations

import numpy as np


class BiasBaseline:
    def __init__(self, item_l2: float = 25.0, user_l2: float = 10.0, sweeps: int = 10):
        self.item_l2, self.user_l2, self.sweeps = item_l2, user_l2, sweeps

    def fit(self, users: np.ndarray, items: np.ndarray, ratings: np.ndarray, n_users: int, n_items: int):
        ratings = np.asarray(ratings, dtype=np.float64)
        self.mean = float(ratings.mean())
        self.user_bias, self.item_bias = np.zeros(n_users), np.zeros(n_items)
        for _ in range(self.sweeps):
            residual = ratings - self.mean - self.user_bias[users]
            self.item_bias = np.bincount(items, residual, n_items) / (self.item_l2 + np.bincount(items, None, n_items))
            residual = ratings - self.mean - self.item_bias[items]
            self.user_bias = np.bincount(users, residual, n_users) / (self.user_l2 + np.bincount(users, None, n_users))
        return self

    def predict(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        return self.mean + self.user_bias[users] + self.item_bias[items]
