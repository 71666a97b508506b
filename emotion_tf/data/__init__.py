"""Data: loaders for every dataset of docs/protocols.md, the simulated world, and the splits.

from emotion_tf import data
ml = data.load("ml-100k", data_dir="DATA")
splits = data.split_interactions(ml["interactions"], seed=0)
"""

from emotion_tf.data.dataset import DataError, Dataset, DatasetInfo
from emotion_tf.data.loader import keys, load
from emotion_tf.data.splits import (
    InteractionSplits,
    TextSplits,
    split_interactions,
    split_text,
    temporal_split,
)

__all__ = [
    "DataError",
    "Dataset",
    "DatasetInfo",
    "InteractionSplits",
    "TextSplits",
    "keys",
    "load",
    "split_interactions",
    "split_text",
    "temporal_split",
]
