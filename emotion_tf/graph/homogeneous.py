"""The user–item graph as one homogeneous node set, the form a GCN over collaborative data needs.

Node v < n_users is user v; node n_users + i is item i. Every interaction (of the chosen event types)
becomes two directed edges, user -> item and item -> user, so the adjacency A is symmetric::

        A = [[0,  R],        R: n_users x n_items, R[u, i] = summed weight of u's interactions with i
             [Rᵀ, 0]]

TF-GNN's ``GCNConv`` and ``emotion_tf.graph.propagate`` both run on this form.
"""

from __future__ import annotations

import tensorflow as tf
import tensorflow_gnn as tfgnn

from emotion_tf.graph.builder import EVENTS, ITEMS, USERS, event_types_of

NODES, EDGES, WEIGHT = "nodes", "edges", "weight"


def user_item_graph(graph: tfgnn.GraphTensor, event_weights: dict[str, float] | None = None) -> tfgnn.GraphTensor:
    """Collapse an ``interaction_graph`` to one node set with symmetric, weighted edges.

    Args:
      graph: from ``interaction_graph``.
      event_weights: weight of each event type's edges (default 1 for every type); a type left out, or
        weighted 0, is not an edge of the result. Repeated interactions add up in A.

    Returns:
      GraphTensor with node set ``"nodes"`` (n_users + n_items) and edge set ``"edges"`` with feature
      ``"weight"`` (float32), both directions of every interaction.
    """
    event_types = event_types_of(graph)
    weights = {event: 1.0 for event in event_types} if event_weights is None else dict(event_weights)
    unknown = sorted(set(weights) - set(event_types))
    if unknown:
        raise KeyError(f"event types {unknown} are not in the graph; it has {event_types}")
    n_users = int(graph.node_sets[USERS].total_size)
    n_items = int(graph.node_sets[ITEMS].total_size)
    sources, targets, edge_weights = [], [], []
    for event, weight in weights.items():
        if weight == 0:
            continue
        adjacency = graph.edge_sets[event].adjacency
        users = adjacency.source
        items = adjacency.target + n_users
        ones = tf.ones_like(users, dtype=tf.float32) * weight
        sources += [users, items]
        targets += [items, users]
        edge_weights += [ones, ones]
    if not sources or sum(int(tf.size(s)) for s in sources) == 0:
        raise ValueError(f"no edges: none of the event types weighted above 0 ({weights}) has an interaction")
    source, target, weight = (tf.concat(parts, 0) for parts in (sources, targets, edge_weights))
    return tfgnn.GraphTensor.from_pieces(
        node_sets={NODES: tfgnn.NodeSet.from_fields(sizes=[n_users + n_items], features={})},
        edge_sets={
            EDGES: tfgnn.EdgeSet.from_fields(
                sizes=tf.shape(source, out_type=tf.int64)[:1],
                features={WEIGHT: weight},
                adjacency=tfgnn.Adjacency.from_indices(source=(NODES, source), target=(NODES, target)),
            )
        },
        context=tfgnn.Context.from_fields(
            features={"n_users": tf.constant([n_users], tf.int64), "n_items": tf.constant([n_items], tf.int64)}
        ),
    )


def node_counts(graph: tfgnn.GraphTensor) -> tuple[int, int]:
    """(n_users, n_items) of a ``user_item_graph``."""
    return int(graph.context["n_users"][0]), int(graph.context["n_items"][0])


__all__ = ["EDGES", "EVENTS", "NODES", "WEIGHT", "node_counts", "user_item_graph"]
