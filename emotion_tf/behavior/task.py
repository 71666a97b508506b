"""Link prediction: the loss that teaches a recommender which user–item edges come next.

Given user states U [n_users, d] and item states V [n_items, d], and a batch of training pairs (u, i)::

    "softmax":  L = mean_(u,i) [ -log softmax_j(⟨U_u, V_j⟩ / τ)_i ]     over all n_items (full, not sampled)
    "bpr":      L = mean_(u,i,j) [ -log σ(⟨U_u, V_i⟩ - ⟨U_u, V_j⟩) ]     j drawn uniformly from all items

plus  λ · mean over the batch of ‖E_u‖² + ‖E_i‖² (+ ‖E_j‖²) on the layer-0 embeddings, as LightGCN does.
The task returns the per-pair terms ℓ_(u,i) + λ(‖E_u‖² + ‖E_i‖² (+ ‖E_j‖²)), whose mean is L; the model's
train step averages them over the global batch (``tf.nn.compute_average_loss``), so under a
``tf.distribute`` strategy each replica contributes its share and the summed gradients are those of L.
The full softmax over items is the multinomial likelihood of Mult-VAE / the first article's
recommendation loss; it costs one [b, n_items] matrix product per step, cheap at these catalogue sizes.
"""

from __future__ import annotations

import tensorflow as tf

LOSSES = ("softmax", "bpr")


class LinkPredictionTask:
    """Args:
    loss: ``"softmax"`` or ``"bpr"``.
    l2: λ.
    temperature: τ of the softmax loss.
    """

    def __init__(self, loss: str = "softmax", l2: float = 1e-4, temperature: float = 0.2):
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
        self.loss = loss
        self.l2 = l2
        self.temperature = temperature

    def __call__(self, model, users: tf.Tensor, items: tf.Tensor, negatives: tf.Tensor) -> tf.Tensor:
        """Per-pair losses [b] of a batch: users, items, negatives are int [b] (negatives unused by softmax)."""
        user_states, item_states = model.user_item_states()
        batch_users = tf.gather(user_states, users)
        base = model.node_embedding
        regularised = [tf.gather(base, users), tf.gather(base, model.n_users + items)]
        if self.loss == "softmax":
            logits = tf.matmul(batch_users, item_states, transpose_b=True) / self.temperature
            data_loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=items, logits=logits)
        else:
            positive = tf.reduce_sum(batch_users * tf.gather(item_states, items), axis=1)
            negative = tf.reduce_sum(batch_users * tf.gather(item_states, negatives), axis=1)
            data_loss = tf.nn.softplus(negative - positive)  # -log σ(x) = softplus(-x)
            regularised.append(tf.gather(base, model.n_users + negatives))
        penalty = tf.add_n([tf.reduce_sum(tf.square(e), axis=1) for e in regularised])
        return data_loss + self.l2 * penalty
