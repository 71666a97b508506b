#!/usr/bin/env python
"""Scale benchmark of the data layer: the simulated world and full-ranking evaluation at size.

    python scripts/benchmark_data.py --results benchmark_data.json

1. Generates a simulated world of about a million implicit interactions
   (click or stronger; ``--users`` sets the size) and reports time and peak memory.
2. Scores ``--rank-users`` users against ``--rank-items`` items with random
   low-rank scores through ``evaluate_ranking`` and reports time and peak
   memory, showing that memory is bounded by the user batch, not by
   users x items (100k x 100k float32 scores would be 40 GB).

Peak memory is the process's maximum resident set size so far (Linux
``ru_maxrss``), so each stage's number includes the stages before it.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

import numpy as np

from emotion_tf.data import synthetic
from emotion_tf.data.splits import UserItemSets
from emotion_tf.metrics import evaluate_ranking
from emotion_tf.training.results import ResultRecord, format_table, write_records


def peak_memory_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6  # KiB on Linux


def world_at_scale(users: int, seed: int) -> ResultRecord:
    started = time.time()
    world = synthetic.generate(
        n_users=users, n_items=5000, n_categories=12, sessions_per_user=20, views_per_session=5, seed=seed
    )
    seconds = time.time() - started
    metrics = {
        "events": len(world.events),
        "interactions": len(world.interactions),
        "reviews": len(world.reviews),
        "seconds": seconds,
        "peak_rss_gb": peak_memory_gb(),
    }
    return ResultRecord(
        task="data-benchmark",
        model="synthetic-world",
        dataset="synthetic",
        split="all",
        seed=seed,
        metrics=metrics,
        train_seconds=seconds,
        config={"n_users": users, "n_items": 5000},
    )


def ranking_at_scale(n_users: int, n_items: int, seed: int) -> ResultRecord:
    rng = np.random.default_rng(seed)
    users_emb = rng.normal(size=(n_users, 16)).astype(np.float32)
    items_emb = rng.normal(size=(n_items, 16)).astype(np.float32)
    # five seen and two held-out items per user
    seen = UserItemSets.from_pairs(np.repeat(np.arange(n_users), 5), rng.integers(0, n_items, n_users * 5), n_users)
    heldout = UserItemSets.from_pairs(np.repeat(np.arange(n_users), 2), rng.integers(0, n_items, n_users * 2), n_users)
    started = time.time()
    result = evaluate_ranking(lambda users: users_emb[users] @ items_emb.T, heldout, seen, n_items)
    seconds = time.time() - started
    metrics = {
        "recall@20": result["recall@20"],
        "users": result["users"],
        "seconds": seconds,
        "users_per_second": n_users / seconds,
        "peak_rss_gb": peak_memory_gb(),
    }
    return ResultRecord(
        task="data-benchmark",
        model="evaluate-ranking",
        dataset="random-scores",
        split="all",
        seed=seed,
        metrics=metrics,
        config={"n_users": n_users, "n_items": n_items},
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=13_000, help="simulated users (13k gives ~1M interactions)")
    parser.add_argument("--rank-users", type=int, default=100_000)
    parser.add_argument("--rank-items", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--results", default="benchmark_data.json")
    args = parser.parse_args(argv)

    records = []
    print(f"generating a simulated world with {args.users:,} users ...", file=sys.stderr, flush=True)
    records.append(world_at_scale(args.users, args.seed))
    print(f"full ranking of {args.rank_items:,} items for {args.rank_users:,} users ...", file=sys.stderr, flush=True)
    records.append(ranking_at_scale(args.rank_users, args.rank_items, args.seed))
    print(format_table(records))
    write_records(records, args.results)
    print(f"wrote {args.results}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
