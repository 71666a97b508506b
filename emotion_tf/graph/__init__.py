"""Graphs: interaction tables as ``tfgnn.GraphTensor`` and the GCN's normalized adjacency.

from emotion_tf import graph
heterogeneous = graph.interaction_graph(splits.train, splits.n_users, splits.n_items)
user_item = graph.user_item_graph(heterogeneous)            # one node set, both edge directions
h_next = graph.propagate(user_item, h, graph.edge_coefficients(user_item))   # D̂^-1/2 Â D̂^-1/2 H
"""

from emotion_tf.graph.builder import EVENTS, ITEMS, PERFORMED, USERS, interaction_graph
from emotion_tf.graph.homogeneous import EDGES, NODES, WEIGHT, user_item_graph
from emotion_tf.graph.normalization import (
    NORMALIZATIONS,
    dense_adjacency,
    dense_propagation_matrix,
    edge_coefficients,
    propagate,
)
from emotion_tf.graph.schema import graph_schema, write_schema

__all__ = [
    "EDGES",
    "EVENTS",
    "ITEMS",
    "NODES",
    "NORMALIZATIONS",
    "PERFORMED",
    "USERS",
    "WEIGHT",
    "dense_adjacency",
    "dense_propagation_matrix",
    "edge_coefficients",
    "graph_schema",
    "interaction_graph",
    "propagate",
    "user_item_graph",
    "write_schema",
]
