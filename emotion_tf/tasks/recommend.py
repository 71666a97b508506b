"""The personalized-recommendation task (first article): softmax CF and TFRS beside Pop and EASE.

``recommend``: on one per-user 80/10/10 split, softmax CF (the article's loss), TFRS retrieval (in-batch
softmax), Pop and EASE, full ranking per docs/protocols.md; the TFRS rating model against the bias baseline
(RMSE); the softmax CF model exported as a top-K SavedModel and timed against numpy brute force.
quick: the simulated world (no ratings: no rating models); full: ml-100k with user and item features.
"""

from __future__ import annotations

import time

import numpy as np

from emotion_tf import data
from emotion_tf.baselines import Popularity, tune_ease
from emotion_tf.baselines.bias import BiasBaseline
from emotion_tf.data.synthetic_reviews import QUICK_WORLD
from emotion_tf.metrics.ranking import SELECTED_ON, evaluate_split, evaluate_splits
from emotion_tf.metrics.regression import rmse
from emotion_tf.recommend.export import export, load, softmax_cf_recommender
from emotion_tf.recommend.latency import serving_speed
from emotion_tf.recommend.softmax_cf_training import TEST_INPUT, evaluate_softmax_cf, train_softmax_cf
from emotion_tf.recommend.tfrs_models import movielens_features
from emotion_tf.recommend.tfrs_training import (
    factorized_top_k,
    rating_rmse,
    retrieval_scorer,
    train_rating,
    train_retrieval,
)
from emotion_tf.tasks.presets import FULL_RECOMMEND, QUICK_RECOMMEND
from emotion_tf.training.records import split_records
from emotion_tf.training.registry import RunContext, register_task
from emotion_tf.training.results import ResultRecord
from emotion_tf.training.tensorboard import relative_logdir, run_folder, write_projector

TASK = "recommend"


def _datasets(context: RunContext):
    """(key, interactions, the ml-100k dataset for features or None, items table with a ``title`` column)."""
    if context.preset == "quick":
        if context.wants("synthetic"):
            world = data.load("synthetic", **QUICK_WORLD)
            items = world["items"][["item_id", "category_name"]].rename(columns={"category_name": "title"})
            yield "synthetic", world["interactions"], None, items
        return
    if context.wants("ml-100k"):
        movielens = data.load("ml-100k", context.data_dir)
        yield "ml-100k", movielens["interactions"], movielens, movielens["items"][["item_id", "title", "genres"]]


@register_task(TASK, "softmax CF (the article's loss), TFRS retrieval and rating, serving top-K vs numpy")
def recommend(context: RunContext) -> list[ResultRecord]:
    quick = context.preset == "quick"
    records = []
    for key, interactions, dataset, items in _datasets(context):
        splits = data.split_interactions(interactions, seed=context.seed)
        n_train = len(splits.train)
        folder = lambda model, key=key: run_folder(context.logdir, TASK, key, model)  # noqa: E731

        started = time.time()
        pop = Popularity().fit(
            splits.train["user_index"].to_numpy(), splits.train["item_index"].to_numpy(), splits.n_users, splits.n_items
        )
        records += split_records(
            TASK,
            "pop",
            key,
            context.seed,
            evaluate_splits(pop, splits),
            folder("pop"),
            seconds=time.time() - started,
            examples=n_train,
            config={},
        )
        started = time.time()
        ease, l2, _ = tune_ease(splits)
        records += split_records(
            TASK,
            "ease",
            key,
            context.seed,
            evaluate_splits(ease, splits),
            folder("ease"),
            seconds=time.time() - started,
            examples=n_train,
            config={"l2": l2, "selected_on": SELECTED_ON},
        )

        preset = QUICK_RECOMMEND if quick else FULL_RECOMMEND
        settings = preset["softmax_cf"]
        result = train_softmax_cf(splits, settings, seed=context.seed, folder=folder("softmax-cf"))
        scores = {
            split: evaluate_softmax_cf(result.model, splits, split, settings.targets)
            for split in ("validation", "test")
        }
        epochs = len(result.history["loss"])
        records += split_records(
            TASK,
            "softmax-cf",
            key,
            context.seed,
            scores,
            folder("softmax-cf"),
            seconds=result.seconds,
            examples=splits.n_users * epochs,
            config={
                **settings.hparams(),
                "epochs_run": epochs,
                "selected_on": SELECTED_ON,
                "test_input": TEST_INPUT,
            },
            params=int(result.model.count_params()),
        )
        context.log(
            f"{key}/softmax-cf: test recall@20 {scores['test']['recall@20']:.4f} "
            f"(EASE {records[-3].metrics['recall@20']:.4f}), {epochs} epochs, {result.seconds:.0f}s"
        )

        user_features, item_features = movielens_features(dataset, splits) if dataset is not None else ({}, {})
        model, history, seconds = train_retrieval(
            splits,
            user_features,
            item_features,
            seed=context.seed,
            epochs=preset["retrieval_epochs"],
            folder=folder("tfrs-retrieval"),
        )
        scorer = retrieval_scorer(model, splits.n_users, splits.n_items)
        scores = {split: evaluate_split(scorer, splits, split) for split in ("validation", "test")}
        scores["validation"].update(factorized_top_k(model, splits.validation))  # TFRS's own metric, unmasked
        epochs = len(history["loss"])
        records += split_records(
            TASK,
            "tfrs-retrieval",
            key,
            context.seed,
            scores,
            folder("tfrs-retrieval"),
            seconds=seconds,
            examples=n_train * epochs,
            config={
                "loss": "in-batch softmax, logQ-corrected",
                "features": bool(user_features),
                "epochs_run": epochs,
                "selected_on": SELECTED_ON,
            },
        )
        context.log(f"{key}/tfrs-retrieval: test recall@20 {scores['test']['recall@20']:.4f}")

        if "rating" in splits.train.columns:
            records += _rating_records(context, key, splits, user_features, item_features, folder)

        module = softmax_cf_recommender(result.model, splits)
        exported = export(module, folder("softmax-cf") / "export", items)
        served, _ = load(exported)
        speed = serving_speed(module, served, calls=50 if quick else 200)
        records += split_records(
            TASK,
            "softmax-cf-serving",
            key,
            context.seed,
            {"test": speed},
            folder("softmax-cf-serving"),
            seconds=0.0,
            examples=0,
            config={
                "index": "tfrs BruteForce in a SavedModel",
                "k": 10,
                "export": relative_logdir(str(exported), context.logdir),
            },
        )
        context.log(
            f"{key}: top-10 latency p50 {speed['latency_p50_ms']:.2f} ms (numpy "
            f"{speed['numpy_latency_p50_ms']:.2f} ms), batch of 1,000 users "
            f"{speed['batch_users_per_second']:,.0f}/s (numpy {speed['numpy_batch_users_per_second']:,.0f}/s)"
        )
        # the item embeddings (the output layer's rows), labelled by the items table, in the projector
        kernel, _ = result.model.output_layer.get_weights()
        write_projector(
            folder("softmax-cf") / "projector",
            {"items": (kernel.T, items.set_index("item_id").loc[splits.item_ids].reset_index())},
        )
    return records


def _rating_records(context, key, splits, user_features, item_features, folder):
    test, validation = splits.test, splits.validation
    started = time.time()
    bias = BiasBaseline().fit(
        splits.train["user_index"].to_numpy(),
        splits.train["item_index"].to_numpy(),
        splits.train["rating"].to_numpy(),
        splits.n_users,
        splits.n_items,
    )
    seconds = time.time() - started
    bias_scores = {
        name: {
            "rmse": rmse(
                frame["rating"].to_numpy(np.float64),
                np.clip(bias.predict(frame["user_index"].to_numpy(), frame["item_index"].to_numpy()), 1, 5),
            )
        }
        for name, frame in (("validation", validation), ("test", test))
    }
    records = split_records(
        TASK,
        "bias-baseline",
        key,
        context.seed,
        bias_scores,
        folder("bias-baseline"),
        seconds=seconds,
        examples=len(splits.train),
        config={},
    )
    model, history, seconds = train_rating(
        splits,
        user_features,
        item_features,
        seed=context.seed,
        epochs=5 if context.preset == "quick" else 50,
        folder=folder("tfrs-rating"),
    )
    scores = {name: {"rmse": rating_rmse(model, frame)} for name, frame in (("validation", validation), ("test", test))}
    records += split_records(
        TASK,
        "tfrs-rating",
        key,
        context.seed,
        scores,
        folder("tfrs-rating"),
        seconds=seconds,
        examples=len(splits.train) * len(history["loss"]),
        config={"epochs_run": len(history["loss"])},
    )
    context.log(
        f"{key}/tfrs-rating: test RMSE {scores['test']['rmse']:.4f} (bias baseline {bias_scores['test']['rmse']:.4f})"
    )
    return records
