"""Training a graph recommender: full-graph propagation once per step, early stopping, resumable.

Each step propagates the whole training graph once (not once per sampled pair), gathers the batch's
user and item states and applies ``LinkPredictionTask``; sampling is vectorised with numpy, the step is a
``tf.function``. After every epoch the validation Recall@20 (train items masked) decides early stopping;
the best weights are kept. A checkpoint is written every epoch, so a killed run resumes where it stopped
and ends with the same result as an uninterrupted one (the shuffling of epoch e depends only on
(seed, e)).
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
from emotion_tf.behavior.task import LinkPredictionTask
from emotion_tf.data.splits import InteractionSplits
from emotion_tf.metrics import ranking
from emotion_tf.training.seeds import set_seed


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
        return self.seconds / max(len(self.history), 1)

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


def train_graph_recommender(
    splits: InteractionSplits,
    settings: GraphTrainingSettings,
    seed: int = 0,
    folder=None,
    log=print,
    monitor: str = "recall@20",
    context: pd.DataFrame | None = None,
) -> GraphTrainingResult:
    """Train on ``splits.train``, early-stop on validation ``monitor``; logs and checkpoints under ``folder``.

    ``context``: typed events that join the graph without being targets (see ``training_graph``).
    """
    set_seed(seed)
    started = time.time()
    graph = training_graph(splits, settings.event_weights, context)
    model = GraphRecommender(graph, settings.kind, settings.dim, settings.num_layers, settings.activation, seed)
    task = LinkPredictionTask(settings.loss, settings.l2, settings.temperature)
    optimizer = tf.keras.optimizers.Adam(settings.learning_rate)

    @tf.function(input_signature=[tf.TensorSpec([None], tf.int64)] * 3)
    def train_step(users, items, negatives):
        with tf.GradientTape() as tape:
            loss = task(model, users, items, negatives)
        variables = model.trainable_variables
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return loss

    state = {
        "epoch": tf.Variable(0, dtype=tf.int64),
        "best_value": tf.Variable(-1.0, dtype=tf.float64),
        "best_epoch": tf.Variable(0, dtype=tf.int64),
        "waited": tf.Variable(0, dtype=tf.int64),
    }
    checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer, **state)
    best = tf.train.Checkpoint(model=model)
    managers = None
    history: list[dict] = []
    if folder is not None:
        folder = Path(folder)
        managers = (
            tf.train.CheckpointManager(checkpoint, str(folder / "checkpoints"), max_to_keep=1),
            tf.train.CheckpointManager(best, str(folder / "best"), max_to_keep=1),
        )
        if managers[0].latest_checkpoint:
            checkpoint.restore(managers[0].latest_checkpoint)
            log(f"resumed {settings.kind} from epoch {int(state['epoch'].numpy())}")
        writer = tf.summary.create_file_writer(str(folder))
    best_weights = model.get_weights()
    if managers is not None and managers[1].latest_checkpoint:
        snapshot = model.get_weights()
        best.restore(managers[1].latest_checkpoint)
        best_weights = model.get_weights()
        model.set_weights(snapshot)

    users = splits.train["user_index"].to_numpy(np.int64)
    items = splits.train["item_index"].to_numpy(np.int64)
    while int(state["epoch"].numpy()) < settings.epochs and int(state["waited"].numpy()) < settings.patience:
        epoch = int(state["epoch"].numpy())
        epoch_started = time.time()
        rng = np.random.default_rng([seed, epoch])
        order = rng.permutation(len(users))
        negatives = rng.integers(0, splits.n_items, size=len(users), dtype=np.int64)
        losses = []
        for start in range(0, len(order), settings.batch_size):
            batch = order[start : start + settings.batch_size]
            losses.append(float(train_step(users[batch], items[batch], negatives[start : start + len(batch)])))
        train_seconds = time.time() - epoch_started
        scores = evaluate_graph_recommender(model, splits, "validation")
        value = scores[monitor]
        row = {
            "epoch": epoch + 1,
            "loss": float(np.mean(losses)),
            "seconds": train_seconds,
            "elapsed": time.time() - started,  # wall time so far, graph building and validation included
            **{f"validation/{k}": v for k, v in scores.items() if k != "users"},
        }
        history.append(row)
        if value > float(state["best_value"].numpy()):
            state["best_value"].assign(value)
            state["best_epoch"].assign(epoch + 1)
            state["waited"].assign(0)
            best_weights = model.get_weights()
            if managers is not None:
                managers[1].save(checkpoint_number=epoch + 1)
        else:
            state["waited"].assign_add(1)
        state["epoch"].assign(epoch + 1)
        if managers is not None:
            managers[0].save(checkpoint_number=epoch + 1)
            with writer.as_default():
                tf.summary.scalar("train/loss", row["loss"], step=epoch + 1)
                tf.summary.scalar("train/seconds_per_epoch", train_seconds, step=epoch + 1)
                for name in ("recall@20", "ndcg@20", "recall@10", "ndcg@10"):
                    tf.summary.scalar(f"validation_curve/{name}", scores[name], step=epoch + 1)
                if epoch % 5 == 0:
                    user_states, item_states = model.user_item_states()
                    tf.summary.histogram("embeddings/users", user_states, step=epoch + 1)
                    tf.summary.histogram("embeddings/items", item_states, step=epoch + 1)
            writer.flush()
        if epoch % 10 == 0 or int(state["waited"].numpy()) >= settings.patience:
            log(
                f"{settings.kind}/{settings.loss} epoch {epoch + 1}: loss {row['loss']:.4f}, "
                f"validation {monitor} {value:.4f} (best {float(state['best_value'].numpy()):.4f} "
                f"at {int(state['best_epoch'].numpy())}), {train_seconds:.2f}s"
            )
    model.set_weights(best_weights)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return GraphTrainingResult(model, history, int(state["best_epoch"].numpy()), time.time() - started, peak)
