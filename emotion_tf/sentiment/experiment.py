"""One sentiment run: train a classifier on one corpus, score it, time it, log it, save it.

``train_and_evaluate`` is the one training path of every sentiment model: ``scripts/train_sentiment.py``
and ``scripts/benchmark_bert.py`` call it for one (dataset, model), the ``sentiment`` and
``sentiment-pretrained`` tasks of ``train_all.py`` for every pair of their preset.  For each run it

* trains with early stopping on validation loss (best weights restored) and
  ``BackupAndRestore``, so a killed run resumes from its last epoch;
* logs to TensorBoard: per-epoch loss/accuracy, weight histograms, the
  hyper-parameters (HParams view), the final metrics and the confusion matrix
  as an image (also saved as PNG);
* scores validation and test per docs/protocols.md (multi-label: threshold chosen
  on validation), and measures training examples per second and single-text
  inference latency (p50/p95 after warm-up);
* returns results records, and saves the string-in model when asked.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import tensorflow as tf

from emotion_tf import data
from emotion_tf.metrics import classification_report, thresholded_multilabel_reports
from emotion_tf.metrics.speed import call_latency
from emotion_tf.sentiment.checklist import run_checks
from emotion_tf.sentiment.classifier import SentimentClassifier
from emotion_tf.sentiment.corpus import Corpus, corpus_targets
from emotion_tf.sentiment.finetune import ARCHITECTURE as ARCHITECTURE_BERT
from emotion_tf.sentiment.finetune import PretrainedClassifier
from emotion_tf.sentiment.plots import confusion_matrix_figure
from emotion_tf.sentiment.pretraining import pretrain_encoder
from emotion_tf.sentiment.tfidf_classifier import ARCHITECTURE as ARCHITECTURE_TFIDF
from emotion_tf.sentiment.tfidf_classifier import TfidfClassifier
from emotion_tf.training.callbacks import EpochProgress, monitor_mode
from emotion_tf.training.results import ResultRecord
from emotion_tf.training.tensorboard import keras_callback, trial_name, write_figure, write_hparams, write_metrics


def score_classifier(classifier, corpus: Corpus) -> tuple[dict, dict, dict]:
    """(metrics per split, full reports per split, extra config such as the threshold)."""
    probabilities = {s: classifier.predict_proba(corpus.splits[s]["text"]) for s in ("validation", "test")}
    truth = {s: corpus_targets(corpus, s) for s in ("validation", "test")}
    extra = {}
    if corpus.head.multi_label:
        reports, extra = thresholded_multilabel_reports(truth, probabilities, corpus.head.labels)
    else:
        reports = {
            s: classification_report(truth[s], probabilities[s].argmax(1), labels=corpus.head.labels)
            for s in probabilities
        }
    metrics = {
        s: {
            k: v
            for k, v in r.items()
            if isinstance(v, float) and not (k.startswith("micro_") and not corpus.head.multi_label)
        }
        for s, r in reports.items()
    }
    for s in probabilities:
        intensity = corpus.head.intensity(probabilities[s])
        metrics[s]["mean_abs_intensity"] = float(np.abs(intensity).mean())
    return metrics, reports, extra


def single_text_latency(classifier, texts, repeats: int = 50) -> dict:
    """p50/p95 milliseconds to classify one raw text, after a warm-up call."""
    return call_latency(lambda text: classifier.serve(tf.constant([text])).numpy(), list(texts)[:repeats])


@dataclass
class RunSettings:
    """One training run's choices (everything that goes into the HParams view)."""

    architecture: str
    epochs: int = 15
    learning_rate: float = 1e-3
    batch_size: int = 64
    patience: int = 3
    max_tokens: int = 20_000
    warmup_epochs: float = 0.0  # > 0: warm-up then linear decay of the learning rate
    monitor: str = "val_loss"  # what early stopping watches
    dropout: float = 0.1  # before the output layer (and inside the Transformer)
    encoder: dict = field(default_factory=dict)  # dim, num_heads, ff_dim, num_layers (transformer)
    checkpoint: str | None = None  # bert: the pretrained checkpoint's folder (resolve_checkpoint)
    pooling: str = "cls"  # bert: cls, mean or max
    warmup_ratio: float = 0.1  # bert: the share of steps that warm the learning rate up
    truncation: str = "head"  # bert: head or head+tail
    layer_decay: float = 1.0  # bert: < 1 gives lower layers smaller steps (emotion_tf.sentiment.layer_decay)


def make_classifier(corpus: Corpus, settings: RunSettings, seed: int = 0, pretrained=None):
    """The classifier ``settings`` describe: a ``SentimentClassifier``, or a ``PretrainedClassifier`` for bert."""
    if settings.architecture == ARCHITECTURE_TFIDF:
        # n-grams up to 2 for Chinese characters, words alone for English (the text-baselines task's grids)
        return TfidfClassifier(
            corpus.head,
            corpus.language,
            ngrams=2 if corpus.language == "zh" else 1,
            max_tokens=settings.max_tokens,
            learning_rate=settings.learning_rate,
            batch_size=settings.batch_size,
            max_epochs=settings.epochs,
            patience=settings.patience,
            seed=seed,
        )
    if settings.architecture == ARCHITECTURE_BERT:
        if settings.checkpoint is None:
            raise ValueError("a bert run needs settings.checkpoint, a pretrained checkpoint folder")
        return PretrainedClassifier(
            settings.checkpoint,
            corpus.head,
            max_length=corpus.sequence_length,
            truncation=settings.truncation,
            pooling=settings.pooling,
            learning_rate=settings.learning_rate,
            warmup_ratio=settings.warmup_ratio,
            layer_decay=settings.layer_decay,
            batch_size=settings.batch_size,
            max_epochs=settings.epochs,
            patience=settings.patience,
            monitor=settings.monitor,
            seed=seed,
            dropout=settings.dropout,
        )
    return SentimentClassifier(
        settings.architecture,
        corpus.head,
        corpus.language,
        max_tokens=settings.max_tokens,
        sequence_length=corpus.sequence_length,
        learning_rate=settings.learning_rate,
        batch_size=settings.batch_size,
        max_epochs=settings.epochs,
        patience=settings.patience,
        seed=seed,
        dropout=settings.dropout,
        warmup_epochs=settings.warmup_epochs,
        monitor=settings.monitor,
        pretrained=pretrained,
        **({} if pretrained else settings.encoder),
    )


def train_and_evaluate(
    corpus: Corpus,
    settings: RunSettings,
    logdir,
    seed: int = 0,
    output=None,
    task: str = "sentiment",
    log=print,
    pretrained=None,
    model_name: str | None = None,
) -> tuple[SentimentClassifier, list[ResultRecord]]:
    """Train one classifier on one corpus and return it with its validation and test records.

    ``pretrained``: ``(encoder, vectorizer)`` to fine-tune (see ``pretrained_encoder``);
    ``model_name``: the records' model name (default: the architecture).
    """
    folder = Path(logdir)
    model_name = model_name or settings.architecture
    classifier = make_classifier(corpus, settings, seed, pretrained)
    callbacks = [
        keras_callback(folder, histogram_freq=1),
        tf.keras.callbacks.BackupAndRestore(backup_dir=str(folder / "backup")),
        EpochProgress(f"{corpus.key}/{model_name}", settings.monitor, monitor_mode(settings.monitor)),
    ]
    train = corpus.splits.train
    log(
        f"{corpus.key}/{model_name}: {len(train):,} training texts, head {corpus.head.kind}, "
        f"sequence length {corpus.sequence_length}"
    )
    started = time.time()
    history = classifier.fit(
        train["text"],
        corpus_targets(corpus, "train"),
        corpus.splits.validation["text"],
        corpus_targets(corpus, "validation"),
        callbacks=callbacks,
        verbose=0,
    )
    seconds = time.time() - started
    epochs = len(history.history["loss"])
    metrics, reports, extra = score_classifier(classifier, corpus)
    latency = single_text_latency(classifier, corpus.splits.test["text"].tolist())
    hparams = {
        "architecture": settings.architecture,
        "pretrained": pretrained is not None,
        "learning_rate": settings.learning_rate,
        "warmup_epochs": settings.warmup_epochs,
        "monitor": settings.monitor,
        "dropout": settings.dropout,
        "batch_size": settings.batch_size,
        "sequence_length": corpus.sequence_length,
        "max_tokens": settings.max_tokens,
        "seed": seed,
        **{f"encoder_{k}": v for k, v in settings.encoder.items()},
        **(
            {
                "checkpoint": Path(settings.checkpoint).name,
                "pooling": settings.pooling,
                "warmup_ratio": settings.warmup_ratio,
                "truncation": settings.truncation,
                "layer_decay": settings.layer_decay,
                "weight_decay": 0.01,
                "optimizer": "AdamW",
            }
            if settings.architecture == ARCHITECTURE_BERT
            else {}
        ),
    }
    named = {"task": task, "model": model_name, "dataset": corpus.key, **hparams}  # the HParams view's columns
    write_tensorboard(folder, metrics, reports, corpus, named, trial_name(task, model_name, corpus.key, seed))
    records = []
    for split in ("validation", "test"):
        record_metrics = {**metrics[split], **(latency if split == "test" else {})}
        records.append(
            ResultRecord(
                task=task,
                model=model_name,
                dataset=corpus.key,
                split=split,
                seed=seed,
                metrics=record_metrics,
                train_seconds=seconds,
                examples_per_second=len(train) * epochs / max(seconds, 1e-9),
                params=int(classifier.token_model.count_params()),
                config={
                    **hparams,
                    "epochs_run": epochs,
                    "head": corpus.head.kind,
                    "language": corpus.language,
                    "history": {k: [float(x) for x in v] for k, v in history.history.items()},
                    **(
                        {
                            "labels": list(corpus.head.labels),
                            "confusion_matrix": np.asarray(reports[split]["confusion_matrix"]).tolist(),
                        }
                        if "confusion_matrix" in reports[split]
                        else {}
                    ),
                    **extra,
                },
                logdir=str(folder),
            )
        )
    checks = run_checks(classifier.intensity, corpus.language)  # hand-written behaviour checks (CheckList)
    write_metrics(folder, "checklist", {k: v for k, v in checks.items() if k != "results"})
    records.append(
        ResultRecord(
            task=task,
            model=model_name,
            dataset=corpus.key,
            split="checklist",
            seed=seed,
            metrics={k: v for k, v in checks.items() if k != "results"},
            params=records[-1].params,
            config={
                "results": [
                    dict(zip(("capability", "text", "expect", "than", "score", "other", "passed"), row))
                    for row in checks["results"]
                ]
            },
            logdir=str(folder),
        )
    )
    main = "macro_f1" if corpus.head.multi_label else "accuracy"
    log(
        f"{corpus.key}/{model_name}: test {main} {metrics['test'][main]:.4f} after {epochs} epochs, "
        f"{seconds:.0f}s, {len(train) * epochs / max(seconds, 1e-9):.0f} examples/s, "
        f"p50 latency {latency['latency_p50_ms']:.1f} ms, behaviour checks passed {checks['pass_rate']:.0%}"
    )
    if output is not None:
        classifier.save(output)
        (Path(output) / "report.json").write_text(json.dumps(reports, indent=2, ensure_ascii=False), encoding="utf-8")
    return classifier, records


def write_tensorboard(folder: Path, metrics, reports, corpus: Corpus, hparams: dict, trial_id: str) -> None:
    for split in ("validation", "test"):
        write_metrics(folder, split, metrics[split])
    main = "macro_f1" if corpus.head.multi_label else "accuracy"
    write_hparams(folder, hparams, {f"test_{main}": metrics["test"][main]}, trial_id=trial_id)
    if not corpus.head.multi_label:
        figure = confusion_matrix_figure(
            reports["test"]["confusion_matrix"], corpus.head.labels, title=f"{corpus.key}: test confusion matrix"
        )
        write_figure(folder, "test/confusion_matrix", figure)


# --- masked-LM pretraining ---------------------------------------------------------------------

# 128 characters hold 90% of the 56k Chinese training texts whole (68% of the hotel reviews). At 256, the
# masked-LM pretraining did not finish in hours on 2 CPU cores; at 128 an epoch took 162 s.
PRETRAINED_SEQUENCE_LENGTH = 128


def pretraining_texts(corpora) -> list[str]:
    """Training texts of ``corpora`` for masked-LM pretraining, never a text of any validation or test split.

    The corpora overlap (online-shopping-10cats has a hotel category, and review sites repeat reviews), so a
    text in one corpus's training split can be another's test text: every such text is left out.
    """
    held_out = set()
    for corpus in corpora:
        for split in ("validation", "test"):
            held_out |= set(data.splits.normalize_text(corpus.splits[split]["text"]))
    texts = {}
    for corpus in corpora:
        train = corpus.splits.train["text"]
        for key, text in zip(data.splits.normalize_text(train), train):
            if key not in held_out:
                texts.setdefault(key, text)
    return list(texts.values())


def copy_encoder(encoder: tf.keras.Model) -> tf.keras.Model:
    """An independent copy of a (pretrained) encoder, so each fine-tuning starts from the same weights."""
    clone = tf.keras.models.clone_model(encoder)
    clone.set_weights(encoder.get_weights())
    return clone


def pretrained_encoder(
    corpora,
    settings: RunSettings,
    seed: int = 0,
    epochs: int = 3,
    sequence_length: int = PRETRAINED_SEQUENCE_LENGTH,
    log=print,
):
    """Pretrain a Transformer encoder on the corpora's training texts (one language); returns (encoder, vectorizer)."""
    languages = {corpus.language for corpus in corpora}
    if len(languages) != 1:
        raise ValueError(f"pretraining corpora must share one language, got {sorted(languages)}")
    texts = pretraining_texts(corpora)
    log(f"masked-LM pretraining on {len(texts):,} training texts of {', '.join(c.key for c in corpora)}")
    progress = tf.keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: log(
            f"masked-LM epoch {epoch + 1}/{epochs}: loss {logs['loss']:.3f}, masked-token accuracy "
            f"{logs.get('accuracy', float('nan')):.3f}"
        )
    )
    encoder, vectorizer, history = pretrain_encoder(
        texts,
        languages.pop(),
        sequence_length=sequence_length,
        max_tokens=settings.max_tokens,
        epochs=epochs,
        batch_size=settings.batch_size,
        seed=seed,
        callbacks=[progress],
        **settings.encoder,
    )
    log(f"masked-LM loss {history.history['loss'][0]:.3f} -> {history.history['loss'][-1]:.3f}")
    return encoder, vectorizer
