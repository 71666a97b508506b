"""Training a graph recommender with Keras ``fit``: full-graph propagation once per step, the shared callbacks.

Each step propagates the whole training graph once (not once per sampled pair), gathers the batch's
user and item states and applies ``LinkPredictionTask``. ``fit`` is fed batches of positions into the
epoch's shuffled pairs (``EpochPairs``, drawn from (seed, epoch)); after every epoch ``ValidationRanking``
adds the validation Recall/NDCG@10,20 (train items masked) to the logs, and the callbacks every model
uses do the rest: early stopping on validation NDCG@20 (``SELECTION_METRIC``) with the best weights kept,
TensorBoard curves, the per-epoch line,
and ``BackupAndRestore``, so a killed run resumes at its last finished epoch and ends with the result of
an uninterrupted one. The model is built, compiled and fitted in the run's ``tf.distribute`` scope, so it
trains under ``MirroredStrategy`` and ``MultiWorkerMirroredStrategy`` as the other models do: the batch
size in the settings is per replica, and each replica propagates the whole graph for its share.
"""

from __future__ import annotations

import dataclasses
import resource
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import tensorflow as tf

from emotion_tf import graph as graphs
from emotion_tf.behavior.graph_recommender import GraphRecommender
from emotion_tf.behavior.pairs import DrawEpochPairs, EpochPairs
from emotion_tf.behavior.task import LinkPredictionTask
from emotion_tf.data.splits import InteractionSplits
from emotion_tf.metrics import ranking
from emotion_tf.metrics.ranking import SELECTION_METRIC
from emotion_tf.training.callbacks import EpochTimes, ValidationRanking, fit_callbacks, has_backup
from emotion_tf.training.distribution import global_batch_size, training_scope
from emotion_tf.training.prebuild import build_for_fit
from emotion_tf.training.seeds import set_seed

VALIDATION_METRICS = ("recall@20", "ndcg@20", "recall@10", "ndcg@10")  # logged every epoch


@dataclass
class GraphTrainingSettings:
    kind: str = "lightgcn"
    loss: str = "softmax"
    dim: int = 64
    num_layers: int = 3
    activation: str = "tanh"
    learning_rate: float = 5e-3
    l2: float = 1e-4
    temperature: float = 0.2
    batch_size: int = 4096
    epochs: int = 200
    patience: int = 10
    init_stddev: float = 0.1  # of the initial node embeddings
    negatives: str = "uniform"  # BPR's negatives: "uniform" over all items or "unseen" by the user (EpochPairs)
    event_weights: dict | None = None  # typed events: weight of each event type's edges in the graph

    def hparams(self) -> dict:
        return {
            k: (v if isinstance(v, (bool, int, float, str)) else str(v)) for k, v in dataclasses.asdict(self).items()
        }


@dataclass
class GraphTrainingResult:
    model: GraphRecommender
    history: list[dict] = field(default_factory=list)  # per epoch: loss, validation metrics, seconds
    best_epoch: int = 0
    seconds: float = 0.0
    peak_memory_mb: float = 0.0

    @property
    def seconds_per_epoch(self) -> float:
        """All of this call's seconds (set-up and teardown included) over its epochs."""
        return self.seconds / max(len(self.history), 1)

    @property
    def median_epoch_seconds(self) -> float:
        """The median wall time from one epoch's end to the next (training and the validation ranking), the
        first epoch timed from the start of ``fit``: an epoch's cost without set-up and teardown."""
        elapsed = [row["elapsed"] for row in self.history]
        return float(np.median(np.diff([0.0, *elapsed]))) if elapsed else float("nan")

    @property
    def epochs_run(self) -> int:
        """Epochs trained in all, counting those before a resume."""
        return self.history[-1]["epoch"] if self.history else 0

    @property
    def seconds_to_best(self) -> float:
        """Wall time until the end of the best epoch: the time to the reported quality (this process only)."""
        rows = [row for row in self.history if row["epoch"] == self.best_epoch]
        return rows[0]["elapsed"] if rows else float("nan")


def training_graph(splits: InteractionSplits, event_weights=None, context: pd.DataFrame | None = None):
    """The user–item graph of the training split (validation and test edges never propagate).

    ``context``: further typed events on the same indices (e.g. views and carts when purchases are
    predicted) that join the graph but are not prediction targets.
    """
    table = splits.train if context is None else pd.concat([splits.train, context], ignore_index=True)
    heterogeneous = graphs.interaction_graph(table, splits.n_users, splits.n_items)
    return graphs.user_item_graph(heterogeneous, event_weights)


def scorer(model: GraphRecommender):
    """score_users for ``evaluate_ranking``: the states are computed once, then scored in numpy."""
    user_states, item_states = (s.numpy() for s in model.user_item_states())
    return lambda users: user_states[users] @ item_states.T


def evaluate_graph_recommender(model: GraphRecommender, splits: InteractionSplits, split: str, ks=(10, 20)) -> dict:
    """Full-ranking metrics of ``split`` ("validation" or "test"), seen items masked per docs/protocols.md."""
    return ranking.evaluate_split(scorer(model), splits, split, ks=ks)


class StateHistograms(tf.keras.callbacks.Callback):
    """Histograms of the propagated user and item states (``embeddings/users``, ``embeddings/items``) every
    ``every`` epochs, in ``folder``/embeddings."""

    def __init__(self, folder, every: int = 5):
        super().__init__()
        self.writer = tf.summary.create_file_writer(str(Path(folder) / "embeddings"))
        self.every = every

    def on_epoch_end(self, epoch, logs=None):
        if epoch % self.every == 0:
            user_states, item_states = self.model.user_item_states()
            with self.writer.as_default():
                tf.summary.histogram("embeddings/users", user_states, step=epoch + 1)
                tf.summary.histogram("embeddings/items", item_states, step=epoch + 1)
            self.writer.flush()


def train_graph_recommender(
    splits: InteractionSplits,
    settings: GraphTrainingSettings,
    seed: int = 0,
    folder=None,
    log=print,
    monitor: str = SELECTION_METRIC,
    context: pd.DataFrame | None = None,
) -> GraphTrainingResult:
    """Train on ``splits.train``, early-stop on validation ``monitor``; logs and the resume backup under ``folder``.

    ``context``: typed events that join the graph without being targets (see ``training_graph``).
    """
    set_seed(seed)
    started = time.time()
    graph = training_graph(splits, settings.event_weights, context)
    users = splits.train["user_index"].to_numpy(np.int64)
    items = splits.train["item_index"].to_numpy(np.int64)
    batch_size = global_batch_size(settings.batch_size)
    with training_scope():  # the run's tf.distribute strategy
        pairs = EpochPairs(users, items, splits.n_items, seed, settings.negatives)
        task = LinkPredictionTask(settings.loss, settings.l2, settings.temperature)
        model = GraphRecommender(
            graph,
            settings.kind,
            settings.dim,
            settings.num_layers,
            settings.activation,
            seed,
            init_stddev=settings.init_stddev,
            task=task,
            pairs=pairs,
        )
        model.compile(optimizer=tf.keras.optimizers.Adam(settings.learning_rate))
        model(tf.constant([0], tf.int64))  # built before fit, so BackupAndRestore can restore it
        build_for_fit(model)  # its optimizer's slots too, so fit traces its train step once
        times = EpochTimes()
        validation = ValidationRanking(
            lambda m: evaluate_graph_recommender(m, splits, "validation"), metrics=VALIDATION_METRICS
        )
        callbacks = fit_callbacks(
            f"val_{monitor}", "max", settings.patience, folder, first=[DrawEpochPairs(pairs), times, validation]
        )
        if folder is not None:
            callbacks.append(StateHistograms(folder))
            if has_backup(folder):
                log(f"{settings.kind}: resuming the unfinished run in {folder}")
        fitted = model.fit(
            pairs.positions(batch_size),
            steps_per_epoch=pairs.steps_per_epoch(batch_size),
            epochs=settings.epochs,
            callbacks=callbacks,
            verbose=0,
        )
    first_epoch = fitted.epoch[0] if fitted.epoch else 0  # after a resume, the first epoch this call ran
    history = [
        {
            "epoch": first_epoch + k + 1,
            "loss": fitted.history["loss"][k],
            "seconds": times.seconds[k],
            "elapsed": times.elapsed[k],  # wall time of this fit call so far (validation of earlier epochs included)
            **{f"validation/{name}": fitted.history[f"val_{name}"][k] for name in VALIDATION_METRICS},
        }
        for k in range(len(times.seconds))
    ]
    stopping = next(c for c in callbacks if isinstance(c, tf.keras.callbacks.EarlyStopping))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return GraphTrainingResult(model, history, stopping.best_epoch + 1, time.time() - started, peak)
