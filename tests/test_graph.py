"""Interaction tables -> GraphTensor; the user–item graph; the normalized adjacency against numpy."""

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_gnn as tfgnn

from emotion_tf import data, graph
from emotion_tf.data import DataError
from emotion_tf.graph.article_example import EVENT_TYPES, N_ITEMS, N_USERS, article_example


def example_graph():
    return graph.interaction_graph(article_example(), N_USERS, N_ITEMS, event_types=EVENT_TYPES)


def test_heterogeneous_graph_has_an_edge_set_per_event_type():
    table = article_example()
    g = example_graph()
    assert set(g.node_sets) == {graph.USERS, graph.ITEMS, graph.EVENTS}
    assert int(g.node_sets[graph.USERS].total_size) == 10 and int(g.node_sets[graph.ITEMS].total_size) == 5
    assert [n.decode() for n in g.node_sets[graph.EVENTS]["name"].numpy()] == list(EVENT_TYPES)
    for event in EVENT_TYPES:
        rows = table[table["event"] == event]
        edges = g.edge_sets[event]
        assert int(edges.total_size) == len(rows)
        pairs = set(zip(edges.adjacency.source.numpy(), edges.adjacency.target.numpy()))
        assert pairs == set(zip(rows["user_index"], rows["item_index"]))
        assert sorted(edges["timestamp"].numpy()) == sorted(rows["timestamp"])
    # performed: (user, event type) with counts; user 0 viewed twice, carted once, bought once
    performed = g.edge_sets[graph.PERFORMED]
    counts = {
        (int(u), int(e)): float(c)
        for u, e, c in zip(
            performed.adjacency.source.numpy(), performed.adjacency.target.numpy(), performed["count"].numpy()
        )
    }
    assert counts[(0, 0)] == 2 and counts[(0, 1)] == 1 and counts[(0, 2)] == 1
    assert sum(counts.values()) == len(table)


def test_schema_round_trips(tmp_path):
    g = graph.interaction_graph(article_example().assign(rating=1.5), N_USERS, N_ITEMS, event_types=EVENT_TYPES)
    path = graph.write_schema(g, tmp_path / "graph_schema.pbtxt")
    spec = tfgnn.create_graph_spec_from_schema_pb(tfgnn.read_schema(str(path)))
    assert set(spec.edge_sets_spec) == set(EVENT_TYPES) | {graph.PERFORMED}
    assert spec.edge_sets_spec["view"].features_spec["rating"].dtype == tf.float32
    assert spec.edge_sets_spec["view"].features_spec["timestamp"].dtype == tf.int64


def test_bad_tables_get_clear_errors():
    table = article_example()
    with pytest.raises(DataError, match="item_index 5 is outside"):
        graph.interaction_graph(table.assign(item_index=table["item_index"] + 1), N_USERS, N_ITEMS)
    with pytest.raises(DataError, match="user_index"):
        graph.interaction_graph(table.drop(columns="user_index"), N_USERS, N_ITEMS)
    with pytest.raises(DataError, match="'purchase'"):
        graph.interaction_graph(table, N_USERS, N_ITEMS, event_types=["view", "cart"])
    with pytest.raises(KeyError, match="click"):
        graph.user_item_graph(example_graph(), {"click": 1.0})


def test_user_item_graph_is_symmetric_and_weighted():
    weights = {"view": 1.0, "cart": 2.0, "purchase": 3.0}
    a = graph.dense_adjacency(graph.user_item_graph(example_graph(), weights))
    assert np.allclose(a, a.T)
    # by hand: user 0 viewed, carted and bought item 1 -> 1 + 2 + 3; viewed item 0 -> 1
    assert a[0, N_USERS + 1] == 6.0 and a[0, N_USERS + 0] == 1.0 and a[0, N_USERS + 2] == 0.0
    assert a[:N_USERS, :N_USERS].sum() == 0 and a[N_USERS:, N_USERS:].sum() == 0  # bipartite
    views_only = graph.dense_adjacency(graph.user_item_graph(example_graph(), {"view": 1.0}))
    assert views_only.sum() == 2 * (article_example()["event"] == "view").sum()


@pytest.mark.parametrize("normalization", graph.NORMALIZATIONS)
@pytest.mark.parametrize("self_loops", [True, False])
def test_propagation_on_edges_equals_the_dense_formula(normalization, self_loops):
    g = graph.user_item_graph(example_graph(), {"view": 1.0, "cart": 2.0, "purchase": 3.0})
    h = np.random.default_rng(0).normal(size=(N_USERS + N_ITEMS, 4)).astype(np.float32)
    out = graph.propagate(g, tf.constant(h), graph.edge_coefficients(g, normalization, self_loops)).numpy()
    expected = graph.dense_propagation_matrix(g, normalization, self_loops) @ h
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


def test_symmetric_normalization_by_hand():
    """D̂^{-1/2} Â D̂^{-1/2} on the example, with the degrees counted by hand from the table."""
    table = article_example()
    g = graph.user_item_graph(example_graph())  # every event weighs 1
    n = N_USERS + N_ITEMS
    a_hat = np.eye(n)
    for user, item in zip(table["user_index"], table["item_index"]):
        a_hat[user, N_USERS + item] += 1
        a_hat[N_USERS + item, user] += 1
    degree = a_hat.sum(axis=1)
    assert degree[0] == 1 + 4 and degree[N_USERS + 0] == 1 + 6  # user 0: 4 events; item 0: 6 events
    expected = a_hat / np.sqrt(np.outer(degree, degree))
    np.testing.assert_allclose(graph.dense_propagation_matrix(g), expected, rtol=1e-12)
    # the symmetric matrix has eigenvalues in (-1, 1]: propagation cannot blow up, unlike A D
    assert np.linalg.eigvalsh(expected).max() == pytest.approx(1.0)
    assert np.abs(np.linalg.eigvals(graph.dense_propagation_matrix(g, "article", False))).max() > 10


def test_empty_input_is_refused():
    empty = article_example().iloc[:0]
    with pytest.raises(DataError, match="empty"):
        graph.interaction_graph(empty, N_USERS, N_ITEMS)
    purchases_only = graph.interaction_graph(article_example(), N_USERS, N_ITEMS, event_types=EVENT_TYPES)
    with pytest.raises(ValueError, match="no edges"):
        graph.user_item_graph(purchases_only, {"view": 0.0})


def _check_graph(splits, event_column=None):
    heterogeneous = graph.interaction_graph(splits.train, splits.n_users, splits.n_items)
    assert int(heterogeneous.node_sets[graph.USERS].total_size) == splits.n_users
    assert int(heterogeneous.node_sets[graph.ITEMS].total_size) == splits.n_items
    event_sets = [name for name in heterogeneous.edge_sets if name != graph.PERFORMED]
    assert sum(int(heterogeneous.edge_sets[e].total_size) for e in event_sets) == len(splits.train)
    if event_column:
        assert set(event_sets) == set(splits.train[event_column].astype(str))
    if "rating" in splits.train.columns:
        assert "rating" in heterogeneous.edge_sets[event_sets[0]].features
    user_item = graph.user_item_graph(heterogeneous)
    assert int(user_item.edge_sets[graph.EDGES].total_size) == 2 * len(splits.train)
    coefficients = graph.edge_coefficients(user_item)
    assert np.isfinite(coefficients[0].numpy()).all() and (coefficients[0].numpy() > 0).all()
    return heterogeneous


def test_builder_on_the_simulated_world():
    events = data.load("synthetic", n_users=80, n_items=60, sessions_per_user=4, seed=1)["events"]
    _check_graph(data.split_interactions(events, seed=0), "event")


@pytest.mark.parametrize(
    "key,event_column", [("ml-100k", None), ("amazon-musical-instruments", None), ("tianchi-sample", "event")]
)
def test_builder_on_each_real_dataset(shared_data, key, event_column):
    interactions = data.load(key, shared_data)["interactions"]
    _check_graph(data.split_interactions(interactions, seed=0), event_column)
