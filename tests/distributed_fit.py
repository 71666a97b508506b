"""Fit softmax CF and a GCN recommender on a small simulated world under a tf.distribute strategy; print the
outcome as JSON.

    python tests/distributed_fit.py STRATEGY CPU_REPLICAS PER_REPLICA_BATCH [REFERENCE_BATCH]

Used by tests/test_distribution.py: run mirrored (or as each worker of a multi-worker cluster, with TF_CONFIG
set) and on one device with the same *global* batch, the fits must agree. With REFERENCE_BATCH, the same
process first fits on one device (the default strategy) with that batch: one TensorFlow start-up fewer.
"""

import json
import sys

from emotion_tf import data
from emotion_tf.behavior.graph_training import (
    GraphTrainingSettings,
    evaluate_graph_recommender,
    train_graph_recommender,
)
from emotion_tf.recommend.softmax_cf_training import SoftmaxCFSettings, evaluate_softmax_cf, train_softmax_cf
from emotion_tf.training.distribution import make_strategy, replicas, use_strategy


def fit_every_model(splits, batch_size: int) -> dict:
    """Softmax CF, the normalized GCN (weights, biases, tanh) with the full-softmax loss, and MF with BPR and
    its negatives, under the strategy in use: their losses per epoch and validation Recall@20."""
    # no dropout: its random masks would differ between one device and several
    settings = SoftmaxCFSettings(dim=16, dropout=0.0, batch_size=batch_size, epochs=3, patience=10, learning_rate=5e-3)
    result = train_softmax_cf(splits, settings, seed=0)
    graphs = {
        kind: train_graph_recommender(
            splits,
            GraphTrainingSettings(
                kind=kind, loss=loss, dim=8, num_layers=2, batch_size=batch_size, epochs=2, patience=10
            ),
            seed=0,
            log=lambda message: None,
        )
        for kind, loss in (("gcn", "softmax"), ("mf", "bpr"))
    }
    return {
        "replicas": replicas(),
        "loss": [float(x) for x in result.history["loss"]],
        "validation_recall@20": evaluate_softmax_cf(result.model, splits, "validation")["recall@20"],
        **{f"{kind}_loss": [row["loss"] for row in graph.history] for kind, graph in graphs.items()},
        **{
            f"{kind}_validation_recall@20": evaluate_graph_recommender(g.model, splits, "validation")["recall@20"]
            for kind, g in graphs.items()
        },
    }


strategy_name, cpu_replicas, per_replica = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
reference_batch = int(sys.argv[4]) if len(sys.argv) > 4 else None
strategy = make_strategy(strategy_name, cpu_replicas)  # before any other TensorFlow work
world = data.load("synthetic", n_users=120, n_items=60, n_categories=4, sessions_per_user=6, seed=5)
splits = data.split_interactions(world["interactions"], seed=0)
outcome = {}
if reference_batch:
    use_strategy(make_strategy("default"))
    outcome["reference"] = fit_every_model(splits, reference_batch)
use_strategy(strategy)
outcome["run"] = fit_every_model(splits, per_replica)
print(json.dumps(outcome))
