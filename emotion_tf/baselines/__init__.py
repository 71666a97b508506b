"""Baselines that give every later model its bar, on the same splits and metrics.

* ``Popularity``: rank items by their number of training interactions.
* ``EASE``: Steck's closed-form item-item model (ranking).
* ``TfidfLogisticRegression``: TF-IDF features and a linear softmax/sigmoid
  layer, built from Keras parts (sentiment and emotion classification).
"""

from emotion_tf.baselines.ease import EASE, tune_ease
from emotion_tf.baselines.popularity import Popularity
from emotion_tf.baselines.tfidf import TfidfLogisticRegression

__all__ = ["EASE", "Popularity", "TfidfLogisticRegression", "tune_ease"]
