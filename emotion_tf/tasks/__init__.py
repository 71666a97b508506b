"""Every task of ``scripts/train_all.py``: importing this package registers them.

A new task family adds one module here and one import line below.
"""

from emotion_tf.tasks import (
    baselines,  # noqa: F401  (registers ranking-baselines, text-baselines)
    behavior,  # noqa: F401  (registers behavior-gcn, -typed, -sequence)
    emotion_rec,  # noqa: F401  (registers emotion-rec)
    recommend,  # noqa: F401  (registers recommend)
    sentiment,  # noqa: F401  (registers sentiment, sentiment-pretrained)
)
from emotion_tf.training.registry import TASKS

__all__ = ["TASKS"]
