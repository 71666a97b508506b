"""The training pairs one epoch of link prediction sees: every (user, item) pair once, shuffled, each with
one uniformly drawn negative item.

Epoch e's order and negatives come from numpy's generator seeded with (seed, e) alone, so a run resumed
at epoch e sees the batches an uninterrupted run would. ``DrawEpochPairs`` draws them at the start of each
epoch into variables; ``fit`` is fed only batch *positions*, and the model's train step gathers its
pairs from the variables. (A dataset of the pairs themselves could be prefetched from the previous draw.)
"""

from __future__ import annotations

import math

import numpy as np
import tensorflow as tf

from emotion_tf.training.distribution import shard_by_data

NEGATIVES = ("uniform", "unseen")


class EpochPairs:
    """Args:
    users, items: int [n] the training pairs.
    n_items: negatives are drawn uniformly from 0 .. n_items - 1.
    seed: with the epoch, seeds the draw.
    negatives: ``"uniform"`` over all items, or ``"unseen"``: redrawn until none is one of the user's training
      items (as RecBole samples BPR's negatives), so no step pushes a positive down as if it were a negative.

    Build it in the strategy's scope: its variables are then mirrored, and every replica gathers from
    the same draw.
    """

    def __init__(self, users, items, n_items: int, seed: int, negatives: str = "uniform"):
        self.users = np.asarray(users, np.int64)
        self.items = np.asarray(items, np.int64)
        if self.users.shape != self.items.shape or self.users.ndim != 1 or len(self.users) == 0:
            raise ValueError(
                f"users and items must be equal-length non-empty vectors, got {self.users.shape} and {self.items.shape}"
            )
        if negatives not in NEGATIVES:
            raise ValueError(f"negatives must be one of {NEGATIVES}, got {negatives!r}")
        self.n_items, self.seed, self.negatives = int(n_items), int(seed), negatives
        self.positives = np.unique(self.users * self.n_items + self.items)  # (u, i) as one sorted key
        if negatives == "unseen" and (np.bincount(self.positives // self.n_items) >= self.n_items).any():
            raise ValueError("negatives='unseen' needs every user to have an item they did not interact with")
        self.epoch_users = tf.Variable(self.users, trainable=False, name="epoch_users")
        self.epoch_items = tf.Variable(self.items, trainable=False, name="epoch_items")
        self.epoch_negatives = tf.Variable(np.zeros_like(self.users), trainable=False, name="epoch_negatives")

    def __len__(self) -> int:
        return len(self.users)

    def draw(self, epoch: int) -> None:
        """Epoch ``epoch``'s order (a permutation of the pairs) and one negative per position."""
        rng = np.random.default_rng([self.seed, int(epoch)])
        order = rng.permutation(len(self))
        users = self.users[order]
        self.epoch_users.assign(users)
        self.epoch_items.assign(self.items[order])
        negatives = rng.integers(0, self.n_items, size=len(self), dtype=np.int64)
        if self.negatives == "unseen":
            # vectorised rejection: redraw only the negatives that hit a training pair of their user
            hit = np.isin(users * self.n_items + negatives, self.positives)
            while hit.any():
                negatives[hit] = rng.integers(0, self.n_items, size=int(hit.sum()), dtype=np.int64)
                hit[hit] = np.isin(users[hit] * self.n_items + negatives[hit], self.positives)
        self.epoch_negatives.assign(negatives)

    def gather(self, positions: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
        """(users, items, negatives) int64 [b] at ``positions`` [b] of the current draw."""
        return tuple(tf.gather(v, positions) for v in (self.epoch_users, self.epoch_items, self.epoch_negatives))

    def steps_per_epoch(self, batch_size: int) -> int:
        return math.ceil(len(self) / batch_size)

    def positions(self, batch_size: int) -> tf.data.Dataset:
        """Batches 0..b-1, b..2b-1, ... of positions, the last one short, repeated every epoch (``fit`` takes
        ``steps_per_epoch`` of them per epoch)."""
        # No tf.data autotuning: this pipeline only counts, and with it on, deleting the iterator when an
        # early-stopped fit returned took 11 to 53 s in 5 of 13 fits on ml-100k (0 of 4 with it off), the
        # stalls always under a minute, as if the autotuner's thread slept out its period (docs/behavior.md).
        options = tf.data.Options()
        options.autotune.enabled = False
        return shard_by_data(tf.data.Dataset.range(len(self)).batch(batch_size).repeat().with_options(options))


class DrawEpochPairs(tf.keras.callbacks.Callback):
    """Draws epoch e's pairs when ``fit`` begins epoch e (after a resume too: Keras passes the real epoch)."""

    def __init__(self, pairs: EpochPairs):
        super().__init__()
        self.pairs = pairs

    def on_epoch_begin(self, epoch, logs=None):
        self.pairs.draw(epoch)
