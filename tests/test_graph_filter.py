"""GF-CF against the normalized adjacency written out with numpy, its selection on validation, its learning."""

import numpy as np
import pytest
from test_gcn import planted_interactions

from emotion_tf import data, graph
from emotion_tf.behavior.graph_filter import GraphFilterCF, tune_graph_filter
from emotion_tf.behavior.graph_training import training_graph
from emotion_tf.metrics.ranking import SELECTION_METRIC, evaluate_split


def test_scores_equal_the_normalized_adjacency_computed_densely():
    splits = data.split_interactions(planted_interactions(seed=4), seed=0)
    users, items = splits.train["user_index"].to_numpy(), splits.train["item_index"].to_numpy()
    n_users, n_items = splits.n_users, splits.n_items
    # independent reference: the user-item block of D^{-1/2} A D^{-1/2} of the TF-GNN training graph
    propagation = graph.dense_propagation_matrix(training_graph(splits), "symmetric", self_loops=False)
    normalized = propagation[:n_users, n_users:]
    linear = normalized.T @ normalized
    # the filter's singular vectors from an eigendecomposition of R̃ᵀR̃ (signs cancel in U Uᵀ)
    values, vectors = np.linalg.eigh(linear)
    top = vectors[:, np.argsort(values)[::-1][:5]]
    degree = np.bincount(items, minlength=n_items).astype(float)
    d_minus, d_plus = np.diag(np.where(degree > 0, degree**-0.5, 0)), np.diag(np.sqrt(degree))
    ratings = np.zeros((n_users, n_items))
    ratings[users, items] = 1
    expected = ratings @ (linear + 0.3 * d_minus @ top @ top.T @ d_plus)

    model = GraphFilterCF(rank=5, alpha=0.3).fit(users, items, n_users, n_items)
    np.testing.assert_allclose(model.score(np.arange(n_users)), expected, atol=1e-9)
    # the linear filter alone, and a change of (k, α) without refitting
    np.testing.assert_allclose(model.with_filter(0, 0.0).score(np.arange(3)), ratings[:3] @ linear, atol=1e-9)
    with pytest.raises(ValueError, match="exceeds"):
        model.with_filter(10_000, 0.3)
    with pytest.raises(ValueError, match="non-negative"):
        GraphFilterCF(rank=-1)


def test_tuning_picks_the_best_validation_setting_and_learns_the_communities():
    splits = data.split_interactions(planted_interactions(), seed=0)
    seen = []
    model, best, by_setting = tune_graph_filter(splits, report=lambda k, a, v: seen.append((k, a, v)))
    assert best == max(by_setting, key=by_setting.get) and len(seen) == len(by_setting) > 1
    assert (model.rank, model.alpha) == best
    assert by_setting[best] == evaluate_split(model.score, splits, "validation")[SELECTION_METRIC]
    # held-out items all lie in the user's community of 20, half of them unseen: chance Recall@10 is small
    assert evaluate_split(model.score, splits, "test", ks=(10,))["recall@10"] > 0.6
