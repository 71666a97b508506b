"""The GCN layer of Kipf & Welling, on a TF-GNN graph.

    H⁽ᵗ⁺¹⁾ = σ( D̂^{-1/2} Â D̂^{-1/2} H⁽ᵗ⁾ W + b ),   Â = A + I,  D̂ = diag(Σ_j Â_ij)

The first article writes σ(W A D H + b): no self-loops and no normalisation, so a node's new state grows
with its neighbours' degrees. ``normalization="article"`` computes that literal form for comparison;
docs/errata.md explains why it is wrong.
"""

from __future__ import annotations

import tensorflow as tf
import tensorflow_gnn as tfgnn

from emotion_tf.graph.normalization import edge_coefficients, propagate


@tf.keras.utils.register_keras_serializable(package="emotion_tf")
class GraphConvolution(tf.keras.layers.Layer):
    """One GCN update on a homogeneous graph (``emotion_tf.graph.user_item_graph``).

    Args:
      units: output width (W is [d_in, units]).
      activation: σ (Keras activation name or callable); ``None`` for linear.
      use_bias: add b.
      normalization: ``"symmetric"`` (D̂^{-1/2} Â D̂^{-1/2}, the default), ``"article"`` (A D) or ``"none"`` (Â).
      self_loops: use Â = A + I (Kipf & Welling) rather than A.
      kernel_initializer: W's initializer (Keras name, config or object).

    Call:
      ``layer(graph, features, coefficients=None)``: features [n_nodes, d_in] -> [n_nodes, units].
      ``coefficients`` from ``edge_coefficients`` may be passed in to compute the degrees once per graph
      rather than once per call.

    With ``normalization="symmetric", self_loops=True`` this equals TF-GNN's
    ``GCNConv(units, add_self_loops=True, degree_normalization="in_out")`` with the same weights (tested).
    """

    def __init__(
        self,
        units: int,
        activation="relu",
        use_bias: bool = True,
        normalization: str = "symmetric",
        self_loops: bool = True,
        kernel_initializer="glorot_uniform",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = units
        self.normalization = normalization
        self.self_loops = self_loops
        self.dense = tf.keras.layers.Dense(
            units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer, name="transform"
        )

    def coefficients(self, graph: tfgnn.GraphTensor):
        return edge_coefficients(graph, self.normalization, self.self_loops)

    def call(self, graph: tfgnn.GraphTensor, features: tf.Tensor, coefficients=None) -> tf.Tensor:
        if coefficients is None:
            coefficients = self.coefficients(graph)
        # (P H) W = P (H W): propagating first keeps the messages at d_in wide
        return self.dense(propagate(graph, features, coefficients))

    def get_config(self):
        config = super().get_config()
        dense = self.dense.get_config()
        config.update(
            units=self.units,
            activation=dense["activation"],
            use_bias=dense["use_bias"],
            kernel_initializer=dense["kernel_initializer"],
            normalization=self.normalization,
            self_loops=self.self_loops,
        )
        return config
