"""Rating and intensity metrics: RMSE, MAE, Pearson and Spearman correlation."""

from __future__ import annotations

import numpy as np


def _pair(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true, float).ravel(), np.asarray(y_pred, float).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(f"shapes differ: {y_true.shape} vs {y_pred.shape}")
    if len(y_true) == 0:
        raise ValueError("cannot score an empty set of predictions")
    return y_true, y_pred


def rmse(y_true, y_pred) -> float:
    """sqrt(mean((y - y_hat)^2))."""
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.sqrt(np.mean((y_true - y_pred) ** 2)))


def mae(y_true, y_pred) -> float:
    """mean(|y - y_hat|)."""
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean(np.abs(y_true - y_pred)))


def pearson(x, y) -> float:
    """cov(x, y) / (sd(x) sd(y)); NaN when either is constant."""
    x, y = _pair(x, y)
    x, y = x - x.mean(), y - y.mean()
    denominator = np.sqrt((x * x).sum() * (y * y).sum())
    return float((x * y).sum() / denominator) if denominator > 0 else float("nan")


def average_ranks(x) -> np.ndarray:
    """Ranks 1..n, ties sharing the mean of the ranks they span."""
    x = np.asarray(x, float)
    order = np.argsort(x, kind="stable")
    sorted_x = x[order]
    starts = np.r_[True, sorted_x[1:] != sorted_x[:-1]]
    group = np.cumsum(starts) - 1
    first = np.flatnonzero(starts)
    last = np.r_[first[1:], len(x)] - 1
    ranks = np.empty(len(x))
    ranks[order] = (first[group] + last[group]) / 2 + 1
    return ranks


def spearman(x, y) -> float:
    """Pearson correlation of the average ranks."""
    x, y = _pair(x, y)
    return pearson(average_ranks(x), average_ranks(y))
