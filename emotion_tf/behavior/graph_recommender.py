"""Users and items embedded, propagated over the user–item graph, scored by a dot product.

    H⁽⁰⁾ = E                       learned embedding of every node (users, then items)   [n_nodes, d]
    H⁽ᵏ⁺¹⁾ = layer_k(H⁽ᵏ⁾)           k = 0 .. K-1, on the training interactions only
    Z = mean_k H⁽ᵏ⁾                 layer combination (LightGCN's; used for every kind)
    score(u, i) = ⟨Z_u, Z_{n_users + i}⟩

Kinds:
  ``"gcn"``       layer = σ(D̂^{-1/2} Â D̂^{-1/2} H W + b), Kipf & Welling (the article's model, corrected)
  ``"article"``   layer = σ(A D H W + b), the article's formula as printed (for comparison)
  ``"lightgcn"``  layer = D^{-1/2} A D^{-1/2} H: no W, no σ, no self-loops (He et al., 2020)
  ``"mf"``        K = 0: plain matrix factorisation (with the BPR loss, the MF-BPR baseline)

The model only says how embeddings are computed; ``LinkPredictionTask`` owns the loss, ``EpochPairs`` the
training pairs of each epoch, and Keras ``fit`` the rest (``emotion_tf.behavior.graph_training``).
"""

from __future__ import annotations

import tensorflow as tf
import tensorflow_gnn as tfgnn

from emotion_tf.behavior.gcn import GraphConvolution
from emotion_tf.behavior.pairs import EpochPairs
from emotion_tf.behavior.task import LinkPredictionTask
from emotion_tf.graph.homogeneous import node_counts
from emotion_tf.graph.normalization import edge_coefficients, propagate

KINDS = ("gcn", "article", "lightgcn", "mf")


class GraphRecommender(tf.keras.Model):
    """Args:
    graph: the training ``user_item_graph`` (fixed; its propagation coefficients are computed once).
    kind: one of ``KINDS``.
    dim: embedding width d.
    num_layers: K (ignored for ``"mf"``).
    activation: σ of the ``"gcn"``/``"article"`` layers.
    seed: initialisation seed.
    init_stddev: standard deviation of the normal initial embeddings E (0.1; MF-BPR learns better from 0.01).
    task, pairs: what ``fit`` trains on (both needed for training, neither for scoring): the loss, and
      the epoch's pairs that the batches of positions fed to ``fit`` index.
    """

    def __init__(
        self,
        graph: tfgnn.GraphTensor,
        kind: str = "lightgcn",
        dim: int = 64,
        num_layers: int = 3,
        activation="tanh",
        seed: int = 0,
        init_stddev: float = 0.1,
        task: LinkPredictionTask | None = None,
        pairs: EpochPairs | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        self.graph = graph
        self.kind = kind
        self.task, self.pairs = task, pairs
        self.loss_tracker = tf.keras.metrics.Mean("loss")
        self.n_users, self.n_items = node_counts(graph)
        self.num_layers = 0 if kind == "mf" else num_layers
        self.node_embedding = self.add_weight(
            name="node_embedding",
            shape=[self.n_users + self.n_items, dim],
            initializer=tf.keras.initializers.RandomNormal(stddev=init_stddev, seed=seed),
        )
        if kind == "lightgcn":
            self.layers_ = []
            self.coefficients = edge_coefficients(graph, "symmetric", self_loops=False)
        else:
            normalization = "article" if kind == "article" else "symmetric"
            self.layers_ = [
                GraphConvolution(
                    dim,
                    activation=activation,
                    normalization=normalization,
                    self_loops=kind == "gcn",
                    name=f"gcn_{k}",
                    kernel_initializer=tf.keras.initializers.GlorotUniform(seed + k + 1),
                )
                for k in range(self.num_layers)
            ]
            self.coefficients = edge_coefficients(graph, normalization, self_loops=kind == "gcn")

    def node_states(self) -> tf.Tensor:
        """Z: the combined node representations [n_users + n_items, d], one full-graph propagation."""
        states = [self.node_embedding]
        h = self.node_embedding
        for k in range(self.num_layers):
            if self.kind == "lightgcn":
                h = propagate(self.graph, h, self.coefficients)
            else:
                h = self.layers_[k](self.graph, h, coefficients=self.coefficients)
            states.append(h)
        return tf.add_n(states) / float(len(states))

    def user_item_states(self) -> tuple[tf.Tensor, tf.Tensor]:
        """(users [n_users, d], items [n_items, d])."""
        z = self.node_states()
        return z[: self.n_users], z[self.n_users :]

    def call(self, users: tf.Tensor) -> tf.Tensor:
        """Scores of every item for ``users`` [b]: [b, n_items]."""
        user_states, item_states = self.user_item_states()
        return tf.matmul(tf.gather(user_states, users), item_states, transpose_b=True)

    @property
    def metrics(self):
        return [self.loss_tracker]  # reset by fit at every epoch

    def train_step(self, positions: tf.Tensor) -> dict:
        """One step of ``fit``: one full-graph propagation, the task's loss on the pairs at ``positions`` [b]."""
        if self.task is None or self.pairs is None:
            raise ValueError("training a GraphRecommender needs its task and pairs (see behavior.graph_training)")
        users, items, negatives = self.pairs.gather(positions)
        with tf.GradientTape() as tape:
            per_pair = self.task(self, users, items, negatives)
            # this replica's share of the global batch mean; the optimizer sums the replicas' gradients
            loss = tf.nn.compute_average_loss(per_pair)
        variables = self.trainable_variables
        self.optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        self.loss_tracker.update_state(per_pair)
        return {"loss": self.loss_tracker.result()}
