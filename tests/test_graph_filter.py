"""GF-CF and GF-EASE against the normalized adjacency written out with numpy (and EASE, and a ridge regression
per item solved by least squares), their selection on validation, their learning."""

import numpy as np
import pytest
from test_gcn import planted_interactions

from emotion_tf import data, graph
from emotion_tf.baselines import EASE
from emotion_tf.behavior.graph_filter import GraphFilterCF, GraphFilterEASE, tune_graph_filter, tune_graph_filter_ease
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


def _training_matrix(splits):
    users, items = splits.train["user_index"].to_numpy(), splits.train["item_index"].to_numpy()
    ratings = np.zeros((splits.n_users, splits.n_items))
    ratings[users, items] = 1
    return users, items, ratings


def test_gf_ease_without_normalization_or_low_pass_is_ease():
    splits = data.split_interactions(planted_interactions(seed=4), seed=0)
    users, items, ratings = _training_matrix(splits)
    model = GraphFilterEASE(user_exponent=0, item_exponent=0, l2_scale=3.0, rank=0, alpha=0).fit(
        users, items, splits.n_users, splits.n_items
    )
    l2 = 3.0 * ratings.sum() / splits.n_items  # ρ · trace(RᵀR) / n_items
    ease = EASE(l2).fit(users, items, splits.n_users, splits.n_items)
    np.testing.assert_allclose(model.score(np.arange(splits.n_users)), ease.score(np.arange(splits.n_users)), atol=1e-9)


def test_gf_ease_solves_a_ridge_regression_per_item_on_the_normalized_graph():
    splits = data.split_interactions(planted_interactions(seed=4), seed=0)
    users, items, ratings = _training_matrix(splits)
    a, b, scale, rank, alpha = 0.5, 0.25, 2.0, 5, 0.3
    model = GraphFilterEASE(a, b, scale, rank, alpha).fit(users, items, splits.n_users, splits.n_items)

    # independent route: column j of B regresses R̃'s column j on its other columns with an L2 penalty, solved
    # as an augmented least-squares problem [R̃_{-j}; √λ I] β ≈ [R̃_j; 0] by numpy's lstsq
    user_degree, item_degree = ratings.sum(axis=1), ratings.sum(axis=0)
    item_scale = np.where(item_degree > 0, item_degree**-b, 0.0)
    normalized = ratings * np.where(user_degree > 0, user_degree**-a, 0.0)[:, None] * item_scale[None, :]
    l2 = scale * (normalized**2).sum() / splits.n_items
    n_items = splits.n_items
    weights = np.zeros((n_items, n_items))
    for j in range(n_items):
        others = np.delete(np.arange(n_items), j)
        design = np.vstack([normalized[:, others], np.sqrt(l2) * np.eye(n_items - 1)])
        target = np.concatenate([normalized[:, j], np.zeros(n_items - 1)])
        weights[others, j] = np.linalg.lstsq(design, target, rcond=None)[0]
    low_pass = GraphFilterCF(rank, alpha).fit(users, items, splits.n_users, n_items)
    low_pass_term = low_pass.score(np.arange(splits.n_users)) - low_pass.with_filter(0, 0.0).score(
        np.arange(splits.n_users)
    )
    expected = (ratings * item_scale[None, :]) @ weights + low_pass_term
    np.testing.assert_allclose(model.score(np.arange(splits.n_users)), expected, atol=1e-8)
    with pytest.raises(ValueError, match="exceeds"):
        model.with_low_pass(10_000, 0.3)
    with pytest.raises(ValueError, match="l2_scale positive"):
        GraphFilterEASE(l2_scale=0)
    with pytest.raises(ValueError, match="non-negative"):
        GraphFilterEASE(item_exponent=-0.5)


def test_gf_ease_tuning_picks_the_best_validation_setting_and_learns_the_communities(monkeypatch):
    from emotion_tf.data.splits import InteractionSplits

    splits = data.split_interactions(planted_interactions(), seed=0)
    seen, reads = [], []
    items_by_user = InteractionSplits.items_by_user
    monkeypatch.setattr(
        InteractionSplits, "items_by_user", lambda self, *names: reads.extend(names) or items_by_user(self, *names)
    )
    model, best, by_setting = tune_graph_filter_ease(splits, report=lambda setting, value: seen.append(setting))
    assert "test" not in reads and "validation" in reads  # the selection never looks at the test split
    assert tuple(best.values()) == max(by_setting, key=by_setting.get) and seen == list(by_setting)
    # stage two varies only the low-pass term, on the normalization chosen in stage one
    stage_one = {s: v for s, v in by_setting.items() if s[3] == 0}
    stage_two = [s for s in by_setting if s[3] != 0]
    assert stage_two and {s[:3] for s in stage_two} == {max(stage_one, key=stage_one.get)[:3]}
    assert by_setting[tuple(best.values())] == evaluate_split(model.score, splits, "validation")[SELECTION_METRIC]
    assert evaluate_split(model.score, splits, "test", ks=(10,))["recall@10"] > 0.6
