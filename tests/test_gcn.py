"""The GCN layer (against TF-GNN's GCNConv and numpy by hand), the graph recommender and its training."""

import numpy as np
import pandas as pd
import pytest
import tensorflow as tf
from tensorflow_gnn.models.gcn import gcn_conv

from emotion_tf import data, graph
from emotion_tf.behavior import graph_training
from emotion_tf.behavior.gcn import GraphConvolution
from emotion_tf.behavior.graph_recommender import GraphRecommender
from emotion_tf.behavior.graph_training import (
    GraphTrainingSettings,
    evaluate_graph_recommender,
    train_graph_recommender,
    training_graph,
)
from emotion_tf.behavior.task import LinkPredictionTask
from emotion_tf.graph.article_example import EVENT_TYPES, N_ITEMS, N_USERS, article_example
from emotion_tf.training.callbacks import has_backup


def example_user_item_graph(weights=None):
    g = graph.interaction_graph(article_example(), N_USERS, N_ITEMS, event_types=EVENT_TYPES)
    return graph.user_item_graph(g, weights)


def test_article_example_by_hand_equals_the_layer():
    """H' = relu(D̂^-1/2 Â D̂^-1/2 H W + b) on 10 users, 5 items, 3 events, computed with numpy."""
    g = example_user_item_graph()
    rng = np.random.default_rng(0)
    h = rng.normal(size=(N_USERS + N_ITEMS, 3)).astype(np.float32)
    w = rng.normal(size=(3, 2)).astype(np.float32)
    b = np.array([0.1, -0.2], dtype=np.float32)
    layer = GraphConvolution(2, activation="relu")
    layer(g, tf.constant(h))
    layer.set_weights([w, b])
    a_hat = graph.dense_adjacency(g) + np.eye(N_USERS + N_ITEMS)
    d_inv_sqrt = np.diag(1 / np.sqrt(a_hat.sum(axis=1)))
    expected = np.maximum(d_inv_sqrt @ a_hat @ d_inv_sqrt @ h @ w + b, 0)
    np.testing.assert_allclose(layer(g, tf.constant(h)).numpy(), expected, rtol=1e-5, atol=1e-6)
    # the article's literal form computes A D H W + b instead, which is a different (and unbounded) thing
    literal = GraphConvolution(2, activation=None, normalization="article", self_loops=False)
    literal(g, tf.constant(h))
    literal.set_weights([w, b])
    a = graph.dense_adjacency(g)
    np.testing.assert_allclose(
        literal(g, tf.constant(h)).numpy(), a @ np.diag(a.sum(axis=1)) @ h @ w + b, rtol=1e-4, atol=1e-4
    )


def test_layer_equals_tfgnn_gcnconv_with_the_same_weights():
    g = example_user_item_graph({"view": 1.0, "cart": 2.0, "purchase": 4.0})
    h = tf.random.stateless_normal([N_USERS + N_ITEMS, 6], seed=[1, 2])
    ours = GraphConvolution(4, activation="tanh")
    theirs = gcn_conv.GCNConv(
        4, activation="tanh", add_self_loops=True, degree_normalization="in_out", edge_weight_feature_name=graph.WEIGHT
    )
    with_state = g.replace_features(node_sets={graph.NODES: {"hidden_state": h}})
    theirs(with_state, edge_set_name=graph.EDGES)
    ours(g, h)
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(
        ours(g, h).numpy(), theirs(with_state, edge_set_name=graph.EDGES).numpy(), rtol=1e-5, atol=1e-6
    )


def test_layer_reloads_from_its_registered_config_with_the_same_outputs():
    g = example_user_item_graph()
    h = tf.random.stateless_normal([N_USERS + N_ITEMS, 3], seed=[3, 4])
    layer = GraphConvolution(
        2,
        activation="tanh",
        use_bias=False,
        normalization="none",
        self_loops=False,
        kernel_initializer=tf.keras.initializers.Orthogonal(gain=0.5, seed=7),
        name="gcn_1",
    )
    layer(g, h)
    config = tf.keras.layers.serialize(layer)
    assert config["registered_name"] == "emotion_tf>GraphConvolution"
    again = tf.keras.layers.deserialize(config)
    again(g, h)
    assert again.get_config() == layer.get_config()
    assert again.get_config()["kernel_initializer"]["config"]["gain"] == 0.5
    again.set_weights(layer.get_weights())
    np.testing.assert_allclose(again(g, h).numpy(), layer(g, h).numpy())
    # the same initializer seed gives the same initial kernel: the initializer itself travelled with the config
    fresh = [GraphConvolution.from_config(layer.get_config()) for _ in range(2)]
    for copy in fresh:
        copy(g, h)
    np.testing.assert_allclose(fresh[0].get_weights()[0], fresh[1].get_weights()[0])


def test_bad_arguments_are_refused():
    g = example_user_item_graph()
    with pytest.raises(ValueError, match="normalization"):
        GraphConvolution(2, normalization="row")(g, tf.zeros([N_USERS + N_ITEMS, 2]))
    with pytest.raises(ValueError, match="kind"):
        GraphRecommender(g, kind="ngcf")
    with pytest.raises(ValueError, match="loss"):
        LinkPredictionTask("hinge")


def test_per_pair_losses_by_hand():
    g = example_user_item_graph()
    model = GraphRecommender(g, kind="mf", dim=3, seed=1)
    users, items, negatives = np.array([0, 3, 8]), np.array([1, 4, 0]), np.array([2, 2, 2])
    e = model.node_embedding.numpy()
    logits = e[users] @ e[N_USERS:].T / 0.5
    log_softmax = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    softmax = LinkPredictionTask("softmax", l2=0.0, temperature=0.5)
    got = softmax(model, tf.constant(users), tf.constant(items), tf.constant(items)).numpy()
    np.testing.assert_allclose(got, -log_softmax[np.arange(3), items], rtol=1e-5)
    bpr = LinkPredictionTask("bpr", l2=0.1)(model, tf.constant(users), tf.constant(items), tf.constant(negatives))
    diff = (e[users] * e[N_USERS + items]).sum(1) - (e[users] * e[N_USERS + negatives]).sum(1)
    squares = (e[users] ** 2).sum(1) + (e[N_USERS + items] ** 2).sum(1) + (e[N_USERS + negatives] ** 2).sum(1)
    np.testing.assert_allclose(bpr.numpy(), np.log1p(np.exp(-diff)) + 0.1 * squares, rtol=1e-5)


def test_lightgcn_states_are_the_layer_mean_of_normalized_propagations():
    g = example_user_item_graph()
    model = GraphRecommender(g, kind="lightgcn", dim=4, num_layers=2, seed=3)
    e = model.node_embedding.numpy()
    p = graph.dense_propagation_matrix(g, "symmetric", self_loops=False)
    np.testing.assert_allclose(model.node_states().numpy(), (e + p @ e + p @ p @ e) / 3, rtol=1e-5, atol=1e-6)


def planted_interactions(seed=0):
    """Two communities: users of group g interact only with items of group g (half of them, at random)."""
    rng = np.random.default_rng(seed)
    rows = []
    for user in range(60):
        group = user % 2
        items = np.arange(group * 20, group * 20 + 20)
        for item in rng.choice(items, size=10, replace=False):
            rows.append((user, int(item), int(rng.integers(1e6))))
    return pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"])


@pytest.mark.parametrize("kind", ["gcn", "lightgcn"])
def test_training_learns_the_planted_communities(kind):
    splits = data.split_interactions(planted_interactions(), seed=0)
    settings = GraphTrainingSettings(
        kind=kind, dim=16, num_layers=2, learning_rate=0.02, batch_size=128, epochs=15, patience=15
    )
    result = train_graph_recommender(splits, settings, seed=0, log=lambda message: None)
    losses = [row["loss"] for row in result.history]
    assert losses[-1] < losses[0]
    user_states, item_states = (s.numpy() for s in result.model.user_item_states())
    scores = user_states @ item_states.T
    same = np.array([[u % 2 == (i >= 20) * 1 for i in range(40)] for u in range(60)])
    assert scores[same].mean() > scores[~same].mean() + 0.5 * scores.std()
    # held-out items all lie in the user's community of 20, 10 of them unseen: chance recall@10 is small
    assert evaluate_graph_recommender(result.model, splits, "test", ks=(10,))["recall@10"] > 0.6


def test_training_graph_holds_train_edges_only():
    splits = data.split_interactions(planted_interactions(), seed=0)
    a = graph.dense_adjacency(training_graph(splits))
    for split, present in (("train", True), ("validation", False), ("test", False)):
        frame = splits[split]
        values = a[frame["user_index"].to_numpy(), splits.n_users + frame["item_index"].to_numpy()]
        assert (values > 0).all() if present else (values == 0).all()


class KillAfter(tf.keras.callbacks.Callback):
    """Stands for a kill: raises once ``epochs`` epochs have finished (after the backup of the last one)."""

    def __init__(self, epochs):
        super().__init__()
        self.epochs = epochs

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.epochs:
            raise KeyboardInterrupt("killed")


def test_killed_run_resumes_to_the_same_result(tmp_path, monkeypatch):
    splits = data.split_interactions(planted_interactions(), seed=0)
    settings = GraphTrainingSettings(
        kind="lightgcn", dim=8, num_layers=1, learning_rate=0.02, batch_size=64, epochs=5, patience=5
    )
    whole = train_graph_recommender(splits, settings, seed=0, folder=tmp_path / "whole", log=lambda m: None)

    real_fit_callbacks = graph_training.fit_callbacks
    monkeypatch.setattr(graph_training, "fit_callbacks", lambda *a, **k: [*real_fit_callbacks(*a, **k), KillAfter(3)])
    with pytest.raises(KeyboardInterrupt):
        train_graph_recommender(splits, settings, seed=0, folder=tmp_path / "killed", log=lambda m: None)
    monkeypatch.undo()
    assert has_backup(tmp_path / "killed")
    messages = []
    resumed = train_graph_recommender(splits, settings, seed=0, folder=tmp_path / "killed", log=messages.append)
    assert any("resuming" in m for m in messages)
    assert [row["epoch"] for row in resumed.history] == [4, 5]
    # epochs 4 and 5 saw the batches of the uninterrupted run: the same losses
    np.testing.assert_allclose(
        [row["loss"] for row in resumed.history], [row["loss"] for row in whole.history[3:]], rtol=1e-4
    )
    # the best epoch (found before the kill) and its weights survived it
    assert resumed.best_epoch == whole.best_epoch
    assert resumed.history[-1]["validation/recall@20"] == pytest.approx(whole.history[-1]["validation/recall@20"])
    np.testing.assert_allclose(
        resumed.model.node_embedding.numpy(), whole.model.node_embedding.numpy(), rtol=1e-4, atol=1e-5
    )
    assert has_backup(tmp_path / "whole") is False and has_backup(tmp_path / "killed") is False  # finished runs


def test_epoch_pairs_are_a_seeded_permutation_and_unseen_negatives_avoid_the_users_items():
    from emotion_tf.behavior.pairs import EpochPairs

    rng = np.random.default_rng(0)
    users = np.repeat(np.arange(30), 8)
    items = np.concatenate([rng.choice(12, 8, replace=False) for _ in range(30)])  # each user has 8 of 12 items
    positives = set(zip(users.tolist(), items.tolist()))
    for kind in ("uniform", "unseen"):
        pairs = EpochPairs(users, items, n_items=12, seed=3, negatives=kind)
        pairs.draw(5)
        first = [v.numpy().copy() for v in (pairs.epoch_users, pairs.epoch_items, pairs.epoch_negatives)]
        drawn = set(zip(first[0].tolist(), first[1].tolist()))
        assert drawn == positives and len(first[0]) == len(users)  # every pair once
        hits = sum((u, j) in positives for u, j in zip(first[0].tolist(), first[2].tolist()))
        # two thirds of the catalogue are each user's items: uniform negatives hit them often, unseen never
        assert (hits == 0) if kind == "unseen" else (hits > len(users) // 3)
        pairs.draw(6)
        assert not np.array_equal(pairs.epoch_users.numpy(), first[0])
        pairs.draw(5)  # epoch 5 again, as after a resume: the same draw
        assert all(
            np.array_equal(v.numpy(), f)
            for v, f in zip((pairs.epoch_users, pairs.epoch_items, pairs.epoch_negatives), first)
        )
    with pytest.raises(ValueError, match="unseen"):
        EpochPairs(np.zeros(12, int), np.arange(12), n_items=12, seed=0, negatives="unseen")
    with pytest.raises(ValueError, match="negatives must be one of"):
        EpochPairs(users, items, n_items=12, seed=0, negatives="popular")


def test_the_scale_benchmark_refuses_an_unknown_kind_before_making_its_world(tmp_path, monkeypatch, capsys):
    from conftest import load_script

    benchmark = load_script("benchmark_graph")
    monkeypatch.setattr(benchmark.synthetic, "generate", lambda **_: pytest.fail("the world was generated"))
    results = tmp_path / "graph.json"
    with pytest.raises(SystemExit) as exit_info:
        benchmark.main(["--kinds", "gcn,graphsage", "--results", str(results)])
    assert exit_info.value.code == 2
    assert "unknown graph recommender kinds graphsage" in capsys.readouterr().err
    assert not results.exists()


def test_the_pairs_pipeline_runs_without_tf_data_autotuning():
    # with autotuning, deleting its iterator at the end of an early-stopped fit stalled for up to a minute
    from emotion_tf.behavior.pairs import EpochPairs

    pairs = EpochPairs(np.arange(10), np.arange(10) % 4, 4, seed=0)
    dataset = pairs.positions(4)
    assert dataset.options().autotune.enabled is False
    assert dataset.options().experimental_distribute.auto_shard_policy == tf.data.experimental.AutoShardPolicy.DATA
    batches = [batch.numpy().tolist() for batch in dataset.take(4)]
    assert batches == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9], [0, 1, 2, 3]]


def test_median_epoch_seconds_leaves_out_set_up_and_teardown():
    # epochs ending 3, 5, 12 and 14 s into fit: epoch times 3, 2, 7, 2 -> median 2.5; the call took 60 s in all
    history = [{"epoch": k + 1, "elapsed": t} for k, t in enumerate([3.0, 5.0, 12.0, 14.0])]
    result = graph_training.GraphTrainingResult(model=None, history=history, best_epoch=2, seconds=60.0)
    assert result.median_epoch_seconds == pytest.approx(2.5)
    assert result.seconds_per_epoch == pytest.approx(15.0)
