"""Personalized recommendation (first article): softmax collaborative filtering, TFRS models, serving.

from emotion_tf.recommend import SoftmaxCFSettings, train_softmax_cf, evaluate_softmax_cf
result = train_softmax_cf(splits, SoftmaxCFSettings(), seed=0)
evaluate_softmax_cf(result.model, splits, "test")
"""

from emotion_tf.recommend.softmax_cf import SoftmaxCF, interaction_targets, multinomial_loss
from emotion_tf.recommend.softmax_cf_training import (
    SoftmaxCFResult,
    SoftmaxCFSettings,
    evaluate_softmax_cf,
    train_softmax_cf,
)

__all__ = [
    "SoftmaxCF",
    "SoftmaxCFResult",
    "SoftmaxCFSettings",
    "evaluate_softmax_cf",
    "interaction_targets",
    "multinomial_loss",
    "train_softmax_cf",
]
