"""GF-CF: the closed-form limit of linear propagation on the normalized user–item graph (Shen et al., "How
Powerful is Graph Convolution for Recommendation?", CIKM 2021).

With the binary training matrix R [n_users, n_items] and its degrees D_U = diag(R 1), D_I = diag(Rᵀ 1):

    R̃ = D_U^{-1/2} R D_I^{-1/2}                         the normalized adjacency's user–item block
    P̃ = R̃ᵀ R̃                                           linear filter: two normalized propagation steps
    Ū = the top-k right singular vectors of R̃            [n_items, k]
    s_u = r_u ( P̃ + α D_I^{-1/2} Ū Ūᵀ D_I^{1/2} )         scores of user u over all items

R̃ is the block of D^{-1/2} A D^{-1/2} that LightGCN propagates over (no self-loops); P̃ is what an infinitely
deep *linear* LightGCN converges towards, and the second term an ideal low-pass filter keeping the k
smoothest graph signals. Nothing is trained: k and α are chosen on validation. A user or item without a
training interaction has degree 0 and gets 0 in D^{-1/2} (it neither sends nor receives).
"""

from __future__ import annotations

import numpy as np

from emotion_tf.data.splits import UserItemSets
from emotion_tf.metrics.ranking import SELECTION_METRIC, evaluate_split


def _inverse_sqrt(degree: np.ndarray) -> np.ndarray:
    return np.where(degree > 0, 1.0 / np.sqrt(np.maximum(degree, 1e-12)), 0.0)


class GraphFilterCF:
    """Args:
    rank: k, the number of singular vectors of the ideal low-pass filter (0 for the linear filter alone).
    alpha: α, the weight of the low-pass term.

    ``fit(user_index, item_index, n_users, n_items)`` on the training pairs, then ``score(users)`` ->
    [len(users), n_items] from the users' training rows.
    """

    def __init__(self, rank: int = 64, alpha: float = 0.3):
        if rank < 0 or alpha < 0:
            raise ValueError(f"rank and alpha must be non-negative, got rank={rank}, alpha={alpha}")
        self.rank, self.alpha = int(rank), float(alpha)

    def fit(self, user_index, item_index, n_users: int, n_items: int) -> GraphFilterCF:
        self.history = UserItemSets.from_pairs(np.asarray(user_index), np.asarray(item_index), n_users)
        ratings = np.zeros((n_users, n_items))
        ratings[np.asarray(user_index), np.asarray(item_index)] = 1.0
        self.ratings = ratings
        user_scale = _inverse_sqrt(ratings.sum(axis=1))
        self.item_scale = _inverse_sqrt(ratings.sum(axis=0))  # D_I^{-1/2}
        normalized = ratings * user_scale[:, None] * self.item_scale[None, :]  # R̃
        self.linear = normalized.T @ normalized  # P̃ [n_items, n_items]
        # the right singular vectors, largest singular values first (the thin SVD: every k is a slice of it)
        self.vectors = np.linalg.svd(normalized, full_matrices=False)[2].T
        return self.with_filter(self.rank, self.alpha)

    def with_filter(self, rank: int, alpha: float) -> GraphFilterCF:
        """The fitted filter with another k and α (the SVD is computed once, in ``fit``)."""
        if rank > self.vectors.shape[1]:
            raise ValueError(f"rank {rank} exceeds the {self.vectors.shape[1]} singular vectors of R̃")
        self.rank, self.alpha = int(rank), float(alpha)
        matrix = self.linear.copy()
        if self.rank and self.alpha:
            top = self.vectors[:, : self.rank]
            # D_I^{-1/2} Ū Ūᵀ D_I^{1/2}; D_I^{1/2} is 1 / D_I^{-1/2} where the degree is non-zero, else 0
            item_sqrt = np.where(self.item_scale > 0, 1.0 / np.maximum(self.item_scale, 1e-12), 0.0)
            matrix += self.alpha * (self.item_scale[:, None] * top) @ (top.T * item_sqrt[None, :])
        self.filter = matrix
        return self

    def score(self, users: np.ndarray) -> np.ndarray:
        return self.ratings[np.asarray(users)] @ self.filter


GF_CF_RANKS = (0, 16, 32, 64, 128, 256)
GF_CF_ALPHAS = (0.1, 0.3, 1.0)


def tune_graph_filter(splits, report=lambda rank, alpha, value: None, ranks=GF_CF_RANKS, alphas=GF_CF_ALPHAS):
    """GF-CF with (k, α) chosen on validation ``SELECTION_METRIC`` (train items masked); one SVD for the grid.

    Returns (the model at the best (k, α), that (k, α), {(k, α): validation value}).
    """
    model = GraphFilterCF(rank=0, alpha=0.0).fit(
        splits.train["user_index"].to_numpy(), splits.train["item_index"].to_numpy(), splits.n_users, splits.n_items
    )
    ranks = [k for k in ranks if k <= model.vectors.shape[1]]
    by_setting = {}
    for rank in ranks:
        for alpha in alphas if rank else (0.0,):
            value = evaluate_split(model.with_filter(rank, alpha).score, splits, "validation")[SELECTION_METRIC]
            by_setting[(rank, alpha)] = value
            report(rank, alpha, value)
    best = max(by_setting, key=by_setting.get)
    return model.with_filter(*best), best, by_setting
