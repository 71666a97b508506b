"""The GCN's propagation matrix, as per-edge coefficients over a TF-GNN edge set (and densely, for checking).

Kipf & Welling's propagation with self-loops (``normalization="symmetric"``)::

    Â = A + I,   D̂ = diag(Σ_j Â_ij),   H' = D̂^{-1/2} Â D̂^{-1/2} H

so node v receives  Σ_{u→v} w_uv / sqrt(d̂_u d̂_v) · h_u  +  h_v / d̂_v.  Nothing dense is formed: the
coefficients live on the edges and one broadcast + one sum-pool over the edge set applies them, which costs
O(|E| d) and scales to a million interactions.

``"article"`` is the first article's literal  A D H  (its σ(W A D H + b) without normalisation): node v
receives  Σ_{u→v} w_uv d_u h_u, so high-degree nodes are amplified, not damped (see docs/errata.md).
``"none"`` is the plain sum  Â H.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf
import tensorflow_gnn as tfgnn

from emotion_tf.graph.homogeneous import EDGES, NODES, WEIGHT

NORMALIZATIONS = ("symmetric", "article", "none")


def _check_normalization(normalization: str) -> None:
    if normalization not in NORMALIZATIONS:
        raise ValueError(f"normalization must be one of {NORMALIZATIONS}, got {normalization!r}")


def edge_coefficients(
    graph: tfgnn.GraphTensor, normalization: str = "symmetric", self_loops: bool = True
) -> tuple[tf.Tensor, tf.Tensor]:
    """Coefficients of one propagation step on a ``user_item_graph``.

    Returns:
      (edge_coefficient [n_edges], self_coefficient [n_nodes]), float32: the entries of the propagation
      matrix on each edge (row = target, column = source) and on the diagonal.
    """
    _check_normalization(normalization)
    weight = tf.cast(graph.edge_sets[EDGES][WEIGHT], tf.float32)
    degree = tfgnn.pool_edges_to_node(graph, EDGES, tfgnn.TARGET, "sum", feature_value=weight)
    loop = 1.0 if self_loops else 0.0
    degree = degree + loop  # d̂ = row sums of Â = A + I (A is symmetric: in-degree = out-degree)
    adjacency = graph.edge_sets[EDGES].adjacency
    if normalization == "symmetric":
        inverse_sqrt = tf.where(degree > 0, tf.math.rsqrt(tf.maximum(degree, 1e-12)), 0.0)
        edge = weight * tf.gather(inverse_sqrt, adjacency.source) * tf.gather(inverse_sqrt, adjacency.target)
        diagonal = loop * inverse_sqrt**2
    elif normalization == "article":
        edge = weight * tf.gather(degree, adjacency.source)
        diagonal = loop * degree
    else:
        edge = weight
        diagonal = loop * tf.ones_like(degree)
    return edge, diagonal


def propagate(graph: tfgnn.GraphTensor, features: tf.Tensor, coefficients: tuple[tf.Tensor, tf.Tensor]) -> tf.Tensor:
    """One propagation step: [n_nodes, d] -> [n_nodes, d], (P H)_v = Σ_{u→v} c_uv h_u + c_vv h_v."""
    edge, diagonal = coefficients
    messages = tfgnn.broadcast_node_to_edges(graph, EDGES, tfgnn.SOURCE, feature_value=features)
    messages = messages * tf.cast(edge, features.dtype)[:, None]
    pooled = tfgnn.pool_edges_to_node(graph, EDGES, tfgnn.TARGET, "sum", feature_value=messages)
    return pooled + tf.cast(diagonal, features.dtype)[:, None] * features


# --- dense forms, for checking by hand on small graphs (tests, notebook) ------------------------


def dense_adjacency(graph: tfgnn.GraphTensor) -> np.ndarray:
    """A as a dense [n_nodes, n_nodes] numpy array (A[target, source] = summed edge weight)."""
    n = int(graph.node_sets[NODES].total_size)
    adjacency = graph.edge_sets[EDGES].adjacency
    dense = np.zeros((n, n), dtype=np.float64)
    np.add.at(
        dense,
        (adjacency.target.numpy(), adjacency.source.numpy()),
        graph.edge_sets[EDGES][WEIGHT].numpy().astype(np.float64),
    )
    return dense


def dense_propagation_matrix(
    graph: tfgnn.GraphTensor, normalization: str = "symmetric", self_loops: bool = True
) -> np.ndarray:
    """The propagation matrix written as the formulas say, with numpy matrices: D̂^{-1/2} Â D̂^{-1/2}, A D or Â."""
    _check_normalization(normalization)
    a_hat = dense_adjacency(graph) + (np.eye(int(graph.node_sets[NODES].total_size)) if self_loops else 0.0)
    degree = a_hat.sum(axis=1)
    if normalization == "symmetric":
        d_inv_sqrt = np.diag(np.where(degree > 0, 1.0 / np.sqrt(np.where(degree > 0, degree, 1.0)), 0.0))
        return d_inv_sqrt @ a_hat @ d_inv_sqrt
    if normalization == "article":
        return a_hat @ np.diag(degree)
    return a_hat
