"""Behaviour prediction (first article): a GCN over the user–item graph, and a next-item sequence model.

from emotion_tf.behavior import GraphTrainingSettings, train_graph_recommender, evaluate_graph_recommender
result = train_graph_recommender(splits, GraphTrainingSettings(kind="gcn"), seed=0, folder="runs/gcn")
evaluate_graph_recommender(result.model, splits, "test")          # Recall/NDCG/Precision/HitRate @10, @20
"""

from emotion_tf.behavior.gcn import GraphConvolution
from emotion_tf.behavior.graph_recommender import KINDS, GraphRecommender
from emotion_tf.behavior.graph_training import (
    GraphTrainingResult,
    GraphTrainingSettings,
    evaluate_graph_recommender,
    train_graph_recommender,
    training_graph,
)
from emotion_tf.behavior.task import LOSSES, LinkPredictionTask

__all__ = [
    "GraphConvolution",
    "GraphRecommender",
    "GraphTrainingResult",
    "GraphTrainingSettings",
    "KINDS",
    "LOSSES",
    "LinkPredictionTask",
    "evaluate_graph_recommender",
    "train_graph_recommender",
    "training_graph",
]
