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

GF-EASE keeps GF-CF's ideal low-pass term and replaces its fixed linear filter P̃ by the one that least squares
learns on the same graph, EASE's closed form on the normalized adjacency (with the user- and item-side
normalization exponents of DAN, Park et al., "Why is Normalization Necessary for Linear Recommenders?",
SIGIR 2025):

    R̃_ab = D_U^{-a} R D_I^{-b}                                                   [n_users, n_items]
    B = argmin_B ‖R̃_ab − R̃_ab B‖² + λ ‖B‖²  subject to diag(B) = 0
      = −(G̃ + λI)⁻¹ / diag((G̃ + λI)⁻¹) column-wise, diag 0, with G̃ = R̃_abᵀ R̃_ab   (EASE's solution)
    s_u = r_u D_I^{-b} B + α r_u D_I^{-1/2} Ū Ūᵀ D_I^{1/2}

With a = b = 1/2, G̃ is GF-CF's P̃ and B a rational filter of it; with a = b = 0 and α = 0 it is EASE. λ is set
relative to G̃'s scale, λ = ρ · trace(G̃) / n_items, so that one grid of ρ serves every (a, b). a, b, ρ, k and α
are chosen on validation.
"""

from __future__ import annotations

import numpy as np

from emotion_tf.baselines.ease import ease_weights
from emotion_tf.data.splits import UserItemSets
from emotion_tf.metrics.ranking import SELECTION_METRIC, evaluate_split


def _inverse_power(degree: np.ndarray, exponent: float) -> np.ndarray:
    """degree^{-exponent}, and 0 where the degree is 0 (D^{-1/2}'s convention for any exponent)."""
    return np.where(degree > 0, np.maximum(degree, 1e-12) ** -exponent, 0.0)


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
        user_scale = _inverse_power(ratings.sum(axis=1), 0.5)
        self.item_scale = _inverse_power(ratings.sum(axis=0), 0.5)  # D_I^{-1/2}
        normalized = ratings * user_scale[:, None] * self.item_scale[None, :]  # R̃
        self.linear = normalized.T @ normalized  # P̃ [n_items, n_items]
        # the right singular vectors, largest singular values first (the thin SVD: every k is a slice of it)
        self.vectors = np.linalg.svd(normalized, full_matrices=False)[2].T
        return self.with_filter(self.rank, self.alpha)

    def with_filter(self, rank: int, alpha: float) -> GraphFilterCF:
        """The fitted filter with another k and α (the SVD is computed once, in ``fit``)."""
        self.rank, self.alpha = int(rank), float(alpha)
        self.filter = (
            self.linear + self.alpha * self.ideal_low_pass(self.rank) if self.rank and self.alpha else self.linear
        )
        return self

    def ideal_low_pass(self, rank: int) -> np.ndarray:
        """D_I^{-1/2} Ū Ūᵀ D_I^{1/2} [n_items, n_items] with the top ``rank`` singular vectors of R̃."""
        if rank > self.vectors.shape[1]:
            raise ValueError(f"rank {rank} exceeds the {self.vectors.shape[1]} singular vectors of R̃")
        top = self.vectors[:, :rank]
        # D_I^{1/2} is 1 / D_I^{-1/2} where the degree is non-zero, else 0
        item_sqrt = np.where(self.item_scale > 0, 1.0 / np.maximum(self.item_scale, 1e-12), 0.0)
        return (self.item_scale[:, None] * top) @ (top.T * item_sqrt[None, :])

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


class GraphFilterEASE:
    """GF-EASE (module docstring): EASE's least-squares filter on R̃_ab = D_U^{-a} R D_I^{-b}, plus GF-CF's
    ideal low-pass term.

    Args:
      user_exponent, item_exponent: a and b of the normalization.
      l2_scale: ρ, with λ = ρ · trace(G̃) / n_items.
      rank, alpha: k and α of the low-pass term (rank 0 or alpha 0: the least-squares filter alone).

    ``fit(user_index, item_index, n_users, n_items)`` on the training pairs, then ``score(users)`` ->
    [len(users), n_items]; ``with_normalization`` and ``with_low_pass`` change the settings without another SVD.
    """

    def __init__(
        self,
        user_exponent: float = 0.25,
        item_exponent: float = 0.1,
        l2_scale: float = 10.0,
        rank: int = 64,
        alpha: float = 0.1,
    ):
        if min(user_exponent, item_exponent, rank, alpha) < 0 or l2_scale <= 0:
            raise ValueError(
                "exponents, rank and alpha must be non-negative and l2_scale positive, got "
                f"user_exponent={user_exponent}, item_exponent={item_exponent}, l2_scale={l2_scale}, "
                f"rank={rank}, alpha={alpha}"
            )
        self.settings = dict(
            user_exponent=user_exponent, item_exponent=item_exponent, l2_scale=l2_scale, rank=rank, alpha=alpha
        )

    def fit(self, user_index, item_index, n_users: int, n_items: int) -> GraphFilterEASE:
        self.low_pass = GraphFilterCF(rank=0, alpha=0.0).fit(user_index, item_index, n_users, n_items)
        self.ratings = self.low_pass.ratings
        settings = self.settings
        self.with_normalization(settings["user_exponent"], settings["item_exponent"], settings["l2_scale"])
        return self.with_low_pass(settings["rank"], settings["alpha"])

    def with_normalization(self, user_exponent: float, item_exponent: float, l2_scale: float) -> GraphFilterEASE:
        """Solve for B on R̃_ab (one n_items² inversion); keeps the current low-pass term."""
        user_degree, item_degree = self.ratings.sum(axis=1), self.ratings.sum(axis=0)
        item_scale = _inverse_power(item_degree, item_exponent)  # D_I^{-b}
        normalized = self.ratings * _inverse_power(user_degree, user_exponent)[:, None] * item_scale[None, :]
        gram = normalized.T @ normalized
        weights = ease_weights(gram, l2_scale * np.trace(gram) / len(gram))
        self.least_squares = item_scale[:, None] * weights  # D_I^{-b} B: the scores are r_u D_I^{-b} B
        self.settings.update(user_exponent=user_exponent, item_exponent=item_exponent, l2_scale=l2_scale)
        return self.with_low_pass(self.settings["rank"], self.settings["alpha"])

    def with_low_pass(self, rank: int, alpha: float) -> GraphFilterEASE:
        self.settings.update(rank=int(rank), alpha=float(alpha))
        use = rank and alpha
        self.filter = self.least_squares + alpha * self.low_pass.ideal_low_pass(rank) if use else self.least_squares
        return self

    def score(self, users: np.ndarray) -> np.ndarray:
        return self.ratings[np.asarray(users)] @ self.filter


GF_EASE_USER_EXPONENTS = (0.0, 0.25, 0.5)
GF_EASE_ITEM_EXPONENTS = (0.0, 0.1, 0.25)
GF_EASE_L2_SCALES = tuple(float(f"{value:.3g}") for value in np.geomspace(1.0, 100.0, 9))  # 1, 1.78, ..., 100
GF_EASE_RANKS = (32, 64, 128)
GF_EASE_ALPHAS = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)


def tune_graph_filter_ease(splits, report=lambda setting, value: None):
    """GF-EASE chosen on validation ``SELECTION_METRIC`` (train items masked) in two stages: (a, b, ρ) for the
    least-squares filter alone, then (k, α) of the low-pass term added to the best of them (keeping none if
    none is better).

    Returns (the model at the best setting, that setting as a dict, {setting tuple: validation value}).
    """
    model = GraphFilterEASE(rank=0, alpha=0.0).fit(
        splits.train["user_index"].to_numpy(), splits.train["item_index"].to_numpy(), splits.n_users, splits.n_items
    )
    by_setting = {}

    def validate(setting):
        by_setting[setting] = evaluate_split(model.score, splits, "validation")[SELECTION_METRIC]
        report(setting, by_setting[setting])

    for a in GF_EASE_USER_EXPONENTS:
        for b in GF_EASE_ITEM_EXPONENTS:
            for scale in GF_EASE_L2_SCALES:
                model.with_normalization(a, b, scale)
                validate((a, b, scale, 0, 0.0))
    a, b, scale, _, _ = max(by_setting, key=by_setting.get)
    model.with_normalization(a, b, scale)
    for rank in [k for k in GF_EASE_RANKS if k <= model.low_pass.vectors.shape[1]]:
        for alpha in GF_EASE_ALPHAS:
            model.with_low_pass(rank, alpha)
            validate((a, b, scale, rank, alpha))
    best = max(by_setting, key=by_setting.get)
    model.with_normalization(*best[:3]).with_low_pass(*best[3:])
    return model, dict(model.settings), by_setting
