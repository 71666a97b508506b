#!/usr/bin/env python
"""Scale benchmark of the GCN: one training epoch on a simulated graph of about a million interactions.

    python scripts/benchmark_graph.py --results benchmark_graph.json

Generates the simulated world (``--users`` 13,000 and 5,000 items give about 1.0M implicit interactions),
splits it per docs/protocols.md, and trains the normalized GCN and LightGCN for ``--epochs`` epoch(s) each with
full-graph propagation once per step, then scores validation by full ranking over all items. Prints and
saves seconds per epoch, examples per second and peak memory (the process's maximum resident set size).
The ml-100k quality-and-time numbers come from ``train_all.py --preset full --only behavior-gcn``.
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import sys

from emotion_tf import data
from emotion_tf.data import synthetic
from emotion_tf.names import parse_names
from emotion_tf.training.results import ResultRecord, format_table, write_records


def peak_memory_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6  # KiB on Linux


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=13_000)
    parser.add_argument("--items", type=int, default=5_000)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=8192)
    parser.add_argument("--kinds", default="gcn,lightgcn", help="comma-separated graph recommenders to train")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--results", default="benchmark_graph.json")
    args = parser.parse_args(argv)
    for option in ("users", "items", "epochs", "batch_size"):
        if getattr(args, option) < 1:
            parser.error(f"--{option.replace('_', '-')} must be at least 1, got {getattr(args, option)}")

    # TensorFlow loads here, once the options have passed (so --help answers at once)
    from emotion_tf.behavior.graph_recommender import KINDS
    from emotion_tf.behavior.graph_training import (
        GraphTrainingSettings,
        evaluate_graph_recommender,
        train_graph_recommender,
    )

    try:  # the kinds live beside the models (TensorFlow), so they are checked here, before the world is made
        kinds = parse_names(args.kinds, KINDS, "graph recommender kinds")
    except ValueError as error:
        parser.error(f"argument --kinds: {error}")

    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731
    log(f"generating a simulated world with {args.users:,} users and {args.items:,} items ...")
    world = synthetic.generate(
        n_users=args.users,
        n_items=args.items,
        n_categories=12,
        sessions_per_user=20,
        views_per_session=5,
        seed=args.seed,
    )
    splits = data.split_interactions(world.interactions, seed=args.seed)
    log(
        f"{len(world.interactions):,} interactions, {len(splits.train):,} training pairs; "
        f"peak memory {peak_memory_gb():.2f} GB"
    )
    records = []
    for kind in kinds:
        settings = dataclasses.replace(
            GraphTrainingSettings(kind=kind), epochs=args.epochs, patience=args.epochs, batch_size=args.batch_size
        )
        result = train_graph_recommender(splits, settings, seed=args.seed, log=log)
        scores = evaluate_graph_recommender(result.model, splits, "validation", ks=(20,))
        train_seconds = sum(row["seconds"] for row in result.history)
        metrics = {
            "interactions": len(world.interactions),
            "training_pairs": len(splits.train),
            "seconds_per_epoch": train_seconds / len(result.history),
            "examples_per_second": len(splits.train) * len(result.history) / train_seconds,
            "validation_recall@20": scores["recall@20"],
            "total_seconds": result.seconds,
            "peak_rss_gb": peak_memory_gb(),
        }
        log(
            f"{kind}: {metrics['seconds_per_epoch']:.1f} s/epoch, validation recall@20 {scores['recall@20']:.4f} "
            f"after {len(result.history)} epoch(s), peak memory {metrics['peak_rss_gb']:.2f} GB"
        )
        records.append(
            ResultRecord(
                task="graph-benchmark",
                model=kind,
                dataset="synthetic-1m",
                split="validation",
                seed=args.seed,
                metrics=metrics,
                train_seconds=train_seconds,
                examples_per_second=metrics["examples_per_second"],
                config={**settings.hparams(), "n_users": args.users, "n_items": args.items},
            )
        )
    write_records(records, args.results)
    print(format_table(records))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
