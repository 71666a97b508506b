"""Step 5: a contextual bandit that recommends, observes the reward and updates online (LinUCB).

LinUCB with a shared linear model (Li et al., 2010; the form with arm features): each candidate a in a
round has a feature vector x_a (the user's emotion state and behaviour crossed with the item, see
``environments``), and with

    A = λ I + Σ_s x_s x_sᵀ,    b = Σ_s r_s x_s,    θ = A⁻¹ b            (ridge regression of reward on x)

the policy picks argmax_a  x_aᵀ θ + α sqrt(x_aᵀ A⁻¹ x_a): the estimated reward plus an exploration bonus
that shrinks as similar contexts are seen.  A⁻¹ is kept directly and updated with the Sherman-Morrison
formula, A⁻¹ ← A⁻¹ - (A⁻¹ x)(A⁻¹ x)ᵀ / (1 + xᵀ A⁻¹ x), so a round costs O(d²) and no inverse is taken.

Two baselines share the interface: ``FixedLinearPolicy`` (the same ridge model fitted once on a logged
history and never updated: a model deployed without feedback) and ``RandomPolicy``.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf


class LinUCB(tf.Module):
    """Args:
    dim: feature length d.
    alpha: exploration weight α (0: greedy on the ridge estimate).
    regularization: λ.
    """

    def __init__(self, dim: int, alpha: float = 1.0, regularization: float = 1.0):
        super().__init__(name="linucb")
        if dim <= 0 or regularization <= 0:
            raise ValueError(f"need dim > 0 and regularization > 0, got {dim}, {regularization}")
        self.alpha = float(alpha)
        self.a_inverse = tf.Variable(tf.eye(dim, dtype=tf.float64) / regularization, name="a_inverse")
        self.b = tf.Variable(tf.zeros([dim], tf.float64), name="b")

    @property
    def theta(self) -> tf.Tensor:
        """[d] the ridge estimate A⁻¹ b."""
        return tf.linalg.matvec(self.a_inverse, self.b)

    @tf.function
    def upper_bounds(self, features: tf.Tensor) -> tf.Tensor:
        """features [n, d] -> [n] x θ + α sqrt(x A⁻¹ xᵀ)."""
        features = tf.cast(features, tf.float64)
        mean = tf.linalg.matvec(features, self.theta)
        spread = tf.reduce_sum(tf.matmul(features, self.a_inverse) * features, axis=1)
        return mean + self.alpha * tf.sqrt(tf.maximum(spread, 0.0))

    def choose(self, features) -> int:
        return int(tf.argmax(self.upper_bounds(tf.constant(features))).numpy())

    @tf.function
    def _update(self, x: tf.Tensor, reward: tf.Tensor) -> None:
        a_x = tf.linalg.matvec(self.a_inverse, x)
        self.a_inverse.assign_sub(tf.tensordot(a_x, a_x, axes=0) / (1.0 + tf.tensordot(x, a_x, axes=1)))
        self.b.assign_add(reward * x)

    def update(self, x, reward: float) -> None:
        """Add one observed (x, reward)."""
        self._update(tf.constant(np.asarray(x, dtype=np.float64)), tf.constant(float(reward), tf.float64))


class FixedLinearPolicy:
    """Greedy on a ridge model fitted once on logged (x, reward) pairs; ``update`` does nothing."""

    def __init__(self, logged_features, logged_rewards, regularization: float = 1.0):
        x = np.asarray(logged_features, dtype=np.float64)
        self.theta = np.linalg.solve(x.T @ x + regularization * np.eye(x.shape[1]), x.T @ np.asarray(logged_rewards))

    def choose(self, features) -> int:
        return int(np.argmax(np.asarray(features) @ self.theta))

    def update(self, x, reward: float) -> None:
        pass


class RandomPolicy:
    def __init__(self, seed: int = 0):
        self.rng = np.random.default_rng(seed)

    def choose(self, features) -> int:
        return int(self.rng.integers(len(features)))

    def update(self, x, reward: float) -> None:
        pass
