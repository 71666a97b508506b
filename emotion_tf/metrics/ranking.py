"""Full-ranking top-K metrics, docs/protocols.md: every item is ranked, known items masked.

For a user with held-out set H and top-K list r_1..r_K (masked items never
appear in it):

* Recall@K    = |top-K ∩ H| / |H|
* Precision@K = |top-K ∩ H| / K
* HitRate@K   = 1 if |top-K ∩ H| > 0 else 0
* NDCG@K      = DCG / IDCG, DCG = Σ_k [r_k ∈ H] / log2(k + 1) (k = 1..K),
  IDCG = Σ_{k=1..min(K, |H|)} 1 / log2(k + 1)

Each is averaged over the users with at least one held-out item.  Scores are
computed for a batch of users at a time, so memory stays at
``batch_size x n_items`` floats whatever the number of users.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from emotion_tf.data.splits import UserItemSets

METRICS = ("recall", "ndcg", "precision", "hit_rate")


def ranking_metrics_from_top_k(top_k: np.ndarray, relevant: np.ndarray, n_relevant: np.ndarray) -> dict:
    """Per-user metrics from a ranked list.

    Args:
      top_k: int [n_users, K], item indices, best first.
      relevant: bool [n_users, n_items], the held-out items.
      n_relevant: int [n_users], |H| per user (> 0).

    Returns:
      dict metric -> float array [n_users], for K = top_k.shape[1].
    """
    k = top_k.shape[1]
    hits = np.take_along_axis(relevant, top_k, axis=1).astype(float)  # [n, K]
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = hits @ discounts
    ideal = np.cumsum(discounts)[np.minimum(n_relevant, k) - 1]
    n_hits = hits.sum(1)
    return {
        "recall": n_hits / n_relevant,
        "ndcg": dcg / ideal,
        "precision": n_hits / k,
        "hit_rate": (n_hits > 0).astype(float),
    }


def top_k_items(scores: np.ndarray, k: int) -> np.ndarray:
    """The k best items of each row, best first, equal scores in item order: [n, n_items] -> int [n, k].

    The same as ``np.argsort(-scores, axis=1, kind="stable")[:, :k]`` at O(n_items) per row instead of
    O(n_items log n_items). ``np.argpartition`` alone would leave ties at the k-th place to the platform's
    selection algorithm (SIMD sorts differ between CPUs), so a ranking with ties, popularity's for one, would
    score differently from machine to machine.
    """
    n, n_items = scores.shape
    rows = np.arange(n)[:, None]
    kth = -np.partition(-scores, k - 1, axis=1)[:, k - 1 : k]  # [n, 1], the k-th best score
    above = scores > kth
    tied = scores == kth
    # of the items tied with the k-th score, the lowest-numbered fill the places the higher scores leave
    room = k - above.sum(axis=1, keepdims=True)
    chosen = above | (tied & (np.cumsum(tied, axis=1, dtype=np.int32) <= room))
    top = np.nonzero(chosen)[1].reshape(n, k)  # item order within each row
    order = np.argsort(-scores[rows, top], axis=1, kind="stable")  # stable: equal scores stay in item order
    return top[rows, order]


def _batch_size(n_items: int, memory_budget_bytes: int) -> int:
    # bytes per (user, item) at the peak: the scores (float32, 4), the relevance mask (1), and top_k_items's
    # negated and partitioned copies (4 + 4), its three masks (3) and running tie count (int32, 4)
    return max(1, memory_budget_bytes // (n_items * 20))


def evaluate_ranking(
    score_users: Callable[[np.ndarray], np.ndarray],
    heldout: UserItemSets,
    exclude: UserItemSets | None,
    n_items: int,
    ks=(10, 20),
    memory_budget_bytes: int = 256 << 20,
) -> dict:
    """Mean ranking metrics over users with held-out items.

    Args:
      score_users: user indices [b] -> scores [b, n_items] (numpy or a tensor).
      heldout: the items to find (validation or test) per user.
      exclude: the items to mask per user (train at validation; train and
        validation at test); they are ranked below every other item.
      n_items: number of items ranked.
      ks: cut-offs.
      memory_budget_bytes: bounds the user batch size.

    Returns:
      ``{"recall@10": ..., "ndcg@10": ..., ..., "users": n_evaluated}``.
    """
    users = np.flatnonzero(heldout.counts() > 0)
    if len(users) == 0:
        raise ValueError("no user has a held-out item: nothing to evaluate")
    max_k = max(ks)
    if max_k > n_items:
        raise ValueError(f"K = {max_k} exceeds the number of items ({n_items})")
    totals = {f"{m}@{k}": 0.0 for k in ks for m in METRICS}
    batch = _batch_size(n_items, memory_budget_bytes)
    for start in range(0, len(users), batch):
        chunk = users[start : start + batch]
        scores = np.array(score_users(chunk), dtype=np.float32, copy=True)
        if scores.shape != (len(chunk), n_items):
            raise ValueError(f"score_users returned shape {scores.shape}, expected {(len(chunk), n_items)}")
        if np.isnan(scores).any():
            bad = chunk[np.isnan(scores).any(axis=1)]
            raise ValueError(f"score_users returned NaN scores for {len(bad)} users (first: user {bad[0]})")
        rows = np.arange(len(chunk))
        if exclude is not None:
            counts = exclude.counts()[chunk]
            scores[np.repeat(rows, counts), np.concatenate([exclude.of(u) for u in chunk])] = -np.inf
        relevant = np.zeros((len(chunk), n_items), dtype=bool)
        counts = heldout.counts()[chunk]
        relevant[np.repeat(rows, counts), np.concatenate([heldout.of(u) for u in chunk])] = True
        top = top_k_items(scores, max_k)
        for k in ks:
            for name, values in ranking_metrics_from_top_k(top[:, :k], relevant, counts).items():
                totals[f"{name}@{k}"] += float(values.sum())
    result = {name: total / len(users) for name, total in totals.items()}
    result["users"] = int(len(users))
    return result


# which splits are masked when a split is scored (docs/protocols.md): validation masks train; test masks both
MASKED_SPLITS = {"validation": ("train",), "test": ("train", "validation")}

# The one metric every ranking model is selected on (hyper-parameters, early stopping), on validation:
# NDCG@20, as RecBole and the LightGCN and Mult-VAE papers do (docs/protocols.md). Records say so in their
# config ("selected_on").
SELECTION_METRIC = "ndcg@20"
SELECTED_ON = f"validation {SELECTION_METRIC}"  # the records' config value


def evaluate_split(score_users: Callable[[np.ndarray], np.ndarray], splits, split: str, ks=(10, 20)) -> dict:
    """``evaluate_ranking`` on one split of an ``InteractionSplits``, with the protocol's masking."""
    if split not in MASKED_SPLITS:
        raise ValueError(f"split must be one of {tuple(MASKED_SPLITS)}, got {split!r}")
    return evaluate_ranking(
        score_users, splits.items_by_user(split), splits.items_by_user(*MASKED_SPLITS[split]), splits.n_items, ks=ks
    )


def evaluate_splits(model, splits, ks=(10, 20)) -> dict[str, dict]:
    """{"validation": ..., "test": ...} of ``evaluate_split`` for a model with a ``score(users)`` method."""
    return {split: evaluate_split(model.score, splits, split, ks=ks) for split in ("validation", "test")}
