#!/usr/bin/env python
"""Print a results file (docs/protocols.md records) as Markdown tables, one per task, for README and docs.

python scripts/results_table.py results.json --split test
python scripts/results_table.py results.json --split test --metrics accuracy,macro_f1,recall@20,ndcg@20
python scripts/results_table.py seed0.json seed1.json ... --split test --metrics recall@20 --over-seeds
python scripts/results_table.py docs/results/full-preset-seed0.json --headline   # the README's results table
"""

from __future__ import annotations

import argparse
import sys

from emotion_tf.report import headline_table
from emotion_tf.training.results import format_seed_table, format_table, read_records


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", nargs="+", help="JSON files written by train_all.py or a benchmark command")
    parser.add_argument("--split", default=None, help="only records of this split (e.g. test)")
    parser.add_argument("--metrics", default=None, help="comma-separated metric columns (default: all present)")
    parser.add_argument(
        "--over-seeds",
        action="store_true",
        help="one row per task/model/dataset/split: mean ± std over the seeds in the files",
    )
    parser.add_argument(
        "--headline",
        action="store_true",
        help="one row per test record: its main metrics beside its bar or published anchor",
    )
    args = parser.parse_args(argv)
    try:
        records = [record for path in args.results for record in read_records(path)]
    except ValueError as error:
        raise SystemExit(f"error: {error}") from None
    if args.headline:
        print(headline_table(records))
        return 0
    if args.split:
        records = [r for r in records if r.split == args.split]
    metrics = args.metrics.split(",") if args.metrics else None
    for task in dict.fromkeys(r.task for r in records):
        rows = [r for r in records if r.task == task]
        columns = [m for m in metrics if any(m in r.metrics for r in rows)] if metrics else None
        print(f"**{task}** ({rows[0].hardware})\n")
        if args.over_seeds:
            columns = columns or list(dict.fromkeys(m for r in rows for m in r.metrics))
            print(format_seed_table(rows, columns) + "\n")
        else:
            print(format_table(rows, columns) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
