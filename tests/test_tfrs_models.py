"""The TFRS retrieval and rating models, and the bias baseline, on planted data."""

import numpy as np
import pandas as pd
import pytest
from test_softmax_cf import planted_interactions

from emotion_tf import data
from emotion_tf.baselines.bias import BiasBaseline
from emotion_tf.metrics.ranking import evaluate_split
from emotion_tf.metrics.regression import rmse
from emotion_tf.recommend.tfrs_models import Tower
from emotion_tf.recommend.tfrs_training import (
    factorized_top_k,
    rating_rmse,
    retrieval_scorer,
    train_rating,
    train_retrieval,
)


def test_tower_uses_ids_and_features():
    tower = Tower(4, dim=8, categorical={"band": [0, 1, 1, 2]}, multi_hot={"genres": np.eye(4)[:, :3]})
    out = tower(np.array([0, 3]))
    assert out.shape == (2, 8)
    assert {"id", "band", "genres", "combine"} <= {w.name.split("/")[1] for w in tower.weights}


def test_retrieval_learns_the_planted_groups():
    splits = data.split_interactions(planted_interactions(), seed=0)
    model, history, _ = train_retrieval(splits, dim=16, learning_rate=0.02, batch_size=64, epochs=20, patience=20)
    assert history["loss"][-1] < history["loss"][0]
    scores = evaluate_split(retrieval_scorer(model, splits.n_users, splits.n_items), splits, "test", ks=(10,))
    assert scores["recall@10"] > 0.7  # chance over the 28 unseen items is ~0.36
    # TFRS's FactorizedTopK, recomputed by hand: is each test pair's item in its user's unmasked top 10?
    top = factorized_top_k(model, splits.test, ks=(10,))["factorized_top_10"]
    scores_all = retrieval_scorer(model, splits.n_users, splits.n_items)(np.arange(splits.n_users))
    users, items = splits.test["user_index"].to_numpy(), splits.test["item_index"].to_numpy()
    ranks = (scores_all[users] > scores_all[users, items][:, None]).sum(1)
    assert top == pytest.approx(float((ranks < 10).mean()), abs=1e-6)


def planted_ratings(seed=0):
    """r = 3 + user bias + item bias + noise: the bias baseline's own model."""
    rng = np.random.default_rng(seed)
    user_bias, item_bias = rng.normal(0, 0.7, 50), rng.normal(0, 0.7, 30)
    rows = [
        (u, i, 1, float(np.clip(np.rint(3 + user_bias[u] + item_bias[i] + rng.normal(0, 0.3)), 1, 5)))
        for u in range(50)
        for i in rng.choice(30, 15, replace=False)
    ]
    return pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp", "rating"])


def test_bias_baseline_by_hand_and_on_planted_ratings():
    # one user, two items: with λ = 0 and one sweep, b_i = r_i − μ exactly
    baseline = BiasBaseline(item_l2=0.0, user_l2=0.0, sweeps=1).fit(
        np.array([0, 0]), np.array([0, 1]), np.array([2.0, 4.0]), 1, 2
    )
    assert baseline.mean == 3.0
    np.testing.assert_allclose(baseline.item_bias, [-1.0, 1.0])
    np.testing.assert_allclose(baseline.predict(np.array([0, 0]), np.array([0, 1])), [2.0, 4.0])
    splits = data.split_interactions(planted_ratings(), seed=0)
    fitted = BiasBaseline().fit(
        splits.train["user_index"].to_numpy(),
        splits.train["item_index"].to_numpy(),
        splits.train["rating"].to_numpy(),
        splits.n_users,
        splits.n_items,
    )
    test = splits.test
    error = rmse(
        test["rating"].to_numpy(), fitted.predict(test["user_index"].to_numpy(), test["item_index"].to_numpy())
    )
    assert error < 0.7 * test["rating"].std()


def test_rating_model_beats_the_global_mean():
    splits = data.split_interactions(planted_ratings(), seed=0)
    model, history, _ = train_rating(splits, dim=8, learning_rate=0.01, batch_size=64, epochs=40, patience=40)
    assert history["loss"][-1] < history["loss"][0]
    test = splits.test
    assert rating_rmse(model, test) < 0.85 * rmse(
        test["rating"].to_numpy(), np.full(len(test), splits.train["rating"].mean())
    )
