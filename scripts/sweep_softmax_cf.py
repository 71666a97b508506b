#!/usr/bin/env python
"""Softmax CF's settings, one changed at a time, scored on ml-100k's validation split only.

    python scripts/sweep_softmax_cf.py --data-dir DATA --seeds 0 1 --results softmax-cf-sweep.json

Each variant is the recommend task's full-preset ``SoftmaxCFSettings`` with one field changed, trained by
``train_softmax_cf`` (early stopping on validation NDCG@20) on the per-user split of each seed. Only
validation is scored: this is a model-selection run, and the test split stays unread. Records go to
``--results`` (task ``softmax-cf-sweep``, the variant in ``config``); the table is printed.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys

from emotion_tf.names import name_list
from emotion_tf.training.results import ResultRecord, format_table, write_records

# name -> the fields that differ from the preset
VARIANTS = {
    "default": {},
    "dim-400": {"dim": 400},
    "dim-600": {"dim": 600},
    "dim-1000": {"dim": 1000},
    "dropout-0.5": {"dropout": 0.5},
    "dropout-0.8": {"dropout": 0.8},
    "batch-32": {"batch_size": 32},
    "batch-512": {"batch_size": 512},
    "rate-3e-4": {"learning_rate": 3e-4},
    "rate-3e-3": {"learning_rate": 3e-3},
    "patience-30": {"patience": 30},
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default=None, help="a folder laid out as docs/data.md describes")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument(
        "--variants",
        type=name_list(VARIANTS, "variants"),
        default=",".join(VARIANTS),
        help=f"comma-separated, from {', '.join(VARIANTS)}",
    )
    parser.add_argument("--results", required=True, help="results JSON to write")
    args = parser.parse_args(argv)
    names = args.variants

    # TensorFlow loads here, once the options have passed (so --help answers at once)
    from emotion_tf import data
    from emotion_tf.metrics.ranking import SELECTED_ON
    from emotion_tf.recommend.softmax_cf_training import evaluate_softmax_cf, train_softmax_cf
    from emotion_tf.tasks.presets import FULL_RECOMMEND

    try:
        interactions = data.load("ml-100k", args.data_dir)["interactions"]
    except data.DataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    records = []
    for seed in args.seeds:
        splits = data.split_interactions(interactions, seed=seed)
        for name in names:
            settings = dataclasses.replace(FULL_RECOMMEND["softmax_cf"], **VARIANTS[name])
            trained = train_softmax_cf(splits, settings, seed=seed)
            scores = evaluate_softmax_cf(trained.model, splits, "validation", settings.targets)
            epochs = len(trained.history["loss"])
            records.append(
                ResultRecord(
                    "softmax-cf-sweep",
                    f"softmax-cf[{name}]",
                    "ml-100k",
                    "validation",
                    seed,
                    scores,
                    train_seconds=trained.seconds,
                    config={"variant": name, **settings.hparams(), "epochs_run": epochs, "selected_on": SELECTED_ON},
                )
            )
            write_records(records, args.results)  # rewritten after every run: a killed sweep keeps what it finished
            print(f"seed {seed} {name}: validation ndcg@20 {scores['ndcg@20']:.4f}", file=sys.stderr, flush=True)
    print(format_table(records, ["recall@20", "ndcg@20"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
