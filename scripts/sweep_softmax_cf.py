#!/usr/bin/env python
"""Softmax CF's settings, one changed at a time or drawn jointly, scored on ml-100k's validation split only.

    python scripts/sweep_softmax_cf.py --data-dir DATA --seeds 0 1 --results softmax-cf-sweep.json
    python scripts/sweep_softmax_cf.py --data-dir DATA --seeds 0 1 --variants default --random 40 \
        --results softmax-cf-random-search.json

Each named variant is the recommend task's full-preset ``SoftmaxCFSettings`` with one field changed;
``--random N`` adds N variants ``random-01`` ... whose width, dropout, learning rate, batch size and target
kind are drawn together from ``RANDOM_GRID`` (seeded by ``--random-seed``), for interactions that one change
at a time cannot show. Each is trained by ``train_softmax_cf`` (early stopping on validation NDCG@20) on the
per-user split of each seed. Only validation is scored: this is a model-selection run, and the test split
stays unread. Records go to ``--results`` (task ``softmax-cf-sweep``, the variant and its settings in
``config``); the table is printed.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys

import numpy as np

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

# the values a joint draw picks from, each field independently and uniformly
RANDOM_GRID = {
    "dim": [100, 200, 300, 400, 600, 800],
    "dropout": [0.5, 0.6, 0.7, 0.75, 0.8, 0.85],
    "learning_rate": [3e-4, 5e-4, 1e-3, 2e-3],
    "batch_size": [32, 64, 128, 256, 512],
    "targets": ["implicit", "ratings"],
}


def random_variants(n: int, seed: int) -> dict[str, dict]:
    """``n`` joint draws from ``RANDOM_GRID``: {"random-01": {field: value, ...}, ...}, the same for the same seed."""
    rng = np.random.default_rng(seed)
    draws = {}
    for number in range(1, n + 1):
        draws[f"random-{number:02d}"] = {
            field: values[int(rng.integers(len(values)))] for field, values in RANDOM_GRID.items()
        }
    return draws


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
    parser.add_argument("--random", type=int, default=0, metavar="N", help="add N joint draws from RANDOM_GRID")
    parser.add_argument("--random-seed", type=int, default=123, help="seed of the --random draws")
    parser.add_argument("--results", required=True, help="results JSON to write")
    args = parser.parse_args(argv)
    if args.random < 0:
        parser.error(f"--random must be 0 or more, got {args.random}")
    variants = {name: VARIANTS[name] for name in args.variants} | random_variants(args.random, args.random_seed)

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
        for name, change in variants.items():
            settings = dataclasses.replace(FULL_RECOMMEND["softmax_cf"], **change)
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
            changed = ", ".join(f"{field}={value}" for field, value in change.items()) or "the preset"
            print(
                f"seed {seed} {name} ({changed}): validation ndcg@20 {scores['ndcg@20']:.4f}",
                file=sys.stderr,
                flush=True,
            )
    print(format_table(records, ["recall@20", "ndcg@20"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
