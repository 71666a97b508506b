"""Learning-rate schedules."""

from __future__ import annotations

import tensorflow as tf


@tf.keras.utils.register_keras_serializable(package="emotion_tf")
class WarmupLinearDecay(tf.keras.optimizers.schedules.LearningRateSchedule):
    """Linear warm-up from 0 to ``peak`` over ``warmup_steps``, then linear decay to 0 at ``total_steps``.

        lr(s) = peak · s / warmup_steps                                   for s < warmup_steps
        lr(s) = peak · max(0, (total_steps - s) / (total_steps - warmup_steps))   afterwards

    The schedule Transformers are usually trained with (Devlin et al. 2019): warm-up keeps the first,
    large-gradient steps from wrecking the attention weights; decay lets training settle.
    """

    def __init__(self, peak: float, warmup_steps: int, total_steps: int):
        if not 0 <= warmup_steps < total_steps:
            raise ValueError(f"need 0 <= warmup_steps < total_steps, got {warmup_steps} and {total_steps}")
        self.peak, self.warmup_steps, self.total_steps = peak, warmup_steps, total_steps

    def __call__(self, step):
        step = tf.cast(step, tf.float32)
        warmup = self.peak * step / max(self.warmup_steps, 1)
        decay = self.peak * tf.maximum(0.0, (self.total_steps - step) / (self.total_steps - self.warmup_steps))
        return tf.where(step < self.warmup_steps, warmup, decay)

    def get_config(self):
        return {"peak": self.peak, "warmup_steps": self.warmup_steps, "total_steps": self.total_steps}
