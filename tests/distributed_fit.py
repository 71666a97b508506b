"""Fit softmax CF and a GCN recommender on a small simulated world under a tf.distribute strategy; print the
outcome as JSON.

    python tests/distributed_fit.py STRATEGY CPU_REPLICAS PER_REPLICA_BATCH [REFERENCE_BATCH]

Used by tests/test_distribution.py: run mirrored (or as each worker of a multi-worker cluster, with TF_CONFIG
set) and on one device with the same *global* batch, the fits must agree. With REFERENCE_BATCH, the same
process first fits on one device (the default strategy) with that batch: one TensorFlow start-up fewer.
"""

import json
import sys

import numpy as np
import tensorflow as tf

from emotion_tf import data
from emotion_tf.behavior.graph_training import (
    GraphTrainingSettings,
    evaluate_graph_recommender,
    train_graph_recommender,
)
from emotion_tf.metrics.classification import choose_threshold, multilabel_report
from emotion_tf.recommend.softmax_cf_training import SoftmaxCFSettings, evaluate_softmax_cf, train_softmax_cf
from emotion_tf.sentiment.macro_f1 import BestThresholdMacroF1
from emotion_tf.training.distribution import make_strategy, replicas, training_scope, use_strategy


def macro_f1_in_keras_and_numpy(batch_size: int) -> dict:
    """A multi-label head's best-threshold macro F1 summed over the replicas' batches by Keras, and the same
    from its predictions by numpy (``choose_threshold``)."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(301, 5)).astype(np.float32)
    y = (rng.random((301, 4)) < 0.3).astype(np.float32)
    with training_scope():
        model = tf.keras.Sequential(
            [tf.keras.layers.Dense(4, "sigmoid", kernel_initializer=tf.keras.initializers.GlorotUniform(0))]
        )
        model.compile(loss="binary_crossentropy", metrics=[BestThresholdMacroF1(4)])
        keras = model.evaluate(x, y, batch_size=batch_size, verbose=0, return_dict=True)["macro_f1"]
    probabilities = model.predict(x, verbose=0)
    threshold = choose_threshold(y, probabilities, metric="macro_f1")
    return {"keras": float(keras), "numpy": multilabel_report(y, probabilities >= threshold)["macro_f1"]}


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
        "macro_f1": macro_f1_in_keras_and_numpy(batch_size),
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
