"""The behaviour-prediction tasks (first article): GCN link prediction and next-item sequences.

* ``behavior-gcn``: on one per-user 80/10/10 split, the GCN (normalized, Kipf & Welling), the article's
  literal σ(W A D H + b), LightGCN and MF-BPR, beside Pop and EASE, full ranking per docs/protocols.md.
  quick: the simulated world; full: ml-100k (both with the GCN's item and user embeddings in the projector).
* ``behavior-graph-filters``: GF-CF and GF-EASE, closed-form filters on the normalized adjacency of the same
  split (no training; seconds a seed), and softmax CF whose logits take GF-EASE's scores (``recommend/blend.py``;
  the weight chosen on validation). quick: the simulated world; full: ml-100k.
* ``behavior-typed``: typed events (the article's 浏览/加购/购买): purchases are split 80/10/10 per user
  and predicted by the GCN from a graph that also carries every view, click, cart and favourite, against
  the same GCN on purchases alone and Pop. quick: the simulated world; full: a larger simulated world and
  the Tianchi sample (34 users: a smoke test, not a benchmark).
* ``behavior-sequence``: a GRU over each user's time-ordered items predicting the next one, beside Pop, on
  the temporal split (leave-last-out).
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from emotion_tf import data
from emotion_tf.baselines import Popularity, tune_ease
from emotion_tf.behavior.graph_filter import tune_graph_filter, tune_graph_filter_ease
from emotion_tf.behavior.graph_training import evaluate_graph_recommender, train_graph_recommender
from emotion_tf.behavior.sequence import evaluate_next_item, train_next_item
from emotion_tf.data.synthetic_reviews import QUICK_WORLD
from emotion_tf.metrics.ranking import SELECTED_ON, evaluate_splits
from emotion_tf.metrics.ranking import evaluate_split as evaluate_scores
from emotion_tf.recommend.blend import tune_blend
from emotion_tf.recommend.softmax_cf_training import history_rows, train_softmax_cf
from emotion_tf.recommend.softmax_cf_training import scorer as softmax_cf_scorer
from emotion_tf.tasks.presets import (
    FULL_GRAPH_MODELS,
    FULL_RECOMMEND,
    FULL_SEQUENCE,
    FULL_TYPED_WORLD,
    QUICK_GRAPH_MODELS,
    QUICK_RECOMMEND,
    QUICK_SEQUENCE,
    TYPED_EVENT_WEIGHTS,
)
from emotion_tf.training.records import split_records
from emotion_tf.training.registry import RunContext, register_task
from emotion_tf.training.results import ResultRecord
from emotion_tf.training.tensorboard import run_folder, write_projector


def _interactions(context: RunContext):
    """(key, interactions, metadata): metadata holds the item and user tables the projector labels points by."""
    if context.preset == "quick":
        if context.wants("synthetic"):
            world = data.load("synthetic", **QUICK_WORLD)
            metadata = {"items": world["items"][["item_id", "category_name", "price"]], "users": world["users"]}
            yield "synthetic", world["interactions"], metadata
        return
    if context.wants("ml-100k"):
        movielens = data.load("ml-100k", context.data_dir)
        metadata = {
            "items": movielens["items"][["item_id", "title", "genres"]],
            "users": movielens["users"][["user_id", "age", "gender", "occupation"]],
        }
        yield "ml-100k", movielens["interactions"], metadata


def _projector(folder, result, splits, metadata) -> None:
    """Item and user embeddings for TensorBoard's projector, each point labelled by its row of ``metadata``
    (ml-100k: title and genres, age, gender and occupation; the simulated world: category and price, language)."""
    user_states, item_states = (s.numpy() for s in result.model.user_item_states())
    items = metadata["items"].set_index("item_id").loc[splits.item_ids].reset_index()
    users = metadata["users"].set_index("user_id").loc[splits.user_ids].reset_index()
    write_projector(folder / "projector", {"items": (item_states, items), "users": (user_states, users)})


@register_task("behavior-gcn", "GCN (normalized vs the article's form), LightGCN, MF-BPR, Pop, EASE: link prediction")
def behavior_gcn(context: RunContext) -> list[ResultRecord]:
    models = QUICK_GRAPH_MODELS if context.preset == "quick" else FULL_GRAPH_MODELS
    records = []
    for key, interactions, metadata in _interactions(context):
        splits = data.split_interactions(interactions, seed=context.seed)
        n_train = len(splits.train)
        context.log(f"{key}: {splits.n_users:,} users, {splits.n_items:,} items, {n_train:,} training pairs")

        started = time.time()
        pop = Popularity().fit(
            splits.train["user_index"].to_numpy(), splits.train["item_index"].to_numpy(), splits.n_users, splits.n_items
        )
        records += split_records(
            "behavior-gcn",
            "pop",
            key,
            context.seed,
            evaluate_splits(pop, splits),
            run_folder(context.logdir, "behavior-gcn", key, "pop"),
            seconds=time.time() - started,
            examples=n_train,
            config={},
        )
        started = time.time()
        ease, l2, _ = tune_ease(splits)
        records += split_records(
            "behavior-gcn",
            "ease",
            key,
            context.seed,
            evaluate_splits(ease, splits),
            run_folder(context.logdir, "behavior-gcn", key, "ease"),
            seconds=time.time() - started,
            examples=n_train,
            config={"l2": l2, "selected_on": SELECTED_ON},
        )
        context.log(f"{key}: EASE (l2={l2:g}) test recall@20 {records[-1].metrics['recall@20']:.4f}")

        for name, settings in models.items():
            folder = run_folder(context.logdir, "behavior-gcn", key, name)
            result = train_graph_recommender(splits, settings, seed=context.seed, folder=folder, log=context.log)
            scores = {
                split: evaluate_graph_recommender(result.model, splits, split) for split in ("validation", "test")
            }
            config = {
                **settings.hparams(),
                "best_epoch": result.best_epoch,
                "epochs_run": result.epochs_run,
                "seconds_per_epoch": result.seconds_per_epoch,
                "median_epoch_seconds": result.median_epoch_seconds,
                "seconds_to_best_epoch": result.seconds_to_best,
                "peak_memory_mb": result.peak_memory_mb,
                "selected_on": SELECTED_ON,
            }
            records += split_records(
                "behavior-gcn",
                name,
                key,
                context.seed,
                scores,
                folder,
                seconds=result.seconds,
                examples=n_train * len(result.history),
                config=config,
                params=int(sum(np.prod(v.shape) for v in result.model.trainable_variables)),
                hparams=settings.hparams(),
            )
            context.log(
                f"{key}/{name}: test recall@20 {scores['test']['recall@20']:.4f}, "
                f"ndcg@20 {scores['test']['ndcg@20']:.4f}, {result.epochs_run} epochs, "
                f"{result.seconds_per_epoch:.2f}s/epoch (median epoch {result.median_epoch_seconds:.2f}s), "
                f"{result.seconds:.0f}s"
            )
            if name == "gcn":
                _projector(folder, result, splits, metadata)
    return records


@register_task(
    "behavior-graph-filters",
    "GF-CF and GF-EASE (closed-form filters on the normalized adjacency), and softmax CF fed GF-EASE's scores",
)
def behavior_graph_filters(context: RunContext) -> list[ResultRecord]:
    """The closed forms of ``behavior/graph_filter.py`` on behavior-gcn's split (same seed, same split): what
    the normalized user-item graph gives without training (GF-CF), and with a filter fitted by least squares
    (GF-EASE). Seconds each, so they run over many seeds where the trained graph models cannot. Then softmax CF
    (recommend task's settings) trained on the split, its logits blended with GF-EASE's scores."""
    records = []
    for key, interactions, _ in _interactions(context):
        splits = data.split_interactions(interactions, seed=context.seed)
        n_train = len(splits.train)
        context.log(f"{key}: {splits.n_users:,} users, {splits.n_items:,} items, {n_train:,} training pairs")

        started = time.time()
        graph_filter, (rank, alpha), _ = tune_graph_filter(splits)
        records += split_records(
            "behavior-graph-filters",
            "gf-cf",
            key,
            context.seed,
            evaluate_splits(graph_filter, splits),
            run_folder(context.logdir, "behavior-graph-filters", key, "gf-cf"),
            seconds=time.time() - started,
            examples=n_train,
            config={"rank": rank, "alpha": alpha, "selected_on": SELECTED_ON},
        )
        context.log(f"{key}: GF-CF (k={rank}, α={alpha:g}) test recall@20 {records[-1].metrics['recall@20']:.4f}")

        started = time.time()
        graph_filter, setting, by_setting = tune_graph_filter_ease(splits)
        records += split_records(
            "behavior-graph-filters",
            "gf-ease",
            key,
            context.seed,
            evaluate_splits(graph_filter, splits),
            run_folder(context.logdir, "behavior-graph-filters", key, "gf-ease"),
            seconds=time.time() - started,
            examples=n_train,
            config={**setting, "settings_tried": len(by_setting), "selected_on": SELECTED_ON},
        )
        context.log(
            f"{key}: GF-EASE (a={setting['user_exponent']:g}, b={setting['item_exponent']:g}, "
            f"ρ={setting['l2_scale']:g}, k={setting['rank']}, α={setting['alpha']:g}) "
            f"test recall@20 {records[-1].metrics['recall@20']:.4f}"
        )
        gf_ease_seconds = records[-1].train_seconds

        # the filter's scores feed softmax CF's logits (recommend/blend.py), the weight chosen on validation
        started = time.time()
        settings = (QUICK_RECOMMEND if context.preset == "quick" else FULL_RECOMMEND)["softmax_cf"]
        folder = run_folder(context.logdir, "behavior-graph-filters", key, "softmax-cf-gf-ease")
        trained = train_softmax_cf(splits, settings, seed=context.seed, folder=folder)
        logits = softmax_cf_scorer(trained.model, history_rows(splits, "train", kind=settings.targets))
        blend, weight, by_weight = tune_blend(logits, graph_filter.score, splits)
        epochs = len(trained.history["loss"])
        records += split_records(
            "behavior-graph-filters",
            "softmax-cf-gf-ease",
            key,
            context.seed,
            evaluate_splits(blend, splits),
            folder,
            seconds=gf_ease_seconds + time.time() - started,  # the filter is part of the model
            examples=n_train * epochs,
            config={
                "gf_ease_weight": weight,
                "validation_by_weight": {f"{w:g}": v for w, v in by_weight.items()},
                "gf_ease": setting,
                **settings.hparams(),
                "epochs_run": epochs,
                "selected_on": SELECTED_ON,
            },
            hparams={"gf_ease_weight": weight, **settings.hparams()},
        )
        context.log(
            f"{key}: softmax CF + GF-EASE (w={weight:g}; w=0 is softmax CF alone: validation "
            f"{by_weight[0.0]:.4f}, w=1 GF-EASE alone: {by_weight[1.0]:.4f}) "
            f"test recall@20 {records[-1].metrics['recall@20']:.4f}"
        )
    return records


@register_task("behavior-sequence", "GRU next-item model vs Pop on the temporal (leave-last-out) split")
def behavior_sequence(context: RunContext) -> list[ResultRecord]:
    settings = QUICK_SEQUENCE if context.preset == "quick" else FULL_SEQUENCE
    records = []
    for key, interactions, _ in _interactions(context):
        if "timestamp" not in interactions.columns:
            continue
        splits = data.temporal_split(interactions)
        n_train = len(splits.train)
        started = time.time()
        pop = Popularity().fit(
            splits.train["user_index"].to_numpy(), splits.train["item_index"].to_numpy(), splits.n_users, splits.n_items
        )
        pop_scores = {split: evaluate_scores(pop.score, splits, split) for split in ("validation", "test")}
        records += split_records(
            "behavior-sequence",
            "pop",
            key,
            context.seed,
            pop_scores,
            run_folder(context.logdir, "behavior-sequence", key, "pop"),
            seconds=time.time() - started,
            examples=n_train,
            config={"split": "temporal"},
        )
        folder = run_folder(context.logdir, "behavior-sequence", key, settings.cell)
        result = train_next_item(splits, settings, seed=context.seed, folder=folder)
        scores = {
            split: evaluate_next_item(result.model, splits, split, settings.max_length)
            for split in ("validation", "test")
        }
        epochs = len(result.history["loss"])
        records += split_records(
            "behavior-sequence",
            settings.cell,
            key,
            context.seed,
            scores,
            folder,
            seconds=result.seconds,
            examples=n_train * epochs,
            config={**dataclasses.asdict(settings), "split": "temporal", "epochs_run": epochs},
            params=int(result.model.count_params()),
        )
        context.log(
            f"{key}/{settings.cell}: test hit_rate@10 {scores['test']['hit_rate@10']:.4f} "
            f"(Pop {pop_scores['test']['hit_rate@10']:.4f}), {epochs} epochs, {result.seconds:.0f}s"
        )
    return records


def _typed_events(context: RunContext):
    """(dataset, every event, the target event type, event weights)."""
    if context.wants("synthetic"):
        world = QUICK_WORLD if context.preset == "quick" else FULL_TYPED_WORLD
        yield "synthetic", data.load("synthetic", **world)["events"], "purchase", TYPED_EVENT_WEIGHTS["simulated"]
    if context.preset == "full" and context.wants("tianchi-sample"):
        events = data.load("tianchi-sample", context.data_dir)["interactions"]
        yield "tianchi-sample", events, "buy", TYPED_EVENT_WEIGHTS["tianchi"]


@register_task("behavior-typed", "purchases predicted from views and carts: GCN on typed events vs purchases only")
def behavior_typed(context: RunContext) -> list[ResultRecord]:
    base = (QUICK_GRAPH_MODELS if context.preset == "quick" else FULL_GRAPH_MODELS)["gcn"]
    records = []
    for key, events, target, weights in _typed_events(context):
        purchases = events[events["event"] == target]
        splits = data.split_interactions(purchases, seed=context.seed, index_from=events)
        others = data.splits.index_like(events[events["event"] != target], splits)
        context.log(f"{key}: {len(splits.train):,} training {target} pairs, {len(others):,} other events in the graph")
        started = time.time()
        pop = Popularity().fit(
            splits.train["user_index"].to_numpy(), splits.train["item_index"].to_numpy(), splits.n_users, splits.n_items
        )
        records += split_records(
            "behavior-typed",
            "pop",
            key,
            context.seed,
            evaluate_splits(pop, splits),
            run_folder(context.logdir, "behavior-typed", key, "pop"),
            seconds=time.time() - started,
            examples=len(splits.train),
            config={"target": target},
        )
        for name, extra, event_weights in (
            ("gcn-purchases-only", None, {target: 1.0}),
            ("gcn-typed-events", others, weights),
        ):
            settings = dataclasses.replace(base, event_weights=event_weights)
            folder = run_folder(context.logdir, "behavior-typed", key, name)
            result = train_graph_recommender(
                splits, settings, seed=context.seed, folder=folder, log=context.log, context=extra
            )
            scores = {
                split: evaluate_graph_recommender(result.model, splits, split) for split in ("validation", "test")
            }
            records += split_records(
                "behavior-typed",
                name,
                key,
                context.seed,
                scores,
                folder,
                seconds=result.seconds,
                examples=len(splits.train) * len(result.history),
                config={
                    **settings.hparams(),
                    "target": target,
                    "epochs_run": result.epochs_run,
                    "selected_on": SELECTED_ON,
                },
            )
            context.log(f"{key}/{name}: test recall@20 {scores['test']['recall@20']:.4f}")
    return records
