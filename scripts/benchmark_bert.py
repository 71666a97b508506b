#!/usr/bin/env python
"""Fine-tune the pretrained English encoder on the English emotion corpora, for several seeds.

    python scripts/benchmark_bert.py --data-dir DATA --datasets rt-polarity,emotion-carer --seeds 0 \\
        --results docs/results/bert-seed0.json

For each (dataset, seed) it runs the full preset's bert settings (``emotion_tf.tasks.presets.bert_settings``:
AdamW, warm-up and linear decay, length-bucketed batches; 3 epochs with early stopping on validation loss, or for
multi-label GoEmotions 5 epochs with early stopping on validation macro F1) and writes validation and test
records, with seconds per epoch, examples per second, parameter count and single-text latency.  The
seed changes the training order and the head's initialisation (the split of emotion-carer and
goemotions is official; rt-polarity's split changes with the seed too, as in every other task).
The results file is rewritten after every run, so a killed benchmark keeps what it finished.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

from emotion_tf.data import DataError
from emotion_tf.data.catalog import CATALOG
from emotion_tf.data.pretrained import DEFAULT_ENGLISH, resolve_checkpoint
from emotion_tf.names import name_list
from emotion_tf.training.results import format_table, write_records

ENGLISH = ("emotion-carer", "rt-polarity", "goemotions")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default=None, help="a folder laid out as docs describe (datasets, pretrained/)")
    parser.add_argument(
        "--datasets",
        type=name_list(ENGLISH, "datasets"),
        default=",".join(ENGLISH),
        help=f"comma-separated, from {', '.join(ENGLISH)}",
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--pretrained", default=DEFAULT_ENGLISH, help="checkpoint folder or name")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--patience", type=int, default=None, help="epochs without a better --monitor that stop a run")
    parser.add_argument(
        "--monitor",
        choices=("val_loss", "val_macro_f1"),
        default=None,
        help="what early stopping watches (default: the preset's, val_macro_f1 for goemotions, else val_loss; "
        "val_macro_f1 needs a multi-label corpus)",
    )
    parser.add_argument("--results", required=True, help="results JSON to write")
    parser.add_argument("--logdir", default="tensorboard_logs/benchmark-bert")
    parser.add_argument("--save", default=None, help="also save each fine-tuned model under this folder")
    args = parser.parse_args(argv)

    datasets = args.datasets
    single_label = [key for key in datasets if not CATALOG[key].info.multi_label]
    if args.monitor == "val_macro_f1" and single_label:
        listed = ", ".join(single_label)
        parser.error(f"--monitor val_macro_f1 needs multi-label corpora (goemotions); single-label: {listed}")

    # TensorFlow loads here, once the options have passed (so --help and a refused option answer at once)
    from emotion_tf.sentiment.corpus import load_corpus
    from emotion_tf.sentiment.experiment import train_and_evaluate
    from emotion_tf.tasks.presets import bert_settings
    from emotion_tf.training.tensorboard import relative_logdir

    try:
        checkpoint = resolve_checkpoint(args.pretrained, args.data_dir)
    except DataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    # the preset's settings per corpus (bert_settings), then what the command line changes
    overrides = {
        name: value
        for name, value in (("epochs", args.epochs), ("patience", args.patience), ("monitor", args.monitor))
        if value
    }
    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731
    records, started = [], time.time()
    for key in datasets:
        for seed in args.seeds:
            corpus = load_corpus(key, args.data_dir, seed)
            settings = dataclasses.replace(bert_settings(corpus.head.multi_label, checkpoint), **overrides)
            folder = Path(args.logdir) / f"{key}-bert-seed{seed}"
            output = Path(args.save) / f"{key}-bert-seed{seed}" if args.save else None
            _, new = train_and_evaluate(corpus, settings, folder, seed=seed, log=log, output=output)
            for record in new:  # relative to --logdir: the results file names no machine path
                record.logdir = relative_logdir(record.logdir, Path(args.logdir))
            records += new
            write_records(records, args.results)
            log(f"{len(records)} records written to {args.results} ({(time.time() - started) / 60:.1f} min so far)")
    print(format_table(records))
    return 0


if __name__ == "__main__":
    sys.exit(main())
